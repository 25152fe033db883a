"""Paying at the door: a chip record from the courier's terminal pays one fulfilment.

docs/adr/0005-pay-at-the-door.md says why it works this way. The issuer mints a single-use,
expiring challenge per fulfilment (``door_challenge``); the card signs over it and names the
fulfilment's merchant (its settlement account) as the payee, so a record pays the parcel it
was made for and no other. In the commit that accepts the record, the delivery fee moves on to
the delivery fees account, so after the commit each account holds what it would have captured
from a card order's two holds. An offline record refused on upload is the logistics office's
loss: the items are booked from its door losses account to the merchant, the card is blocked
and the debt recorded against its holder (``DoorLoss``).

Guarantees: a fulfilment is paid at most once (its row is locked, and ``DoorPayment`` is one
per fulfilment); a chip record is accepted at most once (the issuer keeps every card and
counter, and ``DoorPayment.mac`` is unique); the same idempotency key answers the first
outcome again, a refusal the issuer made included. A bad MAC, a replayed record, a wrong
amount or a fulfilment with nothing due changes nothing. The issuer's refusal of a record
that verified (no funds, a blocked card, a clone) keeps what the issuer kept (the used
counter, a cloned card's block); when that record was taken offline the goods were handed
over, so the refusal is also recorded as the fulfilment's unpaid outcome, never hidden.
"""

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError

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
from okryu.core.transactions import raise_if_refused, service_transaction
from okryu.merchants.services import open_settlement_account
from okryu.notifications.outbox import queue_sms
from okryu.orders.errors import (
    AlreadyPaid,
    CardBlocked,
    CardCloned,
    CardExpired,
    CardLocked,
    ChallengeExpired,
    ChallengeMismatch,
    ChallengeUsed,
    ChipReplay,
    InsufficientFunds,
    NotDueAtTheDoor,
    OverCardLimit,
    OverDoorLimit,
    WrongAmount,
)
from okryu.orders.models import (
    DoorChallenge,
    DoorLoss,
    DoorPayment,
    DoorPaymentStatus,
    Fulfilment,
    Order,
    PaymentMethodChoices,
)
from okryu.orders.queries import door_payment_as_api_dict
from okryu.orders.rules import FulfilmentStatus
from okryu.orders.services.fulfilment import LOGISTICS_ROLES, _logistics_actor
from okryu.payments import ledger
from okryu.payments.cards import block_card_for_debt, check_card_number
from okryu.payments.chip import accept_chip_payment
from okryu.payments.errors import REFUSALS_BY_CODE
from okryu.payments.models import Transfer
from okryu.payments.rules import CHALLENGE_HEX_LENGTH, ChipRecord

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


def door_payee_account_id(fulfilment_id: int) -> int:
    """Return the ledger account a chip record for the fulfilment names as its payee: the
    settlement account of the fulfilment's merchant (opened if it has none)."""
    fulfilment = Fulfilment.objects.select_related("merchant").get(pk=fulfilment_id)
    account_id = fulfilment.merchant.ledger_account_id
    if account_id is None:
        return open_settlement_account(merchant_id=fulfilment.merchant_id)
    return account_id


def door_challenge(*, fulfilment_id: int) -> DoorChallenge:
    """Return the fulfilment's unused, unexpired challenge, minting one if it has none.

    The caller checked that the fulfilment is paid at the door and due; its own commit.
    """
    now = clock.now()
    current = (
        DoorChallenge.objects.filter(
            fulfilment_id=fulfilment_id, used_at__isnull=True, expires_at__gt=now
        )
        .order_by("-expires_at")
        .first()
    )
    if current is not None:
        return current
    return DoorChallenge.objects.create(
        fulfilment_id=fulfilment_id,
        challenge=secrets.token_hex(CHALLENGE_HEX_LENGTH // 2),
        created_at=now,
        expires_at=now
        + dt.timedelta(minutes=int(settings.OKRYU_DOOR_CHALLENGE_MINUTES)),
    )


def _check_challenge(fulfilment: Fulfilment, record: "DoorRecord") -> DoorChallenge:
    """Return the record's challenge, locked, if it was minted for this fulfilment and is
    still good; refuse it otherwise, before the issuer sees the record (nothing is kept)."""
    challenge = (
        DoorChallenge.objects.select_for_update()
        .filter(challenge=record.challenge)
        .first()
    )
    if challenge is None or challenge.fulfilment_id != fulfilment.pk:
        raise ChallengeMismatch(
            "이 칩 기록은 다른 주문을 위해 만든 것입니다. 단말기에서 다시 결제하십시오."
        )
    if challenge.used_at is not None:
        raise ChallengeUsed("이미 쓰인 결제 요청입니다. 단말기에서 다시 결제하십시오.")
    if challenge.expires_at <= clock.now():
        raise ChallengeExpired(
            "결제 요청의 유효 시간이 지났습니다. 단말기에서 다시 결제하십시오."
        )
    return challenge


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
    try:
        outcome = _pay_at_the_door_once(
            actor_user_id=actor_user_id,
            fulfilment_id=fulfilment_id,
            record=record,
            scope=scope,
            key=key,
            fingerprint=fingerprint,
        )
    except IntegrityError:
        # A concurrent request with the same key committed first; its outcome is visible now.
        stored = find_outcome(scope=scope, key=key, fingerprint=fingerprint)
        if stored is not None:
            return _outcome_from_stored(stored)
        raise
    # The issuer's refusal of a verified record commits with what it kept, then is raised.
    return raise_if_refused(outcome)


@service_transaction(durable=True)
def _pay_at_the_door_once(
    *,
    actor_user_id: int,
    fulfilment_id: int,
    record: DoorRecord,
    scope: str,
    key: str,
    fingerprint: str,
) -> DoorPaymentOutcome | DomainError:
    lock_idempotency_key(scope=scope, key=key)
    stored = find_outcome(scope=scope, key=key, fingerprint=fingerprint)
    if stored is not None:
        return _outcome_from_stored(stored)
    _logistics_actor(actor_user_id, allowed=LOGISTICS_ROLES)
    fulfilment = _payable_fulfilment(fulfilment_id, record)
    challenge = _check_challenge(fulfilment, record)
    taken = _pay_at_the_door_take(fulfilment, record, actor_user_id)
    # The issuer verified the record (accepted or refused): its challenge is spent.
    DoorChallenge.objects.filter(pk=challenge.pk).update(used_at=clock.now())
    if isinstance(taken, DomainError):
        # Kept with what the issuer kept; raised after the commit.
        store_outcome(
            scope=scope,
            key=key,
            fingerprint=fingerprint,
            status_code=taken.status,
            body={"code": taken.code, "detail": taken.detail, **taken.extra},
        )
        return taken
    body = door_payment_as_api_dict(taken)
    store_outcome(
        scope=scope, key=key, fingerprint=fingerprint, status_code=201, body=body
    )
    return DoorPaymentOutcome(payment_id=taken.pk, is_replay=False, body=body)


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
    payee_id = door_payee_account_id(fulfilment.pk)
    chip_record = ChipRecord(
        card_number=record.card_number,
        amount_won=record.amount_won,
        merchant_account_id=payee_id,
        counter=record.counter,
        challenge=record.challenge,
        mac=record.mac,
    )
    try:
        transfer = accept_chip_payment(
            record=chip_record,
            online=not record.is_offline,
            paid_for=f"주문 {fulfilment.order.number} ({fulfilment.merchant.name})",
        )
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
    # The delivery fee leaves the merchant's account in the commit that credited it.
    fee = None
    if fulfilment.delivery_fee_won > 0:
        fee = ledger.transfer_between_accounts(
            debit_account_id=chip.credit_account_id,
            credit_account_id=ledger.open_delivery_fees_account().pk,
            amount_won=fulfilment.delivery_fee_won,
            transfer_id=f"{fulfilment.order.number}/{fulfilment.merchant_id}/door-fee",
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
        fee_transfer=fee,
        taken_by_id=actor_user_id,
        created_at=clock.now(),
    )
    captured = Fulfilment.objects.filter(pk=fulfilment.pk, captured_won=0).update(
        captured_won=chip.amount_won
    )
    assert captured == 1, "a fulfilment is paid at the door once"
    fee_won = fee.amount_won if fee is not None else 0
    assert fulfilment.items_total_won + fee_won == payment.amount_won
    return payment


def _record_refusal_after_handover(
    fulfilment: Fulfilment, record: DoorRecord, actor_user_id: int, error: DomainError
) -> None:
    assert record.is_offline
    assert record.amount_won <= settings.OKRYU_OFFLINE_FLOOR_LIMIT_WON
    payment = DoorPayment.objects.create(
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
    _book_door_loss(fulfilment, payment, record)
    error.extra["unpaid_recorded"] = True


def _book_door_loss(
    fulfilment: Fulfilment, payment: DoorPayment, record: DoorRecord
) -> DoorLoss:
    """Book the items from the office's door losses account to the merchant, block the card
    and record its holder's debt, in the commit that records the refusal."""
    card = block_card_for_debt(card_number=record.card_number)
    merchant_account_id = door_payee_account_id(fulfilment.pk)
    loss = ledger.transfer_between_accounts(
        debit_account_id=ledger.open_door_losses_account().pk,
        credit_account_id=merchant_account_id,
        amount_won=fulfilment.items_total_won,
        transfer_id=f"{fulfilment.order.number}/{fulfilment.merchant_id}/door-loss",
        reference=fulfilment.order.number,
    )
    order = fulfilment.order
    queue_sms(
        phone=card.phone or order.contact_phone,
        body=(
            f"[옥류] 주문 {order.number} ({fulfilment.merchant.name}): 카드 "
            f"****{card.number[-4:]}의 문앞 결제 {record.amount_won:,}원이 거절되어 "
            "카드를 정지했습니다. 은행 창구에서 갚으십시오."
        ),
    )
    return DoorLoss.objects.create(
        fulfilment=fulfilment,
        door_payment=payment,
        card=card,
        holder_id=card.holder_id,
        shopper_id=fulfilment.order.shopper_id,
        amount_won=record.amount_won,
        loss_transfer=loss,
        created_at=clock.now(),
    )
