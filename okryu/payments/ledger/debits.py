"""The hot path of money leaving a card: a single payment or a hold, in a few statements.

On PostgreSQL a debit is: the card row locked together with the transfer id's advisory lock,
read with whether the id was used before (a repeat replays its first outcome before anything
is checked, so a PIN is never counted twice); one conditional UPDATE of the card's account
that decides funds and the daily limit at once (and that the credit account exists, and
again that the id is new); the credit; the transfer with its SMS (and a hold's expiry job)
in one INSERT. SQLite runs the same steps as separate statements inside its immediate
(whole-database) transaction. One path: a refusal looks the id up once more (an attempt of
the same id may have committed meanwhile), then is recorded.

No savepoint inside: every refusal is known before the first write of the money, or the one
write already made (a credit applied first, for the primary-key lock order) is undone by its
exact inverse in the same transaction before the refusal is recorded.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from okryu.core import clock
from okryu.core.errors import DomainError, InvalidInput
from okryu.core.idempotency import fingerprint_request
from okryu.core.transactions import raise_if_refused, service_transaction
from okryu.payments.cards import check_card_usable, check_pin
from okryu.payments.errors import (
    CardNotFound,
    InsufficientFunds,
    OverCardLimit,
    TransferIdReused,
)
from okryu.payments.ledger import sql
from okryu.payments.ledger.accounts import open_bank_cash_account
from okryu.payments.ledger.engine import (
    find_first_outcome,
    record_refusal,
    replay,
    replay_or_refuse,
)
from okryu.payments.ledger.notices import card_sms_body
from okryu.payments.models import Transfer, TransferKind
from okryu.payments.rules import is_within_limits

EXPIRE_HOLD_JOB = "payments.expire_hold"


@dataclass(frozen=True)
class CardDebit:
    """What a card debit asks for, checked for shape by the caller."""

    kind: TransferKind
    card_number: str
    pin: str | None
    amount_won: int
    credit_account_id: int
    transfer_id: str
    reference: str
    timeout_seconds: int | None
    # False when the caller tells the holder itself, once for a whole step (an order).
    tells_holder: bool = True


def debit_card(debit: CardDebit, *, request: dict[str, object]) -> Transfer:
    """Run the debit once for its transfer id; replay its first outcome after."""
    assert debit.kind in (TransferKind.SINGLE, TransferKind.HOLD)
    fingerprint = fingerprint_request(request)
    return raise_if_refused(_debit_card_once(debit, fingerprint))


@service_transaction(durable=False)
def _debit_card_once(debit: CardDebit, fingerprint: str) -> Transfer | DomainError:
    row = sql.lock_card(debit.card_number, transfer_ids=[debit.transfer_id])
    if row is None:
        sql.lock_transfer_ids([debit.transfer_id])
        refusal = CardNotFound("카드를 찾을 수 없습니다.")
        return replay_or_refuse(debit.transfer_id, fingerprint, refusal)
    if row.is_transfer_id_used:
        # A repeat: its first outcome, before anything is checked or a PIN counted again.
        return replay(debit.transfer_id, fingerprint)
    try:
        check_card_usable(row.card)
        if debit.pin is not None:
            # A wrong PIN's counter is written here and kept with the refusal.
            check_pin(row.card, debit.pin)
        return _post(debit, row, fingerprint)
    except DomainError as error:
        return replay_or_refuse(debit.transfer_id, fingerprint, error)


def hold_on_card_together(
    debits: Sequence[CardDebit], *, requests: Sequence[dict[str, object]]
) -> list[Transfer]:
    """Write several holds on one card, all or none, with one lock, one UPDATE and one INSERT.

    In the caller's transaction (a purchase's), with no savepoint of its own: nothing is
    written before the one UPDATE has accepted every hold. The card is usable and needs no
    PIN (the caller authorised its holder); every hold within the per-transfer limit; the
    daily limit and the funds are decided for the sum, which is the same as deciding them
    hold after hold, since each check only gets harder as the amount grows. A refusal is
    recorded for every transfer id and raised; a repeat of the same holds returns the first
    ones (or raises their refusal); ids of which only some were used are TransferIdReused.
    """
    assert debits
    assert len(requests) == len(debits)
    assert transaction.get_connection().in_atomic_block
    first = debits[0]
    assert all(
        debit.kind == TransferKind.HOLD
        and debit.pin is None
        and debit.card_number == first.card_number
        and debit.timeout_seconds is not None
        for debit in debits
    )
    fingerprints = [fingerprint_request(request) for request in requests]
    transfer_ids = [debit.transfer_id for debit in debits]
    row = sql.lock_card(first.card_number, transfer_ids=transfer_ids)
    if row is None:
        sql.lock_transfer_ids(transfer_ids)
        refusal: DomainError = CardNotFound("카드를 찾을 수 없습니다.")
        return _replay_or_refuse_holds(debits, fingerprints, refusal)
    if row.is_transfer_id_used:
        return _replay_holds(debits, fingerprints)
    try:
        check_card_usable(row.card)
        for debit in debits:
            _check_debit(debit, row)
    except DomainError as error:
        return _replay_or_refuse_holds(debits, fingerprints, error)
    today = clock.local_today()
    account_id = row.card.ledger_account_id
    total_won = sum(debit.amount_won for debit in debits)
    credit_ids = [debit.credit_account_id for debit in debits]
    balance = sql.debit_card_account(
        account_id=account_id,
        amount_won=total_won,
        is_hold=True,
        today=today,
        daily_limit_won=settings.OKRYU_CARD_DAILY_LIMIT_WON,
        credit_account_ids=credit_ids,
        new_transfer_ids=transfer_ids,
    )
    if balance is None:  # Refused as a whole: nothing was written.
        refusal = _refusal(account_id, total_won, credit_ids, today)
        return _replay_or_refuse_holds(debits, fingerprints, refusal)
    assert balance.held_won >= 0
    assert balance.available_won >= 0
    return _write_holds(debits, fingerprints, row, balance)


def _replay_holds(
    debits: Sequence[CardDebit], fingerprints: list[str]
) -> list[Transfer]:
    firsts = [
        find_first_outcome(debit.transfer_id, fingerprint)
        for debit, fingerprint in zip(debits, fingerprints, strict=True)
    ]
    if any(first is None for first in firsts):
        raise TransferIdReused("이 이체 번호는 다른 이체에 이미 쓰였습니다.")
    return [first for first in firsts if first is not None]


def _replay_or_refuse_holds(
    debits: Sequence[CardDebit], fingerprints: list[str], refusal: DomainError
) -> list[Transfer]:
    # Used meanwhile (a concurrent attempt committed while this one awaited the locks)?
    if any(sql.find_first_outcome(debit.transfer_id) is not None for debit in debits):
        return _replay_holds(debits, fingerprints)
    for debit, fingerprint in zip(debits, fingerprints, strict=True):
        record_refusal(debit.transfer_id, fingerprint, refusal)
    raise refusal


def _write_holds(
    debits: Sequence[CardDebit],
    fingerprints: list[str],
    row: sql.CardRow,
    balance: sql.Balance,
) -> list[Transfer]:
    now = clock.now()
    # What was available right after each hold, as its SMS says when held one by one.
    available_after = []
    still_to_hold = 0
    for debit in reversed(debits):
        available_after.append(balance.available_won + still_to_hold)
        still_to_hold += debit.amount_won
    available_after.reverse()
    written: list[tuple[Transfer, list[tuple[str, str]], sql.Job | None]] = []
    for debit, fingerprint, available_won in zip(
        debits, fingerprints, available_after, strict=True
    ):
        assert debit.timeout_seconds is not None
        timeout_at = now + dt.timedelta(seconds=debit.timeout_seconds)
        transfer = Transfer(
            transfer_id=debit.transfer_id,
            fingerprint=fingerprint,
            kind=debit.kind,
            debit_account_id=row.card.ledger_account_id,
            credit_account_id=debit.credit_account_id,
            amount_won=debit.amount_won,
            reference=debit.reference,
            created_at=now,
            timeout_at=timeout_at,
        )
        body = card_sms_body(
            kind=debit.kind,
            is_debit=True,
            card_number=row.card.number,
            amount_won=debit.amount_won,
            available_won=available_won,
        )
        sms = [] if body is None or not debit.tells_holder else [(row.card.phone, body)]
        job = sql.Job(
            kind=EXPIRE_HOLD_JOB, payload={"hold": debit.transfer_id}, run_at=timeout_at
        )
        written.append((transfer, sms, job))
    sql.insert_transfers(written)
    return [transfer for transfer, _sms, _job in written]


def _check_debit(debit: CardDebit, row: sql.CardRow) -> None:
    """Raise the refusals of one debit that need no statement: its limit, its own account."""
    if not is_within_limits(
        amount_won=debit.amount_won,
        spent_today_won=0,
        transfer_limit_won=settings.OKRYU_CARD_TRANSFER_LIMIT_WON,
        daily_limit_won=settings.OKRYU_CARD_DAILY_LIMIT_WON,
    ):
        spent_before = row.spent_today_won if row.spent_on == clock.local_today() else 0
        raise OverCardLimit("카드 한도를 넘었습니다.", spent_today_won=spent_before)
    if debit.credit_account_id == row.card.ledger_account_id:
        raise InvalidInput(
            "보내는 계정과 받는 계정이 같습니다.", field="credit_account"
        )


def _post(debit: CardDebit, row: sql.CardRow, fingerprint: str) -> Transfer:
    _check_debit(debit, row)
    today = clock.local_today()
    account_id = row.card.ledger_account_id
    credit_id = debit.credit_account_id
    is_hold = debit.kind == TransferKind.HOLD
    credited: sql.CreditedAccount | None = None
    # Rows are locked in primary-key order, so a payment and a refund between the same two
    # accounts never deadlock on PostgreSQL. The first write also checks that the id is new.
    credit_first = not is_hold and credit_id < account_id
    if credit_first:
        credited = sql.credit_account(
            account_id=credit_id,
            amount_won=debit.amount_won,
            new_transfer_id=debit.transfer_id,
        )
        if credited is None:
            raise _refusal(account_id, debit.amount_won, [credit_id], today)
    balance = sql.debit_card_account(
        account_id=account_id,
        amount_won=debit.amount_won,
        is_hold=is_hold,
        today=today,
        daily_limit_won=settings.OKRYU_CARD_DAILY_LIMIT_WON,
        credit_account_ids=[] if credit_first else [credit_id],
        new_transfer_ids=[] if credit_first else [debit.transfer_id],
    )
    if balance is None:
        if credited is not None:
            # The exact inverse of the credit, so the refusal leaves every figure as it was.
            undone = sql.credit_account(
                account_id=credit_id, amount_won=-debit.amount_won
            )
            assert undone is not None
        raise _refusal(account_id, debit.amount_won, [credit_id], today)
    assert balance.held_won >= 0
    assert balance.available_won >= 0
    if not is_hold and not credit_first:
        credited = sql.credit_account(account_id=credit_id, amount_won=debit.amount_won)
        assert credited is not None, "the debit checked that the credit account exists"
    return _write(debit, row, fingerprint, balance, credited)


def _refusal(
    account_id: int, amount_won: int, credit_account_ids: list[int], today: dt.date
) -> DomainError:
    # Why the card's UPDATE refused, in the order the checks were always made: the daily
    # limit, the credit account, funds. (A used id is found by ``replay_or_refuse``.)
    diagnosis = sql.diagnose_card_debit(
        account_id=account_id,
        amount_won=amount_won,
        today=today,
        daily_limit_won=settings.OKRYU_CARD_DAILY_LIMIT_WON,
        credit_account_ids=credit_account_ids,
    )
    if diagnosis.is_over_daily_limit:
        return OverCardLimit(
            "카드 한도를 넘었습니다.", spent_today_won=diagnosis.spent_today_won
        )
    if not diagnosis.credit_exists:
        return InvalidInput("받는 계정이 없습니다.", field="credit_account")
    return InsufficientFunds("잔액이 부족합니다.")


def _write(
    debit: CardDebit,
    row: sql.CardRow,
    fingerprint: str,
    balance: sql.Balance,
    credited: sql.CreditedAccount | None,
) -> Transfer:
    now = clock.now()
    timeout_at = (
        now + dt.timedelta(seconds=debit.timeout_seconds)
        if debit.timeout_seconds is not None
        else None
    )
    transfer = Transfer(
        transfer_id=debit.transfer_id,
        fingerprint=fingerprint,
        kind=debit.kind,
        debit_account_id=row.card.ledger_account_id,
        credit_account_id=debit.credit_account_id,
        amount_won=debit.amount_won,
        reference=debit.reference,
        created_at=now,
        timeout_at=timeout_at,
    )
    messages = []
    body = card_sms_body(
        kind=debit.kind,
        is_debit=True,
        card_number=row.card.number,
        amount_won=debit.amount_won,
        available_won=balance.available_won,
    )
    if body is not None and debit.tells_holder:
        messages.append((row.card.phone, body))
    if credited is not None and credited.card_number and credited.card_phone:
        body = card_sms_body(
            kind=debit.kind,
            is_debit=False,
            card_number=credited.card_number,
            amount_won=debit.amount_won,
            available_won=credited.balance.available_won,
        )
        if body is not None:
            messages.append((credited.card_phone, body))
    job = None
    if timeout_at is not None:
        job = sql.Job(
            kind=EXPIRE_HOLD_JOB, payload={"hold": debit.transfer_id}, run_at=timeout_at
        )
    sql.insert_transfer(transfer, sms=messages, job=job)
    return transfer


def run_top_up(
    *, card_number: str, amount_won: int, transfer_id: str, request: dict[str, object]
) -> Transfer:
    """Credit ``amount_won`` from the bank's cash account to a card, once per transfer id.

    A blocked card may be topped up (the money is the holder's); an unknown card is refused.
    The first balance write checks that the id is new, so a new top-up needs no look-up.
    """
    fingerprint = fingerprint_request(request)
    return raise_if_refused(
        _top_up_once(card_number, amount_won, transfer_id, fingerprint)
    )


@service_transaction(durable=False)
def _top_up_once(
    card_number: str, amount_won: int, transfer_id: str, fingerprint: str
) -> Transfer | DomainError:
    row = sql.lock_card(card_number, transfer_ids=[transfer_id])
    if row is None:
        sql.lock_transfer_ids([transfer_id])
        refusal = CardNotFound("카드를 찾을 수 없습니다.")
        return replay_or_refuse(transfer_id, fingerprint, refusal)
    if row.is_transfer_id_used:
        return replay(transfer_id, fingerprint)
    bank_id = row.bank_account_id or open_bank_cash_account().pk
    card_account_id = row.card.ledger_account_id
    # Primary-key order; the first write also checks that the id is new.
    moves = sorted([(bank_id, -amount_won), (card_account_id, amount_won)])
    results: dict[int, sql.CreditedAccount] = {}
    for index, (account_id, change) in enumerate(moves):
        moved = sql.credit_account(
            account_id=account_id,
            amount_won=change,
            new_transfer_id=transfer_id if index == 0 else None,
        )
        if moved is None:
            # Both accounts exist: the id was used by an attempt committed meanwhile.
            return replay(transfer_id, fingerprint)
        results[account_id] = moved
    card = results[card_account_id]
    transfer = Transfer(
        transfer_id=transfer_id,
        fingerprint=fingerprint,
        kind=TransferKind.SINGLE,
        debit_account_id=bank_id,
        credit_account_id=card_account_id,
        amount_won=amount_won,
        created_at=clock.now(),
    )
    body = card_sms_body(
        kind=TransferKind.SINGLE,
        is_debit=False,
        card_number=row.card.number,
        amount_won=amount_won,
        available_won=card.balance.available_won,
    )
    assert body is not None
    sql.insert_transfer(transfer, sms=[(row.card.phone, body)])
    return transfer
