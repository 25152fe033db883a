"""The few hot statements of the ledger, in raw SQL that runs on SQLite (3.35+) and PostgreSQL.

Each transfer is a handful of statements, and Django's ORM spends more time building them than
the database spends running them; ``UPDATE … RETURNING`` also answers in one round trip what
the ORM would need a second read for. Everything else of the ledger goes through the ORM.

Parameters are always bound (``%s``), never formatted into the text; only table and column
names, which come from the models, are. Datetimes and dates go through
``connection.ops.adapt_*`` so SQLite stores them exactly as the ORM does (naive UTC text).
"""

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from okryu.core.jobs import job_insert_sql
from okryu.notifications.outbox import sms_insert_sql
from okryu.payments.ledger.accounts import BANK_CASH_OWNER
from okryu.payments.models import (
    Card,
    LedgerAccount,
    LedgerAccountKind,
    Transfer,
    TransferRefusal,
)

ACCOUNTS = LedgerAccount._meta.db_table
CARDS = Card._meta.db_table
TRANSFERS = Transfer._meta.db_table
REFUSALS = TransferRefusal._meta.db_table

CARD_COLUMNS = (
    "id",
    "number",
    "holder_id",
    "phone",
    "status",
    "blocked_reason",
    "expires_on",
    "chip_key_version",
    "pin_hash",
    "pin_key_version",
    "pin_failed_attempts",
    "ledger_account_id",
)


# Appended to the first write of a transfer, so the write itself says the id is new: one
# statement less than a separate look-up. Safe because the id is locked (PostgreSQL) or the
# whole database is (SQLite) before this statement takes its snapshot.
_ID_IS_NEW = (
    f" AND NOT EXISTS (SELECT 1 FROM {TRANSFERS} WHERE transfer_id = %s)"  # noqa: S608
    f" AND NOT EXISTS (SELECT 1 FROM {REFUSALS} WHERE transfer_id = %s)"
)


def is_postgresql() -> bool:
    """Tell whether the default connection is PostgreSQL (else SQLite)."""
    return connection.vendor == "postgresql"


def _date(value: dt.date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def _datetime(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def advisory_key(transfer_id: str) -> int:
    """Return the PostgreSQL advisory-lock key of a transfer id (64 bits of its SHA-256)."""
    digest = hashlib.sha256(transfer_id.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def lock_transfer_ids(transfer_ids: Sequence[str]) -> None:
    """Serialise concurrent attempts of these transfer ids until the transaction ends.

    PostgreSQL only, in key order: on SQLite the immediate transaction already holds the
    only write lock.
    """
    if is_postgresql():
        keys = _advisory_keys(transfer_ids)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT " + ", ".join(["pg_advisory_xact_lock(%s)"] * len(keys)), keys
            )


def _advisory_keys(transfer_ids: Sequence[str]) -> list[int]:
    assert transfer_ids
    return sorted({advisory_key(transfer_id) for transfer_id in transfer_ids})


@dataclass(frozen=True)
class FirstOutcome:
    """Where a transfer id was used before: a transfer (``is_refusal`` False) or a refusal."""

    is_refusal: bool
    pk: int
    fingerprint: str


def find_first_outcome(transfer_id: str) -> FirstOutcome | None:
    """Return the transfer or refusal already written for ``transfer_id``, in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 0, id, fingerprint FROM {TRANSFERS} WHERE transfer_id = %s "  # noqa: S608
            f"UNION ALL SELECT 1, id, fingerprint FROM {REFUSALS} WHERE transfer_id = %s",
            [transfer_id, transfer_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return FirstOutcome(is_refusal=bool(row[0]), pk=int(row[1]), fingerprint=row[2])


@dataclass(frozen=True)
class CardRow:
    """A card as read for a debit, with what its ledger account counted today.

    ``is_transfer_id_used``: one of the transfer ids the debit names has a transfer or a
    refusal already, so the debit is a repeat and its first outcome decides.
    """

    card: Card
    spent_on: dt.date | None
    spent_today_won: int
    bank_account_id: int | None
    is_transfer_id_used: bool


def lock_card(card_number: str, *, transfer_ids: Sequence[str]) -> CardRow | None:
    """Read the card (locked until the transaction ends on PostgreSQL) with its account's
    counter and whether ``transfer_ids`` were used; None when no card has the number.

    On PostgreSQL the same statement takes the transfer ids' advisory locks (in key order),
    so a debit costs one round trip less; when no card has the number, the caller takes
    those locks itself (``lock_transfer_ids``). The bank's cash account id (None before it
    is opened) comes along for top-ups. Whether an id was used is read in the statement's
    snapshot, which on PostgreSQL may predate an attempt of the same id that committed while
    the locks were awaited: the debit's first write checks that its ids are new again.
    """
    marks = ", ".join(["%s"] * len(transfer_ids))
    columns = ", ".join(f"c.{column}" for column in CARD_COLUMNS)
    columns += (
        f", a.spent_on, a.spent_today_won, (SELECT id FROM {ACCOUNTS} "  # noqa: S608
        f"WHERE kind = '{LedgerAccountKind.BANK_CASH.value}' "
        f"AND owner_reference = '{BANK_CASH_OWNER}'), "
        f"(SELECT COUNT(*) FROM {TRANSFERS} WHERE transfer_id IN ({marks})) "
        f"+ (SELECT COUNT(*) FROM {REFUSALS} WHERE transfer_id IN ({marks}))"
    )
    params: list[Any] = [*transfer_ids, *transfer_ids]
    tables = f"FROM {CARDS} c JOIN {ACCOUNTS} a ON a.id = c.ledger_account_id"
    if is_postgresql():
        keys = _advisory_keys(transfer_ids)
        locks = ", ".join(["pg_advisory_xact_lock(%s)"] * len(keys))
        statement = (
            f"SELECT {columns}, {locks} {tables} WHERE c.number = %s FOR UPDATE OF c"
        )
        params.extend(keys)
    else:
        statement = f"SELECT {columns} {tables} WHERE c.number = %s"
    params.append(card_number)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    if row is None:
        return None
    card = Card(**dict(zip(CARD_COLUMNS, row[: len(CARD_COLUMNS)], strict=True)))
    spent_on, spent_today_won, bank_id, used = row[
        len(CARD_COLUMNS) : len(CARD_COLUMNS) + 4
    ]
    if isinstance(spent_on, str):
        spent_on = dt.date.fromisoformat(spent_on)
    return CardRow(
        card=card,
        spent_on=spent_on,
        spent_today_won=int(spent_today_won),
        bank_account_id=None if bank_id is None else int(bank_id),
        is_transfer_id_used=bool(used),
    )


@dataclass(frozen=True)
class Balance:
    """An account's figures right after a statement changed them."""

    balance_won: int
    held_won: int

    @property
    def available_won(self) -> int:
        """Return the balance less pending holds."""
        return self.balance_won - self.held_won


def debit_card_account(  # noqa: PLR0913  (one statement, all its figures)
    *,
    account_id: int,
    amount_won: int,
    is_hold: bool,
    today: dt.date,
    daily_limit_won: int,
    credit_account_ids: Sequence[int],
    new_transfer_ids: Sequence[str],
) -> Balance | None:
    """Take ``amount_won`` from a card's available money and count it against today's limit.

    One conditional UPDATE decides the funds (balance less holds), the daily limit, that
    every one of ``credit_account_ids`` exists and that none of ``new_transfer_ids`` has a
    transfer or refusal yet; None means it refused and changed nothing. A hold raises
    ``held_won``; a single payment lowers ``balance_won``. Several holds at once pass their
    sum as ``amount_won`` and all their credit accounts and ids.
    """
    day = _date(today)
    moved, held = (0, amount_won) if is_hold else (amount_won, 0)
    sql = (
        f"UPDATE {ACCOUNTS} SET balance_won = balance_won - %s, "  # noqa: S608
        "held_won = held_won + %s, "
        "spent_today_won = CASE WHEN spent_on = %s THEN spent_today_won + %s ELSE %s END, "
        "spent_on = %s "
        "WHERE id = %s AND balance_won - held_won >= %s "
        "AND CASE WHEN spent_on = %s THEN spent_today_won ELSE 0 END + %s <= %s"
    )
    params: list[Any] = [
        moved,
        held,
        day,
        amount_won,
        amount_won,
        day,
        account_id,
        amount_won,
        day,
        amount_won,
        daily_limit_won,
    ]
    for credit_id in dict.fromkeys(credit_account_ids):
        sql += f" AND EXISTS (SELECT 1 FROM {ACCOUNTS} other WHERE other.id = %s)"  # noqa: S608
        params.append(credit_id)
    for new_id in new_transfer_ids:
        sql += _ID_IS_NEW
        params.extend([new_id, new_id])
    sql += " RETURNING balance_won, held_won"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else Balance(int(row[0]), int(row[1]))


@dataclass(frozen=True)
class CreditedAccount:
    """An account's figures after a credit, with its card's number and phone if it has one."""

    balance: Balance
    card_number: str | None
    card_phone: str | None


def credit_account(
    *, account_id: int, amount_won: int, new_transfer_id: str | None = None
) -> CreditedAccount | None:
    """Add ``amount_won`` to an account's balance; None when no account has that id.

    With ``new_transfer_id``, also None (and nothing changed) when that id was used before.
    """
    sql = f"UPDATE {ACCOUNTS} SET balance_won = balance_won + %s WHERE id = %s"  # noqa: S608
    params: list[Any] = [amount_won, account_id]
    if new_transfer_id is not None:
        sql += _ID_IS_NEW
        params.extend([new_transfer_id, new_transfer_id])
    sql += (
        " RETURNING balance_won, held_won, "  # noqa: S608  (names from the models)
        f"(SELECT number FROM {CARDS} WHERE ledger_account_id = {ACCOUNTS}.id), "
        f"(SELECT phone FROM {CARDS} WHERE ledger_account_id = {ACCOUNTS}.id)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    return CreditedAccount(Balance(int(row[0]), int(row[1])), row[2], row[3])


def release_hold(
    *, account_id: int, held_won: int, captured_won: int
) -> CreditedAccount:
    """Release a hold of ``held_won`` and take ``captured_won`` of it from the balance."""
    sql = (
        f"UPDATE {ACCOUNTS} SET held_won = held_won - %s, "  # noqa: S608
        "balance_won = balance_won - %s WHERE id = %s AND held_won >= %s "
        "RETURNING balance_won, held_won, "
        f"(SELECT number FROM {CARDS} WHERE ledger_account_id = {ACCOUNTS}.id), "
        f"(SELECT phone FROM {CARDS} WHERE ledger_account_id = {ACCOUNTS}.id)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [held_won, captured_won, account_id, held_won])
        row = cursor.fetchone()
    assert row is not None, (
        "a pending hold is always counted in its account's held amount"
    )
    return CreditedAccount(Balance(int(row[0]), int(row[1])), row[2], row[3])


@dataclass(frozen=True)
class DebitDiagnosis:
    """Why a card debit was refused, read after the refusal (nothing was changed)."""

    spent_today_won: int
    is_over_daily_limit: bool
    credit_exists: bool


def diagnose_card_debit(
    *,
    account_id: int,
    amount_won: int,
    today: dt.date,
    daily_limit_won: int,
    credit_account_ids: Sequence[int],
) -> DebitDiagnosis:
    """Read why ``debit_card_account`` refused: the daily limit, a credit account, or funds."""
    credit_ids = list(dict.fromkeys(credit_account_ids))
    marks = ", ".join(["%s"] * len(credit_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN spent_on = %s THEN spent_today_won ELSE 0 END, "  # noqa: S608
            f"(SELECT COUNT(*) FROM {ACCOUNTS} other WHERE other.id IN ({marks})) "
            f"FROM {ACCOUNTS} WHERE id = %s",
            [_date(today), *credit_ids, account_id],
        )
        row = cursor.fetchone()
    assert row is not None, "a card always has its ledger account"
    spent = int(row[0])
    return DebitDiagnosis(
        spent_today_won=spent,
        is_over_daily_limit=spent + amount_won > daily_limit_won,
        credit_exists=int(row[1]) == len(credit_ids),
    )


@dataclass(frozen=True)
class HoldRow:
    """A hold transfer as read for its resolution, and how it was resolved (if it was)."""

    pk: int
    amount_won: int
    debit_account_id: int
    credit_account_id: int
    reference: str
    is_past_timeout: bool
    resolved_as: str | None
    transfer_id_is_used: bool


def lock_and_read_hold(
    hold_transfer_id: str, *, now: dt.datetime, transfer_id: str
) -> HoldRow | None:
    """Lock ``transfer_id`` and return the hold named ``hold_transfer_id``, or None.

    With the hold come its resolution (if any) and whether ``transfer_id`` (the resolution's
    own id) has a transfer or refusal already, so a new resolution needs no separate look-up.
    On PostgreSQL the same statement takes the id's advisory lock (when no hold matches, the
    lock is taken by a second statement). What this read says about the id and the hold may
    predate a concurrent attempt that committed while the lock was awaited: the resolving
    INSERT (``insert_resolution``) checks both again, so such an attempt is never missed.
    """
    lock = ", pg_advisory_xact_lock(%s)" if is_postgresql() else ""
    params: list[Any] = [_datetime(now), transfer_id, transfer_id]
    if lock:
        params.append(advisory_key(transfer_id))
    params.append(hold_transfer_id)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT h.id, h.amount_won, h.debit_account_id, h.credit_account_id, "  # noqa: S608
            "h.reference, CASE WHEN h.timeout_at <= %s THEN 1 ELSE 0 END, "
            f"(SELECT r.kind FROM {TRANSFERS} r WHERE r.pending_id = h.id), "
            f"(SELECT COUNT(*) FROM {TRANSFERS} WHERE transfer_id = %s) "
            f"+ (SELECT COUNT(*) FROM {REFUSALS} WHERE transfer_id = %s){lock} "
            f"FROM {TRANSFERS} h WHERE h.transfer_id = %s AND h.kind = 'hold'",
            params,
        )
        row = cursor.fetchone()
    if row is None:
        lock_transfer_ids([transfer_id])
        return None
    return HoldRow(
        pk=int(row[0]),
        amount_won=int(row[1]),
        debit_account_id=int(row[2]),
        credit_account_id=int(row[3]),
        reference=row[4],
        is_past_timeout=bool(row[5]),
        resolved_as=row[6],
        transfer_id_is_used=bool(row[7]),
    )


def insert_resolution(transfer: Transfer) -> bool:
    """Insert the capture, void or expiry ``transfer`` of a hold; set its pk; tell if written.

    Not written (False) when the hold already has a resolution (the unique constraint on
    ``pending`` decides, even between racing workers) or when the transfer id was used by
    an attempt committed since ``lock_and_read_hold`` read: this statement's own snapshot is
    taken after the id's lock was granted.
    """
    assert transfer.created_at is not None
    assert transfer.pending_id is not None
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TRANSFERS} (transfer_id, fingerprint, kind, "  # noqa: S608
            "debit_account_id, credit_account_id, amount_won, pending_id, reference, "
            "created_at) SELECT %s, %s, %s, %s, %s, %s, %s, %s, %s "
            f"WHERE NOT EXISTS (SELECT 1 FROM {TRANSFERS} WHERE transfer_id = %s) "
            f"AND NOT EXISTS (SELECT 1 FROM {REFUSALS} WHERE transfer_id = %s) "
            "ON CONFLICT (pending_id) WHERE pending_id IS NOT NULL DO NOTHING "
            "RETURNING id",
            [
                transfer.transfer_id,
                transfer.fingerprint,
                transfer.kind,
                transfer.debit_account_id,
                transfer.credit_account_id,
                transfer.amount_won,
                transfer.pending_id,
                transfer.reference,
                _datetime(transfer.created_at),
                transfer.transfer_id,
                transfer.transfer_id,
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return False
    transfer.pk = int(row[0])
    transfer._state.adding = False
    transfer._state.db = connection.alias
    return True


def insert_sms(messages: list[tuple[str, str]], *, created_at: dt.datetime) -> None:
    """Queue SMS (phone, body) in the outbox in one INSERT, in the caller's transaction."""
    if messages:
        statement, params = sms_insert_sql(
            messages, created_at=_datetime(created_at), source=None
        )
        with connection.cursor() as cursor:
            cursor.execute(statement, params)


@dataclass(frozen=True)
class Job:
    """A background job to queue with a transfer."""

    kind: str
    payload: dict[str, Any]
    run_at: dt.datetime


Written = tuple[Transfer, list[tuple[str, str]], Job | None]


def insert_transfers(written: Sequence[Written]) -> None:
    """Insert new transfers made at one moment, each with its SMS (phone, body) and job; set
    their pks. Every transfer id must be new (the caller checked it).

    One statement on PostgreSQL (``insert_transfers_postgresql``), one INSERT per row on
    SQLite (``insert_transfers_sqlite``); the same rows, SMS in the order given, either way.
    """
    assert written
    created_at = written[0][0].created_at
    assert created_at is not None
    assert all(transfer.created_at == created_at for transfer, _sms, _job in written)
    if is_postgresql():
        insert_transfers_postgresql(written)
    else:
        insert_transfers_sqlite(written)


def insert_transfer(
    transfer: Transfer, *, sms: list[tuple[str, str]], job: Job | None = None
) -> None:
    """Insert one new transfer with its SMS and job (``insert_transfers``); set its pk."""
    insert_transfers([(transfer, sms, job)])


def insert_transfers_postgresql(written: Sequence[Written]) -> None:
    """Insert the transfers, their jobs and their SMS as data-modifying CTEs of one statement."""
    parts: list[str] = []
    params: list[Any] = []
    for index, (transfer, _sms, job) in enumerate(written):
        parts.append(f"t{index} AS ({_transfer_insert(transfer, params)})")
        if job is not None:
            job_sql, job_params = _job_insert(transfer, job, source=f"t{index}")
            parts.append(f"j{index} AS ({job_sql})")
            params.extend(job_params)
    messages = [message for _transfer, sms, _job in written for message in sms]
    if messages:
        sms_sql, sms_params = _sms_insert(written[0][0], messages)
        parts.append(f"s AS ({sms_sql})")
        params.extend(sms_params)
    selects = " UNION ALL ".join(
        f"SELECT {index} AS n, id FROM t{index}"  # noqa: S608
        for index in range(len(written))
    )
    with connection.cursor() as cursor:
        cursor.execute("WITH " + ", ".join(parts) + f" {selects}", params)
        rows = cursor.fetchall()
    assert len(rows) == len(written), "every transfer id was new"
    for index, pk in rows:
        _saved(written[int(index)][0], int(pk))


def insert_transfers_sqlite(written: Sequence[Written]) -> None:
    """Insert each transfer, then its SMS and its job, one statement each."""
    with connection.cursor() as cursor:
        for transfer, sms, job in written:
            params: list[Any] = []
            cursor.execute(_transfer_insert(transfer, params), params)
            row = cursor.fetchone()
            assert row is not None
            _saved(transfer, int(row[0]))
            if sms:
                cursor.execute(*_sms_insert(transfer, sms))
            if job is not None:
                cursor.execute(*_job_insert(transfer, job, source=None))


def _transfer_insert(transfer: Transfer, params: list[Any]) -> str:
    # The INSERT of one transfer, RETURNING its id; its values are appended to ``params``.
    assert transfer.created_at is not None
    columns = (
        "transfer_id, fingerprint, kind, debit_account_id, credit_account_id, amount_won, "
        "pending_id, refund_of_id, reference, created_at, timeout_at"
    )
    params.extend(
        [
            transfer.transfer_id,
            transfer.fingerprint,
            transfer.kind,
            transfer.debit_account_id,
            transfer.credit_account_id,
            transfer.amount_won,
            transfer.pending_id,
            transfer.refund_of_id,
            transfer.reference,
            _datetime(transfer.created_at),
            None if transfer.timeout_at is None else _datetime(transfer.timeout_at),
        ]
    )
    return (
        f"INSERT INTO {TRANSFERS} ({columns}) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id"
    )


def _sms_insert(
    transfer: Transfer, messages: list[tuple[str, str]]
) -> tuple[str, list[Any]]:
    assert transfer.created_at is not None
    return sms_insert_sql(
        messages, created_at=_datetime(transfer.created_at), source=None
    )


def _job_insert(
    transfer: Transfer, job: Job, *, source: str | None
) -> tuple[str, list[Any]]:
    assert transfer.created_at is not None
    return job_insert_sql(
        kind=job.kind,
        payload=job.payload,
        run_at=_datetime(job.run_at),
        created_at=_datetime(transfer.created_at),
        source=source,
    )


def _saved(transfer: Transfer, pk: int) -> None:
    transfer.pk = pk
    transfer._state.adding = False
    transfer._state.db = connection.alias
