"""Lines of a card's journal as the counter pages show them: what, when, who and why.

A block's reason is stored as its code (``lost``, ``cloned``, ``door_debt``…) and shown in the
reader's language; a second card's reason is the teller's own words, shown as written.
"""

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext, gettext_lazy

from okryu.payments.models import CardEvent, CardEventKind

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

REASONS = {
    "lost": gettext_lazy("분실"),
    "stolen": gettext_lazy("도난"),
    "cloned": gettext_lazy("복제 (발급사가 정지)"),
    "door_debt": gettext_lazy("문앞 결제 미수금 (발급사가 정지)"),
}


@dataclass(frozen=True)
class JournalLine:
    """One action on a card, ready to show."""

    at: dt.datetime
    what: "StrOrPromise"
    who: str
    reason: "StrOrPromise"
    card_number: str
    holder: str


def journal_lines(events: list[CardEvent]) -> list[JournalLine]:
    """Describe each event (its actor, card and holder loaded) for a page."""
    return [
        JournalLine(
            at=event.at,
            what=CardEventKind(event.kind).label,
            who=(
                f"{event.actor.display_name} ({event.actor.username})"
                if event.actor
                else gettext("없음 (은행 창구 밖)")
            ),
            reason=REASONS.get(event.reason, event.reason),
            card_number=event.card.masked_number,
            holder=event.card.holder.username,
        )
        for event in events
    ]
