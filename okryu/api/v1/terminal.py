"""The courier's terminal: what a fulfilment owes at the door, and its chip payment record.

``POST /terminal/payments`` is exactly-once by its ``Idempotency-Key`` (required):
``orders.services.door.pay_at_the_door`` keeps the key and the first answer with the payment
in one transaction, the issuer's refusal of a verified record included, so a terminal that
lost the answer sends the same record with the same key and is told the same thing.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from okryu.accounts.models import Role
from okryu.accounts.queries import has_role
from okryu.api.v1.auth import bearer_auth, get_caller
from okryu.api.v1.idempotency import IDEMPOTENCY_HEADER, REPLAY_HEADER
from okryu.api.v1.orders import order_response
from okryu.api.v1.schemas.problems import Problem
from okryu.api.v1.schemas.text import Flag, Integer, Text
from okryu.core.errors import IdempotencyKeyMissing, PermissionDenied
from okryu.core.idempotency import validate_key
from okryu.delivery.queries import check_fulfilment_on_courier_route
from okryu.orders.queries import get_door_payment_due
from okryu.orders.services.door import (
    DoorRecord,
    door_challenge,
    door_payee_account_id,
    pay_at_the_door,
)
from okryu.payments.rules import CHALLENGE_HEX_LENGTH

router = Router(tags=["terminal"])

CARD_NUMBER_LENGTH_MAX = 32
MAC_HEX_LENGTH = 64
HEX_PATTERN = "^[0-9a-f]+$"
PROBLEMS: dict[int, Any] = {
    400: Problem,
    401: Problem,
    402: Problem,
    403: Problem,
    404: Problem,
    409: Problem,
    422: Problem,
}


class TerminalPaymentIn(Schema):
    """A chip payment record as the card signed it for the terminal's challenge."""

    model_config = ConfigDict(extra="forbid")

    fulfilment: Integer = Field(
        description="The fulfilment (one merchant's part) paid."
    )
    card: Text = Field(
        min_length=1, max_length=CARD_NUMBER_LENGTH_MAX, description="16 digits."
    )
    amount: Integer = Field(description="Won; exactly what the fulfilment owes.")
    counter: Integer = Field(ge=0, description="The chip's transaction counter.")
    challenge: Text = Field(
        min_length=CHALLENGE_HEX_LENGTH,
        max_length=CHALLENGE_HEX_LENGTH,
        pattern=HEX_PATTERN,
        description="The terminal's challenge, lowercase hex.",
    )
    mac: Text = Field(
        min_length=MAC_HEX_LENGTH,
        max_length=MAC_HEX_LENGTH,
        pattern=HEX_PATTERN,
        description="The card's MAC over card, amount, payee account, counter, challenge.",
    )
    offline: Flag = Field(
        default=False,
        description="Taken with no network (only up to the floor limit), uploaded now.",
    )


class TerminalPaymentOut(Schema):
    """A fulfilment paid at the door."""

    model_config = ConfigDict(extra="allow")

    id: int
    fulfilment: int
    order: int
    status: str = Field(description="accepted.")
    amount: int
    offline: bool


class DoorDueOut(Schema):
    """What the terminal needs before it challenges the card."""

    model_config = ConfigDict(extra="allow")

    fulfilment: int
    order_number: str
    status: str = Field(description="The fulfilment's status.")
    amount_due: int = Field(description="Won to take at the door; 0 once paid.")
    payee_account: int = Field(
        description="The ledger account the card's MAC must name as the payee: the "
        "settlement account of the fulfilment's merchant."
    )
    challenge: str | None = Field(
        default=None,
        description="The single-use challenge the card signs over (lowercase hex), "
        "minted for this fulfilment only; null when nothing is due. A record signed over "
        "another fulfilment's challenge is 409 `challenge_mismatch`.",
    )
    challenge_expires_at: str | None = Field(
        default=None, description="When the challenge stops being accepted."
    )
    offline_floor_limit: int = Field(
        description="The largest amount the terminal may take with no network."
    )
    payment: dict[str, Any] | None = Field(
        default=None, description="The recorded payment at the door, if any."
    )


def _require_logistics(request: HttpRequest, *, fulfilment_id: int) -> int:
    """Return the caller's id: an operator, or a courier carrying this fulfilment.

    A courier's terminal sees only the parcels on (or delivered from) their own route;
    any other fulfilment does not exist for them (404).
    """
    user = get_caller(request)
    if has_role(user, Role.OPERATOR):
        return int(user.pk)
    if not has_role(user, Role.COURIER):
        raise PermissionDenied(
            "This call needs the courier or operator role.", role=Role.COURIER.value
        )
    check_fulfilment_on_courier_route(
        courier_user_id=int(user.pk), fulfilment_id=fulfilment_id
    )
    return int(user.pk)


@router.get(
    "/terminal/fulfilments/{fulfilment_id}",
    auth=bearer_auth,
    response={200: DoorDueOut, 401: Problem, 403: Problem, 404: Problem},
    summary="What a fulfilment paid at the door owes, whom the card pays, and the "
    "challenge it signs over (courier)",
    description="A fulfilment that is not paid at the door is 404 here. The challenge is "
    "single-use and expires after `OKRYU_DOOR_CHALLENGE_MINUTES`; the same one is returned "
    "until it is used or expires.",
)
def get_door_due_route(request: HttpRequest, fulfilment_id: int) -> HttpResponse:
    """Return the amount due at the door and the payee account for the chip record."""
    _require_logistics(request, fulfilment_id=fulfilment_id)
    due = get_door_payment_due(fulfilment_id=fulfilment_id)
    challenge = (
        door_challenge(fulfilment_id=fulfilment_id) if due["amount_due"] > 0 else None
    )
    body = {
        **due,
        "payee_account": door_payee_account_id(fulfilment_id),
        "offline_floor_limit": settings.OKRYU_OFFLINE_FLOOR_LIMIT_WON,
        "challenge": challenge.challenge if challenge else None,
        "challenge_expires_at": (
            challenge.expires_at.isoformat() if challenge else None
        ),
    }
    return order_response(200, body)


@router.post(
    "/terminal/payments",
    auth=bearer_auth,
    response={201: TerminalPaymentOut, **PROBLEMS},
    summary="Accept a chip payment record for a fulfilment paid at the door (courier)",
    description=(
        "Needs an `Idempotency-Key` header. The record's payee is the account "
        "`GET /terminal/fulfilments/{id}` names. A record taken online is decided at once; "
        "one taken offline (`offline: true`, up to the floor limit) is uploaded later "
        "through this same call. Each record is accepted once: the same key answers the "
        "first outcome again (header `Idempotent-Replayed: true`). Refusals, each "
        "changing nothing else: 403 `chip_invalid` (bad MAC), 409 `chip_replay` (record "
        "presented before), 409 `challenge_mismatch` (signed over a challenge not "
        "minted for this fulfilment; nothing is booked), 409 `challenge_used`, 409 "
        "`challenge_expired`, 403 `card_cloned` (another record used this counter; the "
        "card is blocked), 422 `wrong_amount` (with `due`), 409 `already_paid`, 409 "
        "`not_due_at_door`, 403 `over_floor_limit`, 402 `insufficient_funds`, 403 "
        "`card_blocked`. The issuer's refusal of a record taken offline is answered the "
        "same way with `unpaid_recorded: true`: the goods were handed over, the items are "
        "booked to the logistics office's door losses account, the card is blocked, the "
        "debt is recorded against its holder and the fulfilment may be delivered."
    ),
)
def take_door_payment_route(
    request: HttpRequest, payload: TerminalPaymentIn
) -> HttpResponse:
    """Check the role and the key, accept the record once, answer 201."""
    actor_id = _require_logistics(request, fulfilment_id=payload.fulfilment)
    raw_key = request.headers.get(IDEMPOTENCY_HEADER)
    if raw_key is None:
        raise IdempotencyKeyMissing(
            f"A payment at the door needs an {IDEMPOTENCY_HEADER} header."
        )
    outcome = pay_at_the_door(
        actor_user_id=actor_id,
        fulfilment_id=payload.fulfilment,
        record=DoorRecord(
            card_number=payload.card,
            amount_won=payload.amount,
            counter=payload.counter,
            challenge=payload.challenge,
            mac=payload.mac,
            is_offline=payload.offline,
        ),
        idempotency_key=validate_key(raw_key),
    )
    response = order_response(201, outcome.body)
    if outcome.is_replay:
        response[REPLAY_HEADER] = "true"
    return response
