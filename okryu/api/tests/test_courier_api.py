"""The delivery routes: a whole order from two merchants to the door, and every refusal."""

import datetime as dt
from typing import Any

import pytest
import time_machine

from okryu.accounts.models import Role, User
from okryu.api.tests.support import assert_problem, bearer, make_person, new_district
from okryu.api.tokens import issue_token
from okryu.catalog.services import receive_stock
from okryu.catalog.tests.factories import ProductFactory
from okryu.core import clock
from okryu.delivery.models import Courier, DeliveryJob, DeliveryJobEvent
from okryu.delivery.services import register_courier, start_duty
from okryu.merchants.models import Merchant, MerchantKind, MerchantStaff
from okryu.merchants.tests.factories import MerchantFactory
from okryu.orders.models import Fulfilment
from okryu.orders.tests.builders import open_all_week
from okryu.payments import ledger
from okryu.payments.cards import issue_card

# Checkout and the hand-over open durable transactions, which cannot nest in a test's.
pytestmark = pytest.mark.django_db(transaction=True)

PIN = "1234"
# Noon in Pyongyang, when the restaurant is open.
NOON = dt.datetime(2026, 5, 12, 12, 0, tzinfo=clock.PYONGYANG)


@pytest.fixture(autouse=True)
def at_noon():
    with time_machine.travel(NOON, tick=True):
        yield


def token_of(user: User) -> dict[str, str]:
    return bearer(issue_token(user=user).token)


def merchant_with_staff(kind: str, username: str, district) -> tuple[Merchant, User]:
    merchant = MerchantFactory(kind=kind, district=district)
    staff = make_person(Role.MERCHANT, username=username)
    MerchantStaff.objects.create(merchant=merchant, user=staff)
    return merchant, staff


def courier_person(username: str, district, vehicle: str = "motorbike") -> User:
    person = make_person(Role.COURIER, username=username)
    register_courier(
        user_id=person.pk,
        vehicle=vehicle,
        capacity_grams=30_000,
        district_id=district.pk,
    )
    start_duty(courier_user_id=person.pk)
    return person


@pytest.fixture
def world() -> dict[str, Any]:
    central = new_district(code="central", name="중구역", name_en="Central")
    new_district(code="near", name="보통강구역", name_en="Near", longitude=125.7525)
    restaurant, cook = merchant_with_staff(
        MerchantKind.RESTAURANT, "restaurant1", central
    )
    open_all_week(restaurant, dt.time(8, 0), dt.time(22, 0))
    store, clerk = merchant_with_staff(MerchantKind.STORE, "store1", central)
    noodles = ProductFactory(
        merchant=restaurant, price_won=7_000, is_made_to_order=True, weight_grams=800
    )
    tofu = ProductFactory(merchant=store, price_won=2_000, weight_grams=500)
    receive_stock(product_id=noodles.pk, quantity=10, changed_by=None)
    receive_stock(product_id=tofu.pk, quantity=10, changed_by=None)
    shopper = make_person(Role.SHOPPER, username="shopper1")
    card = issue_card(holder=shopper, phone="01012345678", pin=PIN)
    ledger.top_up(card_number=card.number, amount_won=100_000, transfer_id="t-1")
    return {
        "shopper": shopper,
        "card": card,
        "staff": [cook, clerk],
        "lines": [(noodles, 2), (tofu, 3)],
        "courier": courier_person("courier1", central),
        "other_courier": courier_person("courier2", central, vehicle="van"),
        "operator": make_person(Role.OPERATOR, username="operator"),
    }


def place_order(client, world) -> dict[str, Any]:
    response = client.post(
        "/api/v1/orders",
        {
            "lines": [{"product": p.pk, "quantity": q} for p, q in world["lines"]],
            "address": {"district": "near", "detail": "3-201"},
            "card": world["card"].number,
            "pin": PIN,
        },
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="order-1",
        **token_of(world["shopper"]),
    )
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def make_ready(client, world, order: dict[str, Any]) -> None:
    for fulfilment, staff in zip(order["fulfilments"], world["staff"], strict=True):
        for action in ("accept", "preparing", "ready"):
            response = client.post(
                f"/api/v1/merchant/fulfilments/{fulfilment['id']}/{action}",
                **token_of(staff),
            )
            assert response.status_code == 200, response.content


def order_of(client, world, order_id: int) -> dict[str, Any]:
    response = client.get(f"/api/v1/orders/{order_id}", **token_of(world["shopper"]))
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def post(client, user: User, path: str, body: Any = None):
    return client.post(
        path, body or {}, content_type="application/json", **token_of(user)
    )


@pytest.fixture
def dispatched(client, world) -> dict[str, Any]:
    order = place_order(client, world)
    make_ready(client, world, order)
    response = post(client, world["operator"], "/api/v1/ops/dispatch")
    assert response.status_code == 200, response.content
    return {"order": order, "dispatch": response.json()}


def test_an_order_of_a_restaurant_and_a_shop_is_carried_to_the_door_and_paid(
    client, world, dispatched
):
    order, courier = dispatched["order"], world["courier"]
    codes = [
        f["delivery"]["confirmation_code"]
        for f in order_of(client, world, order["id"])["fulfilments"]
    ]

    jobs = client.get("/api/v1/courier/jobs", **token_of(courier)).json()
    for job in jobs["items"]:
        response = post(client, courier, f"/api/v1/courier/jobs/{job['id']}/pickup")
        assert response.status_code == 200, response.content
    for job, code in zip(jobs["items"], codes, strict=True):
        response = post(
            client, courier, f"/api/v1/courier/jobs/{job['id']}/deliver", {"code": code}
        )
        assert response.status_code == 200, response.content

    assert [a["route_position"] for a in dispatched["dispatch"]["assigned"]] == [1, 2]
    assert jobs["count"] == 2
    assert [job["fulfilment"] for job in jobs["items"]] == [
        f["id"] for f in order["fulfilments"]
    ]
    assert all("confirmation_code" not in job for job in jobs["items"])
    final = order_of(client, world, order["id"])
    assert final["status"] == "completed"
    assert final["payment"] == {"status": "captured", "amount": order["total"]}
    assert [f["delivery"]["status"] for f in final["fulfilments"]] == [
        "delivered",
        "delivered",
    ]
    audit = client.get("/api/v1/ops/audit", **token_of(world["operator"])).json()
    assert audit["ledger"]["sum_of_balances"] == 0
    assert all(value == 0 for value in audit["orders"].values())
    assert all(value == 0 for value in audit["stock"].values())


def test_the_shopper_sees_no_delivery_before_ready_then_the_courier_and_the_code(
    client, world
):
    order = place_order(client, world)
    before = order_of(client, world, order["id"])
    make_ready(client, world, order)
    post(client, world["operator"], "/api/v1/ops/dispatch")

    after = order_of(client, world, order["id"])

    assert [f["delivery"] for f in before["fulfilments"]] == [None, None]
    delivery = after["fulfilments"][0]["delivery"]
    job = DeliveryJob.objects.get(fulfilment_id=after["fulfilments"][0]["id"])
    assert delivery["status"] == "assigned"
    assert delivery["vehicle"] == "motorbike"
    assert delivery["courier"] == str(world["courier"])
    assert delivery["confirmation_code"] == job.confirmation_code
    assert job.estimated_handover_at is not None
    assert delivery["eta"] == job.estimated_handover_at.isoformat()
    listed = client.get("/api/v1/orders", **token_of(world["shopper"])).json()
    assert listed["items"][0]["fulfilments"][0]["delivery"] == delivery


def _job_ids(world) -> list[int]:
    courier = Courier.objects.get(user=world["courier"])
    return list(courier.jobs.order_by("route_position").values_list("pk", flat=True))


def _nothing_changed() -> Any:
    return (
        list(
            DeliveryJob.objects.order_by("pk").values_list(
                "status", "wrong_code_count", "is_locked", "courier_id"
            )
        ),
        list(Fulfilment.objects.order_by("pk").values_list("status", "captured_won")),
        DeliveryJobEvent.objects.count(),
    )


def test_another_couriers_job_is_not_found_and_nothing_changes(
    client, world, dispatched
):
    job_id = _job_ids(world)[0]
    other = world["other_courier"]
    before = _nothing_changed()

    responses = [
        client.get(f"/api/v1/courier/jobs/{job_id}", **token_of(other)),
        post(client, other, f"/api/v1/courier/jobs/{job_id}/pickup"),
        post(client, other, f"/api/v1/courier/jobs/{job_id}/deliver", {"code": "0000"}),
        post(client, other, f"/api/v1/courier/jobs/{job_id}/fail", {"reason": "x"}),
    ]

    for response in responses:
        assert_problem(response, status=404, code="not_found")
    assert _nothing_changed() == before
    assert client.get("/api/v1/courier/jobs", **token_of(other)).json()["count"] == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/courier/jobs"),
        ("post", "/api/v1/courier/jobs/{job}/pickup"),
        ("post", "/api/v1/courier/jobs/{job}/deliver"),
        ("post", "/api/v1/ops/dispatch"),
        ("post", "/api/v1/ops/delivery-jobs/{job}/unlock"),
    ],
    ids=["jobs", "pickup", "deliver", "dispatch", "unlock"],
)
def test_a_call_outside_ones_role_is_forbidden(client, world, dispatched, method, path):
    url = path.format(job=_job_ids(world)[0])
    before = _nothing_changed()

    if method == "get":
        response = client.get(url, **token_of(world["shopper"]))
    else:
        response = post(client, world["shopper"], url, {"code": "1234"})

    assert_problem(response, status=403, code="forbidden")
    assert _nothing_changed() == before


@pytest.mark.parametrize(
    "code",
    ["123", "12345", "12a4", "١٢٣٤", " 123", ""],
    ids=["three", "five", "letter", "arabic-digits", "space", "empty"],
)
def test_a_code_that_is_not_four_ascii_digits_is_invalid_and_counts_nothing(
    client, world, dispatched, code
):
    job_id = _job_ids(world)[0]
    post(client, world["courier"], f"/api/v1/courier/jobs/{job_id}/pickup")
    before = _nothing_changed()

    response = post(
        client,
        world["courier"],
        f"/api/v1/courier/jobs/{job_id}/deliver",
        {"code": code},
    )

    body = assert_problem(response, status=422, code="invalid")
    assert body["field"] == "code"
    assert _nothing_changed() == before


def test_five_wrong_codes_lock_the_job_until_the_office_unlocks_it(
    client, world, dispatched
):
    courier, job_id = world["courier"], _job_ids(world)[0]
    right = DeliveryJob.objects.get(pk=job_id).confirmation_code
    wrong = f"{(int(right) + 1) % 10_000:04d}"
    deliver = f"/api/v1/courier/jobs/{job_id}/deliver"
    post(client, courier, f"/api/v1/courier/jobs/{job_id}/pickup")

    refusals = [post(client, courier, deliver, {"code": wrong}) for _ in range(5)]
    right_while_locked = post(client, courier, deliver, {"code": right})
    unlocked = post(
        client, world["operator"], f"/api/v1/ops/delivery-jobs/{job_id}/unlock"
    )
    old_code_after_unlock = post(client, courier, deliver, {"code": right})
    new_code = DeliveryJob.objects.get(pk=job_id).confirmation_code
    delivered = post(client, courier, deliver, {"code": new_code})

    left = [
        assert_problem(r, status=422, code="wrong_code")["attempts_left"]
        for r in refusals[:4]
    ]
    assert left == [4, 3, 2, 1]
    assert_problem(refusals[4], status=409, code="job_locked")
    assert_problem(right_while_locked, status=409, code="job_locked")
    assert unlocked.json()["is_locked"] is False
    assert new_code != right  # unlocking issued a new code, sent by SMS
    assert_problem(old_code_after_unlock, status=422, code="wrong_code")
    assert delivered.status_code == 200
    assert delivered.json()["status"] == "delivered"


def test_a_failed_hand_over_sends_the_job_back_to_wait(client, world, dispatched):
    courier, job_id = world["courier"], _job_ids(world)[0]
    post(client, courier, f"/api/v1/courier/jobs/{job_id}/pickup")

    response = post(
        client, courier, f"/api/v1/courier/jobs/{job_id}/fail", {"reason": "부재중"}
    )

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["courier"]) == ("waiting", None)
    job = DeliveryJob.objects.get(pk=job_id)
    assert job.fulfilment.status == "ready"
    assert job_id not in _job_ids(world)


def test_an_operator_moves_a_job_to_a_named_courier_by_hand(client, world, dispatched):
    job_id = _job_ids(world)[0]
    other = Courier.objects.get(user=world["other_courier"])

    response = post(
        client,
        world["operator"],
        f"/api/v1/ops/delivery-jobs/{job_id}/assign",
        {"courier": other.pk},
    )

    assert response.status_code == 200, response.content
    assert response.json()["courier"] == other.pk
    assert job_id not in _job_ids(world)


def test_a_courier_goes_off_duty_and_their_assigned_jobs_wait_again(
    client, world, dispatched
):
    response = post(
        client, world["courier"], "/api/v1/courier/duty", {"on_duty": False}
    )

    assert response.status_code == 200, response.content
    assert (response.json()["on_duty"], response.json()["load_g"]) == (False, 0)
    assert _job_ids(world) == []


def test_a_courier_job_names_the_recipient_and_their_phone_until_handed_over(
    client, world, dispatched
):
    courier = world["courier"]
    listed = client.get("/api/v1/courier/jobs", **token_of(courier)).json()["items"]
    job = listed[0]
    shopper = world["shopper"]

    picked = post(client, courier, f"/api/v1/courier/jobs/{job['id']}/pickup").json()
    code = DeliveryJob.objects.get(pk=job["id"]).confirmation_code
    handed = post(
        client, courier, f"/api/v1/courier/jobs/{job['id']}/deliver", {"code": code}
    ).json()

    expected = {
        "name": shopper.display_name or shopper.username,
        "phone": "01012345678",
    }
    assert job["order"] == dispatched["order"]["number"]
    assert job["recipient"] == expected
    assert picked["recipient"] == expected
    assert handed["recipient"] == {"name": expected["name"], "phone": None}
