"""Insight for producers: counted from real orders, refusals and waitlists, and kept private."""

import pytest
import time_machine

from okryu.accounts.models import User
from okryu.catalog.models import Product, WaitlistEntry
from okryu.catalog.services import receive_stock
from okryu.insights.reports import (
    country_unmet_demand,
    merchant_summary,
    product_insight,
    suggested_quantity,
)
from okryu.insights.tests.shop import TODAY, at, days_ago, make_shop
from okryu.merchants.models import Merchant
from okryu.orders.services import place_order
from okryu.orders.tests.builders import (
    checkout,
    make_merchant,
    make_product,
    near_district,
)
from okryu.payments.models import Card

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop() -> tuple[Merchant, User, Product, Product]:
    return make_shop()


def test_units_sold_per_day_are_the_orders_placed_on_that_day(shop):
    _merchant, _staff, rice, _soap = shop

    insight = product_insight(rice, today=TODAY)

    by_day = dict(zip(insight.history.days, insight.history.sold, strict=True))
    assert len(insight.history.days) == 90
    assert insight.history.days[-1] == days_ago(1)
    assert {day: units for day, units in by_day.items() if units} == {
        days_ago(5): 3,
        days_ago(3): 4,
        days_ago(1): 3,
    }
    assert sum(insight.history.unmet) == 0
    assert len(insight.forecast.units) == 28


def test_unmet_demand_counts_exactly_the_refusals_and_entries_made(shop):
    _merchant, _staff, _rice, soap = shop

    insight = product_insight(soap, today=TODAY)

    by_day = dict(zip(insight.history.days, insight.history.unmet, strict=True))
    assert {day: units for day, units in by_day.items() if units} == {
        days_ago(2): 3 + 2 + 4
    }
    assert insight.waiting == 4
    assert [(row.district_id, row.sold, row.unmet) for row in insight.districts] == [
        (near_district().pk, 1, 3 + 2),
        (None, 0, 4),  # The waitlist entry: a shopper with no saved address.
    ]


def test_a_wish_that_waited_and_was_then_ordered_counts_in_demand_once(shop):
    _merchant, staff, _rice, soap = shop
    shopper = WaitlistEntry.objects.get(product=soap).shopper
    card = Card.objects.get(holder=shopper)
    with time_machine.travel(at(days_ago(1)), tick=False):
        receive_stock(product_id=soap.pk, quantity=4, changed_by=staff)
        place_order(
            shopper_id=shopper.pk,
            checkout=checkout(card, [(soap, 4)]),
            idempotency_key="soap-offered",
        )

    insight = product_insight(soap, today=TODAY)

    # Sold on the day it was ordered, as the API reports it ...
    assert insight.history.sold[-2:] == (1, 4)
    # ... but wanted once: 1 sold, 5 refused and 4 waited for two days ago, none anew.
    assert insight.history.demand[-2:] == (10, 0)


def test_the_suggestion_covers_forecast_waiting_and_margin_less_what_is_available():
    assert (
        suggested_quantity(forecast_total=40.2, waiting=5, safety=6, available=10) == 42
    )
    assert (
        suggested_quantity(forecast_total=3.0, waiting=0, safety=1, available=50) == 0
    )


def test_a_sold_out_product_with_people_waiting_is_suggested_at_least_what_they_wait_for(
    shop,
):
    _merchant, _staff, _rice, soap = shop

    insight = product_insight(soap, today=TODAY)

    assert insight.suggested >= insight.waiting + round(sum(insight.forecast.units))


def test_the_merchant_summary_ranks_products_by_unmet_demand(shop):
    _merchant, staff, rice, soap = shop
    other, _other_staff = make_merchant()
    make_product(other, stock=0, name="남의 상품")

    with time_machine.travel(at(TODAY), tick=False):
        rows = merchant_summary(staff_user_id=staff.pk, today=TODAY)

    assert [(row.product.pk, row.sold, row.unmet, row.waiting) for row in rows] == [
        (soap.pk, 1, 9, 4),
        (rice.pk, 10, 0, 0),
    ]


def test_the_country_top_unmet_demand_is_by_product_and_district(shop):
    _merchant, _staff, _rice, soap = shop

    rows = country_unmet_demand(today=TODAY, days=28, limit=10)

    assert [(row.product_id, row.district_id, row.unmet) for row in rows] == [
        (soap.pk, near_district().pk, 5),
        (soap.pk, None, 4),
    ]
