"""Customers: registering one, and one as clients read it."""

from __future__ import annotations

from pydantic import Field

from app.api.fields import CountryCode, Text
from app.api.schemas.common import Input
from app.projections.tables import CustomerBase


class CustomerCreate(Input):
    name: Text
    country: CountryCode = Field(description="ISO 3166-1 alpha-2")


# The same fields as the customers' read-model row (SQLModel's "multiple
# models"), though answered from the event store. (No docstring: it would
# become the schema's description in openapi.json.)
class CustomerPublic(CustomerBase):
    pass
