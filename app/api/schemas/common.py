"""What the resources share: the input base, the empty body, an alert."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class Input(BaseModel):
    # The base of every request body. An unknown field is refused, not
    # ignored: a client can never set a state, a total or an actor, and a
    # misspelt optional field is an error rather than silently missing.
    model_config = ConfigDict(extra="forbid")


class Empty(Input):
    """``{}``: the command takes no input (and accepts none)."""


class AlertPublic(BaseModel):
    code: str
    message: str
    for_role: str
    raised_at: datetime


# An answer's amount, as the read models document it.
Amount = Field(description="Decimal string in the currency's minor units", examples=["2550.00"],
               json_schema_extra={"format": "decimal"})
