"""The courier's moves: pick-up, hand-over against the code, failure, duty and district."""

import pytest

from okryu.accounts.models import Role
from okryu.core.errors import InvalidInput, NotFound, PermissionDenied
from okryu.delivery.errors import (
    JobLocked,
    TransitionNotAllowed,
    WrongConfirmationCode,
)
from okryu.delivery.models import Courier, DeliveryJob, JobEventKind, JobStatus
from okryu.delivery.services import (
    dispatch,
    fail_delivery,
    hand_over_job,
    pick_up_job,
    report_district,
    unlock_job,
)
from okryu.delivery.tests.builders import (
    Shop,
    delivery_snapshot,
    far_district,
    make_courier,
)
from okryu.notifications.models import OutboxMessage
from okryu.orders.tests.builders import make_user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def route():
    shop = Shop(weight_grams=2_000)
    courier = make_courier()
    job = shop.ready_job()
    dispatch()
    return {
        "courier": courier,
        "user_id": courier.user_id,
        "job": DeliveryJob.objects.get(pk=job.pk),
        "operator": make_user_with_role(Role.OPERATOR),
    }


@pytest.fixture
def picked_up(route):
    pick_up_job(courier_user_id=route["user_id"], job_id=route["job"].pk)
    route["job"].refresh_from_db()
    return route


def _wrong(job: DeliveryJob) -> str:
    return f"{(int(job.confirmation_code) + 1) % 10_000:04d}"


def test_picking_up_sends_the_fulfilment_out_and_counts_a_trip(route):
    job = pick_up_job(courier_user_id=route["user_id"], job_id=route["job"].pk)

    assert (job.status, job.attempts_count) == (JobStatus.PICKED_UP, 1)
    assert job.fulfilment.status == "out_for_delivery"


def test_picking_up_again_returns_the_job_unchanged(picked_up):
    before = delivery_snapshot()

    job = pick_up_job(courier_user_id=picked_up["user_id"], job_id=picked_up["job"].pk)

    assert job.status == JobStatus.PICKED_UP
    assert delivery_snapshot() == before


def test_another_courier_cannot_pick_up_or_hand_over_the_job(route):
    other = make_courier()
    job = route["job"]
    before = delivery_snapshot()

    with pytest.raises(NotFound):
        pick_up_job(courier_user_id=other.user_id, job_id=job.pk)
    with pytest.raises(NotFound):
        hand_over_job(
            courier_user_id=other.user_id, job_id=job.pk, code=job.confirmation_code
        )
    with pytest.raises(NotFound):
        fail_delivery(courier_user_id=other.user_id, job_id=job.pk, reason="부재")

    assert delivery_snapshot() == before


def test_a_person_who_is_not_a_courier_is_refused(route):
    shopper_like = make_user_with_role(Role.SHOPPER)
    before = delivery_snapshot()

    with pytest.raises(PermissionDenied):
        pick_up_job(courier_user_id=shopper_like.pk, job_id=route["job"].pk)

    assert delivery_snapshot() == before


def test_handing_over_before_pick_up_is_refused(route):
    before = delivery_snapshot()

    with pytest.raises(TransitionNotAllowed):
        hand_over_job(
            courier_user_id=route["user_id"],
            job_id=route["job"].pk,
            code=route["job"].confirmation_code,
        )

    assert delivery_snapshot() == before


@pytest.mark.parametrize(
    "code",
    ["123", "12345", "12a4", "١٢٣٤", "１２３４", "", None, 1234],
    ids=["three", "five", "letter", "arabic", "fullwidth", "empty", "none", "int"],
)
def test_a_code_not_of_four_ascii_digits_is_invalid_and_not_counted(picked_up, code):
    before = delivery_snapshot()

    with pytest.raises(InvalidInput) as refused:
        hand_over_job(
            courier_user_id=picked_up["user_id"], job_id=picked_up["job"].pk, code=code
        )

    assert refused.value.field == "code"
    assert delivery_snapshot() == before


def test_a_wrong_code_is_counted_and_changes_nothing_else(picked_up):
    job = picked_up["job"]

    with pytest.raises(WrongConfirmationCode) as refused:
        hand_over_job(
            courier_user_id=picked_up["user_id"], job_id=job.pk, code=_wrong(job)
        )

    assert refused.value.attempts_left == 4
    job.refresh_from_db()
    assert (job.status, job.wrong_code_count, job.is_locked) == (
        JobStatus.PICKED_UP,
        1,
        False,
    )
    assert job.fulfilment.status == "out_for_delivery"
    assert job.fulfilment.captured_won == 0


def test_the_fifth_wrong_code_locks_the_job_until_an_operator_unlocks_it(picked_up):
    job, user_id = picked_up["job"], picked_up["user_id"]
    for _attempt in range(4):
        with pytest.raises(WrongConfirmationCode):
            hand_over_job(courier_user_id=user_id, job_id=job.pk, code=_wrong(job))
    sms_before = OutboxMessage.objects.count()

    with pytest.raises(JobLocked):
        hand_over_job(courier_user_id=user_id, job_id=job.pk, code=_wrong(job))
    sms_after_lock = OutboxMessage.objects.count()
    locked_snapshot = delivery_snapshot()
    with pytest.raises(JobLocked):
        hand_over_job(
            courier_user_id=user_id, job_id=job.pk, code=job.confirmation_code
        )
    unchanged_while_locked = delivery_snapshot() == locked_snapshot
    unlock_job(operator_user_id=picked_up["operator"].pk, job_id=job.pk)
    job.refresh_from_db()
    delivered = hand_over_job(
        courier_user_id=user_id, job_id=job.pk, code=job.confirmation_code
    )

    assert sms_after_lock == sms_before + 1
    assert unchanged_while_locked
    assert delivered.status == JobStatus.DELIVERED
    kinds = list(delivered.events.values_list("kind", flat=True))
    assert kinds.count(JobEventKind.WRONG_CODE) == 4
    assert kinds[-3:] == [
        JobEventKind.LOCKED,
        JobEventKind.UNLOCKED,
        JobEventKind.DELIVERED,
    ]


def test_only_an_operator_unlocks(picked_up):
    with pytest.raises(PermissionDenied):
        unlock_job(operator_user_id=picked_up["user_id"], job_id=picked_up["job"].pk)


def test_the_right_code_again_after_delivery_returns_the_job(picked_up):
    job, user_id = picked_up["job"], picked_up["user_id"]
    hand_over_job(courier_user_id=user_id, job_id=job.pk, code=job.confirmation_code)
    before = delivery_snapshot()

    again = hand_over_job(
        courier_user_id=user_id, job_id=job.pk, code=job.confirmation_code
    )

    assert again.status == JobStatus.DELIVERED
    assert delivery_snapshot() == before


def test_a_failed_hand_over_waits_for_another_trip_and_tells_the_shopper(picked_up):
    job, courier = picked_up["job"], picked_up["courier"]
    sms_before = OutboxMessage.objects.count()

    failed = fail_delivery(
        courier_user_id=picked_up["user_id"], job_id=job.pk, reason="아무도 없음"
    )

    assert (failed.status, failed.courier_id, failed.attempts_count) == (
        JobStatus.WAITING,
        None,
        1,
    )
    assert failed.fulfilment.status == "ready"
    assert Courier.objects.get(pk=courier.pk).load_grams == 0
    assert OutboxMessage.objects.count() == sms_before + 1
    assert failed.events.last().note == "아무도 없음"  # type: ignore[union-attr]
    second_round = dispatch()
    assert [a.job_id for a in second_round.assigned] == [job.pk]


@pytest.mark.parametrize(
    "reason", ["", "   ", "x" * 201], ids=["empty", "blank", "long"]
)
def test_a_failure_needs_a_reason_of_one_to_two_hundred_characters(picked_up, reason):
    before = delivery_snapshot()

    with pytest.raises(InvalidInput):
        fail_delivery(
            courier_user_id=picked_up["user_id"],
            job_id=picked_up["job"].pk,
            reason=reason,
        )

    assert delivery_snapshot() == before


def test_a_courier_reports_a_known_district_and_is_refused_an_unknown_one(route):
    district = far_district()

    courier = report_district(courier_user_id=route["user_id"], district_id=district.pk)
    before = delivery_snapshot()
    with pytest.raises(InvalidInput):
        report_district(courier_user_id=route["user_id"], district_id=999_999)

    assert courier.district_id == district.pk
    assert delivery_snapshot() == before
