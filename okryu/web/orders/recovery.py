"""Telling the shopper about an order whose answer was lost on the way.

The checkout page's hidden idempotency key is kept in the shopper's session the moment the
form arrives. The session is saved on the server with the response, whether or not the
response then reaches the phone, so after a dropped answer to 주문하기 the basket and the
orders pages can look the key up (``find_order_for_shopper_by_checkout_key``) and say
"주문 N번이 HH:MM에 접수되었습니다" instead of showing an empty basket and no word.

A key is forgotten when its order's page is shown (the shopper has seen it), when the
checkout was refused (nothing was placed), and once it is older than the idempotency
records themselves; at most ``KEYS_MAX`` are kept, the newest.
"""

import datetime as dt
from dataclasses import dataclass
from typing import TypedDict

from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone
from django.utils.translation import gettext

from okryu.core import clock
from okryu.core.idempotency import IDEMPOTENCY_KEY_LENGTH_MAX
from okryu.orders.queries import find_order_for_shopper_by_checkout_key

SESSION_KEY = "okryu_checkout_keys"
KEYS_MAX = 5
# A key whose checkout placed nothing after this long is no longer worth a lookup: the
# request was refused, or never arrived and was not sent again.
UNPLACED_KEY_LIFETIME = dt.timedelta(hours=1)
PLACED_KEY_LIFETIME = dt.timedelta(hours=24)


@dataclass(frozen=True)
class RecoveredOrder:
    """An order the shopper may not have been told about, found by its checkout key."""

    order_id: int
    number: str
    placed_at: dt.datetime

    @property
    def notice(self) -> str:
        """The sentence shown on the basket and the orders pages."""
        return gettext("주문 %(number)s번이 %(time)s에 접수되었습니다.") % {
            "number": self.number,
            "time": timezone.localtime(self.placed_at).strftime("%H:%M"),
        }


class _Entry(TypedDict):
    key: str
    arrived_at: str
    order_id: int | None


def _entries(session: SessionBase) -> list[_Entry]:
    raw = session.get(SESSION_KEY, [])
    if not isinstance(raw, list):
        return []
    return [
        _Entry(
            key=entry["key"],
            arrived_at=entry["arrived_at"],
            order_id=entry.get("order_id")
            if isinstance(entry.get("order_id"), int)
            else None,
        )
        for entry in raw
        if isinstance(entry, dict)
        and isinstance(entry.get("key"), str)
        and isinstance(entry.get("arrived_at"), str)
    ]


def remember_checkout_key(session: SessionBase, key: str) -> None:
    """Keep the key of a checkout that has just arrived, before it is placed."""
    key = key.strip()
    if not key or len(key) > IDEMPOTENCY_KEY_LENGTH_MAX:
        return
    kept = [entry for entry in _entries(session) if entry["key"] != key]
    kept.append(_Entry(key=key, arrived_at=clock.now().isoformat(), order_id=None))
    session[SESSION_KEY] = kept[-KEYS_MAX:]


def note_checkout_placed(session: SessionBase, key: str, order_id: int) -> None:
    """Note the order a remembered checkout placed (saved even if the answer is lost)."""
    entries = _entries(session)
    for entry in entries:
        if entry["key"] == key.strip():
            entry["order_id"] = order_id
    session[SESSION_KEY] = entries


def forget_checkout_key(session: SessionBase, key: str) -> None:
    """Forget a refused checkout's key: it placed nothing."""
    entries = _entries(session)
    kept = [entry for entry in entries if entry["key"] != key.strip()]
    if len(kept) != len(entries):
        session[SESSION_KEY] = kept


def forget_order_shown(session: SessionBase, order_id: int) -> None:
    """Forget the keys of an order whose page the shopper is looking at."""
    entries = _entries(session)
    kept = [entry for entry in entries if entry["order_id"] != order_id]
    if len(kept) != len(entries):
        session[SESSION_KEY] = kept


def list_recovered_orders(
    session: SessionBase, *, shopper_id: int
) -> list[RecoveredOrder]:
    """Return the orders placed by the session's remembered checkouts, oldest first.

    Each is looked up by its key, so an order placed by a request whose answer (and note)
    never came back is found too. Keys that placed nothing for ``UNPLACED_KEY_LIFETIME``
    and orders older than ``PLACED_KEY_LIFETIME`` are forgotten on the way.
    """
    entries = _entries(session)
    if not entries:
        return []
    now = clock.now()
    found: list[RecoveredOrder] = []
    kept: list[_Entry] = []
    for entry in entries:
        try:
            arrived_at = dt.datetime.fromisoformat(entry["arrived_at"])
        except ValueError:
            continue
        order = find_order_for_shopper_by_checkout_key(
            shopper_id=shopper_id, key=entry["key"]
        )
        if order is None:
            if now - arrived_at < UNPLACED_KEY_LIFETIME:
                kept.append(entry)
            continue
        if now - order.placed_at >= PLACED_KEY_LIFETIME:
            continue
        kept.append(
            _Entry(key=entry["key"], arrived_at=entry["arrived_at"], order_id=order.pk)
        )
        found.append(RecoveredOrder(order.pk, order.number, order.placed_at))
    if kept != entries:
        session[SESSION_KEY] = kept
    return found
