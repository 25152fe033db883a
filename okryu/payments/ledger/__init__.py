"""The double-entry ledger: accounts, immutable transfers, holds and refunds.

Public services are re-exported here: ``from okryu.payments import ledger``;
``ledger.hold_funds(...)``.
"""

from okryu.payments.ledger.accounts import (
    open_bank_cash_account,
    open_delivery_fees_account,
    open_door_losses_account,
    open_ledger_account,
)
from okryu.payments.ledger.holds import (
    HoldPart,
    capture_hold,
    expire_hold,
    expire_holds,
    hold_funds,
    hold_funds_together,
    void_hold,
)
from okryu.payments.ledger.transfers import (
    refund,
    top_up,
    transfer_between_accounts,
    transfer_funds,
)

__all__ = [
    "HoldPart",
    "capture_hold",
    "expire_hold",
    "expire_holds",
    "hold_funds",
    "hold_funds_together",
    "open_bank_cash_account",
    "open_delivery_fees_account",
    "open_door_losses_account",
    "open_ledger_account",
    "refund",
    "top_up",
    "transfer_between_accounts",
    "transfer_funds",
    "void_hold",
]
