"""The SMS each transfer that touches a card queues to its holder, in the same transaction.

SMS texts are Korean whatever the page language: the phone network and the holders read
Korean, and a message is composed before anyone knows which language will read it.
"""

from okryu.core.won import format_won
from okryu.notifications.outbox import queue_sms
from okryu.payments.models import Card, LedgerAccount, Transfer, TransferKind

# What each kind of transfer means to the card on its debit side and on its credit side.
DEBIT_WORDS = {
    TransferKind.SINGLE: "결제",
    TransferKind.HOLD: "승인(대기)",
    TransferKind.CAPTURE: "결제 확정",
    TransferKind.VOID: "승인 취소",
    TransferKind.EXPIRE: "승인 만료",
    TransferKind.REFUND: "환불 출금",
}
CREDIT_WORDS = {
    TransferKind.SINGLE: "입금",
    TransferKind.REFUND: "환불",
}


def card_sms_body(
    *, kind: str, is_debit: bool, card_number: str, amount_won: int, available_won: int
) -> str | None:
    """Return the SMS text of a transfer of ``kind`` for the card on one side, or None.

    None when that side of that kind of transfer tells the holder nothing.
    """
    words = (DEBIT_WORDS if is_debit else CREDIT_WORDS).get(TransferKind(kind))
    if words is None:
        return None
    return (
        f"[옥류] 카드 ****{card_number[-4:]} {words} "
        f"{format_won(amount_won)}. 사용 가능 {format_won(available_won)}."
    )


def notify_card_holders(transfer: Transfer, accounts: dict[int, LedgerAccount]) -> int:
    """Queue one SMS per card the transfer touches; return how many were queued.

    ``accounts`` are the transfer's two accounts, read after the move with ``card`` selected.
    """
    queued = 0
    for account in accounts.values():
        if not hasattr(account, "card"):
            continue  # Not a card's account (a merchant, the bank): nobody to text.
        card: Card = account.card
        is_debit = card.ledger_account_id == transfer.debit_account_id
        body = card_sms_body(
            kind=transfer.kind,
            is_debit=is_debit,
            card_number=card.number,
            amount_won=transfer.amount_won,
            available_won=accounts[card.ledger_account_id].available_won,
        )
        if body is None:
            continue
        queue_sms(phone=card.phone, body=body)
        queued += 1
    return queued
