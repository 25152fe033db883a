import itertools
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from okryu.accounts.models import District
from okryu.catalog.models import SizeClass
from okryu.catalog.tests.factories import ProductFactory
from okryu.delivery.rules import (
    DeliveryThresholds,
    Vehicle,
    choose_vehicle,
    road_distance_meters,
)
from okryu.delivery.simulation.city_map import (
    CityMap,
    MapDistrict,
    MapItem,
    MapMerchant,
    minimum_courier_count,
)
from okryu.delivery.simulation.day import DayPlan, DayResult, simulate_day
from okryu.delivery.simulation.demand import suggested_courier_count
from okryu.delivery.simulation.figures import percentile, summarise_day
from okryu.delivery.simulation.loading import load_city_map
from okryu.merchants.models import MerchantKind
from okryu.merchants.tests.factories import MerchantFactory

THRESHOLDS = DeliveryThresholds()

# Two cities: three districts of Pyongyang and Nampho.
CITY_MAP = CityMap(
    districts=(
        MapDistrict("central", "Pyongyang", (39.0194, 125.7533)),
        MapDistrict("moranbong", "Pyongyang", (39.0450, 125.7600)),
        MapDistrict("sunan", "Pyongyang", (39.2000, 125.6900)),
        MapDistrict("nampho", "Nampho", (38.7375, 125.4078)),
    ),
    merchants=(
        MapMerchant(
            merchant_id=1,
            is_restaurant=True,
            district_code="central",
            items=(MapItem(700, "small", 25), MapItem(1_200, "medium", 40)),
        ),
        MapMerchant(
            merchant_id=2,
            is_restaurant=False,
            district_code="moranbong",
            items=(MapItem(2_000, "small", 0), MapItem(30_000, "large", 0)),
        ),
        MapMerchant(
            merchant_id=3,
            is_restaurant=False,
            district_code="nampho",
            items=(MapItem(1_000, "small", 0), MapItem(45_000, "bulky", 0)),
        ),
    ),
)


def counting_timer() -> Callable[[], float]:
    """A stand-in for the wall clock: each call is one second later."""
    return itertools.count().__next__


def simulate(orders: int, *, couriers: int | None = None, seed: int = 1) -> DayResult:
    plan = DayPlan(
        order_count=orders,
        courier_count=couriers or suggested_courier_count(CITY_MAP, orders),
        seed=seed,
    )
    return simulate_day(CITY_MAP, plan, thresholds=THRESHOLDS, timer=counting_timer())


# The simulation, on a small map.


def test_the_same_seed_gives_the_same_day_and_another_seed_another():
    first = simulate(200, seed=5)
    again = simulate(200, seed=5)
    other = simulate(200, seed=6)

    assert first == again
    assert [o.ordered_second for o in first.orders] != [
        o.ordered_second for o in other.orders
    ]


def test_every_order_is_handed_over_exactly_once_when_couriers_suffice():
    result = simulate(300)

    handed_over = sorted(d.order.order_id for d in result.deliveries)
    assert handed_over == list(range(1, 301))
    assert result.undelivered_order_ids == ()
    assert sorted(i for trip in result.trips for i in trip.order_ids) == handed_over


def test_orders_arrive_within_the_day_numbered_in_the_order_they_arrive():
    result = simulate(300)

    seconds = [order.ordered_second for order in result.orders]
    assert seconds == sorted(seconds)
    assert [order.order_id for order in result.orders] == list(range(1, 301))
    assert 0 <= seconds[0] <= seconds[-1] < 24 * 3600


def test_a_restaurant_order_is_ready_after_its_preparation_and_a_shop_order_sooner():
    result = simulate(300)

    waits = {
        merchant_id: [
            o.ready_second - o.ordered_second
            for o in result.orders
            if o.merchant_id == merchant_id
        ]
        for merchant_id in (1, 2)
    }
    # At least 80 % of 25 minutes, plus 2 to 6 minutes of packing.
    assert min(waits[1]) >= 25 * 60 * 80 // 100 + 120
    assert max(waits[2]) <= 6 * 60


@settings(max_examples=8)
@given(seed=st.integers(min_value=0, max_value=2**31 - 1))
def test_no_courier_is_ever_over_capacity_or_on_two_trips_at_once(seed):
    """Each trip's load is its orders' weight and within the courier's capacity, and a
    courier's trips never overlap, so no courier carries more than their capacity at any
    moment; a trip's orders all leave from one pick-up."""
    result = simulate(120, seed=seed)
    weights = {order.order_id: order.weight_grams for order in result.orders}
    pickups = {order.order_id: order.pickup for order in result.orders}

    by_courier: dict[int, list[tuple[int, int]]] = {}
    for trip in result.trips:
        assert trip.load_grams == sum(weights[i] for i in trip.order_ids)
        assert trip.load_grams <= trip.capacity_grams
        assert len({pickups[i] for i in trip.order_ids}) == 1
        by_courier.setdefault(trip.courier_id, []).append(
            (trip.started_second, trip.ended_second)
        )
    for intervals in by_courier.values():
        intervals.sort()
        for (_, ended), (started, _) in itertools.pairwise(intervals):
            assert ended <= started


@settings(max_examples=8)
@given(seed=st.integers(min_value=0, max_value=2**31 - 1))
def test_a_delivery_is_never_before_its_order_nor_before_it_is_ready(seed):
    """Ordered, ready, assigned, handed over: in that order, so no delivery time is
    negative."""
    result = simulate(120, seed=seed)

    for delivery in result.deliveries:
        order = delivery.order
        assert order.ordered_second <= order.ready_second <= delivery.assigned_second
        assert delivery.assigned_second < delivery.handed_over_second
        assert delivery.delivery_seconds > 0


def test_each_job_needs_the_vehicle_choose_vehicle_gives_and_a_van_job_goes_by_van():
    result = simulate(400)

    for order in result.orders:
        assert order.distance_meters == road_distance_meters(
            order.pickup, order.dropoff
        )
        assert order.needed_vehicle == choose_vehicle(
            distance_meters=order.distance_meters,
            weight_grams=order.weight_grams,
            size_class=order.size_class,
            thresholds=THRESHOLDS,
        )
    van_jobs = [d for d in result.deliveries if d.order.needed_vehicle == Vehicle.VAN]
    assert van_jobs  # Large and bulky goods are on the map.
    assert all(d.vehicle == Vehicle.VAN for d in van_jobs)
    figures = summarise_day(result)
    assert figures.van_job_percent == pytest.approx(100 * len(van_jobs) / 400)


def test_every_city_gets_a_van_and_the_fleet_is_as_large_as_asked():
    result = simulate(50, couriers=7)

    assert len(result.couriers) == 7
    assert [c.courier_id for c in result.couriers] == list(range(1, 8))
    for city in ("Nampho", "Pyongyang"):
        assert any(c.city == city and c.vehicle == Vehicle.VAN for c in result.couriers)


def test_the_fewest_couriers_is_one_per_city_with_a_merchant():
    assert minimum_courier_count(CITY_MAP) == 2
    assert suggested_courier_count(CITY_MAP, 1) == 2
    assert suggested_courier_count(CITY_MAP, 1_600) == 100


def test_the_figures_count_rounds_and_their_time_from_the_timer():
    result = simulate(200)

    figures = summarise_day(result)

    # The counting timer makes every round last exactly one "second".
    assert figures.dispatch_round_count == len(result.rounds)
    assert figures.dispatch_total_seconds == len(result.rounds)
    assert figures.dispatch_round_p50_ms == 1_000
    assert figures.delivered_count == 200
    assert 0 < figures.utilisation_percent < 100
    assert sum(hour.order_count for hour in figures.hours) == 200
    assert (
        figures.delivery_minutes_p50
        <= figures.delivery_minutes_p90
        <= figures.delivery_minutes_p99
    )


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [
        pytest.param(0.0, 1, id="p0 is the smallest"),
        pytest.param(0.5, 5, id="p50 of ten is the fifth"),
        pytest.param(0.9, 9, id="p90 of ten is the ninth"),
        pytest.param(0.91, 10, id="just past p90 is the tenth"),
        pytest.param(1.0, 10, id="p100 is the largest"),
    ],
)
def test_a_percentile_is_the_nearest_rank(fraction, expected):
    assert percentile(list(range(1, 11)), fraction) == expected


# The map from the database, and the command.


def demo_merchants() -> None:
    """A restaurant and a shop in Pyongyang, a factory in Nampho, each with products."""
    central = District.objects.get(code="central")
    restaurant = MerchantFactory(
        kind=MerchantKind.RESTAURANT, district=central, preparation_minutes=25
    )
    ProductFactory(merchant=restaurant, weight_grams=700)
    ProductFactory(merchant=restaurant, weight_grams=900, preparation_minutes=40)
    shop = MerchantFactory(district=District.objects.get(code="moranbong"))
    ProductFactory(merchant=shop, weight_grams=30_000, size_class=SizeClass.LARGE)
    ProductFactory(merchant=shop, weight_grams=1, is_active=False)
    factory = MerchantFactory(
        kind=MerchantKind.FACTORY, district=District.objects.get(code="nampho")
    )
    ProductFactory(merchant=factory, weight_grams=2_000)
    MerchantFactory(district=central)  # Sells nothing: not on the map.


@pytest.mark.django_db
def test_the_map_holds_the_districts_and_the_merchants_that_sell_with_their_products():
    demo_merchants()

    city_map = load_city_map()

    assert len(city_map.districts) == District.objects.count()
    assert city_map.district("nampho") == MapDistrict(
        "nampho", "Nampho", (38.7375, 125.4078)
    )
    merchants = sorted(city_map.merchants, key=lambda m: m.merchant_id)
    assert [(m.is_restaurant, m.district_code, m.items) for m in merchants] == [
        (True, "central", (MapItem(700, "small", 25), MapItem(900, "small", 40))),
        (False, "moranbong", (MapItem(30_000, "large", 0),)),
        (False, "nampho", (MapItem(2_000, "small", 0),)),
    ]
    assert city_map.cities_with_merchants() == ("Nampho", "Pyongyang")


def run_command(*arguments: str) -> str:
    out = StringIO()
    call_command("simulate_day", *arguments, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_command_prints_the_figures_and_writes_a_png_chart(tmp_path):
    demo_merchants()
    chart = tmp_path / "day.png"

    output = run_command("--orders", "150", "--seed", "3", "--chart", str(chart))

    assert "Simulating 150 orders with 10 couriers on 3 merchants in 2 cities" in output
    assert "150 of 150" in output
    assert "seed 3" in output
    with Image.open(chart) as image:
        image.verify()
    with Image.open(chart) as image:
        assert (image.format, image.size) == ("PNG", (960, 600))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param(["--orders", "0"], "--orders must be from 1", id="no orders"),
        pytest.param(
            ["--orders", "100001"], "--orders must be from 1", id="too many orders"
        ),
        pytest.param(
            ["--couriers", "1"], "--couriers must be from 2", id="fewer than the cities"
        ),
        pytest.param(
            ["--couriers", "20001"], "--couriers must be from 2", id="too many couriers"
        ),
        pytest.param(["--seed", "-1"], "--seed must be from 0", id="negative seed"),
        pytest.param(["--chart", "day.jpg"], "--chart must name a .png", id="not png"),
        pytest.param(
            ["--chart", "missing/day.png"], "does not exist", id="no such folder"
        ),
    ],
)
def test_bad_arguments_are_refused_and_no_chart_is_written(
    arguments, message, tmp_path, monkeypatch
):
    demo_merchants()
    monkeypatch.chdir(tmp_path)

    with pytest.raises(CommandError, match=message):
        run_command("--orders", "10", *arguments)

    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
def test_the_command_without_merchants_asks_for_the_demo_data():
    with pytest.raises(CommandError, match="load_demo_data"):
        run_command("--orders", "10")
