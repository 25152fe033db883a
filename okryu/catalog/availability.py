"""Whether a product can be ordered now, is waiting for its restaurant to open, or is sold out.

One rule for every page and the API, so that a list, a product page, the basket and the
checkout never disagree: a dish of a closed restaurant is *closed until* its next opening
(it can still be ordered for a slot once it opens), never *sold out*; sold out means no unit
or portion is left, or the kitchen switched the dish off for today. Goods are not cooked, so
they follow their stock only.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from okryu.catalog.models import Product
from okryu.catalog.portions import available_units
from okryu.core import clock
from okryu.merchants.queries import list_opening_periods, opening_periods_by_merchant
from okryu.merchants.rules import OpeningPeriod, is_open_at, next_opening

# A slot can be chosen today or tomorrow (orders.rules.check_slot): a restaurant opening
# later than that cannot take an order now.
BOOKABLE_DAYS_AHEAD = 1


class Orderability(StrEnum):
    """Where a product stands for a shopper now."""

    ORDERABLE = "orderable"
    CLOSED = "closed"
    SOLD_OUT = "sold_out"


@dataclass(frozen=True)
class Availability:
    """A product's standing now.

    ``units`` is what can be ordered (a dish's portions left today, else stock), also while
    its restaurant is closed; ``opens_at`` is the next opening (Pyongyang time) when closed,
    None when open or when no opening is in sight (closed until further notice).
    """

    state: Orderability
    units: int
    opens_at: dt.datetime | None

    @property
    def is_closed(self) -> bool:
        return self.state == Orderability.CLOSED

    @property
    def is_sold_out(self) -> bool:
        return self.state == Orderability.SOLD_OUT

    @property
    def can_be_added(self) -> bool:
        """Whether a shopper may put it in the basket: units left and, when closed, an
        opening within the days a slot may be chosen."""
        return self.units > 0 and (
            self.state == Orderability.ORDERABLE or self.opens_at is not None
        )


def decide_availability(
    *,
    units: int,
    is_made_to_order: bool,
    periods: Sequence[OpeningPeriod],
    now: dt.datetime,
) -> Availability:
    """Return a product's standing at ``now`` (aware) from its units and its merchant's hours.

    Pure. Only made-to-order dishes follow their restaurant's hours. A closed restaurant's
    dish is ``closed`` whatever its portions; ``opens_at`` is given only when the opening is
    today or tomorrow (local days), the days a delivery slot can be chosen.
    """
    assert now.tzinfo is not None, "aware datetimes only"
    units = max(units, 0)
    if is_made_to_order:
        local = now.astimezone(clock.PYONGYANG)
        if not is_open_at(periods, local):
            opens = next_opening(periods, local)
            last_day = local.date() + dt.timedelta(days=BOOKABLE_DAYS_AHEAD)
            if opens is not None and opens.date() > last_day:
                opens = None
            return Availability(Orderability.CLOSED, units, opens)
    if units == 0:
        return Availability(Orderability.SOLD_OUT, 0, None)
    return Availability(Orderability.ORDERABLE, units, None)


def availability_of(
    product: Product, *, now: dt.datetime | None = None
) -> Availability:
    """Return ``product``'s standing now (its merchant's hours read or prefetched)."""
    periods = list_opening_periods(product.merchant) if product.is_made_to_order else []
    return decide_availability(
        units=available_units(product),
        is_made_to_order=product.is_made_to_order,
        periods=periods,
        now=now or clock.now(),
    )


def availabilities_of(
    products: Iterable[Product], *, now: dt.datetime | None = None
) -> dict[int, Availability]:
    """Return each product's standing by id, reading the restaurants' hours in one query."""
    products = list(products)
    moment = now or clock.now()
    hours = opening_periods_by_merchant(
        product.merchant_id for product in products if product.is_made_to_order
    )
    return {
        product.pk: decide_availability(
            units=available_units(product),
            is_made_to_order=product.is_made_to_order,
            periods=hours.get(product.merchant_id, []),
            now=moment,
        )
        for product in products
    }


def kitchen_hours(product_ids: Iterable[int]) -> dict[int, list[OpeningPeriod]]:
    """Return the opening periods of the restaurants cooking any of ``product_ids``.

    Keyed by merchant id; goods' merchants are left out (their hours do not bind a slot).
    """
    merchant_ids = Product.objects.filter(
        pk__in=list(product_ids), is_made_to_order=True
    ).values_list("merchant_id", flat=True)
    return opening_periods_by_merchant(merchant_ids)


def is_every_kitchen_open(
    hours: dict[int, list[OpeningPeriod]], at: dt.datetime
) -> bool:
    """Return whether every restaurant of ``hours`` is open at ``at`` (aware)."""
    local = at.astimezone(clock.PYONGYANG)
    return all(is_open_at(periods, local) for periods in hours.values())


def closed_kitchens(
    hours: dict[int, list[OpeningPeriod]], *, at: dt.datetime
) -> dict[int, dt.datetime | None]:
    """Return the restaurants of ``hours`` closed at ``at``, each with its next opening."""
    local = at.astimezone(clock.PYONGYANG)
    return {
        merchant_id: next_opening(periods, local)
        for merchant_id, periods in hours.items()
        if not is_open_at(periods, local)
    }
