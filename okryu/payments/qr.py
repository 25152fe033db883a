"""QR payment requests: a merchant or courier asks for an amount, the shopper approves it on
their phone with the PIN. A request is paid at most once and expires after its lifetime.
"""

import datetime as dt
import io
import secrets

import segno
from django.conf import settings

from okryu.core import clock
from okryu.core.errors import DomainError, InvalidInput
from okryu.core.transactions import raise_if_refused, service_transaction
from okryu.core.won import format_won
from okryu.notifications.outbox import queue_sms
from okryu.payments.errors import QrRequestExpired, QrRequestNotFound, QrRequestUsed
from okryu.payments.ledger.transfers import (
    check_amount,
    get_ledger_account,
    transfer_funds,
)
from okryu.payments.models import (
    Card,
    PaymentRequest,
    PaymentRequestStatus,
    Transfer,
)

QR_SCALE = 3
QR_TEXT_LENGTH_MAX = 300


def create_payment_request(
    *, credit_account_id: int, amount_won: int, description: str = ""
) -> PaymentRequest:
    """Create a single-use request for ``amount_won`` into ``credit_account_id``."""
    check_amount(amount_won, maximum_won=settings.OKRYU_CARD_TRANSFER_LIMIT_WON)
    if len(description) > PaymentRequest.DESCRIPTION_LENGTH_MAX:
        raise InvalidInput("설명은 100자까지입니다.", field="description")
    return _create_payment_request(
        credit_account_id=credit_account_id,
        amount_won=amount_won,
        description=description,
    )


@service_transaction(durable=False)
def _create_payment_request(
    *, credit_account_id: int, amount_won: int, description: str
) -> PaymentRequest:
    now = clock.now()
    credit = get_ledger_account(credit_account_id)
    return PaymentRequest.objects.create(
        token=secrets.token_urlsafe(32),
        credit_account=credit,
        amount_won=amount_won,
        description=description,
        created_at=now,
        expires_at=now + dt.timedelta(seconds=settings.OKRYU_QR_REQUEST_SECONDS),
    )


def get_open_payment_request(*, token: str) -> PaymentRequest:
    """Return the request the shopper scanned, to show who asks for how much, or raise."""
    request = (
        PaymentRequest.objects.select_related("credit_account")
        .filter(token=token)
        .first()
    )
    if request is None:
        raise QrRequestNotFound("결제 요청을 찾을 수 없습니다.")
    if request.status == PaymentRequestStatus.PAID:
        raise QrRequestUsed("이미 결제된 요청입니다.")
    if request.expires_at <= clock.now():
        raise QrRequestExpired("결제 요청의 유효 시간이 지났습니다.")
    return request


def find_payment_request_account(*, token: str) -> int | None:
    """Return the ledger account a request pays into (its merchant's), or None if unknown."""
    return (
        PaymentRequest.objects.filter(token=token)
        .values_list("credit_account_id", flat=True)
        .first()
    )


def approve_payment_request(
    *, token: str, card_number: str, pin: str, transfer_id: str, payee: str = ""
) -> Transfer:
    """Pay an open request from the shopper's card with its PIN; exactly once per request.

    ``transfer_id`` is the shopper's idempotency key: a repeat returns the first payment. A
    wrong PIN refuses this attempt (and counts) but leaves the request open for another key.
    Durable: the shopper is told the payment is done only once it is committed. ``payee``
    (the merchant's name) is named in the holder's SMS, so a payment to the wrong shop shows.
    """
    # A refusal comes back from the transaction, so a wrong PIN stays counted.
    return raise_if_refused(
        _approve_payment_request_once(
            token=token,
            card_number=card_number,
            pin=pin,
            transfer_id=transfer_id,
            payee=payee,
        )
    )


@service_transaction(durable=True)
def _approve_payment_request_once(
    *, token: str, card_number: str, pin: str, transfer_id: str, payee: str
) -> Transfer | DomainError:
    payment_request = _get_request_for_update(token)
    if payment_request.transfer is not None:
        if payment_request.transfer.transfer_id == transfer_id:
            return payment_request.transfer  # A repeat of the request's own payment.
        raise QrRequestUsed("이미 결제된 요청입니다.")
    if payment_request.expires_at <= clock.now():
        raise QrRequestExpired("결제 요청의 유효 시간이 지났습니다.")
    try:
        transfer = transfer_funds(
            card_number=card_number,
            pin=pin,
            amount_won=payment_request.amount_won,
            credit_account_id=payment_request.credit_account_id,
            transfer_id=transfer_id,
            reference=f"qr:{payment_request.pk}",
            tells_holder=not payee,
        )
    except DomainError as error:
        return error
    paid = PaymentRequest.objects.filter(
        pk=payment_request.pk, status=PaymentRequestStatus.OPEN
    ).update(status=PaymentRequestStatus.PAID, transfer=transfer)
    assert paid == 1, "the request row is locked and was open"
    if payee:
        _tell_holder(card_number, payee=payee, amount_won=transfer.amount_won)
    return transfer


def _tell_holder(card_number: str, *, payee: str, amount_won: int) -> None:
    card = Card.objects.select_related("ledger_account").get(number=card_number)
    available_won = card.ledger_account.available_won
    queue_sms(
        phone=card.phone,
        body=(
            f"[옥류] {payee} 카드 ****{card.number[-4:]} 결제 {format_won(amount_won)}. "
            f"사용 가능 {format_won(available_won)}."
        ),
    )


def _get_request_for_update(token: str) -> PaymentRequest:
    request = (
        PaymentRequest.objects.select_for_update(of=("self",))
        .select_related("transfer")
        .filter(token=token)
        .first()
    )
    if request is None:
        raise QrRequestNotFound("결제 요청을 찾을 수 없습니다.")
    return request


def render_qr_svg(text: str) -> str:
    """Return a small inline SVG QR code of ``text`` (a URL of the payment page)."""
    assert 0 < len(text) <= QR_TEXT_LENGTH_MAX
    code = segno.make(text, error="m", micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", scale=QR_SCALE, border=2, xmldecl=False, svgns=True)
    return buffer.getvalue().decode()
