"""Template filters for won amounts."""

from django import template

from okryu.core.won import format_won

register = template.Library()


@register.filter(name="won")
def won_filter(amount: int) -> str:
    """Render an integer number of won as ``1,234원``."""
    return format_won(int(amount))
