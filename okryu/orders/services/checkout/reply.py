"""What a checkout answers: the placed order's rows, once per idempotency key, and an SMS.

The idempotent outcome of a checkout is its order's id, stored with the key in the same
transaction as the order (``{"id": <order id>}``, which is also the first key of the API
bodies stored before: records of either form are read alike). A replay reads the order's
rows as they are now; the API and the pages build their replies from the rows.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from okryu.core.idempotency import StoredOutcome, new_outcome_record
from okryu.core.inserts import insert_together
from okryu.core.models import BackgroundJob
from okryu.notifications.outbox import new_sms
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


def finish_checkout(
    rows: OrderRows,
    *,
    expiry_jobs: Sequence[BackgroundJob],
    key: str,
    fingerprint: str,
) -> PlacedOrder:
    """Write what the order leaves behind, in its transaction, and return it placed.

    The holds' expiry jobs, the SMS that confirms the order to its contact phone (sent after
    the commit) and the order's id as the key's outcome: one INSERT on PostgreSQL.
    """
    order = rows.order
    sms = new_sms(
        phone=order.contact_phone,
        body=placed_sms(
            order_number=order.number,
            merchant_names=[part.fulfilment.merchant.name for part in rows.fulfilments],
            total_won=order.total_won,
            card_last4=order.card_last4 or None,
        ),
    )
    outcome = new_outcome_record(
        scope=idempotency_scope(order.shopper_id),
        key=key,
        fingerprint=fingerprint,
        status_code=CREATED,
        body={"id": order.pk},
    )
    insert_together(expiry_jobs, [sms], [outcome])
    return PlacedOrder(rows=rows, is_replay=False)
