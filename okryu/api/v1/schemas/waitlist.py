"""Bodies of the waitlist routes (API.md "Waitlists and insights")."""

import datetime as dt
from typing import Literal

from django.conf import settings
from ninja import Schema
from pydantic import ConfigDict, Field

from okryu.api.v1.schemas.text import Integer
from okryu.catalog.models import WaitlistEntry
from okryu.catalog.waitlist import waiting_position

WaitlistStatusOut = Literal["waiting", "offered", "ordered", "expired", "cancelled"]


class WaitlistIn(Schema):
    """How many units the shopper wants when the product returns."""

    model_config = ConfigDict(extra="forbid")

    quantity: Integer = Field(
        gt=0,
        le=settings.OKRYU_LINE_QUANTITY_MAX,
        description="Units, a positive integer.",
    )


class WaitlistEntryOut(Schema):
    """One waitlist entry of the caller."""

    id: int
    product: int = Field(description="The product id.")
    product_name: str
    product_name_en: str
    quantity: int = Field(description="Units asked for.")
    position: int | None = Field(
        description="Place among the product's waiting entries (1 = next); null unless "
        "`waiting`."
    )
    status: WaitlistStatusOut = Field(
        description="`waiting`, `offered` (units held until `offered_until`), `ordered`, "
        "`expired` (the offer ran out) or `cancelled`."
    )
    offered_quantity: int = Field(
        description="Units offered and held (the whole quantity or what was left)."
    )
    offered_until: dt.datetime | None = Field(
        description="Until when the offered units are held; null unless offered."
    )
    created_at: dt.datetime

    @classmethod
    def from_entry(cls, entry: WaitlistEntry) -> "WaitlistEntryOut":
        """Return the answer for ``entry`` (its product loaded along)."""
        return cls(
            id=entry.pk,
            product=entry.product_id,
            product_name=entry.product.name,
            product_name_en=entry.product.name_en,
            quantity=entry.quantity,
            position=waiting_position(entry),
            status=entry.status,  # type: ignore[arg-type]
            offered_quantity=entry.offered_quantity,
            offered_until=entry.offered_until if entry.status == "offered" else None,
            created_at=entry.created_at,
        )
