"""The producers' insight pages: ranked summary, one product with SVG charts, CSV, privacy."""

import datetime as dt
import gzip
import re

import pytest
import time_machine
from django.test import Client

from okryu.catalog.waitlist import join_waitlist
from okryu.core.errors import DomainError
from okryu.orders.services import place_order
from okryu.orders.tests.builders import (
    checkout,
    make_merchant,
    make_product,
    make_shopper,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC)
PAGE_BUDGET_BYTES = 14 * 1024


@pytest.fixture
def shop():
    merchant, staff = make_merchant()
    rice = make_product(merchant, stock=200, name="쌀", name_en="Rice")
    soap = make_product(merchant, stock=0, name="비누", name_en="Soap")
    shopper, card = make_shopper(balance_won=2_000_000)
    for ago in range(1, 40):
        with time_machine.travel(NOW - dt.timedelta(days=ago), tick=False):
            place_order(
                shopper_id=shopper.pk,
                checkout=checkout(card, [(rice, 1 + ago % 3)]),
                idempotency_key=f"rice-{ago}",
            )
    with time_machine.travel(NOW - dt.timedelta(days=2), tick=False):
        with pytest.raises(DomainError):
            place_order(
                shopper_id=shopper.pk,
                checkout=checkout(card, [(soap, 2)]),
                idempotency_key="soap",
            )
        join_waitlist(shopper_id=shopper.pk, product_id=soap.pk, quantity=3)
    client = Client()
    client.force_login(staff)
    return client, rice, soap


@time_machine.travel(NOW, tick=False)
def test_the_summary_ranks_my_products_by_unmet_demand(shop):
    client, rice, soap = shop

    html = client.get("/merchant/insights/").content.decode()

    assert html.index(f"/merchant/insights/{soap.pk}/") < html.index(
        f"/merchant/insights/{rice.pk}/"
    )


@time_machine.travel(NOW, tick=False)
def test_a_product_page_draws_its_charts_as_svg_within_the_page_budget(shop):
    client, rice, _soap = shop

    response = client.get(f"/merchant/insights/{rice.pk}/", HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    body = response.content
    html = (
        gzip.decompress(body) if response.get("Content-Encoding") == "gzip" else body
    ).decode()
    assert html.count("<svg") == 2
    # The charts need no script: the only one is the site's deferred offline helper.
    assert re.findall(r"<script[^>]*>", html) == [
        '<script defer src="/static/web/offline.js"></script>'[: -len("</script>")]
    ]
    assert "앞으로 28일 동안 만들거나 들여올 수량" in html
    assert len(body) <= PAGE_BUDGET_BYTES


@time_machine.travel(NOW, tick=False)
def test_the_csv_export_has_each_past_day_and_each_forecast_day(shop):
    client, rice, _soap = shop

    response = client.get(f"/merchant/insights/{rice.pk}/demand.csv")

    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "date,sold,unmet,forecast,low,high"
    assert len(lines) == 1 + 90 + 28
    assert lines[90] == "2026-12-06,2,0,,,"  # Yesterday: 1 + 1 % 3 units.


@time_machine.travel(NOW, tick=False)
def test_another_merchants_staff_find_the_product_missing(shop):
    _client, rice, _soap = shop
    _other, other_staff = make_merchant()
    stranger = Client()
    stranger.force_login(other_staff)

    assert stranger.get(f"/merchant/insights/{rice.pk}/").status_code == 404
    assert stranger.get(f"/merchant/insights/{rice.pk}/demand.csv").status_code == 404
    assert (
        f"/merchant/insights/{rice.pk}/"
        not in stranger.get("/merchant/insights/").content.decode()
    )


def test_shoppers_may_not_open_the_insight_pages(shop):
    shopper, _card = make_shopper(balance_won=0)
    client = Client()
    client.force_login(shopper)

    assert client.get("/merchant/insights/").status_code == 403
