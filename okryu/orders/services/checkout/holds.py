"""The money of a checkout: the shopper's card and PIN, then a hold per fulfilment part.

``authorise_card`` locks the card and checks the PIN first in the checkout's transaction,
before anything else is written, so a wrong PIN's counted attempt can be committed alone
(``place_order`` commits it and then raises). ``hold_money`` holds the items and the fee of
every fulfilment with one card lock, and returns each fulfilment's hold expiry job, which
the reply writes with the SMS and the idempotency record.
"""

from django.conf import settings

from okryu.core.models import BackgroundJob
from okryu.merchants.models import Merchant
from okryu.merchants.services import open_settlement_account
from okryu.orders.errors import CardNotFound
from okryu.orders.queries import OrderRows
from okryu.payments import ledger
from okryu.payments.cards import check_card_usable, check_pin, get_card_for_update
from okryu.payments.models import Card

EXPIRE_FULFILMENT_HOLD_JOB = "orders.expire_fulfilment_hold"


def authorise_card(*, shopper_id: int, card_number: str, pin: str) -> Card:
    """Lock the shopper's card and check its PIN; raise the refusal.

    Another person's card is unknown to this shopper (CardNotFound): no attempt is counted
    on it. A wrong PIN writes its counted attempt before WrongPin is raised.
    """
    card = get_card_for_update(card_number)
    if card.holder_id != shopper_id:
        raise CardNotFound("카드를 찾을 수 없습니다.")
    check_card_usable(card)
    check_pin(card, pin)
    return card


def hold_money(
    rows: OrderRows,
    card: Card,
    *,
    merchants: dict[int, Merchant],
    fees_account_id: int | None,
) -> list[BackgroundJob]:
    """Hold each fulfilment's items and fee on ``card``; return the holds' expiry jobs."""
    if fees_account_id is None:
        fees_account_id = ledger.open_delivery_fees_account().pk
    parts: list[ledger.HoldPart] = []
    jobs = []
    for part in rows.fulfilments:
        fulfilment = part.fulfilment
        # A merchant's settlement account, once linked, never changes: the one read with
        # the products is current; only a merchant's first order opens it.
        merchant_account_id = merchants[fulfilment.merchant_id].ledger_account_id
        if merchant_account_id is None:
            merchant_account_id = open_settlement_account(
                merchant_id=fulfilment.merchant_id
            )
        parts.append(
            ledger.HoldPart(
                amount_won=fulfilment.items_total_won,
                credit_account_id=merchant_account_id,
                transfer_id=fulfilment.items_hold_transfer_id,
            )
        )
        if fulfilment.delivery_fee_won:
            parts.append(
                ledger.HoldPart(
                    amount_won=fulfilment.delivery_fee_won,
                    credit_account_id=fees_account_id,
                    transfer_id=fulfilment.fee_hold_transfer_id,
                )
            )
        jobs.append(
            BackgroundJob(
                kind=EXPIRE_FULFILMENT_HOLD_JOB,
                payload={"fulfilment": fulfilment.pk},
                run_at=fulfilment.hold_expires_at,
            )
        )
    # The order's one SMS tells the holder what was held, not one per hold.
    holds = ledger.hold_funds_together(
        card_number=card.number,
        parts=parts,
        reference=rows.order.number,
        tells_holder=False,
    )
    assert sum(hold.amount_won for hold in holds) == rows.order.total_won, (
        "the card is held for exactly the order total"
    )
    # What enqueue_job writes, for every fulfilment: written with the checkout's outcome.
    assert EXPIRE_FULFILMENT_HOLD_JOB in settings.OKRYU_JOB_HANDLERS
    return jobs
