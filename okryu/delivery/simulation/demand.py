"""The demand of a simulated day: its orders, and the couriers planned for them.

Pure: every random choice comes from the caller's ``random.Random``.

Orders arrive over the day along two curves, meals (lunch and evening peaks) for restaurants
and shopping (a broad day) for everyone else. Each order is a few of the merchant's products
for a door in the merchant's city: half in its own district, the rest less often the farther.
A kitchen needs the longest preparation time of the order's dishes (give or take a quarter);
every merchant then needs a few minutes to pack, so shops, whose goods need no preparation,
are ready much sooner.
"""

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from okryu.delivery.rules import (
    DeliveryThresholds,
    Vehicle,
    bulkiest_size_class,
    choose_vehicle,
    road_distance_meters,
)
from okryu.delivery.simulation.city_map import (
    CityMap,
    MapMerchant,
    Point,
    minimum_courier_count,
)

HOUR_SECONDS = 3_600
DAY_SECONDS = 24 * HOUR_SECONDS
ORDER_COUNT_MAX = 100_000
COURIER_COUNT_MAX = 20_000
ITEMS_PER_ORDER_MAX = 4
# A fleet of one courier per this many orders of the day keeps most deliveries within the
# hour on the demo map (see docs/benchmarks.md).
ORDERS_PER_COURIER = 16

# What a courier's vehicle holds: a motorbike's box, a small van's floor.
MOTORBIKE_CAPACITY_GRAMS = 40_000
VAN_CAPACITY_GRAMS = 800_000

# Relative number of orders in each hour of the day (0 to 23).
MEAL_CURVE = (10, 5, 3, 2, 2, 5, 20, 40, 40, 30, 50, 120,
              160, 100, 40, 30, 40, 90, 150, 140, 80, 40, 20, 15)  # fmt: skip
SHOPPING_CURVE = (5, 3, 2, 2, 2, 5, 15, 30, 50, 70, 80, 80,
                  80, 70, 70, 70, 70, 80, 90, 90, 70, 50, 30, 15)  # fmt: skip
RESTAURANT_ORDER_PERCENT = 45
SAME_DISTRICT_PERCENT = 50
# How far from its district's centre a door or a merchant lies, at most.
SCATTER_METERS_MAX = 1_500
METERS_PER_DEGREE_OF_LATITUDE = 111_195
# A kitchen takes its preparation time give or take this much (per cent).
PREPARATION_PERCENT_LOW, PREPARATION_PERCENT_HIGH = 80, 125
PACKING_SECONDS_LOW, PACKING_SECONDS_HIGH = 120, 360


@dataclass(frozen=True)
class SimulatedOrder:
    """One order of the day: one merchant's goods for one door, as one delivery job."""

    order_id: int
    city: str
    merchant_id: int
    ordered_second: int
    ready_second: int
    pickup: Point
    dropoff: Point
    weight_grams: int
    size_class: str
    distance_meters: int
    needed_vehicle: Vehicle


@dataclass(frozen=True)
class SimulatedCourier:
    """A courier of one city's logistics office, with their vehicle and where they start."""

    courier_id: int
    city: str
    vehicle: Vehicle
    capacity_grams: int
    start: Point


def suggested_courier_count(city_map: CityMap, order_count: int) -> int:
    """Return a fleet that keeps most deliveries within the hour: one courier for every
    ``ORDERS_PER_COURIER`` orders of the day, never fewer than the minimum."""
    return min(
        COURIER_COUNT_MAX,
        max(
            minimum_courier_count(city_map),
            math.ceil(order_count / ORDERS_PER_COURIER),
        ),
    )


def scatter(centre: Point, chooser: random.Random) -> Point:
    """Return a point at most ``SCATTER_METERS_MAX`` from ``centre``, uniform on the disc."""
    radius_meters = SCATTER_METERS_MAX * math.sqrt(chooser.random())
    angle = chooser.uniform(0, 2 * math.pi)
    north_meters = radius_meters * math.sin(angle)
    east_meters = radius_meters * math.cos(angle)
    latitude, longitude = centre
    return (
        latitude + north_meters / METERS_PER_DEGREE_OF_LATITUDE,
        longitude
        + east_meters
        / (METERS_PER_DEGREE_OF_LATITUDE * math.cos(math.radians(latitude))),
    )


def _order_shares(
    city_map: CityMap,
) -> tuple[int, list[MapMerchant], list[MapMerchant]]:
    """Return the restaurants' share of orders (per cent), the restaurants and the others."""
    restaurants = [m for m in city_map.merchants if m.is_restaurant]
    others = [m for m in city_map.merchants if not m.is_restaurant]
    if not others:
        return 100, restaurants, others
    if not restaurants:
        return 0, restaurants, others
    return RESTAURANT_ORDER_PERCENT, restaurants, others


def generate_orders(
    city_map: CityMap,
    order_count: int,
    pickups: dict[int, Point],
    chooser: random.Random,
    thresholds: DeliveryThresholds,
) -> tuple[SimulatedOrder, ...]:
    """Return the day's orders, numbered from 1 in the order they arrive."""
    restaurant_percent, restaurants, others = _order_shares(city_map)
    hours = range(len(MEAL_CURVE))
    drafts: list[tuple[int, MapMerchant]] = []
    for _ in range(order_count):
        is_restaurant = chooser.randrange(100) < restaurant_percent
        curve = MEAL_CURVE if is_restaurant else SHOPPING_CURVE
        hour = chooser.choices(hours, weights=curve)[0]
        second = hour * HOUR_SECONDS + chooser.randrange(HOUR_SECONDS)
        drafts.append(
            (second, chooser.choice(restaurants if is_restaurant else others))
        )
    drafts.sort(key=lambda draft: (draft[0], draft[1].merchant_id))
    orders = tuple(
        _fill_order(
            city_map,
            order_id=index + 1,
            ordered_second=second,
            merchant=merchant,
            pickup=pickups[merchant.merchant_id],
            context=(chooser, thresholds),
        )
        for index, (second, merchant) in enumerate(drafts)
    )
    assert len(orders) == order_count
    return orders


def _fill_order(
    city_map: CityMap,
    *,
    order_id: int,
    ordered_second: int,
    merchant: MapMerchant,
    pickup: Point,
    context: tuple[random.Random, DeliveryThresholds],
) -> SimulatedOrder:
    """Return an order of ``merchant``: its goods, its door and when it is ready."""
    chooser, thresholds = context
    home = city_map.district(merchant.district_code)
    items = [
        chooser.choice(merchant.items)
        for _ in range(chooser.randint(1, ITEMS_PER_ORDER_MAX))
    ]
    if chooser.randrange(100) < SAME_DISTRICT_PERCENT:
        district = home
    else:
        district = chooser.choices(*city_map.neighbours(home.code))[0]
    dropoff = scatter(district.position, chooser)
    cooking_seconds = round(
        max(item.preparation_minutes for item in items)
        * 60
        * chooser.randint(PREPARATION_PERCENT_LOW, PREPARATION_PERCENT_HIGH)
        / 100
    )
    packing_seconds = chooser.randint(PACKING_SECONDS_LOW, PACKING_SECONDS_HIGH)
    weight_grams = sum(item.weight_grams for item in items)
    size_class = bulkiest_size_class(item.size_class for item in items)
    distance_meters = road_distance_meters(pickup, dropoff)
    return SimulatedOrder(
        order_id=order_id,
        city=home.city,
        merchant_id=merchant.merchant_id,
        ordered_second=ordered_second,
        ready_second=ordered_second + cooking_seconds + packing_seconds,
        pickup=pickup,
        dropoff=dropoff,
        weight_grams=weight_grams,
        size_class=size_class,
        distance_meters=distance_meters,
        needed_vehicle=choose_vehicle(
            distance_meters=distance_meters,
            weight_grams=weight_grams,
            size_class=size_class,
            thresholds=thresholds,
        ),
    )


def _split_by_largest_remainder(
    total: int, weights: Sequence[float], minimum: int
) -> list[int]:
    """Return ``total`` split in proportion to ``weights``, each part at least ``minimum``."""
    assert total >= minimum * len(weights)
    spare = total - minimum * len(weights)
    weight_sum = sum(weights)
    exact = [spare * weight / weight_sum for weight in weights]
    parts = [math.floor(share) for share in exact]
    by_remainder = sorted(
        range(len(weights)), key=lambda index: (parts[index] - exact[index], index)
    )
    for index in by_remainder[: spare - sum(parts)]:
        parts[index] += 1
    assert sum(parts) == spare
    return [minimum + part for part in parts]


def _work_minutes(order: SimulatedOrder, thresholds: DeliveryThresholds) -> float:
    """Return a rough courier time for ``order``: the drive twice (to the pick-up and on to
    the door) and the hand-over, in the vehicle it needs."""
    speed = thresholds.meters_per_minute(order.needed_vehicle)
    return 2 * order.distance_meters / speed + thresholds.handover_minutes


def plan_fleet(
    city_map: CityMap,
    courier_count: int,
    orders: Sequence[SimulatedOrder],
    context: tuple[dict[int, Point], random.Random, DeliveryThresholds],
) -> tuple[SimulatedCourier, ...]:
    """Return the couriers, as a logistics office would plan them from the day's jobs.

    Each city with a merchant gets at least one courier and each city's share follows the
    courier time its jobs need; within a city, vans and motorbikes follow the time of the
    jobs that need each, with at least one van (only a van carries heavy, bulky or far jobs).
    A courier starts at one of the city's merchants, chosen at random.
    """
    pickups, chooser, thresholds = context
    cities = city_map.cities_with_merchants()
    work = {(city, vehicle): 0.0 for city in cities for vehicle in Vehicle}
    for order in orders:
        work[order.city, order.needed_vehicle] += _work_minutes(order, thresholds)
    counts = _split_by_largest_remainder(
        courier_count,
        [1 + sum(work[city, vehicle] for vehicle in Vehicle) for city in cities],
        minimum=1,
    )
    couriers: list[SimulatedCourier] = []
    for city, count in zip(cities, counts, strict=True):
        starts = [
            pickups[m.merchant_id]
            for m in city_map.merchants
            if city_map.district(m.district_code).city == city
        ]
        van_share = work[city, Vehicle.VAN] / max(
            1.0, sum(work[city, v] for v in Vehicle)
        )
        vans = min(count, max(1, round(count * van_share)))
        for index in range(count):
            vehicle = Vehicle.VAN if index < vans else Vehicle.MOTORBIKE
            couriers.append(
                SimulatedCourier(
                    courier_id=len(couriers) + 1,
                    city=city,
                    vehicle=vehicle,
                    capacity_grams=VAN_CAPACITY_GRAMS
                    if vehicle == Vehicle.VAN
                    else MOTORBIKE_CAPACITY_GRAMS,
                    start=chooser.choice(starts),
                )
            )
    assert len(couriers) == courier_count
    return tuple(couriers)
