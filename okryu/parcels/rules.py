"""Pure rules of carrying a parcel: road distance, size class, vehicle and delivery fee.

What a delivery costs is known at checkout, before any courier is involved: the orders layer
quotes its fee here, and the delivery layer dispatches with the same rules. No ORM, no
settings, no clock and nothing of the project here (STYLE.md section 4): the limits arrive as
a frozen ``DeliveryThresholds`` built by the caller from settings
(``okryu.parcels.thresholds``).
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "DEFAULT_THRESHOLDS",
    "EARTH_RADIUS_METERS",
    "HALF_TURN_DEGREES",
    "ROAD_FACTOR",
    "SIZE_CLASSES",
    "VEHICLE_RANKS",
    "DeliveryThresholds",
    "Vehicle",
    "bulkiest_size_class",
    "choose_vehicle",
    "delivery_fee_won",
    "road_distance_meters",
    "size_rank",
    "vehicle_fits",
]

EARTH_RADIUS_METERS = 6_371_000
HALF_TURN_DEGREES = 180
# Roads wind: the road distance between two district centres is taken as the great-circle
# distance times this factor (no outside map service).
ROAD_FACTOR = 1.3


def road_distance_meters(
    origin: tuple[float, float], destination: tuple[float, float]
) -> int:
    """Return the road distance estimate between two (latitude, longitude) points.

    The great-circle distance times ``ROAD_FACTOR``, rounded to the metre.
    """
    latitude_1, longitude_1 = map(math.radians, origin)
    latitude_2, longitude_2 = map(math.radians, destination)
    haversine = (
        math.sin((latitude_2 - latitude_1) / 2) ** 2
        + math.cos(latitude_1)
        * math.cos(latitude_2)
        * math.sin((longitude_2 - longitude_1) / 2) ** 2
    )
    great_circle = 2 * EARTH_RADIUS_METERS * math.asin(min(1.0, math.sqrt(haversine)))
    return round(great_circle * ROAD_FACTOR)


# The catalog's size classes (okryu.catalog.models.SizeClass values), smallest first: the
# order is what "bulkier" means.
SIZE_CLASSES: tuple[str, ...] = ("small", "medium", "large", "bulky")


class Vehicle(StrEnum):
    """What a courier drives, smallest first (the order of ``VEHICLE_RANKS``)."""

    MOTORBIKE = "motorbike"
    VAN = "van"


VEHICLE_RANKS: dict[Vehicle, int] = {Vehicle.MOTORBIKE: 0, Vehicle.VAN: 1}


def size_rank(size_class: str) -> int:
    """Return the place of ``size_class`` in ``SIZE_CLASSES`` (0: smallest)."""
    assert size_class in SIZE_CLASSES, f"unknown size class {size_class!r}"
    return SIZE_CLASSES.index(size_class)


def bulkiest_size_class(size_classes: Iterable[str]) -> str:
    """Return the bulkiest of ``size_classes`` (a parcel is as bulky as its bulkiest item)."""
    return max(size_classes, key=size_rank, default=SIZE_CLASSES[0])


@dataclass(frozen=True)
class DeliveryThresholds:
    """The limits of the delivery rules; the caller builds it from settings.

    A motorbike carries a job up to ``motorbike_weight_max_grams``, no bulkier than
    ``motorbike_size_max`` and no farther than ``motorbike_distance_max_meters``; a van
    carries the rest. The fee is the orders' table (base fee, then each started distance
    and weight step) plus a surcharge per size class and a surcharge when a van is needed.
    """

    motorbike_weight_max_grams: int = 15_000
    motorbike_size_max: str = "medium"
    motorbike_distance_max_meters: int = 12_000

    # The base fee covers up to the base distance and weight; each started step beyond adds
    # its price.
    base_fee_won: int = 1_000
    base_distance_meters: int = 3_000
    distance_step_meters: int = 2_000
    distance_step_fee_won: int = 500
    base_weight_grams: int = 5_000
    weight_step_grams: int = 5_000
    weight_step_fee_won: int = 300
    # Per size class, in SIZE_CLASSES order; never falling, so bulkier never costs less.
    size_fees_won: tuple[int, ...] = (0, 0, 500, 1_000)
    van_surcharge_won: int = 2_000

    # City speeds including stops at lights and checkpoints (25 km/h and 18 km/h).
    motorbike_meters_per_minute: int = 416
    van_meters_per_minute: int = 300
    # Finding the door and taking the confirmation code.
    handover_minutes: int = 5

    # Batching: a courier takes several jobs from one pick-up in a round only when they go
    # the same way — drop-offs within ``batch_bearing_degrees_max`` of the first one's
    # direction from the pick-up, or within ``batch_near_meters`` of it or of the pick-up —
    # and at most ``batch_jobs_max`` of them, so the last door is not reached hours late.
    batch_jobs_max: int = 6
    batch_bearing_degrees_max: int = 45
    batch_near_meters: int = 2_000

    def __post_init__(self) -> None:
        assert self.motorbike_size_max in SIZE_CLASSES
        assert self.motorbike_weight_max_grams > 0
        assert self.motorbike_distance_max_meters > 0
        assert self.base_fee_won >= 0
        assert self.base_distance_meters >= 0
        assert self.distance_step_meters > 0
        assert self.distance_step_fee_won >= 0
        assert self.base_weight_grams >= 0
        assert self.weight_step_grams > 0
        assert self.weight_step_fee_won >= 0
        assert len(self.size_fees_won) == len(SIZE_CLASSES)
        assert all(fee >= 0 for fee in self.size_fees_won)
        assert list(self.size_fees_won) == sorted(self.size_fees_won)
        assert self.van_surcharge_won >= 0
        assert self.motorbike_meters_per_minute > 0
        assert self.van_meters_per_minute > 0
        assert self.handover_minutes >= 0
        assert self.batch_jobs_max >= 1
        assert 0 <= self.batch_bearing_degrees_max <= HALF_TURN_DEGREES
        assert self.batch_near_meters >= 0

    def meters_per_minute(self, vehicle: Vehicle) -> int:
        """Return the speed of ``vehicle`` in the city."""
        if vehicle == Vehicle.MOTORBIKE:
            return self.motorbike_meters_per_minute
        return self.van_meters_per_minute


DEFAULT_THRESHOLDS = DeliveryThresholds()


def choose_vehicle(
    *,
    distance_meters: int,
    weight_grams: int,
    size_class: str,
    thresholds: DeliveryThresholds = DEFAULT_THRESHOLDS,
) -> Vehicle:
    """Return the smallest vehicle for a job: a motorbike when light, small and near, else a van.

    Monotone: a heavier, bulkier or farther job never gets a smaller vehicle.
    """
    assert distance_meters >= 0
    assert weight_grams >= 0
    if (
        weight_grams <= thresholds.motorbike_weight_max_grams
        and size_rank(size_class) <= size_rank(thresholds.motorbike_size_max)
        and distance_meters <= thresholds.motorbike_distance_max_meters
    ):
        return Vehicle.MOTORBIKE
    return Vehicle.VAN


def vehicle_fits(vehicle: Vehicle, needed: Vehicle) -> bool:
    """Return whether ``vehicle`` may carry a job that needs ``needed`` (a van carries anything)."""
    return VEHICLE_RANKS[vehicle] >= VEHICLE_RANKS[needed]


def _started_steps(amount: int, base: int, step: int) -> int:
    if amount <= base:
        return 0
    return -(-(amount - base) // step)  # Ceiling division: a started step counts whole.


def delivery_fee_won(
    *,
    distance_meters: int,
    weight_grams: int,
    size_class: str,
    thresholds: DeliveryThresholds = DEFAULT_THRESHOLDS,
) -> int:
    """Return the fee for carrying a job of ``weight_grams`` and ``size_class`` ``distance_meters``.

    The base fee, each started distance and weight step beyond the base, the size class's
    surcharge, and the van surcharge when the job needs a van. Monotone: a longer trip, a
    heavier or a bulkier job never costs less; never below the base fee.
    """
    assert distance_meters >= 0
    assert weight_grams >= 0
    vehicle = choose_vehicle(
        distance_meters=distance_meters,
        weight_grams=weight_grams,
        size_class=size_class,
        thresholds=thresholds,
    )
    fee = (
        thresholds.base_fee_won
        + thresholds.distance_step_fee_won
        * _started_steps(
            distance_meters,
            thresholds.base_distance_meters,
            thresholds.distance_step_meters,
        )
        + thresholds.weight_step_fee_won
        * _started_steps(
            weight_grams, thresholds.base_weight_grams, thresholds.weight_step_grams
        )
        + thresholds.size_fees_won[size_rank(size_class)]
        + (thresholds.van_surcharge_won if vehicle == Vehicle.VAN else 0)
    )
    assert fee >= thresholds.base_fee_won
    return fee
