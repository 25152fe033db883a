"""Dispatch rounds and the operator's hand, against the database."""

import datetime as dt

import pytest
import time_machine

from okryu.accounts.models import Role
from okryu.accounts.tests.factories import DistrictFactory
from okryu.core.errors import NotFound, PermissionDenied
from okryu.delivery.errors import (
    CourierOffDuty,
    CourierStillCarrying,
    OverCapacity,
    TransitionNotAllowed,
    VehicleTooSmall,
)
from okryu.delivery.models import Courier, DeliveryJob, JobStatus
from okryu.delivery.services import (
    assign_job,
    dispatch,
    end_duty,
    pick_up_job,
    unassign_job,
)
from okryu.delivery.tests.builders import (
    Shop,
    delivery_snapshot,
    far_district,
    make_courier,
)
from okryu.orders.services import expire_fulfilment_hold
from okryu.orders.tests.builders import central_district, make_user_with_role

pytestmark = pytest.mark.django_db


def assert_dispatch_invariants() -> None:
    """No courier over capacity or with a load other than their jobs' weight; no job twice."""
    for courier in Courier.objects.all():
        carried = sum(
            courier.jobs.filter(
                status__in=(JobStatus.ASSIGNED, JobStatus.PICKED_UP)
            ).values_list("weight_grams", flat=True)
        )
        assert courier.load_grams == carried <= courier.capacity_grams
        positions = list(
            courier.jobs.filter(
                status__in=(JobStatus.ASSIGNED, JobStatus.PICKED_UP)
            ).values_list("route_position", flat=True)
        )
        assert len(positions) == len(set(positions))


def test_a_round_assigns_every_waiting_job_while_a_fitting_courier_has_room():
    shop = Shop(weight_grams=4_000)
    jobs = [shop.ready_job() for _ in range(5)]
    first = make_courier(capacity_grams=12_000)
    second = make_courier(capacity_grams=12_000)

    report = dispatch()

    assert len(report.assigned) == 5
    assert {a.job_id for a in report.assigned} == {job.pk for job in jobs}
    loads = dict(Courier.objects.values_list("pk", "load_grams"))
    assert loads == {first.pk: 12_000, second.pk: 8_000}
    assert_dispatch_invariants()


def test_no_courier_is_loaded_over_capacity_and_the_rest_wait():
    shop = Shop(weight_grams=4_000)
    jobs = [shop.ready_job() for _ in range(4)]
    courier = make_courier(capacity_grams=10_000)

    report = dispatch()

    assert [a.job_id for a in report.assigned] == [jobs[0].pk, jobs[1].pk]
    assert [a.route_position for a in report.assigned] == [1, 2]
    assert Courier.objects.get(pk=courier.pk).load_grams == 8_000
    assert DeliveryJob.objects.filter(status=JobStatus.WAITING).count() == 2
    assert_dispatch_invariants()


def test_a_second_round_with_nothing_new_assigns_nothing():
    Shop().ready_job()
    make_courier()
    dispatch()
    before = delivery_snapshot()

    report = dispatch()

    assert report.assigned == ()
    assert delivery_snapshot() == before


def test_a_job_too_far_for_a_motorbike_waits_for_a_van():
    shop = Shop()
    motorbike = make_courier()
    job = shop.ready_job(quantity=1, district=far_district())

    first = dispatch()
    van = make_courier(vehicle="van")
    second = dispatch()

    assert job.vehicle_needed == "van"
    assert first.assigned == ()
    assert [(a.job_id, a.courier_id) for a in second.assigned] == [(job.pk, van.pk)]
    assert Courier.objects.get(pk=motorbike.pk).load_grams == 0


def test_couriers_off_duty_and_locked_jobs_are_passed_by():
    shop = Shop()
    job = shop.ready_job()
    locked = shop.ready_job()
    DeliveryJob.objects.filter(pk=locked.pk).update(
        is_locked=True, locked_at=locked.created_at
    )
    make_courier(on_duty=False)

    before = dispatch()
    courier = make_courier()
    after = dispatch()

    assert before.assigned == ()
    assert [(a.job_id, a.courier_id) for a in after.assigned] == [(job.pk, courier.pk)]
    assert DeliveryJob.objects.get(pk=locked.pk).status == JobStatus.WAITING


def test_a_round_cancels_the_job_of_a_cancelled_fulfilment_and_frees_the_load():
    shop = Shop()
    courier = make_courier()
    job = shop.ready_job()
    dispatch()
    after_the_hold = job.fulfilment.hold_expires_at + dt.timedelta(minutes=1)

    with time_machine.travel(after_the_hold, tick=False):
        expire_fulfilment_hold(fulfilment_id=job.fulfilment_id)
        report = dispatch()

    assert report.cancelled == 1
    assert DeliveryJob.objects.get(pk=job.pk).status == JobStatus.CANCELLED
    assert Courier.objects.get(pk=courier.pk).load_grams == 0
    assert_dispatch_invariants()


def test_a_round_asked_by_someone_not_an_operator_is_refused():
    Shop().ready_job()
    make_courier()
    courier_person = make_user_with_role(Role.COURIER)
    before = delivery_snapshot()

    with pytest.raises(PermissionDenied):
        dispatch(operator_user_id=courier_person.pk)

    assert delivery_snapshot() == before


@pytest.fixture
def assigned():
    shop = Shop(weight_grams=5_000)
    first = make_courier(capacity_grams=20_000)
    job = shop.ready_job()
    dispatch()
    return {
        "shop": shop,
        "job": DeliveryJob.objects.get(pk=job.pk),
        "first": first,
        "operator": make_user_with_role(Role.OPERATOR),
    }


def test_an_operator_moves_an_assigned_job_to_another_courier(assigned):
    second = make_courier()

    job = assign_job(
        operator_user_id=assigned["operator"].pk,
        job_id=assigned["job"].pk,
        courier_id=second.pk,
    )

    assert (job.status, job.courier_id, job.route_position) == (
        JobStatus.ASSIGNED,
        second.pk,
        1,
    )
    loads = dict(Courier.objects.values_list("pk", "load_grams"))
    assert loads == {assigned["first"].pk: 0, second.pk: 5_000}
    assert_dispatch_invariants()


def _refused_assignment(assigned, courier_id: int, error: type[Exception]) -> None:
    before = delivery_snapshot()

    with pytest.raises(error):
        assign_job(
            operator_user_id=assigned["operator"].pk,
            job_id=assigned["job"].pk,
            courier_id=courier_id,
        )

    assert delivery_snapshot() == before


@pytest.mark.parametrize(
    ("courier_fields", "error"),
    [
        ({"on_duty": False}, CourierOffDuty),
        ({"capacity_grams": 4_000}, OverCapacity),
    ],
    ids=["off-duty", "too-small-capacity"],
)
def test_an_assignment_the_courier_cannot_take_is_refused(
    assigned, courier_fields, error
):
    courier = make_courier(**courier_fields)

    _refused_assignment(assigned, courier.pk, error)


def test_a_motorbike_is_refused_a_job_that_needs_a_van(assigned):
    shop: Shop = assigned["shop"]
    van = make_courier(vehicle="van")
    far_job = shop.ready_job(district=far_district())
    dispatch()
    motorbike = make_courier()
    before = delivery_snapshot()

    with pytest.raises(VehicleTooSmall):
        assign_job(
            operator_user_id=assigned["operator"].pk,
            job_id=far_job.pk,
            courier_id=motorbike.pk,
        )

    assert DeliveryJob.objects.get(pk=far_job.pk).courier_id == van.pk
    assert delivery_snapshot() == before


def test_a_picked_up_job_cannot_be_moved_or_unassigned(assigned):
    job, first = assigned["job"], assigned["first"]
    pick_up_job(courier_user_id=first.user_id, job_id=job.pk)
    second = make_courier()
    before = delivery_snapshot()

    with pytest.raises(TransitionNotAllowed):
        assign_job(
            operator_user_id=assigned["operator"].pk,
            job_id=job.pk,
            courier_id=second.pk,
        )
    with pytest.raises(TransitionNotAllowed):
        unassign_job(operator_user_id=assigned["operator"].pk, job_id=job.pk)

    assert delivery_snapshot() == before


def test_only_an_operator_moves_jobs_and_unknown_ones_are_not_found(assigned):
    job, first = assigned["job"], assigned["first"]
    before = delivery_snapshot()

    with pytest.raises(PermissionDenied):
        unassign_job(operator_user_id=first.user_id, job_id=job.pk)
    with pytest.raises(NotFound):
        unassign_job(operator_user_id=assigned["operator"].pk, job_id=job.pk + 999)
    with pytest.raises(NotFound):
        assign_job(
            operator_user_id=assigned["operator"].pk, job_id=job.pk, courier_id=999
        )

    assert delivery_snapshot() == before


def test_unassigning_puts_the_job_back_to_wait_and_frees_the_load(assigned):
    job = unassign_job(
        operator_user_id=assigned["operator"].pk, job_id=assigned["job"].pk
    )

    assert (job.status, job.courier_id, job.route_position) == (
        JobStatus.WAITING,
        None,
        None,
    )
    assert Courier.objects.get(pk=assigned["first"].pk).load_grams == 0


def test_going_off_duty_with_goods_picked_up_is_refused(assigned):
    first = assigned["first"]
    pick_up_job(courier_user_id=first.user_id, job_id=assigned["job"].pk)
    before = delivery_snapshot()

    with pytest.raises(CourierStillCarrying):
        end_duty(courier_user_id=first.user_id)

    assert delivery_snapshot() == before


def district_north_of_centre(kilometres: float):
    """A district ``kilometres`` north of the centre, as the crow flies."""
    centre = central_district()
    return DistrictFactory(
        code=f"north-{kilometres}",
        latitude=centre.latitude + kilometres / 111.2,
        longitude=centre.longitude,
    )


def test_a_motorbike_job_goes_to_a_motorbike_though_a_van_stands_nearer():
    job = Shop(weight_grams=1_000).ready_job()
    make_courier(vehicle="van")  # at the pick-up: 0 minutes
    # 2.5 km by air, 3.25 km by road: 8 minutes by motorbike, within the 10 minutes' margin.
    motorbike = make_courier(district=district_north_of_centre(2.5))

    report = dispatch()

    assert [(a.job_id, a.courier_id) for a in report.assigned] == [
        (job.pk, motorbike.pk)
    ]


def test_a_van_takes_a_motorbike_job_when_every_motorbike_is_far(settings):
    job = Shop(weight_grams=1_000).ready_job()
    van = make_courier(vehicle="van")
    make_courier(district=district_north_of_centre(2.5))
    settings.OKRYU_DISPATCH_BIGGER_VEHICLE_MINUTES = 5

    report = dispatch()

    assert [(a.job_id, a.courier_id) for a in report.assigned] == [(job.pk, van.pk)]


def test_a_motorbike_job_waits_for_a_full_motorbike_about_to_be_free():
    # Next door (the pick-up's own district): the full motorbike's route ends in 5 minutes,
    # the hand-over's.
    filling = Shop(weight_grams=5_000).ready_job(district=central_district())
    motorbike = make_courier(capacity_grams=5_000)
    dispatch()
    light = Shop(weight_grams=1_000).ready_job()
    van = make_courier(vehicle="van")

    report = dispatch()

    assert DeliveryJob.objects.get(pk=filling.pk).courier_id == motorbike.pk
    assert report.assigned == ()
    assert DeliveryJob.objects.get(pk=light.pk).status == JobStatus.WAITING
    assert Courier.objects.get(pk=van.pk).load_grams == 0


def test_a_motorbike_job_goes_by_van_when_the_full_motorbikes_route_is_long():
    # To the "near" district and the hand-over: 12 minutes before the motorbike is free.
    Shop(weight_grams=5_000).ready_job()
    make_courier(capacity_grams=5_000)
    dispatch()
    light = Shop(weight_grams=1_000).ready_job()
    van = make_courier(vehicle="van")

    report = dispatch()

    assert [(a.job_id, a.courier_id) for a in report.assigned] == [(light.pk, van.pk)]
