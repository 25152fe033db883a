"""Paying at the door: a chip record from the courier's terminal pays one fulfilment.

docs/adr/0005-pay-at-the-door.md says why it works this way. The terminal names the delivery
fees account (the logistics office's) as the payee of every chip record; in the commit that
accepts the record, the items' share moves on to the merchant's settlement account, so after
the commit each account holds what it would have captured from a card order's two holds.

Guarantees: a fulfilment is paid at most once (its row is locked, and ``DoorPayment`` is one
per fulfilment); a chip record is accepted at most once (the issuer keeps every card and
counter, and ``DoorPayment.mac`` is unique); the same idempotency key answers the first
outcome again, a refusal the issuer made included. A bad MAC, a replayed record, a wrong
amount or a fulfilment with nothing due changes nothing. The issuer's refusal of a record
that verified (no funds, a blocked card, a clone) keeps what the issuer kept (the used
counter, a cloned card's block); when that record was taken offline the goods were handed
over, so the refusal is also recorded as the fulfilment's unpaid outcome, never hidden.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from okryu.accounts.models import User
from okryu.core import clock
from okryu.core.errors import DomainError, InvalidInput, NotFound
from okryu.core.idempotency import (
    StoredOutcome,
    find_outcome,
    fingerprint_request,
    lock_idempotency_key,
    store_outcome,
    validate_key,
)
from okryu.merchants.services import open_settlement_account
from okryu.orders.errors import (
    AlreadyPaid,
    CardBlocked,
    CardCloned,
    CardExpired,
    CardLocked,
    ChipReplay,
    InsufficientFunds,
    NotDueAtTheDoor,
    OverCardLimit,
    OverDoorLimit,
    WrongAmount,
)
from okryu.orders.models import (
    DoorPayment,
    DoorPaymentStatus,
    Fulfilment,
    Order,
    PaymentMethodChoices,
)
from okryu.orders.queries import door_payment_as_api_dict
from okryu.orders.rules import FulfilmentStatus
from okryu.orders.services.fulfilment import LOGISTICS_ROLES, _logistics_actor
from okryu.orders.services.sqlite_busy import retry_when_sqlite_is_busy
from okryu.payments import ledger
from okryu.payments.cards import check_card_number
from okryu.payments.chip import accept_chip_payment
from okryu.payments.errors import REFUSALS_BY_CODE
from okryu.payments.models import Transfer
from okryu.payments.rules import ChipRecord

DOOR_PAYMENT_SCOPE = "orders.door_payment"
S = FulfilmentStatus
# A fulfilment is paid when the courier has it: ready for pick-up or on its way.
PAYABLE_STATUSES = frozenset({S.READY, S.OUT_FOR_DELIVERY})
# The issuer's refusals of a record that verified: the card itself signed it at the door.
ISSUER_REFUSAL_CODES = frozenset(
    error.code
    for error in (
        InsufficientFunds,
        CardBlocked,
        CardCloned,
        CardExpired,
        CardLocked,
        OverCardLimit,
    )
)


@dataclass(frozen=True)
class DoorRecord:
    """A chip record as the terminal sends it; its payee is the door payee account."""

    card_number: str
    amount_won: int
    counter: int
    challenge: str
    mac: str
    is_offline: bool

    def fingerprint_payload(self) -> dict[str, object]:
        """Return the record as JSON-able values, for the idempotency key."""
        return {
            "card": self.card_number,
            "amount": self.amount_won,
            "counter": self.counter,
            "challenge": self.challenge,
            "mac": self.mac,
            "offline": self.is_offline,
        }


@dataclass(frozen=True)
class DoorPaymentOutcome:
    """The outcome of ``pay_at_the_door``: the payment, whether a replay, the first body."""

    payment_id: int
    is_replay: bool
    body: dict[str, Any]


def door_payee_account_id() -> int:
    """Return the ledger account every courier's terminal names as the payee of a record."""
    return ledger.open_delivery_fees_account().pk


def check_door_order_total(order: Order) -> None:
    """Refuse an order paid at the door above the limit (the caller's transaction rolls back)."""
    assert order.payment_method == PaymentMethodChoices.DOOR
    limit = int(settings.OKRYU_DOOR_ORDER_TOTAL_MAX_WON)
    if order.total_won > limit:
        raise OverDoorLimit(
            f"문앞 결제는 {limit:,}원까지입니다. 카드로 결제하십시오.",
            limit=limit,
            total=order.total_won,
        )


def door_contact_phone(shopper_id: int) -> str:
    """Return the phone the courier calls at the door: the shopper's own (InvalidInput if none).

    A card order's SMS go to the card's phone; an order paid at the door names no card.
    """
    phone = (
        User.objects.filter(pk=shopper_id).values_list("phone", flat=True).first() or ""
    )
    if not phone:
        raise InvalidInput(
            "문앞 결제에는 전화번호가 필요합니다. 내 정보에 전화번호를 넣으십시오.",
            field="payment",
        )
    return phone


def pay_at_the_door(
    *,
    actor_user_id: int,
    fulfilment_id: int,
    record: DoorRecord,
    idempotency_key: str,
) -> DoorPaymentOutcome:
    """Accept a chip record for what the fulfilment owes, once per key and per record.

    The actor is a courier or an operator (PermissionDenied otherwise); the fulfilment is
    paid at the door and ready or out for delivery (NotDueAtTheDoor), not yet paid
    (AlreadyPaid; the same record again is ChipReplay), and the amount is what it owes
    (WrongAmount). The issuer's refusals (ChipInvalid, ChipReplay, CardCloned,
    InsufficientFunds, OverFloorLimit, ...) are raised as they are; those of a record that
    verified are stored with the key, so the same key raises them again. Callers must not
    wrap it in a transaction.
    """
    key = validate_key(idempotency_key)
    scope = f"{DOOR_PAYMENT_SCOPE}:{actor_user_id}"
    fingerprint = fingerprint_request(
        {"fulfilment": fulfilment_id, **record.fingerprint_payload()}
    )
    stored = find_outcome(scope=scope, key=key, fingerprint=fingerprint)
    if stored is not None:
        return _outcome_from_stored(stored)
    check_card_number(record.card_number)
    refusals: list[DomainError] = []

    def attempt() -> DoorPaymentOutcome | None:
        refusals.clear()
        with transaction.atomic(durable=True):
            lock_idempotency_key(scope=scope, key=key)
            stored = find_outcome(scope=scope, key=key, fingerprint=fingerprint)
            if stored is not None:
                return _outcome_from_stored(stored)
            _logistics_actor(actor_user_id, allowed=LOGISTICS_ROLES)
            fulfilment = _payable_fulfilment(fulfilment_id, record)
            taken = _pay_at_the_door_take(fulfilment, record, actor_user_id)
            if isinstance(taken, DomainError):
                # Kept with what the issuer kept; raised after the commit.
                store_outcome(
                    scope=scope,
                    key=key,
                    fingerprint=fingerprint,
                    status_code=taken.status,
                    body={"code": taken.code, "detail": taken.detail, **taken.extra},
                )
                refusals.append(taken)
                return None
            body = door_payment_as_api_dict(taken)
            store_outcome(
                scope=scope,
                key=key,
                fingerprint=fingerprint,
                status_code=201,
                body=body,
            )
        return DoorPaymentOutcome(payment_id=taken.pk, is_replay=False, body=body)

    try:
        outcome = retry_when_sqlite_is_busy(attempt)
    except IntegrityError:
        # A concurrent request with the same key committed first; its outcome is visible now.
        stored = find_outcome(scope=scope, key=key, fingerprint=fingerprint)
        if stored is not None:
            return _outcome_from_stored(stored)
        raise
    if outcome is None:
        raise refusals[0]
    return outcome


def _outcome_from_stored(stored: StoredOutcome) -> DoorPaymentOutcome:
    body: dict[str, Any] = dict(stored.body)
    if stored.status_code >= 400:  # noqa: PLR2004  (an HTTP-like error status)
        code = str(body.pop("code"))
        detail = str(body.pop("detail"))
        raise REFUSALS_BY_CODE.get(code, DomainError)(detail, **body)
    return DoorPaymentOutcome(payment_id=int(body["id"]), is_replay=True, body=body)


def _payable_fulfilment(fulfilment_id: int, record: DoorRecord) -> Fulfilment:
    # Locked: two records for one fulfilment (two cards, two terminals) pay it once.
    fulfilment = (
        Fulfilment.objects.select_for_update(of=("self",))
        .select_related("order", "merchant")
        .filter(pk=fulfilment_id)
        .first()
    )
    if fulfilment is None:
        raise NotFound("주문을 찾을 수 없습니다.")
    if fulfilment.order.payment_method != PaymentMethodChoices.DOOR:
        raise NotDueAtTheDoor("카드로 이미 결제한 주문입니다.", status="card")
    earlier = DoorPayment.objects.filter(fulfilment=fulfilment).first()
    if earlier is not None:
        if earlier.mac == record.mac:
            raise ChipReplay("이미 처리된 칩 결제입니다.")
        raise AlreadyPaid("이 주문의 문앞 결제는 이미 기록되었습니다.")
    if S(fulfilment.status) not in PAYABLE_STATUSES:
        raise NotDueAtTheDoor(
            "배달을 떠날 준비가 된 주문만 문앞에서 결제합니다.",
            status=fulfilment.status,
        )
    due = fulfilment.items_total_won + fulfilment.delivery_fee_won
    if record.amount_won != due:
        raise WrongAmount(f"이 주문에 낼 금액은 {due:,}원입니다.", due=due)
    return fulfilment


def _pay_at_the_door_take(
    fulfilment: Fulfilment, record: DoorRecord, actor_user_id: int
) -> DoorPayment | DomainError:
    """Present the record to the issuer; record the payment, or the refusal of a verified one."""
    payee_id = door_payee_account_id()
    chip_record = ChipRecord(
        card_number=record.card_number,
        amount_won=record.amount_won,
        merchant_account_id=payee_id,
        counter=record.counter,
        challenge=record.challenge,
        mac=record.mac,
    )
    try:
        transfer = accept_chip_payment(record=chip_record, online=not record.is_offline)
    except DomainError as error:
        if error.code not in ISSUER_REFUSAL_CODES:
            raise  # Nothing was kept: a bad MAC, a replay, an unknown card.
        if record.is_offline:
            _record_refusal_after_handover(fulfilment, record, actor_user_id, error)
        return error
    return _record_door_payment(fulfilment, record, actor_user_id, transfer)


def _record_door_payment(
    fulfilment: Fulfilment, record: DoorRecord, actor_user_id: int, chip: Transfer
) -> DoorPayment:
    assert chip.amount_won == fulfilment.items_total_won + fulfilment.delivery_fee_won
    merchant_account_id = fulfilment.merchant.ledger_account_id
    if merchant_account_id is None:
        merchant_account_id = open_settlement_account(
            merchant_id=fulfilment.merchant_id
        )
    # The merchant's share leaves the payee account in the commit that credited it.
    items = ledger.transfer_between_accounts(
        debit_account_id=chip.credit_account_id,
        credit_account_id=merchant_account_id,
        amount_won=fulfilment.items_total_won,
        transfer_id=f"{fulfilment.order.number}/{fulfilment.merchant_id}/door-items",
        reference=fulfilment.order.number,
    )
    payment = DoorPayment.objects.create(
        fulfilment=fulfilment,
        status=DoorPaymentStatus.ACCEPTED,
        amount_won=chip.amount_won,
        card_last4=record.card_number[-4:],
        counter=record.counter,
        mac=record.mac,
        is_offline=record.is_offline,
        chip_transfer=chip,
        items_transfer=items,
        taken_by_id=actor_user_id,
        created_at=clock.now(),
    )
    captured = Fulfilment.objects.filter(pk=fulfilment.pk, captured_won=0).update(
        captured_won=chip.amount_won
    )
    assert captured == 1, "a fulfilment is paid at the door once"
    assert items.amount_won + fulfilment.delivery_fee_won == payment.amount_won
    return payment


def _record_refusal_after_handover(
    fulfilment: Fulfilment, record: DoorRecord, actor_user_id: int, error: DomainError
) -> None:
    assert record.is_offline
    assert record.amount_won <= settings.OKRYU_OFFLINE_FLOOR_LIMIT_WON
    DoorPayment.objects.create(
        fulfilment=fulfilment,
        status=DoorPaymentStatus.REFUSED_AFTER_HANDOVER,
        amount_won=record.amount_won,
        card_last4=record.card_number[-4:],
        counter=record.counter,
        mac=record.mac,
        is_offline=True,
        refusal_code=error.code,
        taken_by_id=actor_user_id,
        created_at=clock.now(),
    )
    error.extra["unpaid_recorded"] = True
