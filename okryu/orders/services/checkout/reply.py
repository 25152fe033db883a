"""What a checkout answers: the placed order's rows, once per idempotency key, and an SMS.

The idempotent outcome of a checkout is its order's id, stored with the key in the same
transaction as the order (``{"id": <order id>}``, which is also the first key of the API
bodies stored before: records of either form are read alike). A replay reads the order's
rows as they are now; the API and the pages build their replies from the rows.
"""

from dataclasses import dataclass

from okryu.core.idempotency import StoredOutcome, store_outcome
from okryu.notifications.outbox import queue_sms
from okryu.orders.queries import OrderRows, get_order_rows_for_shopper
from okryu.orders.sms import placed_sms

PLACE_ORDER_SCOPE = "orders.place"
CREATED = 201


@dataclass(frozen=True)
class PlacedOrder:
    """The outcome of ``place_order``: the order's rows, and whether this was a replay."""

    rows: OrderRows
    is_replay: bool

    @property
    def order_id(self) -> int:
        """The order's primary key."""
        return self.rows.order.pk

    @property
    def number(self) -> str:
        """The order's public number."""
        return self.rows.order.number


def idempotency_scope(shopper_id: int) -> str:
    """Return the scope of the shopper's checkout keys: one shopper's never meet another's."""
    return f"{PLACE_ORDER_SCOPE}:{shopper_id}"


def replay(stored: StoredOutcome, *, shopper_id: int) -> PlacedOrder:
    """Return the order a stored outcome names, as it stands now."""
    order_id = int(stored.body["id"])
    rows = get_order_rows_for_shopper(shopper_id=shopper_id, order_id=order_id)
    return PlacedOrder(rows=rows, is_replay=True)


def remember_order(rows: OrderRows, *, key: str, fingerprint: str) -> PlacedOrder:
    """Store the order's id as the key's outcome, in the order's transaction."""
    store_outcome(
        scope=idempotency_scope(rows.order.shopper_id),
        key=key,
        fingerprint=fingerprint,
        status_code=CREATED,
        body={"id": rows.order.pk},
    )
    return PlacedOrder(rows=rows, is_replay=False)


def tell_shopper(rows: OrderRows) -> None:
    """Queue the SMS that confirms the order to its contact phone (sent after the commit)."""
    order = rows.order
    queue_sms(
        phone=order.contact_phone,
        body=placed_sms(
            order_number=order.number,
            merchant_names=[part.fulfilment.merchant.name for part in rows.fulfilments],
            total_won=order.total_won,
            card_last4=order.card_last4 or None,
        ),
    )
