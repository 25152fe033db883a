"""Numbers as people read them: thousands separated (``3,836``), distances and weights in the
unit that reads best (``850 m``, ``3.8 km``; ``850 g``, ``12.5 kg``).

Won amounts have their own module (``okryu.core.won``). Identifiers (order, job and card
numbers, ids) are not numbers to read and are never formatted.
"""

METERS_PER_KILOMETER = 1000
GRAMS_PER_KILOGRAM = 1000


def format_count(count: int) -> str:
    """Return a whole number with thousands separated: ``3836`` → ``3,836``."""
    assert isinstance(count, int), "a count is an integer"
    return f"{count:,}"


def _one_decimal(value: float) -> str:
    """``3.8``, ``12``, ``1,250.5``: one decimal, dropped when it is zero."""
    text = f"{value:,.1f}"
    return text.removesuffix(".0")


def format_distance(meters: int) -> str:
    """Return a distance: metres below a kilometre (``850 m``), else kilometres with one
    decimal (``3.8 km``, ``12 km``, ``1,204.5 km``)."""
    assert meters >= 0, meters
    if meters < METERS_PER_KILOMETER:
        return f"{meters:,} m"
    return f"{_one_decimal(meters / METERS_PER_KILOMETER)} km"


def format_weight(grams: int) -> str:
    """Return a weight: grams below a kilogram (``850 g``), else kilograms with one decimal
    (``12.5 kg``, ``2 kg``, ``1,500 kg``)."""
    assert grams >= 0, grams
    if grams < GRAMS_PER_KILOGRAM:
        return f"{grams:,} g"
    return f"{_one_decimal(grams / GRAMS_PER_KILOGRAM)} kg"
