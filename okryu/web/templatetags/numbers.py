"""Template filters of numbers people read: ``number`` (3,836), ``distance`` (3.8 km) and
``weight`` (12.5 kg). Identifiers (ids, order and card numbers) are written as they are."""

from django import template

from okryu.core.numbers import format_count, format_distance, format_weight

register = template.Library()


@register.filter(name="number")
def number_filter(value: int) -> str:
    """Render a whole number with thousands separated: ``3,836``."""
    return format_count(int(value))


@register.filter(name="distance")
def distance_filter(meters: int) -> str:
    """Render a distance in metres as ``850 m`` or ``3.8 km``."""
    return format_distance(round(float(meters)))


@register.filter(name="weight")
def weight_filter(grams: int) -> str:
    """Render a weight in grams as ``850 g`` or ``12.5 kg``."""
    return format_weight(int(grams))


@register.filter(name="signed_number")
def signed_number_filter(value: int) -> str:
    """Render a change with its sign and thousands separated: ``+1,200``, ``-5``, ``0``."""
    change = int(value)
    return f"+{format_count(change)}" if change > 0 else format_count(change)
