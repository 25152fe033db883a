"""QR payment routes: merchant staff ask for an amount, the shopper approves with card and PIN.

Approving needs an ``Idempotency-Key``. ``approve_payment_request`` commits on its own (a wrong
PIN must stay counted), so it cannot run inside ``respond_once``'s transaction: the key's
outcome is looked up first and stored after, and the transfer id is derived from the key and
the body, so a retry of the same request pays once even if the outcome was not stored yet.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router

from okryu.accounts.models import Role
from okryu.api.v1.auth import bearer_auth, get_caller, require_role
from okryu.api.v1.idempotency import REPLAY_HEADER, idempotency_scope, json_response
from okryu.api.v1.schemas.cards import (
    QrApprovedOut,
    QrApproveIn,
    QrRequestIn,
    QrRequestOut,
)
from okryu.api.v1.schemas.problems import Problem
from okryu.api.v1.secret_safe import (
    derived_id,
    pin_mac,
    read_key,
    respond_once_with_fields,
)
from okryu.core import rate_limits
from okryu.core.errors import (
    IdempotencyKeyReused,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from okryu.core.idempotency import (
    find_outcome,
    fingerprint_request,
    store_committed_outcome,
)
from okryu.merchants.queries import (
    find_merchant_by_ledger_account,
    list_merchant_ids_for_staff,
    payee_of_request,
)
from okryu.merchants.services import create_merchant_payment_request
from okryu.payments.errors import CardNotFound, TransferIdReused
from okryu.payments.models import PaymentRequest
from okryu.payments.qr import approve_payment_request, get_open_payment_request
from okryu.payments.queries import get_card_for_holder_or_teller
from okryu.payments.rules import is_card_number_well_formed

router = Router(tags=["qr"])

PROBLEMS: dict[int, Any] = {
    400: Problem,
    401: Problem,
    402: Problem,
    403: Problem,
    404: Problem,
    409: Problem,
    422: Problem,
}


def _request_body(
    request: HttpRequest, payment_request: PaymentRequest
) -> dict[str, Any]:
    merchant = find_merchant_by_ledger_account(
        account_id=payment_request.credit_account_id
    )
    token = payment_request.token
    return QrRequestOut.from_request(
        payment_request,
        merchant=merchant.name if merchant else "",
        svg_url=request.build_absolute_uri(reverse("qr-svg", args=[token])),
        pay_url=request.build_absolute_uri(reverse("qr-pay", args=[token])),
    ).model_dump(mode="json")


def _staff_merchant_id(request: HttpRequest, asked: int | None) -> int:
    user = require_role(request, Role.MERCHANT)
    merchant_ids = sorted(list_merchant_ids_for_staff(user=user))
    if not merchant_ids:
        raise PermissionDenied("You work for no merchant.")
    if asked is None:
        return merchant_ids[0]
    if asked not in merchant_ids:
        raise NotFound("판매자를 찾을 수 없습니다.")
    return asked


@router.post(
    "/qr-requests",
    auth=bearer_auth,
    response={201: QrRequestOut, **PROBLEMS},
    summary="Ask for an amount by QR code (merchant staff)",
)
def create_qr_request_route(request: HttpRequest, payload: QrRequestIn) -> HttpResponse:
    """Create a single-use request, valid 10 minutes, paid into the merchant's account."""
    merchant_id = _staff_merchant_id(request, payload.merchant)
    rate_limits.hit_all(
        "qr_create",
        address=rate_limits.client_address(request.META),
        account_id=get_caller(request).pk,
    )

    def create() -> tuple[int, dict[str, Any]]:
        try:
            payment_request = create_merchant_payment_request(
                merchant_id=merchant_id,
                amount_won=payload.amount,
                description=payload.description,
            )
        except InvalidInput as error:
            if error.field != "amount_won":
                raise
            raise InvalidInput(error.detail, field="amount") from error
        return 201, _request_body(request, payment_request)

    return respond_once_with_fields(
        request,
        route="qr.create",
        fields={
            "amount": payload.amount,
            "description": payload.description,
            "merchant": merchant_id,
        },
        action=create,
        required=False,
    )


@router.get(
    "/qr-requests/{token}",
    auth=bearer_auth,
    response={200: QrRequestOut, 401: Problem, 404: Problem, 409: Problem},
    summary="Who asks for how much (anyone signed in who has the token)",
)
def get_qr_request_route(request: HttpRequest, token: str) -> dict[str, Any]:
    """Return an open request; a paid or expired one is 409, an unknown one 404."""
    get_caller(request)
    return _request_body(request, get_open_payment_request(token=token))


@router.post(
    "/qr-requests/{token}/approve",
    auth=bearer_auth,
    response={200: QrApprovedOut, **PROBLEMS},
    summary="Pay a QR request from one's own card with its PIN (Idempotency-Key required)",
)
def approve_qr_request_route(
    request: HttpRequest, token: str, payload: QrApproveIn
) -> HttpResponse:
    """Pay the request once; a wrong PIN counts and leaves the request open."""
    user = require_role(request, Role.SHOPPER)
    rate_limits.hit_all(
        "sms",
        address=rate_limits.client_address(request.META),
        account_id=user.pk,
        card=payload.card,
    )
    key = read_key(request, required=True)
    assert key is not None
    scope = idempotency_scope(route="qr.approve", user=user)
    fingerprint = fingerprint_request(
        {"path": request.path, "card": payload.card, "pin": pin_mac(payload.pin)}
    )
    stored = find_outcome(scope=scope, key=key, fingerprint=fingerprint)
    if stored is not None:
        response = json_response(stored.status_code, stored.body)
        response[REPLAY_HEADER] = "true"
        return response
    if not is_card_number_well_formed(payload.card):
        raise InvalidInput("카드 번호가 올바르지 않습니다.", field="card")
    card = get_card_for_holder_or_teller(card_number=payload.card, user=user)
    if card.holder_id != user.pk:
        raise CardNotFound(
            "카드를 찾을 수 없습니다."
        )  # A teller pays from own cards only.
    try:
        transfer = approve_payment_request(
            token=token,
            card_number=payload.card,
            pin=payload.pin,
            transfer_id=derived_id("api-qr", str(user.pk), key, fingerprint),
            payee=payee_of_request(token),
        )
    except TransferIdReused as error:
        raise IdempotencyKeyReused(
            "This idempotency key was already used with a different request."
        ) from error
    body = QrApprovedOut(
        token=token,
        status="paid",
        amount=transfer.amount_won,
        card=card.masked_number,
        transfer=transfer.transfer_id,
    ).model_dump(mode="json")
    store_committed_outcome(
        scope=scope, key=key, fingerprint=fingerprint, status_code=200, body=body
    )
    return json_response(200, body)
