"""The merchant API sets what the dish and hours pages set: capacity, sold out, time, options
and the week of opening hours, for the caller's own merchant only."""

import datetime as dt
from typing import Any

import pytest
import time_machine

from okryu.accounts.models import Role
from okryu.api.tests.support import assert_problem, bearer, make_person
from okryu.api.tokens import issue_token
from okryu.catalog.models import Option, OptionGroup, Product
from okryu.catalog.tests.factories import Noodles
from okryu.merchants.models import MerchantStaff, OpeningHours
from okryu.orders.tests.dish_builders import make_noodles, make_restaurant

pytestmark = pytest.mark.django_db

# 2026-12-01 12:00 in Pyongyang.
NOON = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _noon():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def noodles() -> Noodles:
    return make_noodles(make_restaurant(), capacity=5)


def token_of(user) -> dict[str, str]:
    return bearer(issue_token(user=user).token)


@pytest.fixture
def cook(noodles) -> dict[str, str]:
    return token_of(MerchantStaff.objects.get(merchant=noodles.dish.merchant).user)


def post(client: Any, path: str, body: Any, headers: Any, **extra: Any):
    return client.post(
        path, body, content_type="application/json", **{**headers, **extra}
    )


def dish_state(noodles: Noodles) -> tuple[Any, ...]:
    dish = Product.objects.get(pk=noodles.dish.pk)
    return (
        dish.daily_capacity,
        dish.is_sold_out,
        dish.preparation_minutes,
        OptionGroup.objects.filter(product=dish).count(),
        Option.objects.filter(group__product=dish).count(),
    )


def test_staff_set_a_dishs_capacity_sold_out_switch_and_time(api_client, noodles, cook):
    url = f"/api/v1/merchant/dishes/{noodles.dish.pk}/kitchen"
    body = {"daily_capacity": 40, "sold_out": True, "preparation_minutes": 25}

    first = post(api_client, url, body, cook, HTTP_IDEMPOTENCY_KEY="k1")
    again = post(api_client, url, body, cook, HTTP_IDEMPOTENCY_KEY="k1")
    read = api_client.get(f"/api/v1/merchant/dishes/{noodles.dish.pk}", **cook)

    assert first.status_code == 200, first.content
    answer = first.json()
    assert (
        answer["daily_capacity"],
        answer["sold_out"],
        answer["own_preparation_minutes"],
        answer["preparation_minutes"],
        answer["available"],
        answer["portions_taken_today"],
    ) == (40, True, 25, 25, 0, 0)
    assert again.json() == answer
    assert again["Idempotent-Replayed"] == "true"
    assert read.json() == answer
    assert dish_state(noodles)[:3] == (40, True, 25)


def test_a_capacity_below_todays_portions_is_refused_and_changes_nothing(
    api_client, noodles, cook
):
    Product.objects.filter(pk=noodles.dish.pk).update(
        portions_taken=3, portions_day=dt.date(2026, 12, 1)
    )
    before = dish_state(noodles)

    response = post(
        api_client,
        f"/api/v1/merchant/dishes/{noodles.dish.pk}/kitchen",
        {"daily_capacity": 2, "sold_out": False, "preparation_minutes": None},
        cook,
    )

    body = assert_problem(response, status=422, code="invalid")
    assert body["detail"] == (
        "오늘 이미 3인분이 주문되었습니다. 그보다 적게 정할 수 없습니다."
    )
    assert dish_state(noodles) == before


def test_staff_add_and_remove_option_groups_and_options(api_client, noodles, cook):
    group = post(
        api_client,
        f"/api/v1/merchant/dishes/{noodles.dish.pk}/option-groups",
        {"name": "국물", "name_en": "Broth", "choice": "one"},
        cook,
    )
    group_id = group.json()["id"]
    option = post(
        api_client,
        f"/api/v1/merchant/option-groups/{group_id}/options",
        {"name": "동치미국물", "name_en": "Radish broth", "price_change": 1000},
        cook,
    )
    without_egg = post(
        api_client, f"/api/v1/merchant/options/{noodles.egg.pk}/remove", {}, cook
    )
    without_extras = post(
        api_client,
        f"/api/v1/merchant/option-groups/{noodles.extras.pk}/remove",
        {},
        cook,
    )

    assert (group.status_code, option.status_code) == (201, 201)
    assert group.json() == {
        "id": group_id,
        "name": "국물",
        "name_en": "Broth",
        "choice": "one",
        "options": [],
    }
    assert option.json()["price_change"] == 1000
    assert [g["name"] for g in without_egg.json()["option_groups"]] == [
        "양",
        "추가",
        "국물",
    ]
    assert [
        (g["name"], [o["name"] for o in g["options"]])
        for g in without_extras.json()["option_groups"]
    ] == [("양", ["보통", "곱빼기"]), ("국물", ["동치미국물"])]


def test_staff_read_and_replace_their_merchants_week_of_hours(
    api_client, noodles, cook
):
    merchant_id = noodles.dish.merchant_id
    url = f"/api/v1/merchant/merchants/{merchant_id}/hours"
    week = [
        {"weekday": 1, "opens_at": "17:00", "closes_at": "21:30"},
        {"weekday": 1, "opens_at": "11:00", "closes_at": "14:30"},
        {"weekday": 5, "opens_at": "22:00", "closes_at": "02:00"},
    ]

    mine = api_client.get("/api/v1/merchant/merchants", **cook)
    before = api_client.get(url, **cook)
    replaced = post(api_client, url, {"periods": week}, cook)
    after = api_client.get(url, **cook)

    assert [m["id"] for m in mine.json()] == [merchant_id]
    assert len(before.json()["periods"]) == 7
    assert replaced.status_code == 200, replaced.content
    assert (
        replaced.json()
        == after.json()
        == {
            "merchant": merchant_id,
            "periods": [week[1], week[0], week[2]],
        }
    )


def test_overlapping_hours_are_refused_and_change_nothing(api_client, noodles, cook):
    merchant_id = noodles.dish.merchant_id
    before = OpeningHours.objects.filter(merchant_id=merchant_id).count()

    response = post(
        api_client,
        f"/api/v1/merchant/merchants/{merchant_id}/hours",
        {
            "periods": [
                {"weekday": 6, "opens_at": "22:00", "closes_at": "03:00"},
                {"weekday": 0, "opens_at": "02:00", "closes_at": "09:00"},
            ]
        },
        cook,
    )

    body = assert_problem(response, status=422, code="invalid")
    assert body["detail"] == "영업 시간이 서로 겹칩니다."
    assert OpeningHours.objects.filter(merchant_id=merchant_id).count() == before


def the_routes(noodles: Noodles) -> list[tuple[str, str, Any]]:
    dish = noodles.dish.pk
    merchant = noodles.dish.merchant_id
    return [
        ("get", f"/api/v1/merchant/dishes/{dish}", None),
        (
            "post",
            f"/api/v1/merchant/dishes/{dish}/kitchen",
            {"daily_capacity": 1, "sold_out": False, "preparation_minutes": None},
        ),
        (
            "post",
            f"/api/v1/merchant/dishes/{dish}/option-groups",
            {"name": "x", "name_en": "x", "choice": "any"},
        ),
        (
            "post",
            f"/api/v1/merchant/option-groups/{noodles.portion.pk}/options",
            {"name": "x", "name_en": "x", "price_change": 0},
        ),
        ("post", f"/api/v1/merchant/options/{noodles.egg.pk}/remove", {}),
        ("post", f"/api/v1/merchant/option-groups/{noodles.extras.pk}/remove", {}),
        ("get", f"/api/v1/merchant/merchants/{merchant}/hours", None),
        ("post", f"/api/v1/merchant/merchants/{merchant}/hours", {"periods": []}),
    ]


def call(client: Any, method: str, path: str, body: Any, headers: Any):
    if method == "get":
        return client.get(path, **headers)
    return post(client, path, body, headers)


def test_staff_of_another_merchant_find_none_of_it_and_change_nothing(
    api_client, noodles
):
    other = make_restaurant()
    stranger = token_of(MerchantStaff.objects.get(merchant=other).user)
    before = (dish_state(noodles), OpeningHours.objects.count())

    answers = [
        call(api_client, method, path, body, stranger)
        for method, path, body in the_routes(noodles)
    ]

    for answer in answers:
        assert_problem(answer, status=404, code="not_found")
    assert (dish_state(noodles), OpeningHours.objects.count()) == before


@pytest.mark.parametrize("role", [Role.SHOPPER, Role.COURIER, Role.OPERATOR])
def test_people_who_are_not_merchant_staff_are_forbidden(api_client, noodles, role):
    outsider = token_of(make_person(role))
    before = (dish_state(noodles), OpeningHours.objects.count())

    answers = [
        call(api_client, method, path, body, outsider)
        for method, path, body in the_routes(noodles)
    ]

    for answer in answers:
        assert_problem(answer, status=403, code="forbidden")
    assert (dish_state(noodles), OpeningHours.objects.count()) == before
