"""The hot path of money leaving a card: a single payment or a hold, in a few statements.

On PostgreSQL a debit is: the card row locked together with the transfer id's advisory lock;
the id's first outcome looked up; one conditional UPDATE of the card's account that decides
funds and the daily limit at once (and that the credit account exists); the credit; the
transfer with its SMS (and a hold's expiry job) in one INSERT. SQLite runs the same steps as
separate statements inside its immediate (whole-database) transaction.

No savepoint: every refusal is known before the first write of the money, or the one write
already made (a credit applied first, for the primary-key lock order) is undone by its exact
inverse in the same transaction before the refusal is recorded.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from okryu.core import clock
from okryu.core.errors import DomainError, InvalidInput
from okryu.core.idempotency import fingerprint_request
from okryu.core.transactions import retry_when_sqlite_is_busy
from okryu.payments.cards import check_card_usable, check_pin
from okryu.payments.errors import CardNotFound, InsufficientFunds, OverCardLimit
from okryu.payments.ledger import sql
from okryu.payments.ledger.accounts import open_bank_cash_account
from okryu.payments.ledger.engine import find_first_outcome, record_refusal
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


def run_card_debit(debit: CardDebit, *, request: dict[str, object]) -> Transfer:
    """Run the debit once for its transfer id; replay its first outcome after."""
    assert debit.kind in (TransferKind.SINGLE, TransferKind.HOLD)
    fingerprint = fingerprint_request(request)
    return retry_when_sqlite_is_busy(lambda: _run_once(debit, fingerprint))


def _run_once(debit: CardDebit, fingerprint: str) -> Transfer:
    refusal: DomainError
    with transaction.atomic():
        row = sql.lock_card(debit.card_number, transfer_id=debit.transfer_id)
        if row is None:
            sql.lock_transfer_id(debit.transfer_id)
        # The common case (a usable card, no PIN to count) skips the look-up of the id: the
        # first write checks that the id is new, and any refusal looks it up before it is
        # recorded. Otherwise the first outcome is looked up before anything is checked.
        folded = row is not None and debit.pin is None and _is_usable(row)
        if not folded:
            first = find_first_outcome(debit.transfer_id, fingerprint)
            if first is not None:
                return first
        try:
            if row is None:
                raise CardNotFound("카드를 찾을 수 없습니다.")
            check_card_usable(row.card)
            if debit.pin is not None:
                # A wrong PIN's counter is written here and kept with the refusal.
                check_pin(row.card, debit.pin)
            transfer = _post(debit, row, fingerprint, folded=folded)
        except DomainError as error:
            if folded:
                first = find_first_outcome(debit.transfer_id, fingerprint)
                if first is not None:
                    return first
            record_refusal(debit.transfer_id, fingerprint, error)
            refusal = error
        else:
            return transfer
    raise refusal


def run_card_holds(
    debits: Sequence[CardDebit], *, requests: Sequence[dict[str, object]]
) -> list[Transfer] | None:
    """Write several holds on one card with one lock, one UPDATE and one INSERT.

    For the common case only: a usable card, no PIN, new transfer ids, enough money within
    the limits for all of them. Otherwise nothing is written and None is returned, so the
    caller runs each through ``run_card_debit`` (which refuses and replays precisely).
    Funds and the daily limit checked for the sum are the same as checked hold after hold,
    since each check only gets harder as the amount grows.
    """
    assert debits
    assert len(requests) == len(debits)
    first = debits[0]
    assert all(
        debit.kind == TransferKind.HOLD
        and debit.pin is None
        and debit.card_number == first.card_number
        and debit.timeout_seconds is not None
        for debit in debits
    )
    fingerprints = [fingerprint_request(request) for request in requests]
    return retry_when_sqlite_is_busy(lambda: _holds_once(debits, fingerprints))


def _holds_once(
    debits: Sequence[CardDebit], fingerprints: list[str]
) -> list[Transfer] | None:
    # No savepoint: nothing is written before the UPDATE has accepted every hold, so the
    # uncommon case returns None having changed nothing (the locks taken are kept, as the
    # one-by-one path takes them again anyway).
    with transaction.atomic(savepoint=False):
        row = sql.lock_card(
            debits[0].card_number,
            transfer_id=debits[0].transfer_id,
            more_transfer_ids=[debit.transfer_id for debit in debits[1:]],
        )
        if row is None or not _is_usable(row):
            return None
        account_id = row.card.ledger_account_id
        for debit in debits:
            if debit.credit_account_id == account_id or not is_within_limits(
                amount_won=debit.amount_won,
                spent_today_won=0,
                transfer_limit_won=settings.OKRYU_CARD_TRANSFER_LIMIT_WON,
                daily_limit_won=settings.OKRYU_CARD_DAILY_LIMIT_WON,
            ):
                return None
        balance = sql.debit_card_account(
            account_id=account_id,
            amount_won=sum(debit.amount_won for debit in debits),
            is_hold=True,
            today=clock.local_today(),
            daily_limit_won=settings.OKRYU_CARD_DAILY_LIMIT_WON,
            credit_account_id=None,
            more_credit_account_ids=[debit.credit_account_id for debit in debits],
            more_new_transfer_ids=[debit.transfer_id for debit in debits],
        )
        if balance is None:
            return None  # Nothing was written: the UPDATE refused as a whole.
        assert balance.held_won >= 0
        assert balance.available_won >= 0
        return _write_holds(debits, fingerprints, row, balance)


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


def _is_usable(row: sql.CardRow) -> bool:
    try:
        check_card_usable(row.card)
    except DomainError:
        return False
    return True


def _post(
    debit: CardDebit, row: sql.CardRow, fingerprint: str, *, folded: bool
) -> Transfer:
    today = clock.local_today()
    daily_limit = settings.OKRYU_CARD_DAILY_LIMIT_WON
    spent_before = row.spent_today_won if row.spent_on == today else 0
    if not is_within_limits(
        amount_won=debit.amount_won,
        spent_today_won=0,
        transfer_limit_won=settings.OKRYU_CARD_TRANSFER_LIMIT_WON,
        daily_limit_won=daily_limit,
    ):
        raise OverCardLimit("카드 한도를 넘었습니다.", spent_today_won=spent_before)
    account_id = row.card.ledger_account_id
    credit_id = debit.credit_account_id
    if credit_id == account_id:
        raise InvalidInput(
            "보내는 계정과 받는 계정이 같습니다.", field="credit_account"
        )
    is_hold = debit.kind == TransferKind.HOLD
    credited: sql.CreditedAccount | None = None
    # Rows are locked in primary-key order, so a payment and a refund between the same two
    # accounts never deadlock on PostgreSQL.
    credit_first = not is_hold and credit_id < account_id
    new_id = debit.transfer_id if folded else None
    if credit_first:
        credited = sql.credit_account(
            account_id=credit_id, amount_won=debit.amount_won, new_transfer_id=new_id
        )
        if credited is None:
            raise _refusal(debit, account_id, today)
    balance = sql.debit_card_account(
        account_id=account_id,
        amount_won=debit.amount_won,
        is_hold=is_hold,
        today=today,
        daily_limit_won=daily_limit,
        credit_account_id=None if credit_first else credit_id,
        new_transfer_id=None if credit_first else new_id,
    )
    if balance is None:
        if credited is not None:
            # The exact inverse of the credit, so the refusal leaves every figure as it was.
            undone = sql.credit_account(
                account_id=credit_id, amount_won=-debit.amount_won
            )
            assert undone is not None
        raise _refusal(debit, account_id, today)
    assert balance.held_won >= 0
    assert balance.available_won >= 0
    if not is_hold and not credit_first:
        credited = sql.credit_account(account_id=credit_id, amount_won=debit.amount_won)
        assert credited is not None, "the debit checked that the credit account exists"
    return _write(debit, row, fingerprint, balance, credited)


def _refusal(debit: CardDebit, account_id: int, today: dt.date) -> DomainError:
    # In the order the checks were always made: the daily limit, the credit account, funds.
    diagnosis = sql.diagnose_card_debit(
        account_id=account_id,
        amount_won=debit.amount_won,
        today=today,
        daily_limit_won=settings.OKRYU_CARD_DAILY_LIMIT_WON,
        credit_account_id=debit.credit_account_id,
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
    written = sql.insert_transfer(transfer, sms=messages, job=job)
    assert written
    return transfer


def run_top_up(
    *, card_number: str, amount_won: int, transfer_id: str, request: dict[str, object]
) -> Transfer:
    """Credit ``amount_won`` from the bank's cash account to a card, once per transfer id.

    A blocked card may be topped up (the money is the holder's); an unknown card is refused.
    The first balance write checks that the id is new, so a new top-up needs no look-up.
    """
    fingerprint = fingerprint_request(request)
    return retry_when_sqlite_is_busy(
        lambda: _top_up_once(card_number, amount_won, transfer_id, fingerprint)
    )


def _top_up_once(
    card_number: str, amount_won: int, transfer_id: str, fingerprint: str
) -> Transfer:
    with transaction.atomic():
        row = sql.lock_card(card_number, transfer_id=transfer_id)
        if row is None:
            sql.lock_transfer_id(transfer_id)
            first = find_first_outcome(transfer_id, fingerprint)
            if first is not None:
                return first
            refusal = CardNotFound("카드를 찾을 수 없습니다.")
            record_refusal(transfer_id, fingerprint, refusal)
        else:
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
                    first = find_first_outcome(transfer_id, fingerprint)
                    assert first is not None, "both accounts exist: the id was used"
                    return first
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
            written = sql.insert_transfer(transfer, sms=[(row.card.phone, body)])
            assert written
            return transfer
    raise refusal
