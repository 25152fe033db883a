"""Cards: issue, block, unblock, reset the PIN, and authorise a debit (status, PIN, limits).

Each issue, block, unblock and PIN reset adds a line to the card's journal (``card_events``)
in its own transaction, naming the person who did it (nobody, when the issuer blocks a card
on its own).

PIN attempts count per card, never per address: three wrong PINs lock the card until a teller
resets the PIN. A PIN check commits its attempt counter even when it refuses, so a refused
request cannot be retried for free. A card keeps the issuer's key version its chip key was
derived under; its PIN record keeps its own, and a correct PIN brings an older record (an
Argon2 hash, or a MAC under an older key) to the current form.
"""

import datetime as dt
import re
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When

from okryu.accounts.models import User
from okryu.core import clock
from okryu.core.errors import InvalidInput
from okryu.core.transactions import raise_if_refused, service_transaction
from okryu.payments.card_events import record_card_event
from okryu.payments.errors import (
    CardBlocked,
    CardExpired,
    CardLocked,
    CardNotFound,
    DoorDebtOpen,
    OverCardLimit,
    WrongPin,
)
from okryu.payments.issuer_keys import current_key_version
from okryu.payments.ledger.accounts import open_ledger_account
from okryu.payments.models import (
    Card,
    CardEventKind,
    CardStatus,
    LedgerAccount,
    LedgerAccountKind,
)
from okryu.payments.pins import (
    PinRecord,
    check_pin_shape,
    is_pin_correct,
    is_pin_record_current,
    make_pin_record,
)
from okryu.payments.rules import (
    CARD_NUMBER_LENGTH,
    is_card_number_well_formed,
    is_pin_locked,
    is_within_limits,
    luhn_check_digit,
    pin_attempts_left,
)

PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9-]{5,18}$")
NUMBER_ATTEMPTS_MAX = 10
CLONED = "cloned"
# The holder owes the issuer what an offline door record refused on upload did not pay.
DOOR_DEBT = "door_debt"
# A card blocked for a debt at the door whose losses an operator has cleared: still blocked,
# until a teller unblocks it, so no single person both forgives the debt and reopens the card.
DOOR_DEBT_CLEARED = "door_debt_cleared"
BLOCKED_REASON_LENGTH_MAX = 40
# Blocks with a way out of their own (a new card; the operator's clearing): never replaced.
REASONS_KEPT_OVER_A_BLOCK = (CLONED, DOOR_DEBT)


def check_card_number(card_number: str) -> None:
    """Raise InvalidInput unless ``card_number`` has 16 digits and a right Luhn check digit."""
    if not is_card_number_well_formed(card_number):
        raise InvalidInput("카드 번호가 올바르지 않습니다.", field="card_number")


def get_card_for_update(card_number: str) -> Card:
    """Return the card, locked until the transaction ends (on PostgreSQL), or raise."""
    check_card_number(card_number)
    assert transaction.get_connection().in_atomic_block
    card = (
        # Only the card row is locked here; ledger accounts are locked by their conditional
        # updates, always in primary-key order.
        Card.objects.select_for_update(of=("self",))
        .select_related("ledger_account")
        .filter(number=card_number)
        .first()
    )
    if card is None:
        raise CardNotFound("카드를 찾을 수 없습니다.")
    return card


@service_transaction(durable=False)
def issue_card(
    *,
    holder: User,
    phone: str,
    pin: str,
    number: str | None = None,
    issued_by: User | None = None,
    reason: str = "",
) -> Card:
    """Issue a new active card to ``holder`` with its own ledger account and a hashed PIN.

    ``number`` fixes the card number (the demo cards printed in the README); it must pass the
    Luhn check and be free. Otherwise a random number with the issuer's prefix is drawn.
    ``issued_by`` is the teller at the counter (None outside it: the demo, scripts);
    ``reason`` why the holder gets another card. Both go to the card's journal.
    """
    if not _is_phone_well_formed(phone):
        raise InvalidInput("전화번호가 올바르지 않습니다.", field="phone")
    check_pin_shape(pin)
    taken = InvalidInput("이미 발급된 카드 번호입니다.", field="card_number")
    if number is not None:
        check_card_number(number)
        if Card.objects.filter(number=number).exists():
            raise taken
    for _attempt in range(NUMBER_ATTEMPTS_MAX):
        candidate = number or _new_card_number()
        # The PIN record covers the card number, so it is made for each candidate.
        pin_record = make_pin_record(card_number=candidate, pin=pin)
        try:
            with (
                transaction.atomic()
            ):  # A savepoint: a number taken meanwhile is redrawn.
                account = open_ledger_account(
                    kind=LedgerAccountKind.SHOPPER,
                    owner_reference=f"card:{candidate}",
                )
                card = Card.objects.create(
                    number=candidate,
                    holder=holder,
                    phone=phone,
                    expires_on=_expiry_date(clock.local_today()),
                    chip_key_version=current_key_version(),
                    pin_hash=pin_record.pin_hash,
                    pin_key_version=pin_record.key_version,
                    issue_reason=reason,
                    ledger_account=account,
                )
        except IntegrityError:
            if number is not None:
                raise taken from None  # Issued by a concurrent request.
            continue  # The random number was taken; draw another.
        assert is_card_number_well_formed(card.number)
        record_card_event(
            card=card, kind=CardEventKind.ISSUED, actor=issued_by, reason=reason
        )
        return card
    message = "no free card number after several draws"
    raise RuntimeError(message)


def _is_phone_well_formed(phone: object) -> bool:
    return isinstance(phone, str) and PHONE_PATTERN.match(phone) is not None


def _new_card_number() -> str:
    prefix = settings.OKRYU_CARD_PREFIX
    random_length = CARD_NUMBER_LENGTH - len(prefix) - 1
    body = prefix + "".join(secrets.choice("0123456789") for _ in range(random_length))
    return body + luhn_check_digit(body)


def _expiry_date(today: dt.date) -> dt.date:
    years = settings.OKRYU_CARD_VALID_YEARS
    try:
        return today.replace(year=today.year + years)
    except ValueError:  # 29 February in a year that has none.
        return today.replace(year=today.year + years, day=28)


def check_card_usable(card: Card) -> None:
    """Raise the refusal of a blocked, expired or PIN-locked card."""
    if card.status == CardStatus.BLOCKED:
        raise CardBlocked("정지된 카드입니다.")
    if card.status == CardStatus.EXPIRED or card.expires_on < clock.local_today():
        raise CardExpired("유효기간이 지난 카드입니다.")
    if is_pin_locked(card.pin_failed_attempts):
        raise CardLocked(
            "PIN을 세 번 틀려 카드가 잠겼습니다. 은행에서 PIN을 다시 정하십시오."
        )


def check_pin(card: Card, pin: str) -> None:
    """Check ``pin`` against the card, counting a wrong one; the caller commits either way.

    A correct PIN clears the attempt counter and replaces a record that is not in the current
    form (``pins.is_pin_record_current``) with one that is.
    """
    check_pin_shape(pin)
    record = PinRecord(pin_hash=card.pin_hash, key_version=card.pin_key_version)
    if is_pin_correct(record=record, card_number=card.number, pin=pin):
        _check_pin_keep_record_current(card, record, pin)
        return
    # Conditional, so concurrent wrong PINs can never push the counter past the lock.
    Card.objects.filter(pk=card.pk, pin_failed_attempts__lt=3).update(
        pin_failed_attempts=F("pin_failed_attempts") + 1
    )
    card.refresh_from_db(fields=["pin_failed_attempts"])
    raise WrongPin(
        "PIN이 틀렸습니다.", attempts_left=pin_attempts_left(card.pin_failed_attempts)
    )


def _check_pin_keep_record_current(card: Card, record: PinRecord, pin: str) -> None:
    changes: dict[str, object] = {}
    if card.pin_failed_attempts:
        changes["pin_failed_attempts"] = 0
    if not is_pin_record_current(record):
        current = make_pin_record(card_number=card.number, pin=pin)
        changes.update(pin_hash=current.pin_hash, pin_key_version=current.key_version)
    if not changes:
        return
    # On the record just verified only: a PIN reset at the same moment wins.
    if Card.objects.filter(pk=card.pk, pin_hash=record.pin_hash).update(**changes):
        for name, value in changes.items():
            setattr(card, name, value)


def check_card_limits(card: Card, amount_won: int) -> None:
    """Raise OverCardLimit when the debit passes the limit per transfer or per day.

    Counts ``amount_won`` against today's limit on the card's ledger account in the same
    conditional UPDATE that checks it, so the caller must make the debit in the same
    transaction (or savepoint), which undoes the count if the debit is refused.
    """
    today = clock.local_today()
    # Spent today and still room for the amount, or nothing spent yet today.
    counted = LedgerAccount.objects.filter(
        Q(
            spent_on=today,
            spent_today_won__lte=settings.OKRYU_CARD_DAILY_LIMIT_WON - amount_won,
        )
        | ~Q(spent_on=today),
        pk=card.ledger_account_id,
    )
    within = is_within_limits(
        amount_won=amount_won,
        spent_today_won=0,
        transfer_limit_won=settings.OKRYU_CARD_TRANSFER_LIMIT_WON,
        daily_limit_won=settings.OKRYU_CARD_DAILY_LIMIT_WON,
    )
    if within and counted.update(
        spent_today_won=Case(
            When(spent_on=today, then=F("spent_today_won") + amount_won),
            default=Value(amount_won),
        ),
        spent_on=today,
    ):
        return
    account = LedgerAccount.objects.get(pk=card.ledger_account_id)
    spent_today = account.spent_today_won if account.spent_on == today else 0
    raise OverCardLimit("카드 한도를 넘었습니다.", spent_today_won=spent_today)


def authorise_card_debit(card: Card, *, pin: str | None, amount_won: int) -> None:
    """Refuse a debit from an unusable card, with a wrong PIN, or over its limits.

    ``pin`` is None when the holder proved presence otherwise (the chip, or a caller that
    already checked the PIN in the same request). The amount is counted against today's limit
    (``check_card_limits``): call it in the savepoint of the debit it authorises.
    """
    check_card_usable(card)
    if pin is not None:
        check_pin(card, pin)
    check_card_limits(card, amount_won)


def verify_pin(*, card_number: str, pin: str) -> Card:
    """Check a card's PIN and return the card; a wrong PIN counts even though it raises."""
    # A wrong PIN comes back from the transaction, so its counted attempt commits first.
    return raise_if_refused(_verify_pin_once(card_number=card_number, pin=pin))


@service_transaction(durable=False)
def _verify_pin_once(*, card_number: str, pin: str) -> Card | WrongPin:
    card = get_card_for_update(card_number)
    check_card_usable(card)
    try:
        check_pin(card, pin)
    except WrongPin as error:
        return error
    return card


@service_transaction(durable=False)
def block_card(*, card_number: str, reason: str, actor: User) -> Card:
    """Block a card (lost, stolen, cloned); it is refused everywhere until unblocked.

    A card blocked as a clone or for an open debt at the door keeps that reason: another
    block over it (say "lost") would otherwise let the counter unblock it, around both the
    rule that a clone is replaced and the operator's clearing of the debt. The act is
    journalled all the same.
    """
    assert 0 < len(reason) <= BLOCKED_REASON_LENGTH_MAX
    card = get_card_for_update(card_number)
    Card.objects.filter(pk=card.pk).exclude(
        status=CardStatus.BLOCKED, blocked_reason__in=REASONS_KEPT_OVER_A_BLOCK
    ).update(status=CardStatus.BLOCKED, blocked_reason=reason)
    record_card_event(card=card, kind=CardEventKind.BLOCKED, actor=actor, reason=reason)
    card.refresh_from_db()
    assert card.status == CardStatus.BLOCKED
    return card


@service_transaction(durable=False)
def block_card_for_debt(*, card_number: str) -> Card:
    """Block an active card whose holder owes the issuer (a door record refused on upload).

    A card blocked already keeps its reason (a clone stays a clone); in the caller's
    transaction, or its own.
    """
    card = get_card_for_update(card_number)
    blocked = Card.objects.filter(pk=card.pk, status=CardStatus.ACTIVE).update(
        status=CardStatus.BLOCKED, blocked_reason=DOOR_DEBT
    )
    if blocked:
        record_card_event(
            card=card, kind=CardEventKind.BLOCKED, actor=None, reason=DOOR_DEBT
        )
    card.refresh_from_db()
    return card


@service_transaction(durable=False)
def mark_door_debt_cleared(*, card_id: int) -> None:
    """Let the counter unblock a card blocked for a debt at the door, once it is cleared.

    In the caller's transaction (the operator's clearing); the card stays blocked.
    """
    Card.objects.filter(
        pk=card_id, status=CardStatus.BLOCKED, blocked_reason=DOOR_DEBT
    ).update(blocked_reason=DOOR_DEBT_CLEARED)


@service_transaction(durable=False)
def unblock_card(*, card_number: str, actor: User) -> Card:
    """Unblock a card found again; a cloned card stays blocked and must be replaced, and a
    card blocked for a debt at the door stays blocked until an operator has cleared it.

    An active card is left as it is, and its journal too."""
    card = get_card_for_update(card_number)
    if card.blocked_reason == CLONED:
        raise CardBlocked("복제된 카드는 다시 쓸 수 없습니다. 새 카드를 발급하십시오.")
    if card.blocked_reason == DOOR_DEBT:
        raise DoorDebtOpen(
            "문앞 결제 미수금이 정리되지 않은 카드입니다. 운영자가 정리한 뒤에 풀 수 있습니다."
        )
    unblocked = Card.objects.filter(pk=card.pk, status=CardStatus.BLOCKED).update(
        status=CardStatus.ACTIVE, blocked_reason=""
    )
    if unblocked:
        record_card_event(card=card, kind=CardEventKind.UNBLOCKED, actor=actor)
    card.refresh_from_db()
    return card


def reset_pin(*, card_number: str, new_pin: str, actor: User) -> Card:
    """Set a new PIN (at the bank counter) and unlock the card's attempt counter."""
    check_pin_shape(new_pin)
    return _reset_pin(card_number=card_number, new_pin=new_pin, actor=actor)


@service_transaction(durable=False)
def _reset_pin(*, card_number: str, new_pin: str, actor: User) -> Card:
    card = get_card_for_update(card_number)
    record = make_pin_record(card_number=card.number, pin=new_pin)
    Card.objects.filter(pk=card.pk).update(
        pin_hash=record.pin_hash,
        pin_key_version=record.key_version,
        pin_failed_attempts=0,
    )
    record_card_event(card=card, kind=CardEventKind.PIN_RESET, actor=actor)
    card.refresh_from_db()
    assert card.pin_failed_attempts == 0
    return card
