"""The insight routes: a product's demand for its staff, the country's for the operator."""

import pytest
import time_machine
from django.test import Client

from okryu.accounts.models import Role
from okryu.api.tokens import issue_token
from okryu.insights.tests.shop import TODAY, at, make_shop
from okryu.orders.tests.builders import make_merchant, make_shopper, make_user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return make_shop()


@time_machine.travel(at(TODAY), tick=False)
def test_staff_read_their_own_products_insight_over_the_api(shop):
    _merchant, staff, rice, _soap = shop

    response = Client().get(
        f"/api/v1/merchant/insights/products/{rice.pk}",
        HTTP_AUTHORIZATION=f"Bearer {issue_token(user=staff).token}",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert {"sold_by_day", "unmet_by_day", "waiting", "forecast", "suggested"} <= set(
        body
    )
    assert body["sold_by_day"][-1] == {"date": "2026-12-06", "units": 3}
    assert body["forecast"][0]["date"] == "2026-12-07"
    assert set(body["forecast"][0]) == {"date", "units", "low", "high"}
    assert isinstance(body["suggested"], int)


@time_machine.travel(at(TODAY), tick=False)
def test_another_merchants_staff_get_404_and_shoppers_403(shop):
    _merchant, _staff, rice, _soap = shop
    _other, other_staff = make_merchant()
    shopper, _card = make_shopper(balance_won=0)
    url = f"/api/v1/merchant/insights/products/{rice.pk}"

    foreign = Client().get(
        url, HTTP_AUTHORIZATION=f"Bearer {issue_token(user=other_staff).token}"
    )
    not_staff = Client().get(
        url, HTTP_AUTHORIZATION=f"Bearer {issue_token(user=shopper).token}"
    )

    assert (foreign.status_code, foreign.json()["code"]) == (404, "not_found")
    assert (not_staff.status_code, not_staff.json()["code"]) == (403, "forbidden")


@time_machine.travel(at(TODAY), tick=False)
def test_only_the_operator_reads_the_countrys_unmet_demand(shop):
    _merchant, staff, _rice, soap = shop
    operator = make_user_with_role(Role.OPERATOR)
    url = "/api/v1/ops/insights/demand"

    answer = Client().get(
        url, HTTP_AUTHORIZATION=f"Bearer {issue_token(user=operator).token}"
    )
    refused = Client().get(
        url, HTTP_AUTHORIZATION=f"Bearer {issue_token(user=staff).token}"
    )

    assert answer.status_code == 200
    assert [(item["product"], item["unmet"]) for item in answer.json()["items"]] == [
        (soap.pk, 5),
        (soap.pk, 4),
    ]
    assert refused.status_code == 403
