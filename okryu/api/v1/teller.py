"""Bank counter routes (teller): issue a card, take a cash top-up, block, unblock, reset a PIN.

Top-ups need an ``Idempotency-Key``; the other calls accept one. The top-up's transfer id is
derived from the key, so even a retry that slipped past the key's record pays in once.
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
from okryu.api.v1.schemas.problems import Problem
from okryu.api.v1.secret_safe import derived_id, pin_mac, respond_once_with_fields
from okryu.core.errors import InvalidInput
from okryu.payments import ledger
from okryu.payments.cards import block_card, issue_card, reset_pin, unblock_card
from okryu.payments.counter import get_holder
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
)
def issue_card_route(request: HttpRequest, payload: CardIssueIn) -> HttpResponse:
    """Issue an active card with a zero balance; the PIN is stored only as a hash."""
    require_role(request, Role.TELLER)

    def issue() -> tuple[int, dict[str, Any]]:
        holder = get_holder(username=payload.holder)
        card = issue_card(holder=holder, phone=payload.phone, pin=payload.pin)
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
        },
        action=issue,
        required=False,
    )


@router.post(
    "/teller/cards/{number}/topups",
    auth=bearer_auth,
    response={201: TopUpOut, **PROBLEMS},
    summary="Credit cash paid in at the counter (teller; Idempotency-Key required)",
)
def top_up_route(request: HttpRequest, number: str, payload: TopUpIn) -> HttpResponse:
    """Pay cash in to a card (a blocked card too: the money is the holder's)."""
    user = require_role(request, Role.TELLER)
    key = request.headers.get("Idempotency-Key", "")

    def top_up() -> tuple[int, dict[str, Any]]:
        try:
            transfer = ledger.top_up(
                card_number=number,
                amount_won=payload.amount,
                transfer_id=derived_id("api-top-up", str(user.pk), key),
            )
        except InvalidInput as error:
            if error.field != "amount_won":
                raise
            raise InvalidInput(error.detail, field="amount") from error
        card = get_card_for_holder_or_teller(card_number=number, user=user)
        body = TopUpOut(
            number=card.number,
            amount=transfer.amount_won,
            balance=card.ledger_account.balance_won,
            available=card.ledger_account.available_won,
            transfer=transfer.transfer_id,
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
    require_role(request, Role.TELLER)
    reason = payload.reason if payload is not None else "lost"

    def block() -> tuple[int, dict[str, Any]]:
        block_card(card_number=number, reason=reason)
        return 200, _card_body(request, number)

    return respond_once(request, route="teller.block", action=block, required=False)


@router.post(
    "/teller/cards/{number}/unblock",
    auth=bearer_auth,
    response={200: CardOut, **PROBLEMS},
    summary="Unblock a card found again (teller); a cloned card stays blocked",
)
def unblock_route(request: HttpRequest, number: str) -> HttpResponse:
    """Unblock the card."""
    require_role(request, Role.TELLER)

    def unblock() -> tuple[int, dict[str, Any]]:
        unblock_card(card_number=number)
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
    require_role(request, Role.TELLER)

    def reset() -> tuple[int, dict[str, Any]]:
        reset_pin(card_number=number, new_pin=payload.pin)
        return 200, _card_body(request, number)

    return respond_once_with_fields(
        request,
        route="teller.pin",
        fields={"pin": pin_mac(payload.pin)},
        action=reset,
        required=False,
    )
