"""The logistics office: operators see the board and move jobs; refusals change nothing."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from okryu.accounts.models import Role
from okryu.accounts.tests.factories import UserFactory
from okryu.core.errors import DomainError
from okryu.delivery.models import DeliveryJob, JobStatus
from okryu.delivery.services import fail_delivery, hand_over_job, pick_up_job
from okryu.delivery.tests.builders import Shop, delivery_snapshot, make_courier
from okryu.orders.tests.builders import make_user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client: Client) -> Client:
    client.force_login(make_user_with_role(Role.OPERATOR))
    return client


@pytest.fixture
def shop() -> Shop:
    return Shop(weight_grams=1_000)


def post(client: Client, name: str, *args, key: str = "k1", **fields):
    return client.post(reverse(name, args=args), {"idempotency_key": key, **fields})


def job_state(job: DeliveryJob) -> tuple[str, int | None]:
    job.refresh_from_db()
    return job.status, job.courier_id


def lock(job: DeliveryJob, courier) -> None:
    """Pick the job up and give five wrong codes: it locks."""
    pick_up_job(courier_user_id=courier.user_id, job_id=job.pk)
    wrong = "0000" if job.confirmation_code != "0000" else "1111"
    for _attempt in range(5):
        with pytest.raises(DomainError, match="확인 번호"):
            hand_over_job(courier_user_id=courier.user_id, job_id=job.pk, code=wrong)


def test_the_board_shows_waiting_jobs_due_first_and_couriers_with_their_routes(
    operator_client, shop
):
    courier = make_courier(vehicle="van")
    first = shop.ready_job()
    second = shop.ready_job()
    post(operator_client, "logistics-assign", second.pk, courier=courier.pk)

    response = operator_client.get(reverse("logistics"))

    assert response.status_code == 200
    assert [row.job.pk for row in response.context["waiting"]] == [first.pk]
    assert [row.courier.courier.pk for row in response.context["on_duty"]] == [
        courier.pk
    ]
    route = response.context["on_duty"][0].courier.jobs
    assert [job.pk for job in route] == [second.pk]
    page = response.content.decode()
    assert shop.merchant.name in page
    assert "화물차" in page
    assert 'http-equiv="refresh"' in page


def test_the_partial_board_is_only_the_board(operator_client, shop):
    shop.ready_job()

    response = operator_client.get(reverse("logistics") + "?partial=1")

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert "배정 대기" in page


def test_running_dispatch_assigns_and_tells_what_it_assigned(operator_client, shop):
    courier = make_courier()
    job = shop.ready_job()

    response = post(operator_client, "logistics-dispatch")

    assert response.status_code == 302
    assert job_state(job) == (JobStatus.ASSIGNED, courier.pk)
    told = [
        str(m) for m in operator_client.get(reverse("logistics")).context["messages"]
    ]
    assert len(told) == 1
    assert f"배달 {job.pk} → {courier.user}" in told[0]
    assert "1건을 배정했습니다" in told[0]


def test_a_double_submitted_dispatch_runs_one_round(operator_client, shop):
    courier = make_courier()
    first = shop.ready_job()
    post(operator_client, "logistics-dispatch")
    later = shop.ready_job()
    before = delivery_snapshot()

    again = post(operator_client, "logistics-dispatch")

    assert again.status_code == 302
    assert job_state(first) == (JobStatus.ASSIGNED, courier.pk)
    assert job_state(later) == (JobStatus.WAITING, None)
    assert delivery_snapshot() == before


def test_a_refusal_page_refreshes_into_the_board_not_the_form(operator_client, shop):
    job = shop.ready_job()

    response = post(operator_client, "logistics-unassign", job.pk)

    assert response.status_code == 409
    page = response.content.decode()
    assert f'content="20;url={reverse("logistics")}"' in page
    assert f'data-refresh-url="{reverse("logistics")}"' in page


def test_a_dispatch_with_nothing_to_assign_says_so(operator_client):
    post(operator_client, "logistics-dispatch")

    told = [
        str(m) for m in operator_client.get(reverse("logistics")).context["messages"]
    ]

    assert told == ["배차를 돌렸습니다. 새로 배정한 배달은 없습니다."]


def test_assigning_by_hand_puts_the_job_on_the_chosen_route(operator_client, shop):
    courier = make_courier()
    job = shop.ready_job()

    response = post(operator_client, "logistics-assign", job.pk, courier=courier.pk)

    assert response.status_code == 302
    assert job_state(job) == (JobStatus.ASSIGNED, courier.pk)


def test_a_double_submitted_assignment_acts_once(operator_client, shop):
    courier = make_courier()
    job = shop.ready_job()
    post(operator_client, "logistics-assign", job.pk, courier=courier.pk)
    after_first = delivery_snapshot()

    again = post(operator_client, "logistics-assign", job.pk, courier=courier.pk)

    assert again.status_code == 302
    assert delivery_snapshot() == after_first


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("vehicle_too_small", "화물차가 필요합니다"),
        ("over_capacity", "적재량을 넘습니다"),
        ("off_duty", "근무 중이 아닌 배달원입니다"),
        ("locked", "구매자에게 전화한 뒤 잠금을 푸십시오"),
    ],
)
def test_a_refused_assignment_is_told_and_changes_nothing(
    operator_client, case, message
):
    shop = Shop(weight_grams=12_000)
    if case == "vehicle_too_small":
        job = Shop(weight_grams=20_000).ready_job()
        courier = make_courier(vehicle="motorbike")
    elif case == "over_capacity":
        courier = make_courier(vehicle="motorbike", capacity_grams=20_000)
        first = shop.ready_job()
        post(
            operator_client, "logistics-assign", first.pk, courier=courier.pk, key="k0"
        )
        job = shop.ready_job()
    elif case == "off_duty":
        courier = make_courier(on_duty=False)
        job = shop.ready_job()
    else:
        courier = make_courier()
        job = shop.ready_job()
        post(operator_client, "logistics-assign", job.pk, courier=courier.pk, key="k0")
        lock(job, courier)
        fail_delivery(courier_user_id=courier.user_id, job_id=job.pk, reason="없음")
        courier = make_courier()
    before = delivery_snapshot()

    response = post(operator_client, "logistics-assign", job.pk, courier=courier.pk)

    assert response.status_code == 409
    assert message in response.context["error"]
    assert message in response.content.decode()
    assert delivery_snapshot() == before


def test_assigning_an_unknown_job_or_without_a_courier_changes_nothing(
    operator_client, shop
):
    courier = make_courier()
    job = shop.ready_job()
    before = delivery_snapshot()

    unknown = post(operator_client, "logistics-assign", job.pk + 99, courier=courier.pk)
    blank = post(operator_client, "logistics-assign", job.pk, courier="")
    keyless = operator_client.post(
        reverse("logistics-assign", args=[job.pk]), {"courier": courier.pk}
    )

    assert (unknown.status_code, blank.status_code, keyless.status_code) == (
        404,
        422,
        422,
    )
    assert blank.context["error"] == "배달원을 고르십시오."
    assert "만료" in keyless.context["error"]
    assert delivery_snapshot() == before


def test_unassigning_puts_the_job_back_to_waiting_once(operator_client, shop):
    courier = make_courier()
    job = shop.ready_job()
    post(operator_client, "logistics-assign", job.pk, courier=courier.pk, key="k0")

    first = post(operator_client, "logistics-unassign", job.pk)
    after_first = delivery_snapshot()
    again = post(operator_client, "logistics-unassign", job.pk)

    assert (first.status_code, again.status_code) == (302, 302)
    assert job_state(job) == (JobStatus.WAITING, None)
    assert delivery_snapshot() == after_first


def test_unassigning_a_waiting_job_is_refused_and_changes_nothing(
    operator_client, shop
):
    job = shop.ready_job()
    before = delivery_snapshot()

    response = post(operator_client, "logistics-unassign", job.pk)

    assert response.status_code == 409
    assert "지금 상태: 배정 대기" in response.context["error"]
    assert delivery_snapshot() == before


def test_a_locked_job_is_listed_and_unlocked_after_calling_the_shopper(
    operator_client, shop
):
    courier = make_courier()
    job = shop.ready_job()
    post(operator_client, "logistics-assign", job.pk, courier=courier.pk, key="k0")
    lock(job, courier)

    board = operator_client.get(reverse("logistics"))
    response = post(operator_client, "logistics-unlock", job.pk)

    assert [j.pk for j in board.context["locked"]] == [job.pk]
    assert "잠금 풀기" in board.content.decode()
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.is_locked, job.wrong_code_count) == (False, 0)


@pytest.mark.parametrize("role", [None, Role.SHOPPER, Role.MERCHANT, Role.COURIER])
def test_only_operators_may_use_the_office(client: Client, shop, role):
    courier = make_courier()
    job = shop.ready_job()
    client.force_login(make_user_with_role(role) if role else UserFactory.create())
    before = delivery_snapshot()

    answers = [
        client.get(reverse("logistics")).status_code,
        post(client, "logistics-dispatch").status_code,
        post(client, "logistics-assign", job.pk, courier=courier.pk).status_code,
        post(client, "logistics-unassign", job.pk).status_code,
        post(client, "logistics-unlock", job.pk).status_code,
    ]

    assert answers == [403] * 5
    assert delivery_snapshot() == before


def test_a_visitor_is_asked_to_log_in(client: Client):
    response = client.get(reverse("logistics"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_board_shows_a_job_for_a_later_slot_as_waiting_for_its_time(
    operator_client, shop
):
    make_courier()
    job = shop.ready_job()
    later = timezone.now() + dt.timedelta(hours=2)
    DeliveryJob.objects.filter(pk=job.pk).update(due_at=later)

    page = operator_client.get(reverse("logistics")).content.decode()
    refused = post(
        operator_client, "logistics-assign", job.pk, courier=make_courier().pk
    )

    assert "배달 시간 기다리는 중" in page
    assert f'action="{reverse("logistics-assign", args=[job.pk])}"' not in page
    assert "배달 시간 기다리는 중" in refused.content.decode()
    assert job_state(job) == ("waiting", None)


def test_a_job_due_tomorrow_says_tomorrow_beside_its_time(operator_client, shop):
    job = shop.ready_job()
    tomorrow = timezone.now() + dt.timedelta(days=1)
    DeliveryJob.objects.filter(pk=job.pk).update(due_at=tomorrow)

    page = operator_client.get(reverse("logistics")).content.decode()

    shown = timezone.localtime(tomorrow).strftime("%H:%M")
    assert f"내일 {shown}</time>" in page
