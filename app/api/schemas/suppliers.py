"""Suppliers: registering one with its signing keys, and one as staff read it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self
from uuid import UUID

from pydantic import BaseModel, Field

from app.api.fields import CountryCode, KeyId, OptionalText, PublicKey, Text
from app.api.schemas.common import Input


class SupplierKeyIn(Input):
    keyid: KeyId
    public_key: PublicKey


class SupplierCreate(Input):
    name: Text
    country: CountryCode = Field(description="ISO 3166-1 alpha-2")
    contact: OptionalText = None
    keys: list[SupplierKeyIn] = Field(default_factory=list, max_length=20)


class SupplierKeyPublic(BaseModel):
    keyid: str
    public_key: str = Field(description="base64 of the raw 32-byte Ed25519 key")
    added_at: datetime
    revoked_at: datetime | None
    active: bool


class SupplierPublic(BaseModel):
    id: UUID
    name: str
    country: str
    contact: str | None
    keys: list[SupplierKeyPublic]
    version: int
    position: int | None = None

    @classmethod
    def from_view(cls, view: dict[str, Any], position: int | None = None, **_: Any) -> Self:
        return cls(**view, position=position)
