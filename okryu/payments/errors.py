"""Refusals of the card issuer, each with a stable code (API.md) and an HTTP-like status."""

from okryu.core.errors import DomainError, InvalidInput, NotFound


class InsufficientFunds(DomainError):
    """The card's available amount (balance less holds) is below the amount asked."""

    code = "insufficient_funds"
    status = 402
    title = "Insufficient funds"


class WrongPin(DomainError):
    """The PIN does not match; ``attempts_left`` says how many tries remain."""

    code = "wrong_pin"
    status = 403
    title = "Wrong PIN"

    def __init__(self, detail: str, *, attempts_left: int) -> None:
        super().__init__(detail, attempts_left=attempts_left)
        self.attempts_left = attempts_left


class CardLocked(DomainError):
    """Three wrong PINs locked the card until a teller resets its PIN."""

    code = "card_locked"
    status = 403
    title = "Card locked"


class CardBlocked(DomainError):
    """The card was blocked (lost, stolen or cloned) and is refused everywhere."""

    code = "card_blocked"
    status = 403
    title = "Card blocked"


class CardExpired(DomainError):
    """The card is past its expiry date."""

    code = "card_expired"
    status = 403
    title = "Card expired"


class CardNotFound(NotFound):
    """No card has this number (or the number is not the asker's)."""

    code = "card_not_found"
    status = 404
    title = "Card not found"


class OverCardLimit(DomainError):
    """The amount is above the card's limit per transfer or per day."""

    code = "over_card_limit"
    status = 403
    title = "Over the card limit"


class TransferIdReused(DomainError):
    """The transfer id was used before for a different transfer."""

    code = "transfer_id_reused"
    status = 422
    title = "Transfer id reused with different fields"


class TransferNotFound(NotFound):
    """The hold, capture or transfer named does not exist."""

    code = "transfer_not_found"
    status = 404
    title = "Transfer not found"


class HoldNotPending(DomainError):
    """The hold was already captured, voided or expired; a hold is resolved once."""

    code = "hold_not_pending"
    status = 409
    title = "Hold already resolved"


class HoldExpired(DomainError):
    """The hold ran past its timeout; its money is released, it can no longer be captured."""

    code = "hold_expired"
    status = 409
    title = "Hold expired"


class OverHeldAmount(DomainError):
    """A capture asks for more than the hold holds."""

    code = "over_held_amount"
    status = 409
    title = "Capture above the held amount"


class OverRefundable(DomainError):
    """A refund asks for more than is left to refund of the original transfer."""

    code = "over_refundable"
    status = 409
    title = "Refund above what was captured"


class ChipInvalid(DomainError):
    """The chip cryptogram does not verify: wrong key, or the record was altered."""

    code = "chip_invalid"
    status = 403
    title = "Chip cryptogram invalid"


class ChipReplay(DomainError):
    """This chip record (card and counter) was already presented."""

    code = "chip_replay"
    status = 409
    title = "Chip record replayed"


class CardCloned(DomainError):
    """Two different records carry the same card and counter: the card was copied."""

    code = "card_cloned"
    status = 403
    title = "Card cloned"


class OverFloorLimit(DomainError):
    """An offline chip payment above the floor limit, which needs the network."""

    code = "over_floor_limit"
    status = 403
    title = "Above the offline floor limit"


class QrRequestUsed(DomainError):
    """The QR payment request was already paid; each is single-use."""

    code = "qr_request_used"
    status = 409
    title = "Payment request already used"


class QrRequestExpired(DomainError):
    """The QR payment request is older than its lifetime."""

    code = "qr_request_expired"
    status = 409
    title = "Payment request expired"


class QrRequestNotFound(NotFound):
    """No payment request has this token."""

    code = "qr_request_not_found"
    status = 404
    title = "Payment request not found"


class OwnCard(DomainError):
    """Bank staff may not act at the counter on a card they hold themselves."""

    code = "own_card"
    status = 403
    title = "Own card"


class DoorDebtOpen(DomainError):
    """A card blocked for a debt at the door opens only once an operator has cleared it."""

    code = "door_debt_open"
    status = 409
    title = "Debt at the door not cleared"


class SamePerson(DomainError):
    """A top-up is approved or rejected by a supervisor other than the teller who took it."""

    code = "same_person"
    status = 403
    title = "Same person"


class TopUpTooLarge(DomainError):
    """A single cash top-up is above ``OKRYU_TOPUP_MAX_WON``."""

    code = "topup_too_large"
    status = 422
    title = "Top-up too large"


class TellerLimit(DomainError):
    """The teller's cash taken in today would pass ``OKRYU_TELLER_DAILY_WON``."""

    code = "teller_limit"
    status = 409
    title = "Teller's daily limit reached"


class SecondCardNeedsReason(DomainError):
    """The holder already has a card; another is issued only with a reason."""

    code = "second_card"
    status = 409
    title = "The holder already has a card"


class DrawerClosed(DomainError):
    """The teller has no open cash drawer today; cash is taken only through one."""

    code = "drawer_closed"
    status = 409
    title = "No open cash drawer"


class DrawerOpen(DomainError):
    """The teller's drawer of an earlier day is still open, or today's was closed already."""

    code = "drawer_open"
    status = 409
    title = "Another drawer is open"


class DrawerAlreadyClosed(DomainError):
    """Today's drawer was counted and closed; a drawer is opened once a day."""

    code = "drawer_already_closed"
    status = 409
    title = "Drawer closed for the day"


class ApprovalsPending(DomainError):
    """A drawer with top-ups still waiting for a supervisor cannot be counted and closed."""

    code = "approvals_pending"
    status = 409
    title = "Top-ups await approval"


class AlreadyDecided(DomainError):
    """The top-up was approved or rejected already; ``status`` says which."""

    code = "already_decided"
    status = 409
    title = "Already decided"


class TopUpNotFound(NotFound):
    """No counter top-up has this id."""

    code = "topup_not_found"
    status = 404
    title = "Top-up not found"


# A refusal is recorded by code and replayed as the same class: an explicit table, so a stored
# code never names code to import.
REFUSALS_BY_CODE: dict[str, type[DomainError]] = {
    error.code: error
    for error in (
        InvalidInput,
        InsufficientFunds,
        CardLocked,
        CardBlocked,
        CardExpired,
        CardNotFound,
        OverCardLimit,
        TransferNotFound,
        HoldNotPending,
        HoldExpired,
        OverHeldAmount,
        OverRefundable,
        ChipInvalid,
        ChipReplay,
        CardCloned,
        OverFloorLimit,
        QrRequestUsed,
        QrRequestExpired,
        QrRequestNotFound,
    )
}
