"""Bank counter routes (teller): issue a card, take a cash top-up, block, unblock, reset a PIN.

Top-ups need an ``Idempotency-Key``; the other calls accept one. The top-up's transfer id is
derived from the key, so even a retry that slipped past the key's record pays in once. Every
call goes through the counter's controls (payments/counter_services.py): no call on a card
the teller holds (403 ``own_card``), cash only through an open drawer, within the maximum and
the teller's day, and above the approval threshold a 202 until a supervisor approves.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from okryu.accounts.models import Role
from okryu.api.v1.auth import bearer_auth, require_role
from okryu.api.v1.idempotency import respond_once
from okryu.api.v1.schemas.cards import (
    BlockIn,
    CardIssuedOut,
    CardIssueIn,
    CardOut,
    PinResetIn,
    TopUpIn,
    TopUpOut,
)
from okryu.api.v1.schemas.counter import TopUpPendingOut
from okryu.api.v1.schemas.problems import Problem
from okryu.api.v1.secret_safe import derived_id, pin_mac, respond_once_with_fields
from okryu.core.errors import DomainError
from okryu.payments.counter import get_holder
from okryu.payments.counter_services import (
    block_card_at_counter,
    issue_card_at_counter,
    reset_pin_at_counter,
    take_top_up,
    unblock_card_at_counter,
)
from okryu.payments.models import CounterTopUpStatus
from okryu.payments.queries import get_card_for_holder_or_teller

router = Router(tags=["teller"])

PROBLEMS: dict[int, Any] = {
    400: Problem,
    401: Problem,
    403: Problem,
    404: Problem,
    409: Problem,
    422: Problem,
}


def _card_body(request: HttpRequest, number: str) -> dict[str, Any]:
    user = require_role(request, Role.TELLER)
    card = get_card_for_holder_or_teller(card_number=number, user=user)
    return CardOut.from_card(card).model_dump(mode="json")


@router.post(
    "/teller/cards",
    auth=bearer_auth,
    response={201: CardIssuedOut, **PROBLEMS},
    summary="Issue a card with a PIN to a named holder (teller)",
    description=(
        "A holder who already has a card gets another only with a `reason` (else 409 "
        "`second_card`); a teller may not issue a card to themselves (403 `own_card`)."
    ),
)
def issue_card_route(request: HttpRequest, payload: CardIssueIn) -> HttpResponse:
    """Issue an active card with a zero balance; the PIN is stored only as a hash."""
    teller = require_role(request, Role.TELLER)

    def issue() -> tuple[int, dict[str, Any]]:
        holder = get_holder(username=payload.holder)
        card = issue_card_at_counter(
            teller=teller,
            holder=holder,
            phone=payload.phone,
            pin=payload.pin,
            reason=payload.reason,
        )
        body = CardIssuedOut(
            id=card.pk, number=card.number, balance=card.ledger_account.balance_won
        )
        return 201, body.model_dump(mode="json")

    return respond_once_with_fields(
        request,
        route="teller.cards.issue",
        fields={
            "holder": payload.holder,
            "phone": payload.phone,
            "pin": pin_mac(payload.pin),
            "reason": payload.reason,
        },
        action=issue,
        required=False,
    )


@router.post(
    "/teller/cards/{number}/topups",
    auth=bearer_auth,
    response={201: TopUpOut, 202: TopUpPendingOut, **PROBLEMS},
    summary="Credit cash paid in at the counter (teller; Idempotency-Key required)",
    description=(
        "Taken through the teller's open drawer of the day (else 409 `drawer_closed`). Up "
        "to `OKRYU_TOPUP_APPROVAL_WON` it is booked at once (201); above it, 202 "
        "`pending_approval` and the balance does not move until a supervisor approves it. "
        "Over `OKRYU_TOPUP_MAX_WON`: 422 `topup_too_large`; past the teller's cash for the "
        "day (`OKRYU_TELLER_DAILY_WON`, counting top-ups awaiting approval): 409 "
        "`teller_limit`; a card the teller holds: 403 `own_card`."
    ),
)
def top_up_route(request: HttpRequest, number: str, payload: TopUpIn) -> HttpResponse:
    """Pay cash in to a card (a blocked card too: the money is the holder's)."""
    user = require_role(request, Role.TELLER)
    key = request.headers.get("Idempotency-Key", "")

    def top_up() -> tuple[int, dict[str, Any]]:
        try:
            taken = take_top_up(
                teller=user,
                card_number=number,
                amount_won=payload.amount,
                transfer_id=derived_id("api-top-up", str(user.pk), key),
            )
        except DomainError as error:
            if error.extra.get("field") != "amount_won":
                raise
            error.extra["field"] = "amount"
            raise
        if taken.status == CounterTopUpStatus.PENDING_APPROVAL:
            pending = TopUpPendingOut(
                id=taken.pk, status=taken.status, amount=taken.amount_won
            )
            return 202, pending.model_dump(mode="json")
        assert taken.transfer is not None
        card = get_card_for_holder_or_teller(card_number=number, user=user)
        body = TopUpOut(
            number=card.number,
            amount=taken.amount_won,
            balance=card.ledger_account.balance_won,
            available=card.ledger_account.available_won,
            transfer=taken.transfer.transfer_id,
        )
        return 201, body.model_dump(mode="json")

    return respond_once(request, route="teller.topup", action=top_up, required=True)


@router.post(
    "/teller/cards/{number}/block",
    auth=bearer_auth,
    response={200: CardOut, **PROBLEMS},
    summary="Block a lost, stolen or cloned card (teller)",
)
def block_route(
    request: HttpRequest, number: str, payload: BlockIn | None = None
) -> HttpResponse:
    """Block the card; it is refused everywhere until unblocked."""
    teller = require_role(request, Role.TELLER)
    reason = payload.reason if payload is not None else "lost"

    def block() -> tuple[int, dict[str, Any]]:
        block_card_at_counter(teller=teller, card_number=number, reason=reason)
        return 200, _card_body(request, number)

    return respond_once(request, route="teller.block", action=block, required=False)


@router.post(
    "/teller/cards/{number}/unblock",
    auth=bearer_auth,
    response={200: CardOut, **PROBLEMS},
    summary="Unblock a card found again (teller); a cloned card stays blocked",
    description="A cloned card: 403 `card_blocked` (issue a new one). A card blocked for a "
    "debt at the door: 409 `door_debt_open` until an operator has cleared every loss on it.",
)
def unblock_route(request: HttpRequest, number: str) -> HttpResponse:
    """Unblock the card."""
    teller = require_role(request, Role.TELLER)

    def unblock() -> tuple[int, dict[str, Any]]:
        unblock_card_at_counter(teller=teller, card_number=number)
        return 200, _card_body(request, number)

    return respond_once(request, route="teller.unblock", action=unblock, required=False)


@router.post(
    "/teller/cards/{number}/pin",
    auth=bearer_auth,
    response={200: CardOut, **PROBLEMS},
    summary="Set a new PIN and unlock the card (teller)",
)
def reset_pin_route(
    request: HttpRequest, number: str, payload: PinResetIn
) -> HttpResponse:
    """Reset the PIN; the attempt counter starts again at zero."""
    teller = require_role(request, Role.TELLER)

    def reset() -> tuple[int, dict[str, Any]]:
        reset_pin_at_counter(teller=teller, card_number=number, new_pin=payload.pin)
        return 200, _card_body(request, number)

    return respond_once_with_fields(
        request,
        route="teller.pin",
        fields={"pin": pin_mac(payload.pin)},
        action=reset,
        required=False,
    )
