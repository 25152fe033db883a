"""Dispatch rounds racing each other and the operator's hand, on real threads.

On PostgreSQL the rounds really overlap (each thread has its own connection); on SQLite the
whole-database write lock lets one in at a time, which says less, so the race runs only on
PostgreSQL. Both end by checking the invariants: no job assigned twice, no courier over
capacity, each load equal to the weight of the courier's jobs, and every job that could be
assigned was.
"""

import pytest
from django.db import connection

from okryu.accounts.models import Role
from okryu.core.tests.threads import race
from okryu.delivery.models import (
    Courier,
    DeliveryJob,
    DeliveryJobEvent,
    JobEventKind,
    JobStatus,
)
from okryu.delivery.services import DispatchReport, assign_job, dispatch
from okryu.delivery.tests.builders import Shop, make_courier
from okryu.delivery.tests.test_dispatch import assert_dispatch_invariants
from okryu.orders.tests.builders import make_user_with_role

pytestmark = [pytest.mark.stress, pytest.mark.django_db(transaction=True)]

JOBS = 12
COURIERS = 3
JOB_WEIGHT_GRAMS = 4_000
# Room for three jobs each: nine of the twelve can be carried.
CAPACITY_GRAMS = 12_000
ROUNDS = 4


@pytest.fixture(autouse=True)
def _only_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time: no rounds overlap")


def _jobs_and_couriers() -> tuple[list[DeliveryJob], list[Courier]]:
    shop = Shop(weight_grams=JOB_WEIGHT_GRAMS)
    jobs = [shop.ready_job() for _ in range(JOBS)]
    couriers = [make_courier(capacity_grams=CAPACITY_GRAMS) for _ in range(COURIERS)]
    connection.close()
    return jobs, couriers


def test_rounds_at_the_same_moment_assign_each_job_once_and_fill_no_courier_over():
    _jobs_and_couriers()

    reports = race(lambda _index: dispatch(), ROUNDS)

    assert all(isinstance(report, DispatchReport) for report in reports)
    assigned = [
        a.job_id
        for report in reports
        if isinstance(report, DispatchReport)
        for a in report.assigned
    ]
    assert len(assigned) == len(set(assigned)) == COURIERS * 3
    assert DeliveryJob.objects.filter(status=JobStatus.ASSIGNED).count() == 9
    assert DeliveryJob.objects.filter(status=JobStatus.WAITING).count() == 3
    assert DeliveryJobEvent.objects.filter(kind=JobEventKind.ASSIGNED).count() == 9
    assert set(Courier.objects.values_list("load_grams", flat=True)) == {CAPACITY_GRAMS}
    assert_dispatch_invariants()


def test_rounds_racing_an_operators_hand_never_overload_a_courier():
    jobs, couriers = _jobs_and_couriers()
    operator = make_user_with_role(Role.OPERATOR)
    connection.close()

    def work(index: int) -> object:
        if index % 2 == 0:
            return dispatch()
        job = jobs[index % JOBS]
        return assign_job(
            operator_user_id=operator.pk,
            job_id=job.pk,
            courier_id=couriers[index % COURIERS].pk,
        ).pk

    outcomes = race(work, 8)

    refusals = [o for o in outcomes if isinstance(o, str)]
    assert set(refusals) <= {"over_capacity"}
    assert DeliveryJob.objects.filter(status=JobStatus.ASSIGNED).count() == 9
    assert_dispatch_invariants()
