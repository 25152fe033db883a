"""A simulated day of delivery: a discrete-event simulation on a simulated clock.

Pure (STYLE.md section 4): no ORM, no settings, no clock. The map arrives as a frozen
``CityMap`` (``okryu.delivery.simulation.loading`` reads it from the database) and every
random choice comes from one ``random.Random(seed)``, so a seed gives the same day again.

The model, in simulated seconds from midnight:

- The day's orders and its couriers come from ``okryu.delivery.simulation.demand``.
- Each city's logistics office runs a dispatch round every simulated minute: the jobs that
  are ready and waiting, longest waiting first, and its free couriers go through the pure
  rule ``assign_jobs``, with its busy couriers as the ones coming free (where and when each
  trip ends), so a job may wait for the smallest vehicle that fits it. A courier drives to
  the pick-up, hands the batch over door by door (nearest door next), and is free again at
  the last door.
- Couriers are on duty all day; the simulation runs past midnight until every order is
  handed over, at most ``OVERRUN_SECONDS_MAX``.

Only the wall-clock time spent inside ``assign_jobs`` is measured, with the ``timer`` the
caller passes (``time.perf_counter``; a counter in tests): that is the dispatch benchmark.
"""

import heapq
import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from okryu.delivery.rules import (
    ASSIGN_COURIERS_MAX,
    ASSIGN_JOBS_MAX,
    BIGGER_VEHICLE_MINUTES_DEFAULT,
    CourierState,
    DeliveryThresholds,
    JobToAssign,
    Vehicle,
    assign_jobs,
    road_distance_meters,
)
from okryu.delivery.simulation.city_map import CityMap, Point, minimum_courier_count
from okryu.delivery.simulation.demand import (
    COURIER_COUNT_MAX,
    DAY_SECONDS,
    HOUR_SECONDS,
    ORDER_COUNT_MAX,
    SimulatedCourier,
    SimulatedOrder,
    generate_orders,
    plan_fleet,
    scatter,
)

ROUND_SECONDS = 60
# Past midnight the day goes on until every order is handed over, at most this long.
OVERRUN_SECONDS_MAX = DAY_SECONDS
ROUNDS_MAX = (DAY_SECONDS + OVERRUN_SECONDS_MAX) // ROUND_SECONDS


@dataclass(frozen=True)
class DayPlan:
    """What to simulate: how many orders and couriers, and which seed."""

    order_count: int
    courier_count: int
    seed: int

    def __post_init__(self) -> None:
        assert 0 <= self.order_count <= ORDER_COUNT_MAX
        assert 0 < self.courier_count <= COURIER_COUNT_MAX


@dataclass(frozen=True)
class Delivery:
    """An order handed over: by whom, in what vehicle, and when."""

    order: SimulatedOrder
    courier_id: int
    vehicle: Vehicle
    assigned_second: int
    handed_over_second: int

    @property
    def delivery_seconds(self) -> int:
        """Return the time from the order to its hand-over."""
        return self.handed_over_second - self.order.ordered_second


@dataclass(frozen=True)
class Trip:
    """One courier's run: to one pick-up, then each door of the batch in turn."""

    courier_id: int
    vehicle: Vehicle
    capacity_grams: int
    load_grams: int
    started_second: int
    ended_second: int
    order_ids: tuple[int, ...]


@dataclass(frozen=True)
class DispatchRound:
    """One call of ``assign_jobs``: its size, what it assigned and its wall-clock time."""

    second: int
    city: str
    job_count: int
    courier_count: int
    assigned_count: int
    wall_seconds: float


@dataclass(frozen=True)
class DayResult:
    """Everything that happened in a simulated day."""

    plan: DayPlan
    orders: tuple[SimulatedOrder, ...]
    couriers: tuple[SimulatedCourier, ...]
    deliveries: tuple[Delivery, ...]
    trips: tuple[Trip, ...]
    rounds: tuple[DispatchRound, ...]

    @property
    def undelivered_order_ids(self) -> tuple[int, ...]:
        """Return the orders never handed over (the couriers did not suffice)."""
        delivered = {delivery.order.order_id for delivery in self.deliveries}
        return tuple(o.order_id for o in self.orders if o.order_id not in delivered)


def simulate_day(
    city_map: CityMap,
    plan: DayPlan,
    *,
    thresholds: DeliveryThresholds,
    timer: Callable[[], float],
    on_hour: Callable[[int], None] | None = None,
    bigger_vehicle_minutes: int = BIGGER_VEHICLE_MINUTES_DEFAULT,
) -> DayResult:
    """Simulate one day of ``plan`` on ``city_map``; ``on_hour`` hears each simulated hour.

    ``bigger_vehicle_minutes`` is dispatch's margin for a bigger vehicle than a job needs
    (``assign_jobs``)."""
    assert city_map.merchants, "a day needs merchants"
    assert plan.courier_count >= minimum_courier_count(city_map)
    chooser = random.Random(plan.seed)  # noqa: S311 - a reproducible simulation, not secrets.
    pickups = {
        merchant.merchant_id: scatter(
            city_map.district(merchant.district_code).position, chooser
        )
        for merchant in city_map.merchants
    }
    orders = generate_orders(city_map, plan.order_count, pickups, chooser, thresholds)
    couriers = plan_fleet(
        city_map, plan.courier_count, orders, (pickups, chooser, thresholds)
    )
    day = _Day(
        orders=orders,
        couriers=couriers,
        thresholds=thresholds,
        timer=timer,
        bigger_vehicle_minutes=bigger_vehicle_minutes,
    )
    day.run(on_hour)
    result = DayResult(
        plan=plan,
        orders=orders,
        couriers=couriers,
        deliveries=tuple(day.deliveries),
        trips=tuple(day.trips),
        rounds=tuple(day.rounds),
    )
    assert len(result.deliveries) <= len(orders)
    return result


def _drive_seconds(distance_meters: int, meters_per_minute: int) -> int:
    return math.ceil(distance_meters * 60 / meters_per_minute)


class _Day:
    """The running day: what waits, who is free, what happened (mutable, private)."""

    def __init__(
        self,
        *,
        orders: tuple[SimulatedOrder, ...],
        couriers: tuple[SimulatedCourier, ...],
        thresholds: DeliveryThresholds,
        timer: Callable[[], float],
        bigger_vehicle_minutes: int,
    ) -> None:
        self.thresholds = thresholds
        self.timer = timer
        self.bigger_vehicle_minutes = bigger_vehicle_minutes
        self.by_courier_id = {courier.courier_id: courier for courier in couriers}
        # Orders by the time they are ready, latest last, taken from the front.
        self.coming = sorted(orders, key=lambda o: (o.ready_second, o.order_id))
        self.coming.reverse()
        self.waiting: dict[str, list[SimulatedOrder]] = {}
        # Free couriers per city, longest free first (dicts keep insertion order).
        self.free: dict[str, dict[int, CourierState]] = {}
        self.busy: list[tuple[int, int, Point]] = []
        # The same busy couriers per city: when each is free again, and where.
        self.returning: dict[str, dict[int, tuple[int, Point]]] = {}
        for courier in couriers:
            self._set_free(courier.courier_id, courier.start)
        self.deliveries: list[Delivery] = []
        self.trips: list[Trip] = []
        self.rounds: list[DispatchRound] = []

    def run(self, on_hour: Callable[[int], None] | None) -> None:
        for round_index in range(ROUNDS_MAX):
            now = round_index * ROUND_SECONDS
            if on_hour is not None and now % HOUR_SECONDS == 0:
                on_hour(now // HOUR_SECONDS)
            self._release(now)
            for city in sorted(self.waiting):
                if self.waiting[city] and self.free.get(city):
                    self._dispatch(city, now)
            if not self.coming and not any(self.waiting.values()):
                return

    def _set_free(self, courier_id: int, position: Point) -> None:
        courier = self.by_courier_id[courier_id]
        self.free.setdefault(courier.city, {})[courier_id] = CourierState(
            courier_id=courier_id,
            vehicle=courier.vehicle,
            position=position,
            capacity_grams=courier.capacity_grams,
            load_grams=0,
        )

    def _release(self, now: int) -> None:
        """Put the orders ready by ``now`` in the queue and free the couriers back by then."""
        while self.coming and self.coming[-1].ready_second <= now:
            order = self.coming.pop()
            self.waiting.setdefault(order.city, []).append(order)
        while self.busy and self.busy[0][0] <= now:
            _, courier_id, position = heapq.heappop(self.busy)
            del self.returning[self.by_courier_id[courier_id].city][courier_id]
            self._set_free(courier_id, position)

    def _dispatch(self, city: str, now: int) -> None:
        """Run one dispatch round of ``city`` and send each courier given jobs on a trip."""
        waiting = self.waiting[city][:ASSIGN_JOBS_MAX]
        free = list(self.free[city].values())[:ASSIGN_COURIERS_MAX]
        jobs = [
            JobToAssign(
                job_id=order.order_id,
                pickup=order.pickup,
                dropoff=order.dropoff,
                weight_grams=order.weight_grams,
                size_class=order.size_class,
            )
            for order in waiting
        ]
        coming = self._coming(city, now)
        started = self.timer()
        assignments = assign_jobs(
            jobs,
            free,
            self.thresholds,
            coming=coming,
            bigger_vehicle_minutes=self.bigger_vehicle_minutes,
        )
        wall_seconds = self.timer() - started
        self.rounds.append(
            DispatchRound(
                second=now,
                city=city,
                job_count=len(jobs),
                courier_count=len(free),
                assigned_count=len(assignments),
                wall_seconds=wall_seconds,
            )
        )
        by_order_id = {order.order_id: order for order in waiting}
        batches: dict[int, list[SimulatedOrder]] = {}
        for assignment in assignments:
            batches.setdefault(assignment.courier_id, []).append(
                by_order_id[assignment.job_id]
            )
        for courier_id, batch in batches.items():
            self._start_trip(self.free[city].pop(courier_id), batch, now)
        assigned = {assignment.job_id for assignment in assignments}
        self.waiting[city] = [
            o for o in self.waiting[city] if o.order_id not in assigned
        ]

    def _coming(self, city: str, now: int) -> list[CourierState]:
        """The city's busy couriers as dispatch sees them: where and in how many minutes
        (a started minute counts whole) each will be free."""
        coming = []
        for courier_id, (free_second, position) in self.returning.get(city, {}).items():
            courier = self.by_courier_id[courier_id]
            coming.append(
                CourierState(
                    courier_id=courier_id,
                    vehicle=courier.vehicle,
                    position=position,
                    capacity_grams=courier.capacity_grams,
                    load_grams=0,
                    free_in_minutes=math.ceil((free_second - now) / 60),
                )
            )
        return coming[:ASSIGN_COURIERS_MAX]

    def _start_trip(
        self, courier: CourierState, batch: list[SimulatedOrder], now: int
    ) -> None:
        """Drive ``courier`` to the batch's pick-up, then to each door, nearest next."""
        assert batch
        assert len({order.pickup for order in batch}) == 1, "a batch has one pick-up"
        load_grams = sum(order.weight_grams for order in batch)
        assert load_grams <= courier.capacity_grams, (courier, load_grams)
        speed = self.thresholds.meters_per_minute(courier.vehicle)
        handover_seconds = self.thresholds.handover_minutes * 60
        position = batch[0].pickup
        clock = now + _drive_seconds(
            road_distance_meters(courier.position, position), speed
        )
        remaining = list(batch)
        while remaining:
            order = min(
                remaining,
                key=lambda o: (road_distance_meters(position, o.dropoff), o.order_id),
            )
            remaining.remove(order)
            clock += _drive_seconds(
                road_distance_meters(position, order.dropoff), speed
            )
            clock += handover_seconds
            position = order.dropoff
            self.deliveries.append(
                Delivery(
                    order=order,
                    courier_id=courier.courier_id,
                    vehicle=courier.vehicle,
                    assigned_second=now,
                    handed_over_second=clock,
                )
            )
        self.trips.append(
            Trip(
                courier_id=courier.courier_id,
                vehicle=courier.vehicle,
                capacity_grams=courier.capacity_grams,
                load_grams=load_grams,
                started_second=now,
                ended_second=clock,
                order_ids=tuple(order.order_id for order in batch),
            )
        )
        # A courier back exactly at a round's minute takes part in that round.
        heapq.heappush(self.busy, (clock, courier.courier_id, position))
        city = self.by_courier_id[courier.courier_id].city
        self.returning.setdefault(city, {})[courier.courier_id] = (clock, position)
