import dataclasses
import math
from typing import NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okryu.delivery.rules import (
    SIZE_CLASSES,
    VEHICLE_RANKS,
    Assignment,
    CourierState,
    DeliveryThresholds,
    JobToAssign,
    Vehicle,
    assign_jobs,
    bearing_degrees,
    choose_vehicle,
    delivery_fee_won,
    estimated_minutes,
    goes_the_same_way,
    job_distance_meters,
    road_distance_meters,
    vehicle_fits,
)

DEFAULT = DeliveryThresholds()
MOTORBIKE, VAN = Vehicle.MOTORBIKE, Vehicle.VAN
Point = tuple[float, float]


class JobSize(NamedTuple):
    distance_meters: int
    weight_grams: int
    size_class: str


# District centres (latitude, longitude): a few in Pyongyang and one in Nampho.
CENTRAL = (39.0194, 125.7381)
MORANBONG = (39.0456, 125.7567)
SONGYO = (39.0269, 125.7931)
MANGYONGDAE = (39.0006, 125.6472)
RAKRANG = (38.9719, 125.7378)
NAMPHO = (38.7375, 125.4078)
PLACES = [CENTRAL, MORANBONG, SONGYO, MANGYONGDAE, RAKRANG, NAMPHO]

distances = st.integers(min_value=0, max_value=300_000)
weights = st.integers(min_value=0, max_value=200_000)
sizes = st.sampled_from(SIZE_CLASSES)
extra = st.integers(min_value=0, max_value=100_000)
thresholds = st.builds(
    DeliveryThresholds,
    motorbike_weight_max_grams=st.integers(min_value=1, max_value=60_000),
    motorbike_size_max=sizes,
    motorbike_distance_max_meters=st.integers(min_value=1, max_value=60_000),
    size_fees_won=st.lists(
        st.integers(min_value=0, max_value=5_000),
        min_size=len(SIZE_CLASSES),
        max_size=len(SIZE_CLASSES),
    ).map(lambda fees: tuple(sorted(fees))),
    van_surcharge_won=st.integers(min_value=0, max_value=10_000),
    motorbike_meters_per_minute=st.integers(min_value=1, max_value=2_000),
    van_meters_per_minute=st.integers(min_value=1, max_value=2_000),
    handover_minutes=st.integers(min_value=0, max_value=30),
    batch_jobs_max=st.integers(min_value=1, max_value=8),
    batch_bearing_degrees_max=st.integers(min_value=0, max_value=180),
    batch_near_meters=st.integers(min_value=0, max_value=5_000),
)


@st.composite
def growing_jobs(draw: st.DrawFn) -> tuple[JobSize, JobSize]:
    """Draw a job and a second one at least as far, as heavy and as bulky."""
    distance_meters = draw(distances)
    weight_grams = draw(weights)
    size_class = draw(sizes)
    bigger_size = draw(st.sampled_from(SIZE_CLASSES[SIZE_CLASSES.index(size_class) :]))
    return (
        JobSize(distance_meters, weight_grams, size_class),
        JobSize(distance_meters + draw(extra), weight_grams + draw(extra), bigger_size),
    )


# Vehicle.


@pytest.mark.parametrize(
    ("distance_meters", "weight_grams", "size_class", "vehicle"),
    [
        pytest.param(2_000, 1_000, "small", MOTORBIKE, id="light small and near"),
        pytest.param(
            12_000, 15_000, "medium", MOTORBIKE, id="at every motorbike limit"
        ),
        pytest.param(2_000, 15_001, "small", VAN, id="one gram too heavy"),
        pytest.param(2_000, 1_000, "large", VAN, id="too large"),
        pytest.param(2_000, 1_000, "bulky", VAN, id="bulky"),
        pytest.param(12_001, 1_000, "small", VAN, id="one metre too far"),
    ],
)
def test_a_motorbike_takes_light_small_near_jobs_and_a_van_the_rest(
    distance_meters, weight_grams, size_class, vehicle
):
    assert (
        choose_vehicle(
            distance_meters=distance_meters,
            weight_grams=weight_grams,
            size_class=size_class,
            thresholds=DEFAULT,
        )
        == vehicle
    )


@given(thresholds, growing_jobs())
def test_a_heavier_bulkier_or_farther_job_never_gets_a_smaller_vehicle(limits, pair):
    """A heavier, bulkier or farther job never gets a smaller vehicle."""
    small, big = pair
    smaller = choose_vehicle(
        distance_meters=small.distance_meters,
        weight_grams=small.weight_grams,
        size_class=small.size_class,
        thresholds=limits,
    )
    bigger = choose_vehicle(
        distance_meters=big.distance_meters,
        weight_grams=big.weight_grams,
        size_class=big.size_class,
        thresholds=limits,
    )

    assert VEHICLE_RANKS[bigger] >= VEHICLE_RANKS[smaller]


def test_a_van_carries_any_job_and_a_motorbike_only_motorbike_jobs():
    assert vehicle_fits(VAN, VAN) is True
    assert vehicle_fits(VAN, MOTORBIKE) is True
    assert vehicle_fits(MOTORBIKE, MOTORBIKE) is True
    assert vehicle_fits(MOTORBIKE, VAN) is False


def test_thresholds_refuse_an_unknown_size_class():
    with pytest.raises(AssertionError):
        DeliveryThresholds(motorbike_size_max="huge")


def test_thresholds_refuse_size_fees_that_fall_as_the_size_grows():
    with pytest.raises(AssertionError):
        DeliveryThresholds(size_fees_won=(0, 500, 0, 1_000))


# Fee.


@pytest.mark.parametrize(
    ("distance_meters", "weight_grams", "size_class", "fee_won"),
    [
        pytest.param(0, 0, "small", 1_000, id="nothing at all"),
        pytest.param(3_001, 5_000, "small", 1_500, id="one distance step begun"),
        pytest.param(3_000, 5_001, "medium", 1_300, id="one weight step begun"),
        pytest.param(3_000, 5_000, "large", 1_000 + 500 + 2_000, id="large by van"),
        pytest.param(3_000, 5_000, "bulky", 1_000 + 1_000 + 2_000, id="bulky by van"),
        # 15,001 g: three started weight steps past the base 5,000 g, and a van.
        pytest.param(3_000, 15_001, "small", 1_000 + 900 + 2_000, id="heavy by van"),
        # 12,001 m: five started distance steps and a van.
        pytest.param(12_001, 0, "small", 1_000 + 2_500 + 2_000, id="far by van"),
    ],
)
def test_the_delivery_fee_adds_steps_size_and_van_to_the_base(
    distance_meters, weight_grams, size_class, fee_won
):
    assert (
        delivery_fee_won(
            distance_meters=distance_meters,
            weight_grams=weight_grams,
            size_class=size_class,
            thresholds=DEFAULT,
        )
        == fee_won
    )


@given(thresholds, growing_jobs())
def test_a_longer_heavier_or_bulkier_job_never_costs_less(limits, pair):
    """A longer trip never costs less, nor a heavier or a bulkier job; nothing costs less
    than the base fee."""
    small, big = pair
    low = delivery_fee_won(
        distance_meters=small.distance_meters,
        weight_grams=small.weight_grams,
        size_class=small.size_class,
        thresholds=limits,
    )
    high = delivery_fee_won(
        distance_meters=big.distance_meters,
        weight_grams=big.weight_grams,
        size_class=big.size_class,
        thresholds=limits,
    )

    assert limits.base_fee_won <= low <= high


@pytest.mark.parametrize(
    ("distance_meters", "weight_grams", "fee_won"),
    [
        pytest.param(0, 0, 1_000, id="nothing at all"),
        pytest.param(3_000, 5_000, 1_000, id="at both base limits"),
        pytest.param(3_001, 5_000, 1_500, id="one metre past the base distance"),
        pytest.param(5_000, 5_000, 1_500, id="a whole distance step"),
        pytest.param(5_001, 5_000, 2_000, id="a second distance step begun"),
        pytest.param(3_000, 5_001, 1_300, id="one gram past the base weight"),
        pytest.param(7_500, 12_000, 3_100, id="both past the base"),
    ],
)
def test_a_small_motorbike_job_pays_the_base_table(
    distance_meters, weight_grams, fee_won
):
    assert (
        delivery_fee_won(
            distance_meters=distance_meters,
            weight_grams=weight_grams,
            size_class="small",
        )
        == fee_won
    )


def test_the_road_distance_is_the_great_circle_times_the_road_factor():
    # One degree of latitude is about 111.2 km.
    assert road_distance_meters((39.0, 125.7), (40.0, 125.7)) == pytest.approx(
        111_195 * 1.3, rel=1e-3
    )
    assert road_distance_meters((39.0, 125.7), (39.0, 125.7)) == 0


# Time.


@pytest.mark.parametrize(
    ("distance_meters", "vehicle", "preparation_minutes", "minutes"),
    [
        pytest.param(0, MOTORBIKE, 0, 5, id="only the hand-over"),
        pytest.param(4_160, MOTORBIKE, 10, 10 + 10 + 5, id="ten minutes by motorbike"),
        pytest.param(4_161, MOTORBIKE, 10, 10 + 11 + 5, id="a started minute counts"),
        pytest.param(3_000, VAN, 20, 20 + 10 + 5, id="ten minutes by van"),
    ],
)
def test_the_estimated_time_is_preparation_drive_and_hand_over(
    distance_meters, vehicle, preparation_minutes, minutes
):
    assert (
        estimated_minutes(
            distance_meters=distance_meters,
            vehicle=vehicle,
            preparation_minutes=preparation_minutes,
            thresholds=DEFAULT,
        )
        == minutes
    )


@given(
    thresholds,
    distances,
    extra,
    st.sampled_from(Vehicle),
    st.integers(min_value=0, max_value=600),
)
def test_the_estimated_time_is_never_negative_and_never_shrinks_with_distance(
    limits, distance_meters, more_meters, vehicle, preparation_minutes
):
    """The estimated time is never negative (nor below preparation and hand-over), and a
    longer trip never takes less time; one more minute's drive adds exactly one minute."""

    def minutes(meters: int) -> int:
        return estimated_minutes(
            distance_meters=meters,
            vehicle=vehicle,
            preparation_minutes=preparation_minutes,
            thresholds=limits,
        )

    speed = limits.meters_per_minute(vehicle)

    assert (
        0 <= preparation_minutes + limits.handover_minutes <= minutes(distance_meters)
    )
    assert minutes(distance_meters) <= minutes(distance_meters + more_meters)
    assert minutes(distance_meters + speed) == minutes(distance_meters) + 1


# Dispatch.


def job(
    job_id: int,
    *,
    pickup: Point = CENTRAL,
    dropoff: Point = MORANBONG,
    weight_grams: int = 2_000,
    size: str = "small",
) -> JobToAssign:
    return JobToAssign(
        job_id=job_id,
        pickup=pickup,
        dropoff=dropoff,
        weight_grams=weight_grams,
        size_class=size,
    )


def courier(
    courier_id: int,
    *,
    vehicle: Vehicle = MOTORBIKE,
    position: Point = CENTRAL,
    capacity: int = 20_000,
    load: int = 0,
) -> CourierState:
    return CourierState(
        courier_id=courier_id,
        vehicle=vehicle,
        position=position,
        capacity_grams=capacity,
        load_grams=load,
    )


def test_the_nearest_courier_with_a_fitting_vehicle_gets_the_job():
    couriers = [
        courier(1, position=MANGYONGDAE),
        courier(2, position=MORANBONG),
        courier(3, position=NAMPHO),
    ]

    assignments = assign_jobs([job(10, pickup=CENTRAL)], couriers, DEFAULT)

    assert assignments == [
        Assignment(
            job_id=10,
            courier_id=2,
            pickup_distance_meters=road_distance_meters(MORANBONG, CENTRAL),
        )
    ]


def test_a_van_job_skips_a_nearer_motorbike():
    couriers = [
        courier(1, vehicle=MOTORBIKE, position=CENTRAL),
        courier(2, vehicle=VAN, position=NAMPHO, capacity=500_000),
    ]

    assignments = assign_jobs([job(10, size="bulky")], couriers, DEFAULT)

    assert [(a.job_id, a.courier_id) for a in assignments] == [(10, 2)]


def test_jobs_from_one_pickup_are_batched_on_one_courier_up_to_capacity():
    couriers = [courier(1, position=CENTRAL), courier(2, position=MORANBONG)]
    jobs = [
        job(10, pickup=SONGYO, weight_grams=8_000),
        job(11, pickup=SONGYO, weight_grams=8_000),
        job(12, pickup=SONGYO, weight_grams=8_000),
    ]

    assignments = assign_jobs(jobs, couriers, DEFAULT)

    # Moranbong is nearer Songyo: courier 2 takes two jobs (16 of 20 kg), courier 1 the third.
    assert [(a.job_id, a.courier_id) for a in assignments] == [
        (10, 2),
        (11, 2),
        (12, 1),
    ]
    assert assignments[1].pickup_distance_meters == 0


def test_jobs_from_one_pickup_going_opposite_ways_go_to_two_couriers():
    couriers = [courier(1, position=CENTRAL), courier(2, position=CENTRAL)]
    # From Central, Moranbong lies north-east and Rakrang south.
    jobs = [job(10, dropoff=MORANBONG), job(11, dropoff=RAKRANG)]

    assignments = assign_jobs(jobs, couriers, DeliveryThresholds(batch_near_meters=0))

    assert [(a.job_id, a.courier_id) for a in assignments] == [(10, 1), (11, 2)]


def test_jobs_going_the_same_way_share_a_courier():
    couriers = [courier(1, position=CENTRAL), courier(2, position=CENTRAL)]
    jobs = [job(10, dropoff=MORANBONG), job(11, dropoff=MORANBONG)]

    assignments = assign_jobs(jobs, couriers, DEFAULT)

    assert [(a.job_id, a.courier_id) for a in assignments] == [(10, 1), (11, 1)]


def test_a_batch_stops_at_its_limit_of_jobs():
    couriers = [courier(1, position=CENTRAL), courier(2, position=CENTRAL)]
    jobs = [job(10 + n, weight_grams=100) for n in range(3)]

    assignments = assign_jobs(jobs, couriers, DeliveryThresholds(batch_jobs_max=2))

    assert [(a.job_id, a.courier_id) for a in assignments] == [
        (10, 1),
        (11, 1),
        (12, 2),
    ]


def test_the_bearing_is_the_compass_direction():
    assert bearing_degrees((39.0, 125.7), (39.1, 125.7)) == pytest.approx(0, abs=0.01)
    assert bearing_degrees((39.0, 125.7), (39.0, 125.8)) == pytest.approx(90, abs=0.1)
    assert bearing_degrees((39.0, 125.7), (38.9, 125.7)) == pytest.approx(180, abs=0.01)
    assert bearing_degrees((39.0, 125.7), (39.0, 125.6)) == pytest.approx(270, abs=0.1)


places = st.sampled_from(PLACES)


@given(places, places, places, thresholds)
def test_going_the_same_way_does_not_depend_on_which_job_came_first(
    pickup, one, other, limits
):
    assert goes_the_same_way(pickup, one, other, limits) == goes_the_same_way(
        pickup, other, one, limits
    )


@given(places, places, thresholds)
def test_a_job_to_the_same_door_always_goes_the_same_way(pickup, door, limits):
    assert goes_the_same_way(pickup, door, door, limits)


def test_a_courier_takes_no_second_pickup_in_one_round():
    couriers = [courier(1, position=CENTRAL)]
    jobs = [job(10, pickup=CENTRAL), job(11, pickup=SONGYO)]

    assignments = assign_jobs(jobs, couriers, DEFAULT)

    assert [(a.job_id, a.courier_id) for a in assignments] == [(10, 1)]


def test_a_job_heavier_than_any_courier_has_room_for_waits():
    couriers = [courier(1, capacity=20_000, load=15_000)]

    assert assign_jobs([job(10, weight_grams=6_000)], couriers, DEFAULT) == []
    assert len(assign_jobs([job(10, weight_grams=5_000)], couriers, DEFAULT)) == 1


def test_no_job_and_no_courier_assign_nothing():
    assert assign_jobs([], [courier(1)], DEFAULT) == []
    assert assign_jobs([job(10)], [], DEFAULT) == []


@st.composite
def dispatch_rounds(
    draw: st.DrawFn,
) -> tuple[list[JobToAssign], list[CourierState], DeliveryThresholds]:
    limits = draw(thresholds)
    job_ids = draw(st.lists(st.integers(1, 10_000), max_size=12, unique=True))
    jobs = [
        JobToAssign(
            job_id=job_id,
            pickup=draw(st.sampled_from(PLACES)),
            dropoff=draw(st.sampled_from(PLACES)),
            weight_grams=draw(st.integers(0, 40_000)),
            size_class=draw(sizes),
        )
        for job_id in job_ids
    ]
    courier_ids = draw(st.lists(st.integers(1, 10_000), max_size=6, unique=True))
    couriers = []
    for courier_id in courier_ids:
        capacity = draw(st.integers(0, 60_000))
        couriers.append(
            CourierState(
                courier_id=courier_id,
                vehicle=draw(st.sampled_from(Vehicle)),
                position=draw(st.sampled_from(PLACES)),
                capacity_grams=capacity,
                load_grams=draw(st.integers(0, capacity)),
            )
        )
    return jobs, couriers, limits


def after_round(
    jobs: list[JobToAssign],
    couriers: list[CourierState],
    assignments: list[Assignment],
) -> tuple[dict[int, int], dict[int, set[Point]]]:
    """Return each courier's load and pick-ups once the round's assignments are made."""
    weight = {job.job_id: job.weight_grams for job in jobs}
    pickup = {job.job_id: job.pickup for job in jobs}
    loads = {courier.courier_id: courier.load_grams for courier in couriers}
    pickups: dict[int, set[Point]] = {courier.courier_id: set() for courier in couriers}
    for assignment in assignments:
        loads[assignment.courier_id] += weight[assignment.job_id]
        pickups[assignment.courier_id].add(pickup[assignment.job_id])
    return loads, pickups


def first_jobs_and_counts(
    jobs: list[JobToAssign], assignments: list[Assignment]
) -> dict[int, tuple[JobToAssign, int]]:
    """Return each courier's first job of the round and how many jobs they were given."""
    by_id = {job.job_id: job for job in jobs}
    batches: dict[int, tuple[JobToAssign, int]] = {}
    for assignment in assignments:
        first, count = batches.get(assignment.courier_id, (by_id[assignment.job_id], 0))
        batches[assignment.courier_id] = (first, count + 1)
    return batches


def may_join(
    batch: tuple[JobToAssign, int] | None,
    waiting: JobToAssign,
    limits: DeliveryThresholds,
) -> bool:
    """Whether a courier with ``batch`` (first job, jobs given) may also take ``waiting``."""
    if batch is None:
        return True
    first, count = batch
    return (
        first.pickup == waiting.pickup
        and count < limits.batch_jobs_max
        and goes_the_same_way(first.pickup, first.dropoff, waiting.dropoff, limits)
    )


def fits(vehicle: Vehicle, needed: Vehicle) -> bool:
    """A van carries any job; a motorbike only a job that needs no more than a motorbike."""
    return vehicle == VAN or needed == MOTORBIKE


def needs(job: JobToAssign, limits: DeliveryThresholds) -> Vehicle:
    return choose_vehicle(
        distance_meters=job_distance_meters(job),
        weight_grams=job.weight_grams,
        size_class=job.size_class,
        thresholds=limits,
    )


@given(dispatch_rounds())
def test_no_job_is_assigned_twice_and_only_to_known_couriers(round_):
    """No job is assigned twice, and every assignment names a given job and courier."""
    jobs, couriers, limits = round_

    assignments = assign_jobs(jobs, couriers, limits)

    job_ids = [assignment.job_id for assignment in assignments]
    assert len(job_ids) == len(set(job_ids))
    assert set(job_ids) <= {job.job_id for job in jobs}
    assert {a.courier_id for a in assignments} <= {c.courier_id for c in couriers}


@given(dispatch_rounds())
def test_no_courier_ends_over_capacity(round_):
    """No courier ends the round carrying more than their capacity."""
    jobs, couriers, limits = round_

    loads, _ = after_round(jobs, couriers, assign_jobs(jobs, couriers, limits))

    for courier_ in couriers:
        assert loads[courier_.courier_id] <= courier_.capacity_grams


@given(dispatch_rounds())
def test_every_courier_gets_one_batch_from_one_pickup_that_fits_their_vehicle(round_):
    """Every job goes to a courier whose vehicle fits it, and a courier's jobs of one round
    all leave from the same pick-up, go the first job's way, and are at most the batch
    limit."""
    jobs, couriers, limits = round_
    by_job = {job.job_id: job for job in jobs}
    by_courier = {courier.courier_id: courier for courier in couriers}

    assignments = assign_jobs(jobs, couriers, limits)

    _, pickups = after_round(jobs, couriers, assignments)
    assert all(len(places) <= 1 for places in pickups.values())
    batches = first_jobs_and_counts(jobs, assignments)
    for courier_id, (first, count) in batches.items():
        assert count <= limits.batch_jobs_max
        for assignment in assignments:
            if assignment.courier_id == courier_id:
                dropoff = by_job[assignment.job_id].dropoff
                assert goes_the_same_way(first.pickup, first.dropoff, dropoff, limits)
    for assignment in assignments:
        assert fits(
            by_courier[assignment.courier_id].vehicle,
            needs(by_job[assignment.job_id], limits),
        )


@given(dispatch_rounds())
def test_a_job_waits_only_when_no_courier_could_take_it(round_):
    """Every job is assigned when some courier has a fitting vehicle and room for it: a job
    left waiting could not be added to any courier's round as it ends (wrong vehicle, not
    enough room left, already collecting at another pick-up, going another way, or a full
    batch)."""
    jobs, couriers, limits = round_

    assignments = assign_jobs(jobs, couriers, limits)

    loads, _ = after_round(jobs, couriers, assignments)
    batches = first_jobs_and_counts(jobs, assignments)
    assigned = {assignment.job_id for assignment in assignments}
    for waiting in (job for job in jobs if job.job_id not in assigned):
        for courier_ in couriers:
            could_take = (
                fits(courier_.vehicle, needs(waiting, limits))
                and loads[courier_.courier_id] + waiting.weight_grams
                <= courier_.capacity_grams
                and may_join(batches.get(courier_.courier_id), waiting, limits)
            )
            assert not could_take, (waiting, courier_)


def reach(courier_: CourierState, distance: int, limits: DeliveryThresholds) -> int:
    """Minutes to a pick-up ``distance`` away: the rest of the route, then the drive."""
    return courier_.free_in_minutes + math.ceil(
        distance / limits.meters_per_minute(courier_.vehicle)
    )


def reach_to(
    courier_: CourierState, waiting: JobToAssign, limits: DeliveryThresholds
) -> int:
    return reach(
        courier_, road_distance_meters(courier_.position, waiting.pickup), limits
    )


def soonest_coming(
    coming: list[CourierState], waiting: JobToAssign, needed: Vehicle, limits
) -> int | None:
    return min(
        (
            reach(c, road_distance_meters(c.position, waiting.pickup), limits)
            for c in coming
            if c.vehicle == needed and c.capacity_grams >= waiting.weight_grams
        ),
        default=None,
    )


def assign_jobs_by_measuring_every_courier(
    jobs: list[JobToAssign],
    couriers: list[CourierState],
    limits: DeliveryThresholds,
    coming: list[CourierState] | None = None,
    minutes: int = 10,
) -> list[Assignment]:
    """The dispatch rule written plainly: every job measures every courier, keeps the
    soonest of each vehicle that can take it (ties: the nearer, then the lower id), and
    gives it to the smallest vehicle that fits unless a bigger one reaches the pick-up more
    than ``minutes`` sooner."""
    coming = coming or []
    loads = {courier.courier_id: courier.load_grams for courier in couriers}
    batches: dict[int, tuple[JobToAssign, int]] = {}
    assignments = []
    for waiting in jobs:
        needed = needs(waiting, limits)
        nearest: dict[Vehicle, tuple[int, int, int, CourierState]] = {}
        for courier_ in couriers:
            batch = batches.get(courier_.courier_id)
            if (
                fits(courier_.vehicle, needed)
                and loads[courier_.courier_id] + waiting.weight_grams
                <= courier_.capacity_grams
                and may_join(batch, waiting, limits)
            ):
                distance = (
                    0
                    if batch is not None
                    else road_distance_meters(courier_.position, waiting.pickup)
                )
                candidate = (
                    reach(courier_, distance, limits),
                    distance,
                    courier_.courier_id,
                    courier_,
                )
                best = nearest.get(courier_.vehicle)
                if best is None or candidate[:3] < best[:3]:
                    nearest[courier_.vehicle] = candidate
        own = nearest.get(needed)
        own_reach = own[0] if own else soonest_coming(coming, waiting, needed, limits)
        chosen = own
        bigger = sorted(
            (r, VEHICLE_RANKS[v], v)
            for v, (r, _, _, _) in nearest.items()
            if VEHICLE_RANKS[v] > VEHICLE_RANKS[needed]
        )
        if bigger and (own_reach is None or bigger[0][0] < own_reach - minutes):
            chosen = nearest[bigger[0][2]]
        if chosen:
            _, distance, courier_id, _ = chosen
            assignments.append(Assignment(waiting.job_id, courier_id, distance))
            loads[courier_id] += waiting.weight_grams
            first, count = batches.get(courier_id, (waiting, 0))
            batches[courier_id] = (first, count + 1)
    return assignments


# Points scattered over about 30 × 30 km around Pyongyang, on a 10 m grid so that some
# couriers stand exactly on a pick-up or share a latitude.
scattered_points = st.tuples(
    st.integers(0, 3_000).map(lambda step: 38.90 + step / 10_000),
    st.integers(0, 3_000).map(lambda step: 125.60 + step / 10_000),
)


@st.composite
def crowded_rounds(
    draw: st.DrawFn,
) -> tuple[list[JobToAssign], list[CourierState], DeliveryThresholds]:
    pickups = draw(st.lists(scattered_points, min_size=1, max_size=5))
    jobs = [
        JobToAssign(
            job_id=job_id,
            pickup=draw(st.sampled_from(pickups)),
            dropoff=draw(scattered_points),
            weight_grams=draw(st.integers(0, 30_000)),
            size_class=draw(sizes),
        )
        for job_id in range(draw(st.integers(0, 25)))
    ]
    couriers = [
        CourierState(
            courier_id=courier_id,
            vehicle=draw(st.sampled_from(Vehicle)),
            position=draw(st.one_of(scattered_points, st.sampled_from(pickups))),
            capacity_grams=draw(st.sampled_from([20_000, 40_000, 500_000])),
            load_grams=draw(st.sampled_from([0, 0, 10_000])),
        )
        for courier_id in draw(
            st.lists(st.integers(1, 10_000), max_size=25, unique=True)
        )
    ]
    return jobs, couriers, draw(thresholds)


@st.composite
def rounds_with_coming(
    draw: st.DrawFn,
) -> tuple[
    list[JobToAssign], list[CourierState], DeliveryThresholds, list[CourierState], int
]:
    """A round (of either kind) whose couriers may be part-way through a route, with
    couriers busy this round coming free, and a bigger-vehicle margin."""
    jobs, couriers, limits = draw(st.one_of(dispatch_rounds(), crowded_rounds()))
    busy = st.integers(0, 90)
    couriers = [
        dataclasses.replace(courier_, free_in_minutes=draw(busy))
        for courier_ in couriers
    ]
    taken = {courier_.courier_id for courier_ in couriers}
    coming = [
        CourierState(
            courier_id=courier_id,
            vehicle=draw(st.sampled_from(Vehicle)),
            position=draw(st.one_of(scattered_points, st.sampled_from(PLACES))),
            capacity_grams=draw(st.sampled_from([20_000, 500_000])),
            load_grams=0,
            free_in_minutes=draw(busy),
        )
        for courier_id in draw(
            st.lists(st.integers(10_001, 20_000), max_size=8, unique=True)
        )
        if courier_id not in taken
    ]
    return jobs, couriers, limits, coming, draw(st.integers(0, 60))


@given(rounds_with_coming())
def test_dispatch_gives_what_measuring_every_courier_gives(round_):
    """Searching couriers by latitude skips only couriers that are certainly farther (or
    later): the assignments are exactly those of measuring every courier for every job,
    with the bigger-vehicle rule and the couriers coming free."""
    jobs, couriers, limits, coming, minutes = round_

    assigned = assign_jobs(
        jobs, couriers, limits, coming=coming, bigger_vehicle_minutes=minutes
    )

    assert assigned == assign_jobs_by_measuring_every_courier(
        jobs, couriers, limits, coming, minutes
    )


@given(rounds_with_coming())
def test_one_job_takes_a_bigger_vehicle_only_when_it_is_the_margin_sooner(round_):
    """For a job on its own, a bigger vehicle than it needs gets it only when it reaches the
    pick-up more than the margin before every courier of the needed vehicle who could take
    it or is coming free; otherwise the needed vehicle's courier who could take it and
    reaches it soonest gets it (ties: the nearer, then the lower id)."""
    jobs, couriers, limits, coming, minutes = round_
    for waiting in jobs[:3]:
        needed = needs(waiting, limits)
        able = [
            c
            for c in couriers
            if fits(c.vehicle, needed)
            and c.load_grams + waiting.weight_grams <= c.capacity_grams
        ]

        assigned = assign_jobs(
            [waiting], couriers, limits, coming=coming, bigger_vehicle_minutes=minutes
        )

        own = [c for c in able if c.vehicle == needed]
        if not assigned:
            assert not own
            coming_reach = soonest_coming(coming, waiting, needed, limits)
            assert not able or (
                coming_reach is not None
                and min(reach_to(c, waiting, limits) for c in able)
                >= coming_reach - minutes
            )
            continue
        (assignment,) = assigned
        taker = next(c for c in couriers if c.courier_id == assignment.courier_id)
        if taker.vehicle == needed:
            soonest = min(
                (
                    reach_to(c, waiting, limits),
                    road_distance_meters(c.position, waiting.pickup),
                    c.courier_id,
                )
                for c in own
            )
            assert soonest[1:] == (assignment.pickup_distance_meters, taker.courier_id)
        else:
            own_reaches = [reach_to(c, waiting, limits) for c in own]
            coming_reach = soonest_coming(coming, waiting, needed, limits)
            if not own and coming_reach is not None:
                own_reaches.append(coming_reach)
            taker_reach = reach_to(taker, waiting, limits)
            assert all(taker_reach < other - minutes for other in own_reaches)


def test_a_motorbike_job_goes_to_a_farther_motorbike_within_the_margin():
    couriers = [
        courier(1, vehicle=VAN, position=MORANBONG, capacity=500_000),
        courier(2, vehicle=MOTORBIKE, position=RAKRANG),
    ]

    assignments = assign_jobs([job(10, pickup=CENTRAL)], couriers, DEFAULT)

    # The van is nearer (4.3 km, 15 minutes at a van's speed); the motorbike farther
    # (6.9 km) but only 2 minutes later (17): the smaller vehicle takes it.
    reaches = [
        reach(c, road_distance_meters(c.position, CENTRAL), DEFAULT) for c in couriers
    ]
    assert reaches == [15, 17]
    assert [(a.job_id, a.courier_id) for a in assignments] == [(10, 2)]


def test_a_van_takes_a_motorbike_job_when_the_motorbike_is_far_more_than_the_margin():
    # The van is at the pick-up; the motorbike 16 minutes away (Songyo).
    couriers = [
        courier(1, vehicle=VAN, position=CENTRAL, capacity=500_000),
        courier(2, vehicle=MOTORBIKE, position=SONGYO),
    ]

    assignments = assign_jobs([job(10, pickup=CENTRAL)], couriers, DEFAULT)

    assert [(a.job_id, a.courier_id) for a in assignments] == [(10, 1)]


def test_a_motorbike_job_waits_for_a_motorbike_coming_free_soon_rather_than_take_a_van():
    van = courier(1, vehicle=VAN, position=CENTRAL, capacity=500_000)
    coming_soon = CourierState(
        courier_id=2,
        vehicle=MOTORBIKE,
        position=CENTRAL,
        capacity_grams=20_000,
        load_grams=0,
        free_in_minutes=8,
    )
    coming_late = dataclasses.replace(coming_soon, free_in_minutes=11)

    waits = assign_jobs([job(10)], [van], DEFAULT, coming=[coming_soon])
    goes_by_van = assign_jobs([job(10)], [van], DEFAULT, coming=[coming_late])

    assert waits == []
    assert [(a.job_id, a.courier_id) for a in goes_by_van] == [(10, 1)]


def test_a_van_takes_a_motorbike_job_when_no_motorbike_is_free_or_coming():
    van = courier(1, vehicle=VAN, position=NAMPHO, capacity=500_000)

    assignments = assign_jobs([job(10)], [van], DEFAULT)

    assert [(a.job_id, a.courier_id) for a in assignments] == [(10, 1)]


def test_the_rest_of_a_route_counts_in_reaching_the_pickup():
    busy_motorbike = dataclasses.replace(
        courier(2, position=CENTRAL), free_in_minutes=30
    )
    couriers = [
        courier(1, vehicle=VAN, position=CENTRAL, capacity=500_000),
        busy_motorbike,
    ]

    assignments = assign_jobs([job(10)], couriers, DEFAULT)

    assert [(a.job_id, a.courier_id) for a in assignments] == [(10, 1)]


def test_a_margin_of_zero_gives_the_job_to_whichever_vehicle_reaches_it_sooner():
    couriers = [
        courier(1, vehicle=VAN, position=MORANBONG, capacity=500_000),
        courier(2, vehicle=MOTORBIKE, position=RAKRANG),
    ]

    assignments = assign_jobs(
        [job(10, pickup=CENTRAL)], couriers, DEFAULT, bigger_vehicle_minutes=0
    )

    assert [(a.job_id, a.courier_id) for a in assignments] == [(10, 1)]
