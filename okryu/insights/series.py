"""What people bought and could not get, per product, day and district (read-only queries).

Days are Pyongyang calendar days. Units sold are the order lines of fulfilments that were not
cancelled or rejected; units unmet are the catalog's records of out-of-stock refusals and
waitlist entries (``okryu.catalog.demand``). A product's demand on a day is both: what was
sold is censored by what was on the shelf, and the unmet part is what the shelf lacked; units
sold to a shopper taking a waitlist offer were wanted already, when they joined, and count
in demand once.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet, Sum
from django.db.models.functions import TruncDate

from okryu.catalog.models import Product, UnmetDemand, WaitlistEntry, WaitlistStatus
from okryu.core import clock
from okryu.orders.models import OrderLine
from okryu.orders.rules import FulfilmentStatus

RELEASED = (FulfilmentStatus.CANCELLED.value, FulfilmentStatus.REJECTED.value)


@dataclass(frozen=True)
class DaySeries:
    """Units sold and unmet of one product on each day from ``start`` to ``end``.

    ``waited`` are the units sold each day to shoppers taking a waitlist offer: their wish
    was counted as unmet on the day they joined the waitlist (empty: none).
    """

    start: dt.date
    sold: tuple[int, ...]
    unmet: tuple[int, ...]
    waited: tuple[int, ...] = ()

    @property
    def days(self) -> tuple[dt.date, ...]:
        """The calendar days of the series, in order."""
        return tuple(self.start + dt.timedelta(days=i) for i in range(len(self.sold)))

    @property
    def demand(self) -> tuple[int, ...]:
        """Units wanted each day: sold plus unmet, each wish once.

        A shopper who waited and then took the offer wanted those units once, on the day
        they joined the waitlist; the sale that answers it is not counted again.
        """
        waited = self.waited or (0,) * len(self.sold)
        return tuple(
            max(s + u - w, 0)
            for s, u, w in zip(self.sold, self.unmet, waited, strict=True)
        )


@dataclass(frozen=True)
class DistrictDemand:
    """Units sold and unmet of products in one district over a period."""

    product_id: int
    district_id: int | None
    district_name: str
    district_name_en: str
    sold: int
    unmet: int


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    begin = dt.datetime.combine(start, dt.time(), tzinfo=clock.PYONGYANG)
    finish = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), clock.PYONGYANG)
    return begin, finish


def _sold_lines(
    product_ids: Iterable[int], start: dt.date, end: dt.date
) -> QuerySet[OrderLine]:
    begin, finish = _bounds(start, end)
    return OrderLine.objects.filter(
        product_id__in=list(product_ids),
        fulfilment__placed_at__gte=begin,
        fulfilment__placed_at__lt=finish,
    ).exclude(fulfilment__status__in=RELEASED)


def _unmet_rows(
    product_ids: Iterable[int], start: dt.date, end: dt.date
) -> QuerySet[UnmetDemand]:
    begin, finish = _bounds(start, end)
    return UnmetDemand.objects.filter(
        product_id__in=list(product_ids), at__gte=begin, at__lt=finish
    )


def daily_series(*, product_id: int, start: dt.date, end: dt.date) -> DaySeries:
    """Return the product's units sold and unmet on each day from ``start`` to ``end``."""
    assert start <= end
    length = (end - start).days + 1
    sold = [0] * length
    unmet = [0] * length
    sold_rows = (
        _sold_lines([product_id], start, end)
        .annotate(day=TruncDate("fulfilment__placed_at", tzinfo=clock.PYONGYANG))
        .values("day")
        .annotate(units=Sum("quantity"))
    )
    for row in sold_rows:
        sold[(row["day"] - start).days] += int(row["units"])
    unmet_rows = (
        _unmet_rows([product_id], start, end)
        .annotate(day=TruncDate("at", tzinfo=clock.PYONGYANG))
        .values("day")
        .annotate(units=Sum("quantity"))
    )
    for row in unmet_rows:
        unmet[(row["day"] - start).days] += int(row["units"])
    waited = [0] * length
    begin, finish = _bounds(start, end)
    waited_rows = (
        WaitlistEntry.objects.filter(
            product_id=product_id,
            status=WaitlistStatus.ORDERED,
            closed_at__gte=begin,
            closed_at__lt=finish,
        )
        .annotate(day=TruncDate("closed_at", tzinfo=clock.PYONGYANG))
        .values("day")
        .annotate(units=Sum("offered_quantity"))
    )
    for row in waited_rows:
        waited[(row["day"] - start).days] += int(row["units"])
    return DaySeries(
        start=start, sold=tuple(sold), unmet=tuple(unmet), waited=tuple(waited)
    )


def demand_by_district(
    *, product_ids: Iterable[int], start: dt.date, end: dt.date
) -> list[DistrictDemand]:
    """Return units sold and unmet per product and district, most unmet first."""
    ids = list(product_ids)
    totals: dict[tuple[int, int | None], list[int]] = defaultdict(lambda: [0, 0])
    names: dict[int | None, tuple[str, str]] = {None: ("구역 모름", "Unknown district")}
    for row in (
        _sold_lines(ids, start, end)
        .values(
            "product_id",
            "fulfilment__order__district_id",
            "fulfilment__order__district__name",
            "fulfilment__order__district__name_en",
        )
        .annotate(units=Sum("quantity"))
    ):
        district = row["fulfilment__order__district_id"]
        names[district] = (
            row["fulfilment__order__district__name"],
            row["fulfilment__order__district__name_en"],
        )
        totals[(row["product_id"], district)][0] += int(row["units"])
    for wish in (
        _unmet_rows(ids, start, end)
        .values("product_id", "district_id", "district__name", "district__name_en")
        .annotate(units=Sum("quantity"))
    ):
        district = wish["district_id"]
        if district is not None:
            names[district] = (wish["district__name"], wish["district__name_en"])
        totals[(wish["product_id"], district)][1] += int(wish["units"])
    rows = [
        DistrictDemand(
            product_id=product_id,
            district_id=district,
            district_name=names[district][0],
            district_name_en=names[district][1],
            sold=sold,
            unmet=unmet,
        )
        for (product_id, district), (sold, unmet) in totals.items()
    ]
    rows.sort(
        key=lambda row: (-row.unmet, -row.sold, row.product_id, row.district_id or 0)
    )
    return rows


def unmet_totals(
    *, product_ids: Iterable[int] | None, start: dt.date, end: dt.date
) -> dict[int, int]:
    """Return units unmet per product over the period (all products when None)."""
    begin, finish = _bounds(start, end)
    rows = UnmetDemand.objects.filter(at__gte=begin, at__lt=finish)
    if product_ids is not None:
        rows = rows.filter(product_id__in=list(product_ids))
    return {
        row["product_id"]: int(row["units"])
        for row in rows.values("product_id").annotate(units=Sum("quantity"))
    }


def waiting_units(product_ids: Iterable[int]) -> dict[int, int]:
    """Return units still wanted by waiting (not yet offered) waitlist entries, by product."""
    rows = (
        WaitlistEntry.objects.filter(
            product_id__in=list(product_ids), status=WaitlistStatus.WAITING
        )
        .values("product_id")
        .annotate(units=Sum("quantity"))
    )
    return {row["product_id"]: int(row["units"]) for row in rows}


def products_of_merchants(merchant_ids: Iterable[int]) -> list[Product]:
    """Return the products (active or withdrawn) of the merchants, by name."""
    return list(Product.objects.filter(merchant_id__in=list(merchant_ids)))
