"""A card's statement with each purchase named: the order's number and its merchant.

The card issuer groups the card's transfers (``payments.statement``); the orders know which
hold or door payment paid for which merchant's part of which order, and name it here.
"""

from collections.abc import Iterable

from django.db.models import Q

from okryu.merchants.models import Merchant
from okryu.orders.models import DoorPayment, Fulfilment
from okryu.payments.counter import list_statement_transfers
from okryu.payments.models import Card, PaymentRequest
from okryu.payments.statement import Purchase, Statement, build_statement


def purchases_of(origins: Iterable[str]) -> dict[str, Purchase]:
    """Return the order part each of ``origins`` (hold or door-payment transfer ids) paid,
    and the merchant each QR payment among them paid (with no order).

    Three queries; an id that paid nobody named (a top-up) is left out.
    """
    ids = sorted(set(origins))
    if not ids:
        return {}
    named: dict[str, Purchase] = {}
    parts = Fulfilment.objects.filter(
        Q(items_hold_transfer_id__in=ids) | Q(fee_hold_transfer_id__in=ids)
    ).select_related("order", "merchant")
    for part in parts:
        purchase = _purchase(part)
        for transfer_id in (part.items_hold_transfer_id, part.fee_hold_transfer_id):
            if transfer_id:
                named[transfer_id] = purchase
    door = DoorPayment.objects.filter(
        chip_transfer__transfer_id__in=ids
    ).select_related("chip_transfer", "fulfilment__order", "fulfilment__merchant")
    for payment in door:
        assert payment.chip_transfer is not None
        named[payment.chip_transfer.transfer_id] = _purchase(payment.fulfilment)
    named.update(_qr_payees(ids))
    return named


def _qr_payees(transfer_ids: list[str]) -> dict[str, Purchase]:
    """Name the merchant each QR payment among ``transfer_ids`` paid (one query)."""
    paid = PaymentRequest.objects.filter(
        transfer__transfer_id__in=transfer_ids
    ).values_list("transfer__transfer_id", "credit_account_id")
    payees = dict(paid)
    merchants = Merchant.objects.filter(
        ledger_account_id__in=set(payees.values())
    ).values_list("ledger_account_id", "name", "name_en")
    by_account = {account: (name, name_en) for account, name, name_en in merchants}
    return {
        transfer_id: Purchase(
            order=None,
            merchant=by_account[account][0],
            merchant_en=by_account[account][1],
        )
        for transfer_id, account in payees.items()
        if account in by_account
    }


def _purchase(part: Fulfilment) -> Purchase:
    return Purchase(
        order=part.order.number,
        merchant=part.merchant.name,
        merchant_en=part.merchant.name_en,
    )


def card_statement(*, card: Card) -> Statement:
    """Return the card's statement: pending holds apart, one line per purchase, named."""
    transfers = list_statement_transfers(card=card)
    return build_statement(
        transfers, purchases_of(transfer.origin for transfer in transfers)
    )
