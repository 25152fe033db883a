"""Per-product insight for producers, a merchant's summary, and the country's top unmet demand.

The suggested quantity is what to make or order for the next ``FORECAST_DAYS`` days:
the forecast of demand (sold plus unmet, so a shortage does not teach the model that nobody
wanted the product; a sale to a shopper who waited for it is counted once), plus the units
shoppers still wait for, plus a safety margin (the total covered at the forecast's level),
minus what is in stock and not already ordered by shoppers or offered to a waitlist
(``Product.stock_available``), never below zero.
"""

import datetime as dt
import hashlib
import math
from dataclasses import dataclass

from django.core.cache import cache

from okryu.catalog.models import Product
from okryu.core import clock
from okryu.core.errors import NotFound
from okryu.insights.forecast import Forecast, forecast_demand, safety_margin
from okryu.insights.series import (
    DaySeries,
    DistrictDemand,
    daily_series,
    demand_by_district,
    products_of_merchants,
    unmet_totals,
    waiting_units,
)
from okryu.merchants.models import MerchantStaff

HISTORY_DAYS = 90
FORECAST_DAYS = 28
SUMMARY_DAYS = 28
FORECAST_CACHE_SECONDS = 24 * 60 * 60
# Part of the cache key: a forecast cached by an earlier model is not served after a change.
FORECAST_VERSION = 3


@dataclass(frozen=True)
class ProductInsight:
    """What one product's producer should know: past demand, its forecast, what to make."""

    product: Product
    history: DaySeries
    districts: list[DistrictDemand]
    waiting: int
    forecast_start: dt.date
    forecast: Forecast
    safety: int
    suggested: int

    @property
    def forecast_days(self) -> tuple[dt.date, ...]:
        """The calendar days the forecast covers."""
        return tuple(
            self.forecast_start + dt.timedelta(days=i)
            for i in range(len(self.forecast.units))
        )

    def as_api_dict(self) -> dict[str, object]:
        """Return the body of ``GET /merchant/insights/products/{id}`` (API.md)."""
        return {
            "product": self.product.pk,
            "sold_by_day": [
                {"date": day.isoformat(), "units": units}
                for day, units in zip(self.history.days, self.history.sold, strict=True)
            ],
            "unmet_by_day": [
                {"date": day.isoformat(), "units": units}
                for day, units in zip(
                    self.history.days, self.history.unmet, strict=True
                )
            ],
            "by_district": [
                {
                    "district": row.district_id,
                    "name": row.district_name,
                    "name_en": row.district_name_en,
                    "sold": row.sold,
                    "unmet": row.unmet,
                }
                for row in self.districts
            ],
            "waiting": self.waiting,
            "stock_available": max(self.product.stock_available, 0),
            "forecast": [
                {
                    "date": day.isoformat(),
                    "units": round(units, 1),
                    "low": round(low, 1),
                    "high": round(high, 1),
                }
                for day, units, low, high in zip(
                    self.forecast_days,
                    self.forecast.units,
                    self.forecast.low,
                    self.forecast.high,
                    strict=True,
                )
            ],
            "forecast_level": self.forecast.level,
            "safety_margin": self.safety,
            "suggested": self.suggested,
        }


def staff_merchant_ids(staff_user_id: int) -> list[int]:
    """Return the ids of the merchants the person works for."""
    return list(
        MerchantStaff.objects.filter(user_id=staff_user_id).values_list(
            "merchant_id", flat=True
        )
    )


def product_insight_for_staff(*, staff_user_id: int, product_id: int) -> ProductInsight:
    """Return the insight of one of the staff member's products (NotFound otherwise)."""
    product = Product.objects.filter(
        pk=product_id, merchant_id__in=staff_merchant_ids(staff_user_id)
    ).first()
    if product is None:
        raise NotFound("상품을 찾을 수 없습니다.")
    return product_insight(product, today=clock.local_today())


def product_insight(product: Product, *, today: dt.date) -> ProductInsight:
    """Return the product's last ``HISTORY_DAYS`` days, forecast and suggested quantity.

    Today is not yet over, so the history ends yesterday and the forecast starts today.
    """
    end = today - dt.timedelta(days=1)
    start = today - dt.timedelta(days=HISTORY_DAYS)
    history = daily_series(product_id=product.pk, start=start, end=end)
    active = _from_first_activity(history.demand)
    first_day = end - dt.timedelta(days=len(active) - 1)
    forecast = _cached_forecast(product.pk, active, first_day=first_day)
    waiting = waiting_units([product.pk]).get(product.pk, 0)
    safety = math.ceil(safety_margin(forecast))
    suggested = suggested_quantity(
        forecast_total=sum(forecast.expected),
        waiting=waiting,
        safety=safety,
        available=max(product.stock_available, 0),
    )
    return ProductInsight(
        product=product,
        history=history,
        districts=demand_by_district(product_ids=[product.pk], start=start, end=end),
        waiting=waiting,
        forecast_start=today,
        forecast=forecast,
        safety=safety,
        suggested=suggested,
    )


def _cached_forecast(
    product_id: int, demand: tuple[int, ...], *, first_day: dt.date
) -> Forecast:
    # Fitting takes a few hundred milliseconds; the same history on the same days gives the
    # same forecast, so it is kept for a day under a key of the history and its first day (a
    # new sale, or a new day, makes a new key).
    digest = hashlib.sha256(repr(demand).encode()).hexdigest()[:16]
    key = (
        f"okryu:insights:forecast:{FORECAST_VERSION}:{product_id}:{FORECAST_DAYS}:"
        f"{first_day.isoformat()}:{digest}"
    )
    stored = cache.get(key)
    if isinstance(stored, Forecast):
        return stored
    forecast = forecast_demand(demand, horizon=FORECAST_DAYS, first_day=first_day)
    cache.set(key, forecast, FORECAST_CACHE_SECONDS)
    return forecast


def _from_first_activity(demand: tuple[int, ...]) -> tuple[int, ...]:
    # Days before a product's first sale or wish are days it did not exist yet, not days of
    # no demand; fitting them would drag the forecast down.
    for index, units in enumerate(demand):
        if units:
            return demand[index:]
    return demand


def suggested_quantity(
    *, forecast_total: float, waiting: int, safety: int, available: int
) -> int:
    """Units to make or order: forecast + waiting + safety − available, at least 0."""
    return max(math.ceil(forecast_total + waiting + safety - available), 0)


@dataclass(frozen=True)
class ProductSummary:
    """One row of a merchant's summary: a product and its recent demand."""

    product: Product
    sold: int
    unmet: int
    waiting: int


def merchant_summary(*, staff_user_id: int, today: dt.date) -> list[ProductSummary]:
    """Return the staff member's products over the last ``SUMMARY_DAYS`` days (today
    included), most unmet demand (refusals and waitlist entries) first."""
    products = products_of_merchants(staff_merchant_ids(staff_user_id))
    ids = [product.pk for product in products]
    end = today
    start = today - dt.timedelta(days=SUMMARY_DAYS - 1)
    unmet = unmet_totals(product_ids=ids, start=start, end=end)
    waiting = waiting_units(ids)
    sold: dict[int, int] = {}
    for row in demand_by_district(product_ids=ids, start=start, end=end):
        sold[row.product_id] = sold.get(row.product_id, 0) + row.sold
    rows = [
        ProductSummary(
            product=product,
            sold=sold.get(product.pk, 0),
            unmet=unmet.get(product.pk, 0),
            waiting=waiting.get(product.pk, 0),
        )
        for product in products
    ]
    rows.sort(key=lambda row: (-row.unmet, -row.waiting, -row.sold, row.product.name))
    return rows


def country_unmet_demand(
    *, today: dt.date, days: int, limit: int
) -> list[DistrictDemand]:
    """Return the country's top unmet demand by product and district over the last ``days``
    days, today included."""
    end = today
    start = today - dt.timedelta(days=days - 1)
    unmet = unmet_totals(product_ids=None, start=start, end=end)
    top_products = sorted(unmet, key=lambda pk: -unmet[pk])[: limit * 4]
    rows = [
        row
        for row in demand_by_district(product_ids=top_products, start=start, end=end)
        if row.unmet > 0
    ]
    return rows[:limit]
