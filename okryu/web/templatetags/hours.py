"""How a closed restaurant's next opening reads: "11:00에 엽니다", "내일 11:00에 엽니다"."""

import datetime as dt

from django import template
from django.utils.translation import gettext

from okryu.core import clock

register = template.Library()


def opening_words(opens_at: dt.datetime | None, *, now: dt.datetime) -> str:
    """Return when a closed merchant opens, in words, from ``now``'s point of view."""
    if opens_at is None:
        return gettext("지금은 문을 닫았습니다")
    local = opens_at.astimezone(clock.PYONGYANG)
    time = local.strftime("%H:%M")
    today = now.astimezone(clock.PYONGYANG).date()
    if local.date() == today:
        return gettext("%(time)s에 엽니다") % {"time": time}
    if local.date() == today + dt.timedelta(days=1):
        return gettext("내일 %(time)s에 엽니다") % {"time": time}
    return gettext("%(date)s %(time)s에 엽니다") % {
        "date": local.strftime("%m-%d"),
        "time": time,
    }


@register.filter(name="opens_words")
def opens_words_filter(opens_at: dt.datetime | None) -> str:
    """Return when a closed merchant opens, in words ("11:00에 엽니다")."""
    return opening_words(opens_at, now=clock.now())


def day_and_time(moment: dt.datetime, *, now: dt.datetime) -> str:
    """Return a moment as staff read it beside today's: "11:00", "내일 11:00", "12-09 11:00"."""
    local = moment.astimezone(clock.PYONGYANG)
    time = local.strftime("%H:%M")
    today = now.astimezone(clock.PYONGYANG).date()
    if local.date() == today:
        return time
    if local.date() == today + dt.timedelta(days=1):
        return gettext("내일 %(time)s") % {"time": time}
    return f"{local:%m-%d} {time}"


@register.filter(name="day_time")
def day_time_filter(moment: dt.datetime | None) -> str:
    """Return a moment with its day when it is not today ("내일 11:00")."""
    if moment is None:
        return ""
    return day_and_time(moment, now=clock.now())
