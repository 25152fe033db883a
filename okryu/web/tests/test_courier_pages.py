"""The courier's pages: duty, my route, and each job's moves, once per form, for my jobs only."""

import pytest
from django.test import Client
from django.urls import reverse

from okryu.accounts.models import Role
from okryu.accounts.tests.factories import DistrictFactory, UserFactory
from okryu.delivery.models import Courier, DeliveryJob, JobStatus
from okryu.delivery.services import dispatch, mark_ready_for_pickup
from okryu.delivery.tests.builders import Shop, delivery_snapshot, make_courier
from okryu.delivery.tests.codes import make_codes_distinctive, occurs
from okryu.orders.models import Fulfilment
from okryu.orders.services import accept_fulfilment, place_order, start_preparing
from okryu.orders.tests.builders import make_user_with_role
from okryu.orders.tests.door_support import door_checkout_request
from okryu.web.idempotency import submit_once

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def distinctive_codes(monkeypatch):
    """Codes no name, id or price on a page can match by chance."""
    make_codes_distinctive(monkeypatch)


@pytest.fixture
def courier() -> Courier:
    return make_courier()


@pytest.fixture
def courier_client(client: Client, courier) -> Client:
    client.force_login(courier.user)
    return client


@pytest.fixture
def shop() -> Shop:
    return Shop(weight_grams=1_000)


@pytest.fixture
def job(shop, courier) -> DeliveryJob:
    """A job dispatched to the (only) courier."""
    job: DeliveryJob = shop.ready_job()
    dispatch()
    job.refresh_from_db()
    assert job.courier_id == courier.pk
    return job


def post(client: Client, name: str, *args, key: str = "k1", **fields):
    return client.post(reverse(name, args=args), {"idempotency_key": key, **fields})


def picked_up(client: Client, job: DeliveryJob) -> DeliveryJob:
    assert post(client, "courier-job-pick-up", job.pk, key="pick").status_code == 302
    job.refresh_from_db()
    return job


def wrong_code_for(job: DeliveryJob) -> str:
    return "1111" if job.confirmation_code != "1111" else "2222"


def shows_code(page: str, code: str) -> bool:
    return occurs(code, page)


def test_my_jobs_are_listed_in_route_order_without_the_codes(
    courier_client, shop, courier
):
    first = shop.ready_job()
    second = shop.ready_job()
    dispatch()

    response = courier_client.get(reverse("courier-jobs"))

    page = response.content.decode()
    assert response.status_code == 200
    jobs = response.context["jobs"]
    assert [job.route_position for job in jobs] == [1, 2]
    assert {job.pk for job in jobs} == {first.pk, second.pk}
    assert shop.merchant.address in page
    assert "3-201호" in page
    for job in DeliveryJob.objects.all():
        assert not shows_code(page, job.confirmation_code)


def test_the_job_page_shows_what_to_carry_and_never_the_code(courier_client, job, shop):
    picked_up(courier_client, job)

    response = courier_client.get(reverse("courier-job", args=[job.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert f"{shop.product.name} × 1" in page
    assert 'inputmode="numeric"' in page
    assert 'pattern="[0-9]{4}"' in page
    assert 'maxlength="4"' in page
    assert not shows_code(page, job.confirmation_code)


def test_picking_up_sends_the_order_out_and_acts_once(courier_client, job):
    first = post(courier_client, "courier-job-pick-up", job.pk)
    after_first = delivery_snapshot()
    again = post(courier_client, "courier-job-pick-up", job.pk)

    assert (first.status_code, again.status_code) == (302, 302)
    job.refresh_from_db()
    assert (job.status, job.attempts_count) == (JobStatus.PICKED_UP, 1)
    assert Fulfilment.objects.get(pk=job.fulfilment_id).status == "out_for_delivery"
    assert delivery_snapshot() == after_first


def test_the_right_code_delivers_and_captures_the_payment_once(courier_client, job):
    picked_up(courier_client, job)

    first = post(
        courier_client, "courier-job-hand-over", job.pk, code=job.confirmation_code
    )
    after_first = delivery_snapshot()
    again = post(
        courier_client, "courier-job-hand-over", job.pk, code=job.confirmation_code
    )

    assert (first.status_code, again.status_code) == (302, 302)
    assert first["Location"] == reverse("courier-jobs")
    job.refresh_from_db()
    assert job.status == JobStatus.DELIVERED
    fulfilment = Fulfilment.objects.get(pk=job.fulfilment_id)
    assert fulfilment.status == "delivered"
    assert fulfilment.captured_won == (
        fulfilment.items_total_won + fulfilment.delivery_fee_won
    )
    assert delivery_snapshot() == after_first


def test_a_wrong_code_tells_the_attempts_left_and_a_resent_form_counts_once(
    courier_client, job
):
    picked_up(courier_client, job)
    wrong = wrong_code_for(job)

    first = post(courier_client, "courier-job-hand-over", job.pk, code=wrong)
    after_first = delivery_snapshot()
    resent = post(courier_client, "courier-job-hand-over", job.pk, code=wrong)

    assert (first.status_code, resent.status_code) == (422, 422)
    told = "확인 번호가 틀렸습니다. 4번 더 틀리면 잠깁니다."
    assert first.context["error"] == told
    assert resent.context["error"] == told
    job.refresh_from_db()
    assert (job.wrong_code_count, job.status) == (1, JobStatus.PICKED_UP)
    assert delivery_snapshot() == after_first


def test_a_form_resent_before_its_outcome_is_stored_never_acts_again(
    courier_client, job, courier
):
    picked_up(courier_client, job)
    wrong = wrong_code_for(job)
    # The first submission claimed its key, then its answer was lost with the connection.
    submit_once(
        scope=f"web:courier-hand-over-claim:{courier.user_id}",
        key="lost",
        fields={"job": job.pk, "code": wrong},
        action=lambda: (202, {}),
    )
    before = delivery_snapshot()

    response = post(
        courier_client, "courier-job-hand-over", job.pk, code=wrong, key="lost"
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("courier-job", args=[job.pk])
    assert delivery_snapshot() == before


@pytest.mark.parametrize(
    ("code", "message"),
    [
        pytest.param("12a4", "확인 번호는 숫자 4자리입니다.", id="a-letter"),
        pytest.param("123", "확인 번호는 숫자 4자리입니다.", id="three-digits"),
        pytest.param("12345", "확인 번호는 숫자 4자리입니다.", id="five-digits"),
        pytest.param("١٢٣٤", "확인 번호는 숫자 4자리입니다.", id="arabic-digits"),
        pytest.param("", "구매자에게 확인 번호를 받아 넣으십시오.", id="blank"),
    ],
)
def test_a_code_of_the_wrong_shape_is_refused_and_not_counted(
    courier_client, job, code, message
):
    picked_up(courier_client, job)
    before = delivery_snapshot()

    response = post(courier_client, "courier-job-hand-over", job.pk, code=code)

    assert response.status_code == 422
    assert response.context["error"] == message
    assert 'aria-invalid="true"' in response.content.decode()
    assert delivery_snapshot() == before


def test_the_fifth_wrong_code_locks_and_the_office_will_call(courier_client, job):
    picked_up(courier_client, job)
    wrong = wrong_code_for(job)
    for attempt in range(4):
        post(
            courier_client,
            "courier-job-hand-over",
            job.pk,
            code=wrong,
            key=f"w{attempt}",
        )

    fifth = post(courier_client, "courier-job-hand-over", job.pk, code=wrong, key="w5")
    right = post(
        courier_client,
        "courier-job-hand-over",
        job.pk,
        code=job.confirmation_code,
        key="w6",
    )
    page = courier_client.get(reverse("courier-job", args=[job.pk])).content.decode()

    assert (fifth.status_code, right.status_code) == (409, 409)
    assert "물류 사무소에서 구매자에게 전화할 것입니다" in fifth.context["error"]
    assert "물류 사무소에서 구매자에게 전화할 것입니다" in page
    assert 'name="code"' not in page
    job.refresh_from_db()
    assert (job.is_locked, job.status) == (True, JobStatus.PICKED_UP)


def test_nobody_home_needs_a_reason_then_brings_the_job_back_once(courier_client, job):
    picked_up(courier_client, job)
    before = delivery_snapshot()

    blank = post(
        courier_client, "courier-job-fail", job.pk, reason="  ", confirm="yes", key="f0"
    )
    unchanged = delivery_snapshot()
    first = post(
        courier_client,
        "courier-job-fail",
        job.pk,
        reason="집에 아무도 없음",
        confirm="yes",
    )
    after_first = delivery_snapshot()
    again = post(
        courier_client,
        "courier-job-fail",
        job.pk,
        reason="집에 아무도 없음",
        confirm="yes",
    )

    assert blank.status_code == 422
    assert blank.context["error"] == "사유를 쓰십시오 (예: 집에 아무도 없음)."
    assert unchanged == before
    assert (first.status_code, again.status_code) == (302, 302)
    job.refresh_from_db()
    assert (job.status, job.courier_id) == (JobStatus.WAITING, None)
    assert Fulfilment.objects.get(pk=job.fulfilment_id).status == "ready"
    assert delivery_snapshot() == after_first


def test_a_move_the_job_is_not_ready_for_is_told_and_changes_nothing(
    courier_client, job
):
    before = delivery_snapshot()

    response = post(
        courier_client, "courier-job-hand-over", job.pk, code=job.confirmation_code
    )

    assert response.status_code == 409
    assert response.context["error"] == (
        "이 배달은 지금 그렇게 할 수 없습니다. 지금 상태: 배정됨."
    )
    assert delivery_snapshot() == before


def test_another_couriers_job_does_not_exist_for_me(client: Client, job):
    other = make_courier()
    client.force_login(other.user)
    before = delivery_snapshot()

    answers = [
        client.get(reverse("courier-job", args=[job.pk])).status_code,
        post(client, "courier-job-pick-up", job.pk).status_code,
        post(client, "courier-job-hand-over", job.pk, code="1234").status_code,
        post(client, "courier-job-fail", job.pk, reason="없음").status_code,
    ]

    assert answers == [404] * 4
    assert delivery_snapshot() == before


@pytest.mark.parametrize("role", [Role.SHOPPER, Role.MERCHANT, Role.OPERATOR, None])
def test_people_who_are_not_couriers_are_forbidden(client: Client, job, role):
    client.force_login(make_user_with_role(role) if role else UserFactory.create())
    before = delivery_snapshot()

    answers = [
        client.get(reverse("courier-jobs")).status_code,
        client.get(reverse("courier-job", args=[job.pk])).status_code,
        post(client, "courier-duty", action="end").status_code,
        post(client, "courier-job-pick-up", job.pk).status_code,
    ]

    assert answers == [403] * 4
    assert delivery_snapshot() == before


def test_a_courier_role_without_a_courier_row_is_forbidden(client: Client):
    client.force_login(make_user_with_role(Role.COURIER))

    assert client.get(reverse("courier-jobs")).status_code == 403


def test_a_visitor_is_asked_to_log_in(client: Client):
    response = client.get(reverse("courier-jobs"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_going_on_duty_reporting_the_district_and_off_duty(client: Client):
    courier = make_courier(on_duty=False)
    client.force_login(courier.user)
    elsewhere = DistrictFactory.create()

    started = post(client, "courier-duty", action="start", key="d1")
    moved = post(client, "courier-duty", action="move", district=elsewhere.pk, key="d2")
    courier.refresh_from_db()
    on_duty_in = (courier.is_on_duty, courier.district_id)
    ended = post(client, "courier-duty", action="end", key="d3")

    assert (started.status_code, moved.status_code, ended.status_code) == (
        302,
        302,
        302,
    )
    assert on_duty_in == (True, elsewhere.pk)
    courier.refresh_from_db()
    assert courier.is_on_duty is False


def test_going_off_duty_while_carrying_is_refused_and_changes_nothing(
    courier_client, job
):
    picked_up(courier_client, job)
    before = delivery_snapshot()

    response = post(courier_client, "courier-duty", action="end")

    assert response.status_code == 409
    assert "아직 배달하지 않은 물건이 있습니다" in response.context["error"]
    assert delivery_snapshot() == before


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"action": "move"}, "구역을 고르십시오."),
        ({"action": "move", "district": "99999"}, "그런 구역은 없습니다."),
        ({"action": "fly"}, "그런 동작은 없습니다."),
    ],
)
def test_a_bad_duty_form_is_told_and_changes_nothing(courier_client, fields, message):
    before = delivery_snapshot()

    response = post(courier_client, "courier-duty", **fields)

    assert response.status_code == 422
    assert response.context["error"] == message
    assert delivery_snapshot() == before


def test_an_order_paid_at_the_door_shows_the_amount_to_collect(
    courier_client, shop, courier
):
    placed = place_order(
        shopper_id=shop.shopper.pk,
        checkout=door_checkout_request(shop.card, [(shop.product, 2)]),
        idempotency_key="door",
    )
    fulfilment = Fulfilment.objects.get(order_id=placed.order_id)
    for move in (accept_fulfilment, start_preparing, mark_ready_for_pickup):
        move(staff_user_id=shop.staff.pk, fulfilment_id=fulfilment.pk)
    dispatch()
    job = DeliveryJob.objects.get(fulfilment=fulfilment)
    picked_up(courier_client, job)
    due = fulfilment.items_total_won + fulfilment.delivery_fee_won
    before = delivery_snapshot()

    page = courier_client.get(reverse("courier-job", args=[job.pk])).content.decode()
    unpaid = post(
        courier_client, "courier-job-hand-over", job.pk, code=job.confirmation_code
    )

    assert f"칩 단말기로 {due:,}원을 받으십시오" in page
    assert unpaid.status_code == 409
    assert "문앞 결제를 먼저 칩 단말기로 받으십시오" in unpaid.context["error"]
    assert delivery_snapshot() == before


def test_nobody_home_asks_for_its_box_ticked_and_changes_nothing_without_it(
    courier_client, job
):
    picked_up(courier_client, job)
    before = delivery_snapshot()

    response = post(
        courier_client, "courier-job-fail", job.pk, reason="집에 아무도 없음"
    )

    page = response.content.decode()
    assert response.status_code == 422
    assert response.context["error"] == (
        "실수로 누르지 않도록 확인란을 고른 뒤 다시 누르십시오."
    )
    # The reason typed stays, and the part of the page it belongs to is open.
    assert 'value="집에 아무도 없음"' in page
    assert '<details class="danger-zone" open>' in page
    assert delivery_snapshot() == before


def test_the_job_pages_name_the_recipient_with_the_phone_and_the_order(
    courier_client, job
):
    order = job.fulfilment.order
    shopper = order.shopper

    listed = courier_client.get(reverse("courier-jobs")).content.decode()
    picked_up(courier_client, job)
    shown = courier_client.get(reverse("courier-job", args=[job.pk])).content.decode()

    for page in (listed, shown):
        assert order.number in page
        assert shopper.display_name in page
        assert f'<a href="tel:{order.contact_phone}">{order.contact_phone}</a>' in page
    # Giving up the delivery stands apart from handing over, behind its own heading, after
    # the hand-over's form.
    fail_form = shown.index(reverse("courier-job-fail", args=[job.pk]))
    assert shown.index('<details class="danger-zone">') < fail_form
    assert shown.index(reverse("courier-job-hand-over", args=[job.pk])) < fail_form


def test_the_recipients_phone_is_no_longer_shown_once_delivered(courier_client, job):
    picked_up(courier_client, job)
    post(courier_client, "courier-job-hand-over", job.pk, code=job.confirmation_code)

    shown = courier_client.get(reverse("courier-job", args=[job.pk])).content.decode()

    assert job.fulfilment.order.shopper.display_name in shown
    assert job.fulfilment.order.contact_phone not in shown
