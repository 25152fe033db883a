"""A model of how many units of a product people want each day and hour (pure, seeded).

Used to simulate an order history and to backtest the forecasts on it. What it knows:

- the week: the North Korean week starts on Monday; Sunday is the rest day and the busiest
  for shopping, Saturday next; midweek is quieter;
- paydays: wages come twice a month (the 1st and the 15th here), lifting the next three days;
- holidays: the national holidays (New Year, the Day of the Shining Star, the Day of the Sun,
  May Day, Victory Day, the Foundation Day, the Party Foundation Day, the Constitution Day)
  lift food and gifts the day before and the day itself;
- meal times: dishes are ordered around 12:00 and 18:00–19:00, goods through the day;
- shortages: a product is restocked in batches; when its shelf is empty, the rest of the
  day's wishes are unmet (refused or waitlisted), which is what the insights must see.
"""

import datetime as dt
import math
import random
from dataclasses import dataclass

from okryu.insights.calendar import HOLIDAYS, PAYDAYS

PAYDAY_LIFT_DAYS = 3
# Above this mean, a Poisson count is drawn from its normal approximation.
POISSON_NORMAL_FROM = 50
# Monday … Sunday.
WEEKDAY_FACTOR = (0.85, 0.8, 0.8, 0.9, 1.0, 1.25, 1.4)
# Share of a day's orders in each hour, for dishes (meal times) and for goods.
MEAL_HOURS = {11: 0.12, 12: 0.22, 13: 0.1, 17: 0.14, 18: 0.22, 19: 0.14, 20: 0.06}
SHOP_HOURS = dict.fromkeys(range(8, 21), 1 / 13)


@dataclass(frozen=True)
class ProductDemand:
    """How a product sells: its usual units a day, trend, and how it is restocked."""

    base_per_day: float
    trend_per_day: float = 0.0
    is_dish: bool = False
    restock_every_days: int = 7
    restock_units: int = 0  # 0: never short.


@dataclass(frozen=True)
class DemandDay:
    """One simulated day of a product: units wanted, sold and unmet, and when."""

    day: dt.date
    wanted: int
    sold: int
    unmet: int
    hours: tuple[int, ...]  # The hour of each unit wanted, in order.


def expected_units(product: ProductDemand, day: dt.date, index: int) -> float:
    """Units wanted on ``day`` on average (``index`` days after the history starts)."""
    level = max(product.base_per_day + product.trend_per_day * index, 0.0)
    factor = WEEKDAY_FACTOR[day.weekday()]
    if any(
        0 <= (day - day.replace(day=payday)).days < PAYDAY_LIFT_DAYS
        for payday in PAYDAYS
    ):
        factor *= 1.2
    tomorrow = day + dt.timedelta(days=1)
    if (day.month, day.day) in HOLIDAYS or (tomorrow.month, tomorrow.day) in HOLIDAYS:
        factor *= 1.5
    return level * factor


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > POISSON_NORMAL_FROM:  # Exact enough, and fast.
        return max(round(rng.gauss(mean, math.sqrt(mean))), 0)
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def simulate_product(
    product: ProductDemand, *, start: dt.date, days: int, seed: int
) -> list[DemandDay]:
    """Simulate ``days`` days of one product from ``start``; same seed, same history."""
    rng = random.Random(seed)  # noqa: S311 (a simulation, not a secret)
    hours_weights = MEAL_HOURS if product.is_dish else SHOP_HOURS
    hour_list, weights = list(hours_weights), list(hours_weights.values())
    shelf = 0
    result = []
    for index in range(days):
        day = start + dt.timedelta(days=index)
        if product.restock_units and index % product.restock_every_days == 0:
            shelf += product.restock_units
        wanted = _poisson(rng, expected_units(product, day, index))
        hours = tuple(sorted(rng.choices(hour_list, weights, k=wanted)))
        sold = min(wanted, shelf) if product.restock_units else wanted
        if product.restock_units:
            shelf -= sold
        result.append(
            DemandDay(
                day=day, wanted=wanted, sold=sold, unmet=wanted - sold, hours=hours
            )
        )
    return result


# How many units one shopper's order asks for: one mostly, sometimes two or three.
WISH_QUANTITIES = (1, 2, 3)
WISH_QUANTITY_WEIGHTS = (0.65, 0.2, 0.15)
WISH_QUANTITY_MEAN = sum(
    q * w for q, w in zip(WISH_QUANTITIES, WISH_QUANTITY_WEIGHTS, strict=True)
)


@dataclass(frozen=True, order=True)
class Wish:
    """One shopper's wish on a day: at what minute of the day, for how many units."""

    minute: int  # Minutes after midnight, Pyongyang time.
    quantity: int


def draw_wishes(
    product: ProductDemand, *, day: dt.date, index: int, rng: random.Random
) -> list[Wish]:
    """Draw the day's wishes for a product, in time order (``index``: days since the start).

    The number of wishes is Poisson with the model's expected units over the mean quantity,
    so the units wanted average ``expected_units``; each wish falls in an hour drawn from
    the meal or shop hours, at a minute within its first 45 (the rest of the hour is the
    merchants' and couriers').
    """
    hours_weights = MEAL_HOURS if product.is_dish else SHOP_HOURS
    count = _poisson(rng, expected_units(product, day, index) / WISH_QUANTITY_MEAN)
    hours = rng.choices(list(hours_weights), list(hours_weights.values()), k=count)
    quantities = rng.choices(WISH_QUANTITIES, WISH_QUANTITY_WEIGHTS, k=count)
    return sorted(
        Wish(minute=hour * 60 + rng.randrange(45), quantity=quantity)
        for hour, quantity in zip(hours, quantities, strict=True)
    )
