"""Customers: registering one, and one as clients read it."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field

from app.api.fields import CountryCode, Text
from app.api.schemas.common import Input


class CustomerCreate(Input):
    name: Text
    country: CountryCode = Field(description="ISO 3166-1 alpha-2")


class CustomerPublic(BaseModel):
    id: UUID
    name: str
    country: str
    region: str
