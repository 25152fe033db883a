"""A card's journal: every issue, block, unblock and PIN reset, with who did it and when.

Rows are only ever added, in the transaction of the action they record, so a journal line
exists exactly when its action committed. What a person did at the counter names them; what
the issuer did on its own (a clone detected, a debt at the door) names nobody and says why in
the reason.
"""

from django.db import transaction

from okryu.accounts.models import User
from okryu.core import clock
from okryu.payments.models import Card, CardEvent, CardEventKind


def record_card_event(
    *, card: Card, kind: CardEventKind, actor: User | None, reason: str = ""
) -> CardEvent:
    """Add one line to the card's journal, in the caller's transaction."""
    assert transaction.get_connection().in_atomic_block, "written with its action"
    assert len(reason) <= CardEvent.REASON_LENGTH_MAX
    assert actor is not None or kind in {CardEventKind.ISSUED, CardEventKind.BLOCKED}
    return CardEvent.objects.create(
        card=card, kind=kind, actor=actor, reason=reason, at=clock.now()
    )
