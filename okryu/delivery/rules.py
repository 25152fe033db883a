"""Pure rules of delivery: the vehicle a job needs, its fee, its estimated time, and dispatch.

No ORM, no settings, no clock here (STYLE.md section 4): the limits arrive as a frozen
``DeliveryThresholds`` built by the caller from settings (``okryu.parcels.thresholds``).
Distance, vehicle and fee, which checkout needs too, are the parcel rules below orders
(``okryu.parcels.rules``); they are imported and re-exported here.
"""

import bisect
import datetime as dt
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from okryu.parcels.rules import (
    DEFAULT_THRESHOLDS,
    EARTH_RADIUS_METERS,
    HALF_TURN_DEGREES,
    ROAD_FACTOR,
    SIZE_CLASSES,
    VEHICLE_RANKS,
    DeliveryThresholds,
    Vehicle,
    bulkiest_size_class,
    choose_vehicle,
    delivery_fee_won,
    road_distance_meters,
    vehicle_fits,
)

__all__ = [
    "ASSIGN_COURIERS_MAX",
    "ASSIGN_JOBS_MAX",
    "BIGGER_VEHICLE_MINUTES_DEFAULT",
    "DEFAULT_THRESHOLDS",
    "SIZE_CLASSES",
    "VEHICLE_RANKS",
    "Assignment",
    "CourierState",
    "DeliveryThresholds",
    "JobToAssign",
    "Vehicle",
    "assign_jobs",
    "bearing_degrees",
    "bulkiest_size_class",
    "choose_vehicle",
    "delivery_fee_won",
    "estimated_minutes",
    "goes_the_same_way",
    "job_distance_meters",
    "needed_vehicle",
    "reach_minutes",
    "road_distance_meters",
    "vehicle_fits",
]

# One dispatch round handles at most this many jobs and couriers; it costs jobs × couriers.
ASSIGN_JOBS_MAX = 2_000
ASSIGN_COURIERS_MAX = 2_000


def estimated_minutes(
    *,
    distance_meters: int,
    vehicle: Vehicle,
    preparation_minutes: int,
    thresholds: DeliveryThresholds = DEFAULT_THRESHOLDS,
) -> int:
    """Return the minutes from now until the hand-over of a job.

    The merchant's preparation time, the drive at the vehicle's city speed (a started minute
    counts whole) and the hand-over. Never negative; never less for a longer trip.
    """
    assert distance_meters >= 0
    assert preparation_minutes >= 0
    driving_minutes = -(-distance_meters // thresholds.meters_per_minute(vehicle))
    minutes = preparation_minutes + driving_minutes + thresholds.handover_minutes
    assert minutes >= 0
    return minutes


@dataclass(frozen=True)
class JobToAssign:
    """A ready job waiting for a courier: where it starts and ends, (latitude, longitude)."""

    job_id: int
    pickup: tuple[float, float]
    dropoff: tuple[float, float]
    weight_grams: int
    size_class: str


@dataclass(frozen=True)
class CourierState:
    """A courier as dispatch sees them: vehicle, position and what they already carry.

    ``free_in_minutes`` is how long until they can set out for a new pick-up (0: now; the
    rest of their route otherwise), from ``position``.
    """

    courier_id: int
    vehicle: Vehicle
    position: tuple[float, float]
    capacity_grams: int
    load_grams: int
    free_in_minutes: int = 0


@dataclass(frozen=True)
class Assignment:
    """One job given to one courier, with the courier's road distance to the pick-up."""

    job_id: int
    courier_id: int
    pickup_distance_meters: int


def bearing_degrees(
    origin: tuple[float, float], destination: tuple[float, float]
) -> float:
    """Return the initial compass bearing from ``origin`` to ``destination`` (0 is north)."""
    latitude_1, longitude_1 = map(math.radians, origin)
    latitude_2, longitude_2 = map(math.radians, destination)
    east = math.sin(longitude_2 - longitude_1) * math.cos(latitude_2)
    north = math.cos(latitude_1) * math.sin(latitude_2) - math.sin(
        latitude_1
    ) * math.cos(latitude_2) * math.cos(longitude_2 - longitude_1)
    return math.degrees(math.atan2(east, north)) % 360


def goes_the_same_way(
    pickup: tuple[float, float],
    first_dropoff: tuple[float, float],
    dropoff: tuple[float, float],
    thresholds: DeliveryThresholds = DEFAULT_THRESHOLDS,
) -> bool:
    """Return whether a job to ``dropoff`` may join a batch whose first job goes to
    ``first_dropoff``, both leaving from ``pickup``.

    Yes when the two doors are near each other, when either door is near the pick-up (on
    the way to anywhere), or when their directions from the pick-up differ by at most the
    thresholds' angle. Symmetric in the two drop-offs.
    """
    near = thresholds.batch_near_meters
    if (
        road_distance_meters(first_dropoff, dropoff) <= near
        or road_distance_meters(pickup, dropoff) <= near
        or road_distance_meters(pickup, first_dropoff) <= near
    ):
        return True
    turn = abs(
        bearing_degrees(pickup, first_dropoff) - bearing_degrees(pickup, dropoff)
    )
    return (
        min(turn, 2 * HALF_TURN_DEGREES - turn) <= thresholds.batch_bearing_degrees_max
    )


def job_distance_meters(job: JobToAssign) -> int:
    """Return the road distance of ``job`` from pick-up to drop-off."""
    return road_distance_meters(job.pickup, job.dropoff)


def needed_vehicle(job: JobToAssign, thresholds: DeliveryThresholds) -> Vehicle:
    """Return the smallest vehicle that may carry ``job``."""
    return choose_vehicle(
        distance_meters=job_distance_meters(job),
        weight_grams=job.weight_grams,
        size_class=job.size_class,
        thresholds=thresholds,
    )


# A bigger vehicle takes a job only when it would reach the pick-up more than this many minutes
# before the smallest vehicle that fits (settings: OKRYU_DISPATCH_BIGGER_VEHICLE_MINUTES).
BIGGER_VEHICLE_MINUTES_DEFAULT = 10


def reach_minutes(
    courier: CourierState, distance_meters: int, thresholds: DeliveryThresholds
) -> int:
    """Return the minutes until ``courier`` reaches a pick-up ``distance_meters`` away: the
    rest of their route, then the drive at their vehicle's speed (a started minute counts
    whole)."""
    assert distance_meters >= 0
    assert courier.free_in_minutes >= 0
    speed = thresholds.meters_per_minute(courier.vehicle)
    return courier.free_in_minutes + -(-distance_meters // speed)


@dataclass
class _Round:
    """What one courier has been given so far in this round (mutable, private to dispatch)."""

    courier: CourierState
    load_grams: int
    thresholds: DeliveryThresholds
    pickup: tuple[float, float] | None = None
    first_dropoff: tuple[float, float] | None = None
    jobs_count: int = 0

    def can_take(self, job: JobToAssign, needed: Vehicle) -> bool:
        if not (
            vehicle_fits(self.courier.vehicle, needed)
            and self.load_grams + job.weight_grams <= self.courier.capacity_grams
        ):
            return False
        if self.pickup is None or self.first_dropoff is None:
            return True
        return (
            self.pickup == job.pickup
            and self.jobs_count < self.thresholds.batch_jobs_max
            and goes_the_same_way(
                self.pickup, self.first_dropoff, job.dropoff, self.thresholds
            )
        )

    def take(self, job: JobToAssign) -> None:
        self.load_grams += job.weight_grams
        if self.pickup is None:
            self.pickup, self.first_dropoff = job.pickup, job.dropoff
        self.jobs_count += 1
        assert self.load_grams <= self.courier.capacity_grams
        assert self.jobs_count <= self.thresholds.batch_jobs_max

    def distance_to(self, job: JobToAssign) -> int:
        # A courier already collecting at this pick-up is there: batching costs no detour.
        if self.pickup is not None:
            return 0
        return road_distance_meters(self.courier.position, job.pickup)


# No two points are nearer by road than their latitudes' difference (in radians) times this:
# the great circle is never shorter than the meridian arc between the two parallels, and a
# road is ROAD_FACTOR longer still.
_ROAD_METERS_PER_RADIAN_OF_LATITUDE = EARTH_RADIUS_METERS * ROAD_FACTOR

# How dispatch ranks the couriers of one vehicle who can take a job: soonest at the pick-up
# (the rest of their route, then the drive), then nearest, then the lower id. With no route
# left, soonest is nearest.
_Rank = tuple[int, int, int]


def _rank(state: _Round, job: JobToAssign) -> _Rank:
    distance = state.distance_to(job)
    return (
        reach_minutes(state.courier, distance, state.thresholds),
        distance,
        state.courier.courier_id,
    )


def _road_meters_at_least(latitude_1: float, latitude_2: float) -> int:
    """Return a lower bound of the road distance between points at these latitudes.

    One metre below the exact bound, so that rounding can never make it exceed the
    distance ``road_distance_meters`` measures.
    """
    arc = math.radians(abs(latitude_1 - latitude_2))
    return math.floor(arc * _ROAD_METERS_PER_RADIAN_OF_LATITUDE) - 1


def _by_latitude(latitudes: list[float], latitude: float) -> Iterator[int]:
    """Yield the indices of the sorted ``latitudes``, nearest to ``latitude`` first."""
    below = bisect.bisect_left(latitudes, latitude) - 1
    above = below + 1
    # Each step takes one index, the nearer in latitude of the next below and above.
    for _ in range(len(latitudes)):
        if above >= len(latitudes) or (
            below >= 0 and latitude - latitudes[below] <= latitudes[above] - latitude
        ):
            index, below = below, below - 1
        else:
            index, above = above, above + 1
        if index < 0:
            return
        yield index


class _IdleCouriers:
    """The couriers of one round not collecting anywhere yet, sorted by latitude.

    Finding the nearest who can take a job walks outwards from the pick-up's latitude and
    stops once the latitude alone puts every courier left farther than the best found, so a
    round costs far less than jobs × couriers distances when couriers are spread out. The
    answer is exactly the one of measuring every courier: the walk only skips couriers
    that are certainly farther. A courier given a job stays in the list and is skipped
    (``pickup`` is set); from then on ``assign_jobs`` finds them at their pick-up.
    """

    def __init__(self, rounds: list[_Round]) -> None:
        assert all(state.pickup is None for state in rounds)
        assert len({state.courier.vehicle for state in rounds}) <= 1, "one vehicle"
        self.rounds = sorted(rounds, key=lambda state: state.courier.position[0])
        self.latitudes = [state.courier.position[0] for state in self.rounds]
        self.free_in_minutes_min = min(
            (state.courier.free_in_minutes for state in rounds), default=0
        )
        self.meters_per_minute = (
            rounds[0].thresholds.meters_per_minute(rounds[0].courier.vehicle)
            if rounds
            else 1
        )

    def _farther_than(
        self,
        latitude: float,
        index: int,
        best: tuple[_Rank, _Round] | None,
        within_meters: int | None,
    ) -> bool:
        """Whether every courier from ``index`` outwards is certainly out of the running:
        later than ``best`` or not nearer than ``within_meters``."""
        at_least = _road_meters_at_least(latitude, self.latitudes[index])
        if within_meters is not None and at_least >= within_meters:
            return True
        if best is None:
            return False
        soonest = self.free_in_minutes_min + -(
            -max(0, at_least) // self.meters_per_minute
        )
        return soonest > best[0][0]

    def nearest(
        self,
        job: JobToAssign,
        needed: Vehicle,
        best: tuple[_Rank, _Round] | None,
        within_meters: int | None = None,
    ) -> tuple[_Rank, _Round] | None:
        """Return the better of ``best`` and the best idle courier who can take ``job``,
        looking only nearer than ``within_meters`` when given."""
        latitude = job.pickup[0]
        below = bisect.bisect_left(self.latitudes, latitude) - 1
        above = below + 1
        # Each step takes one courier, the nearer in latitude of the next below and above
        # (``_by_latitude`` written out: this loop is dispatch's hottest).
        for _ in range(len(self.rounds)):
            if above >= len(self.rounds) or (
                below >= 0
                and latitude - self.latitudes[below] <= self.latitudes[above] - latitude
            ):
                index, below = below, below - 1
            else:
                index, above = above, above + 1
            if index < 0:
                break
            if self._farther_than(latitude, index, best, within_meters):
                break
            state = self.rounds[index]
            if state.pickup is None and state.can_take(job, needed):
                rank = _rank(state, job)
                if within_meters is not None and rank[1] >= within_meters:
                    continue
                if best is None or rank < best[0]:
                    best = (rank, state)
        return best


class _ComingCouriers:
    """Couriers of one vehicle busy this round, sorted by latitude: where and when each will
    be free. Dispatch gives them nothing; it asks how soon one could reach a pick-up.

    Sorted on the first question only: most rounds never ask (a courier of the needed
    vehicle is free), and the walk by latitude stops once the latitude alone puts every
    courier left later than the soonest found.
    """

    def __init__(
        self, couriers: Sequence[CourierState], thresholds: DeliveryThresholds
    ) -> None:
        self.unsorted = couriers
        self.couriers: list[CourierState] | None = None
        self.latitudes: list[float] = []
        self.free_in_minutes_min = 0
        self.thresholds = thresholds

    def _sort(self) -> list[CourierState]:
        if self.couriers is None:
            self.couriers = sorted(
                self.unsorted, key=lambda courier: courier.position[0]
            )
            self.latitudes = [courier.position[0] for courier in self.couriers]
            self.free_in_minutes_min = min(
                (courier.free_in_minutes for courier in self.couriers), default=0
            )
        return self.couriers

    def soonest(self, job: JobToAssign) -> int | None:
        """Return the fewest minutes in which one of them, free, could reach the job's
        pick-up with room for it (None when none has room)."""
        couriers = self._sort()
        latitude = job.pickup[0]
        best: int | None = None
        for index in _by_latitude(self.latitudes, latitude):
            courier = couriers[index]
            if best is not None:
                bound_meters = max(
                    0, _road_meters_at_least(latitude, self.latitudes[index])
                )
                speed = self.thresholds.meters_per_minute(courier.vehicle)
                if self.free_in_minutes_min + -(-bound_meters // speed) > best:
                    break
            if courier.capacity_grams < job.weight_grams:
                continue
            distance = road_distance_meters(courier.position, job.pickup)
            reach = reach_minutes(courier, distance, self.thresholds)
            if best is None or reach < best:
                best = reach
        return best


def _choose_vehicle(
    job: JobToAssign,
    needed: Vehicle,
    collecting_here: list[_Round],
    idle: dict[Vehicle, _IdleCouriers],
    coming: dict[Vehicle, _ComingCouriers],
    limits: tuple[DeliveryThresholds, int],
) -> tuple[_Rank, _Round] | None:
    """Give the job to the smallest vehicle that fits it, unless a bigger one would reach
    the pick-up more than the margin (``limits``: thresholds, minutes) sooner; None: the job
    waits.

    The smallest vehicle's courier is the soonest free one that can take the job; when none
    is free, the soonest one coming free (then, unless a bigger vehicle wins, the job waits
    for them). A bigger vehicle's is its soonest free courier who can take it, looked for
    only as near as could win; of several bigger vehicles the soonest wins (ties: the
    smaller). No smallest vehicle at all, free or coming: the soonest bigger one wins.
    """
    thresholds, minutes = limits
    small = _nearest(job, needed, needed, collecting_here, idle[needed], None)
    small_reach = small[0][0] if small is not None else coming[needed].soonest(job)
    winner: tuple[int, int, tuple[_Rank, _Round]] | None = None
    for vehicle in Vehicle:
        if VEHICLE_RANKS[vehicle] <= VEHICLE_RANKS[needed]:
            continue
        within = None
        if small_reach is not None:
            # Only a courier nearer than this can reach it more than the margin sooner.
            within = (small_reach - minutes) * thresholds.meters_per_minute(vehicle)
            if within <= 0:
                continue
        found = _nearest(job, vehicle, needed, collecting_here, idle[vehicle], within)
        if found is None:
            continue
        candidate = (found[0][0], VEHICLE_RANKS[vehicle], found)
        if winner is None or candidate[:2] < winner[:2]:
            winner = candidate
    if winner is not None and (
        small_reach is None or winner[0] < small_reach - minutes
    ):
        return winner[2]
    return small


def _nearest(
    job: JobToAssign,
    vehicle: Vehicle,
    needed: Vehicle,
    collecting_here: list[_Round],
    idle_couriers: _IdleCouriers,
    within_meters: int | None,
) -> tuple[_Rank, _Round] | None:
    """Return the soonest courier of ``vehicle`` who can take the job now (collecting at its
    pick-up already, or idle), nearer than ``within_meters`` when given."""
    best = min(
        (
            (_rank(state, job), state)
            for state in collecting_here
            if state.courier.vehicle == vehicle and state.can_take(job, needed)
        ),
        key=lambda candidate: candidate[0],
        default=None,
    )
    if best is not None and within_meters is not None and best[0][1] >= within_meters:
        best = None
    return idle_couriers.nearest(job, needed, best, within_meters)


def assign_jobs(
    jobs: Sequence[JobToAssign],
    couriers: Sequence[CourierState],
    thresholds: DeliveryThresholds = DEFAULT_THRESHOLDS,
    *,
    coming: Sequence[CourierState] = (),
    bigger_vehicle_minutes: int = BIGGER_VEHICLE_MINUTES_DEFAULT,
) -> list[Assignment]:
    """Assign ready jobs to couriers, greedily, one dispatch round.

    Jobs are taken in the order given (the caller passes the longest-waiting first). A job
    goes to the smallest vehicle that fits it (``needed_vehicle``), unless a bigger vehicle
    would reach the pick-up more than ``bigger_vehicle_minutes`` sooner (``_choose_vehicle``;
    reaching is the rest of a courier's route, ``free_in_minutes``, then the drive). Within
    a vehicle, the courier who can take it and reaches the pick-up soonest gets it (ties:
    the nearer, then the lower id; with no route left, the nearest). A courier
    can take a job when their vehicle fits it (``vehicle_fits``), their load plus the job's
    weight stays within their capacity, and — when they were given a job already this
    round — it leaves from that same pick-up point and goes the same way as their first job
    (``goes_the_same_way``), up to ``batch_jobs_max`` jobs. A courier's round is one batch
    from one merchant district, in one direction. A courier already collecting at that
    pick-up counts as being there.

    ``coming`` are couriers busy this round (they are given nothing): when no courier of the
    smallest vehicle can take a job now but one of them will reach it within
    ``bigger_vehicle_minutes`` of the soonest bigger vehicle, the job waits for them.

    Guarantees: no job is assigned twice; no courier ends over capacity; every courier's
    jobs of the round share one pick-up, go its first job's way, number at most the batch
    limit, and fit their vehicle; a job goes to a vehicle bigger than it needs only when
    that vehicle reaches the pick-up more than ``bigger_vehicle_minutes`` before every
    courier of the needed vehicle who could take it or is coming; and a job left unassigned
    could not be taken by any courier as they stand after the round, or waits for a coming
    courier of its vehicle (it does not promise the largest possible number of assigned
    jobs).

    Cost: at worst jobs × couriers distances; the couriers not collecting yet, and the
    coming ones, are searched by latitude, so with couriers spread over a city most are
    skipped.
    """
    assert len(jobs) <= ASSIGN_JOBS_MAX
    assert len(couriers) + len(coming) <= 2 * ASSIGN_COURIERS_MAX
    assert len(couriers) <= ASSIGN_COURIERS_MAX
    assert bigger_vehicle_minutes >= 0
    assert len({job.job_id for job in jobs}) == len(jobs), "job ids repeat"
    ids = [courier.courier_id for courier in (*couriers, *coming)]
    assert len(set(ids)) == len(ids), "courier ids repeat"
    for courier in couriers:
        assert 0 <= courier.load_grams <= courier.capacity_grams
    rounds = [
        _Round(courier=courier, load_grams=courier.load_grams, thresholds=thresholds)
        for courier in couriers
    ]
    idle = {
        vehicle: _IdleCouriers([s for s in rounds if s.courier.vehicle == vehicle])
        for vehicle in Vehicle
    }
    coming_by_vehicle = {
        vehicle: _ComingCouriers(
            [c for c in coming if c.vehicle == vehicle], thresholds
        )
        for vehicle in Vehicle
    }
    collecting: dict[tuple[float, float], list[_Round]] = {}
    assignments: list[Assignment] = []
    for job in jobs:
        assert job.weight_grams >= 0
        needed = needed_vehicle(job, thresholds)
        best = _choose_vehicle(
            job,
            needed,
            collecting.get(job.pickup, []),
            idle,
            coming_by_vehicle,
            (thresholds, bigger_vehicle_minutes),
        )
        if best is None:
            continue
        (_, distance_meters, _), chosen = best
        assignments.append(
            Assignment(
                job_id=job.job_id,
                courier_id=chosen.courier.courier_id,
                pickup_distance_meters=distance_meters,
            )
        )
        if chosen.pickup is None:
            collecting.setdefault(job.pickup, []).append(chosen)
        chosen.take(job)
    return assignments


# How a waiting job for a later slot reads to the shopper and the office: not yet due, so no
# courier may take it. A shown status only: the row stays ``waiting`` (JobStatus).
SCHEDULED = "scheduled"


def is_scheduled(*, status: str, due_at: dt.datetime, now: dt.datetime) -> bool:
    """Return whether a job waits for its slot: waiting, and due later than ``now``."""
    return status == "waiting" and due_at > now


def shown_job_status(*, status: str, due_at: dt.datetime, now: dt.datetime) -> str:
    """Return a job's status as shown: ``scheduled`` while waiting for a later slot."""
    return SCHEDULED if is_scheduled(status=status, due_at=due_at, now=now) else status
