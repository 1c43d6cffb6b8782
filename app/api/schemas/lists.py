"""Answers of the lookups (issue 13, item 4): the customer list and the
rows of the delay-cause report as CSV. An order looked up by reference is
answered as its board rows (``BoardPage``, app/api/schemas/reads.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.api.schemas.customers import CustomerPublic
from app.api.schemas.reads import HasMore


class CustomersPage(BaseModel):
    data: list[CustomerPublic]
    next_cursor: str | None
    has_more: bool = HasMore


class DelayCauseRow(BaseModel):
    """A row of the delay-cause report as CSV: a cause or a responsible party."""

    by: Literal["cause", "responsible"]
    name: str
    count: int = Field(description="Delays reported")
    days: int = Field(description="Days lost")
