"""The period-limit route: staff on their own products, operators on any, others refused."""

import pytest

from okryu.accounts.models import Role
from okryu.api.tests.support import assert_problem, bearer, make_person, new_product
from okryu.api.tokens import issue_token
from okryu.merchants.models import MerchantStaff

pytestmark = pytest.mark.django_db


def url(product_id: int) -> str:
    return f"/api/v1/merchant/products/{product_id}/period-limit"


def test_staff_set_two_a_week_on_their_own_product(api_client):
    product = new_product()
    staff = make_person(Role.MERCHANT)
    MerchantStaff.objects.create(merchant=product.merchant, user=staff)

    response = api_client.post(
        url(product.pk),
        {"units": 2, "days": 7},
        content_type="application/json",
        **bearer(issue_token(user=staff).token),
    )

    assert response.status_code == 200, response.content
    assert response.json() == {"product": product.pk, "units": 2, "days": 7}
    detail = api_client.get(f"/api/v1/products/{product.pk}").json()
    assert detail["period_limit"] == {"units": 2, "days": 7}


def test_another_merchants_product_is_404(api_client):
    product = new_product()
    staff = make_person(Role.MERCHANT)

    response = api_client.post(
        url(product.pk),
        {"units": 2, "days": 7},
        content_type="application/json",
        **bearer(issue_token(user=staff).token),
    )

    assert_problem(response, status=404, code="not_found")


def test_an_operator_may_clear_it_and_a_shopper_may_not_touch_it(
    api_client, operator_token, shopper_token
):
    product = new_product()

    cleared = api_client.post(
        url(product.pk),
        {"units": None, "days": None},
        content_type="application/json",
        **bearer(operator_token),
    )
    refused = api_client.post(
        url(product.pk),
        {"units": 1, "days": 1},
        content_type="application/json",
        **bearer(shopper_token),
    )

    assert cleared.json() == {"product": product.pk, "units": None, "days": None}
    assert_problem(refused, status=403, code="forbidden")
