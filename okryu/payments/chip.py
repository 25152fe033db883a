"""The chip protocol: per-card keys, cryptograms, software cards and terminals, and the
issuer's acceptance of a chip record, online or uploaded later from an offline terminal.

A record is accepted once. Its card and counter identify it: the same record again is a replay
(refused); a different record with the same card and counter can only come from a copy of the
chip, so the card is blocked as cloned. Offline acceptance is allowed below the floor limit
only; an uploaded record that finds the card without funds is refused, and that loss, bounded by
the floor limit, is the merchant's risk of accepting offline.
"""

import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction

from okryu.core.errors import DomainError, InvalidInput
from okryu.core.transactions import raise_if_refused, service_transaction
from okryu.core.won import format_won
from okryu.notifications.outbox import queue_sms
from okryu.payments.card_events import record_card_event
from okryu.payments.cards import (
    CLONED,
    check_card_limits,
    check_card_usable,
    get_card_for_update,
)
from okryu.payments.errors import CardCloned, ChipInvalid, ChipReplay, OverFloorLimit
from okryu.payments.issuer_keys import chip_key, current_key_version
from okryu.payments.ledger.accounts import move_balance
from okryu.payments.ledger.transfers import (
    check_amount,
    get_ledger_account,
    write_transfer,
)
from okryu.payments.models import (
    Card,
    CardEventKind,
    CardStatus,
    ChipUse,
    LedgerAccount,
    Transfer,
    TransferKind,
)
from okryu.payments.rules import (
    CHALLENGE_HEX_LENGTH,
    ChipRecord,
    chip_message,
    compute_chip_mac,
    is_chip_mac_valid,
)

ACCEPTED = "accepted"


def issuer_card_key(card_number: str, *, key_version: int | None = None) -> bytes:
    """Return the chip key the issuer derives for ``card_number`` under ``key_version``.

    The version defaults to the current one, under which cards are issued now; a card's own is
    ``Card.chip_key_version``.
    """
    version = current_key_version() if key_version is None else key_version
    return chip_key(card_number=card_number, version=version)


@dataclass
class SoftwareCard:
    """A chip in software: a key and a transaction counter that rises with every answer."""

    number: str
    key: bytes
    counter: int = 0

    def answer(
        self, *, challenge: str, amount_won: int, merchant_account_id: int
    ) -> ChipRecord:
        """Sign a payment for a terminal's challenge with the next counter value."""
        self.counter += 1
        message = chip_message(
            card_number=self.number,
            amount_won=amount_won,
            merchant_account_id=merchant_account_id,
            counter=self.counter,
            challenge=challenge,
        )
        return ChipRecord(
            card_number=self.number,
            amount_won=amount_won,
            merchant_account_id=merchant_account_id,
            counter=self.counter,
            challenge=challenge,
            mac=compute_chip_mac(card_key=self.key, message=message),
        )


@dataclass
class SoftwareTerminal:
    """A terminal in software (tests, the courier's terminal): challenges cards, keeps the
    records it took offline until they are uploaded."""

    merchant_account_id: int
    stored_records: list[ChipRecord] = field(default_factory=list)

    def take_payment(
        self,
        card: SoftwareCard,
        *,
        amount_won: int,
        online: bool,
        challenge: str | None = None,
    ) -> ChipRecord:
        """Challenge ``card`` for ``amount_won``; online, the issuer decides at once.

        ``challenge`` is the one the issuer minted for what is paid (a door payment's); a
        terminal paying no issuer-bound object makes its own.
        """
        challenge = challenge or secrets.token_hex(CHALLENGE_HEX_LENGTH // 2)
        record = card.answer(
            challenge=challenge,
            amount_won=amount_won,
            merchant_account_id=self.merchant_account_id,
        )
        if online:
            accept_chip_payment(record=record, online=True)
        else:
            if amount_won > settings.OKRYU_OFFLINE_FLOOR_LIMIT_WON:
                raise OverFloorLimit("오프라인 결제 한도를 넘었습니다.")
            self.stored_records.append(record)
        return record

    def upload(self) -> list[Transfer | DomainError]:
        """Send the stored records to the issuer; return each one's transfer or refusal."""
        outcomes: list[Transfer | DomainError] = []
        for record in self.stored_records:
            try:
                outcomes.append(accept_chip_payment(record=record, online=False))
            except DomainError as error:
                outcomes.append(error)
        self.stored_records.clear()
        return outcomes


def accept_chip_payment(
    *, record: ChipRecord, online: bool, paid_for: str = ""
) -> Transfer:
    """Verify a chip record and pay the merchant from the card, once per card and counter.

    Raises ChipInvalid (bad MAC), ChipReplay (the record was presented before), CardCloned
    (another record used this counter; the card is blocked in the same commit),
    OverFloorLimit (offline above the floor limit) and the card refusals. Every verified
    record is kept with its outcome, so a counter is never accepted twice. ``paid_for`` names
    what was paid in the holder's SMS ("주문 OK-… (옥류관)"), so a record used for another
    parcel would show at once.
    """
    _check_record_shape(record)
    if not online and record.amount_won > settings.OKRYU_OFFLINE_FLOOR_LIMIT_WON:
        raise OverFloorLimit("오프라인 결제 한도를 넘었습니다.")
    # A refusal of a verified record comes back as a value, so the card's block and the used
    # counter commit before it is raised.
    return raise_if_refused(
        _accept_chip_payment_once(record, online=online, paid_for=paid_for)
    )


@service_transaction(durable=False)
def _accept_chip_payment_once(
    record: ChipRecord, *, online: bool, paid_for: str
) -> Transfer | DomainError:
    card = get_card_for_update(record.card_number)
    card_key = issuer_card_key(card.number, key_version=card.chip_key_version)
    if not is_chip_mac_valid(card_key=card_key, record=record):
        raise ChipInvalid("칩 인증값이 맞지 않습니다.")
    use = _record_chip_use(card, record, online=online)
    if isinstance(use, DomainError):
        return use
    try:
        with transaction.atomic():  # A savepoint: a refused payment moved nothing.
            transfer = _pay_from_chip(card, record, paid_for=paid_for)
    except DomainError as error:
        ChipUse.objects.filter(pk=use.pk).update(outcome_code=error.code)
        return error
    ChipUse.objects.filter(pk=use.pk).update(outcome_code=ACCEPTED, transfer=transfer)
    return transfer


def _check_record_shape(record: ChipRecord) -> None:
    check_amount(record.amount_won)
    if type(record.counter) is not int or record.counter < 0:
        raise InvalidInput("칩 카운터가 올바르지 않습니다.", field="counter")
    if len(record.challenge) != CHALLENGE_HEX_LENGTH or len(record.mac) != 64:  # noqa: PLR2004
        raise InvalidInput("칩 기록이 올바르지 않습니다.", field="mac")


def _record_chip_use(
    card: Card, record: ChipRecord, *, online: bool
) -> ChipUse | DomainError:
    """Record the first use of the card's counter, or return the refusal of a later one."""
    earlier = ChipUse.objects.filter(card=card, counter=record.counter).first()
    if earlier is None:
        try:
            with transaction.atomic():
                return ChipUse.objects.create(
                    card=card,
                    counter=record.counter,
                    mac=record.mac,
                    amount_won=record.amount_won,
                    merchant_account_id=record.merchant_account_id,
                    is_offline=not online,
                    outcome_code="pending",
                )
        except IntegrityError:
            earlier = ChipUse.objects.get(card=card, counter=record.counter)
    if earlier.mac == record.mac:
        return ChipReplay("이미 처리된 칩 결제입니다.")
    # Returned, not raised, so the block commits with the transaction before the refusal.
    blocked = (
        Card.objects.filter(pk=card.pk)
        .exclude(status=CardStatus.BLOCKED, blocked_reason=CLONED)
        .update(status=CardStatus.BLOCKED, blocked_reason=CLONED)
    )
    if blocked:  # The issuer blocked it, not a person: the journal names nobody.
        record_card_event(
            card=card, kind=CardEventKind.BLOCKED, actor=None, reason=CLONED
        )
    return CardCloned("복제된 카드가 감지되어 카드를 정지했습니다.")


def _pay_from_chip(card: Card, record: ChipRecord, *, paid_for: str) -> Transfer:
    check_card_usable(card)
    check_card_limits(card, record.amount_won)
    credit = get_ledger_account(record.merchant_account_id)
    move_balance(debit=card.ledger_account, credit=credit, amount_won=record.amount_won)
    transfer = write_transfer(
        fingerprint=record.mac,
        transfer_id=f"chip:{card.number}:{record.counter}",
        kind=TransferKind.SINGLE,
        debit=card.ledger_account,
        credit=credit,
        amount_won=record.amount_won,
        reference=f"chip:{record.counter}",
        tells_holder=not paid_for,
    )
    if paid_for:
        available_won = LedgerAccount.objects.get(
            pk=card.ledger_account_id
        ).available_won
        queue_sms(
            phone=card.phone,
            body=(
                f"[옥류] {paid_for} 카드 ****{card.number[-4:]} 결제 "
                f"{format_won(record.amount_won)}. 사용 가능 {format_won(available_won)}."
            ),
        )
    return transfer
