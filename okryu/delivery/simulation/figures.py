"""The figures of a simulated day: delivery-time percentiles, utilisation, vehicle split and
the time dispatch took. Pure: plain values in, a frozen ``DayFigures`` out."""

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from okryu.delivery.rules import Vehicle
from okryu.delivery.simulation.day import DayResult, Trip
from okryu.delivery.simulation.demand import DAY_SECONDS, HOUR_SECONDS

HOURS_OF_THE_DAY = DAY_SECONDS // HOUR_SECONDS


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """Return the nearest-rank percentile of ``ordered`` (sorted, not empty) at ``fraction``.

    The smallest value with at least ``fraction`` of the values at or below it, so the
    result is always one of the values (p100 is the largest, p0 the smallest).
    """
    assert ordered, "no values"
    assert 0 <= fraction <= 1
    assert all(a <= b for a, b in itertools.pairwise(ordered))
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class HourFigures:
    """Orders placed in one hour of the day and how long their deliveries took."""

    hour: int
    order_count: int
    delivery_minutes_p50: float | None
    delivery_minutes_p90: float | None
    busy_percent: float


@dataclass(frozen=True)
class DayFigures:
    """What a simulated day comes to."""

    order_count: int
    delivered_count: int
    courier_count: int
    van_courier_count: int
    delivery_minutes_p50: float
    delivery_minutes_p90: float
    delivery_minutes_p99: float
    utilisation_percent: float
    van_job_percent: float
    van_delivery_percent: float
    # From ready to assigned, the median, of the jobs that need a van and of the others.
    van_job_wait_minutes_p50: float
    motorbike_job_wait_minutes_p50: float
    trip_count: int
    dispatch_round_count: int
    dispatch_total_seconds: float
    dispatch_round_p50_ms: float
    dispatch_round_p99_ms: float
    dispatch_round_max_ms: float
    hours: tuple[HourFigures, ...]


def _percentiles_minutes(seconds: list[int]) -> tuple[float, float, float]:
    if not seconds:
        return 0.0, 0.0, 0.0
    ordered = sorted(seconds)
    return (
        percentile(ordered, 0.5) / 60,
        percentile(ordered, 0.9) / 60,
        percentile(ordered, 0.99) / 60,
    )


def _busy_seconds_by_hour(trips: Sequence[Trip]) -> list[int]:
    """Return the courier-seconds spent on trips in each hour of the day (0 to 23)."""
    busy = [0] * HOURS_OF_THE_DAY
    for trip in trips:
        first_hour = trip.started_second // HOUR_SECONDS
        last_hour = min(HOURS_OF_THE_DAY - 1, trip.ended_second // HOUR_SECONDS)
        for hour in range(first_hour, last_hour + 1):
            start = max(trip.started_second, hour * HOUR_SECONDS)
            end = min(trip.ended_second, (hour + 1) * HOUR_SECONDS)
            busy[hour] += max(0, end - start)
    return busy


def _hour_figures(result: DayResult) -> tuple[HourFigures, ...]:
    by_hour: list[list[int]] = [[] for _ in range(HOURS_OF_THE_DAY)]
    for delivery in result.deliveries:
        by_hour[delivery.order.ordered_second // HOUR_SECONDS].append(
            delivery.delivery_seconds
        )
    placed = [0] * HOURS_OF_THE_DAY
    for order in result.orders:
        placed[order.ordered_second // HOUR_SECONDS] += 1
    busy = _busy_seconds_by_hour(result.trips)
    figures = []
    for hour in range(HOURS_OF_THE_DAY):
        p50, p90, _ = _percentiles_minutes(by_hour[hour])
        figures.append(
            HourFigures(
                hour=hour,
                order_count=placed[hour],
                delivery_minutes_p50=p50 if by_hour[hour] else None,
                delivery_minutes_p90=p90 if by_hour[hour] else None,
                busy_percent=100 * busy[hour] / (len(result.couriers) * HOUR_SECONDS),
            )
        )
    return tuple(figures)


def _utilisation_percent(result: DayResult) -> float:
    """Return busy time over on-duty time: each courier is on duty from midnight to the end
    of the day or of their last trip, whichever is later."""
    on_duty = dict.fromkeys((c.courier_id for c in result.couriers), DAY_SECONDS)
    busy = 0
    for trip in result.trips:
        busy += trip.ended_second - trip.started_second
        on_duty[trip.courier_id] = max(on_duty[trip.courier_id], trip.ended_second)
    return 100 * busy / sum(on_duty.values())


def _wait_minutes_p50(result: DayResult, needed: Vehicle) -> float:
    """The median wait from ready to assigned of the delivered jobs needing ``needed``."""
    waits = [
        delivery.assigned_second - delivery.order.ready_second
        for delivery in result.deliveries
        if delivery.order.needed_vehicle == needed
    ]
    return _percentiles_minutes(waits)[0]


def summarise_day(result: DayResult) -> DayFigures:
    """Return the figures of ``result``."""
    p50, p90, p99 = _percentiles_minutes(
        [delivery.delivery_seconds for delivery in result.deliveries]
    )
    round_ms = sorted(r.wall_seconds * 1000 for r in result.rounds) or [0.0]
    van_jobs = sum(o.needed_vehicle == Vehicle.VAN for o in result.orders)
    van_deliveries = sum(d.vehicle == Vehicle.VAN for d in result.deliveries)
    return DayFigures(
        order_count=len(result.orders),
        delivered_count=len(result.deliveries),
        courier_count=len(result.couriers),
        van_courier_count=sum(c.vehicle == Vehicle.VAN for c in result.couriers),
        delivery_minutes_p50=p50,
        delivery_minutes_p90=p90,
        delivery_minutes_p99=p99,
        utilisation_percent=_utilisation_percent(result),
        van_job_percent=100 * van_jobs / max(1, len(result.orders)),
        van_delivery_percent=100 * van_deliveries / max(1, len(result.deliveries)),
        van_job_wait_minutes_p50=_wait_minutes_p50(result, Vehicle.VAN),
        motorbike_job_wait_minutes_p50=_wait_minutes_p50(result, Vehicle.MOTORBIKE),
        trip_count=len(result.trips),
        dispatch_round_count=len(result.rounds),
        dispatch_total_seconds=sum(r.wall_seconds for r in result.rounds),
        dispatch_round_p50_ms=percentile(round_ms, 0.5),
        dispatch_round_p99_ms=percentile(round_ms, 0.99),
        dispatch_round_max_ms=round_ms[-1],
        hours=_hour_figures(result),
    )
