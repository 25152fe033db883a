"""The service transaction: a refusal returned commits what led to it, one raised undoes it,
and only an outermost transaction is retried: on a busy SQLite, and on PostgreSQL when a
deadlock ended it."""

import threading

import pytest
from django.db import OperationalError, connection, connections, models, transaction

from okryu.core.errors import InvalidInput
from okryu.core.models import IdempotencyRecord
from okryu.core.transactions import (
    SQLITE_BUSY_RETRIES_MAX,
    raise_if_refused,
    service_transaction,
)

# Outermost: each service transaction here commits or rolls back for real.
pytestmark = pytest.mark.django_db(transaction=True)


def _write_a_row(key: str) -> None:
    IdempotencyRecord.objects.create(
        scope="test", key=key, fingerprint="f", status_code=409, response_body={}
    )


@service_transaction(durable=True)
def _count_then_refuse(key: str) -> int | InvalidInput:
    _write_a_row(key)
    return InvalidInput("refused", field="code")


@service_transaction(durable=True)
def _count_then_raise(key: str) -> int:
    _write_a_row(key)
    raise InvalidInput("refused", field="code")


def test_a_refusal_returned_from_the_transaction_is_raised_after_its_writes_commit():
    with pytest.raises(InvalidInput) as refusal:
        raise_if_refused(_count_then_refuse("returned"))

    assert refusal.value.extra == {"field": "code"}
    assert IdempotencyRecord.objects.filter(key="returned").count() == 1


def test_a_refusal_raised_inside_the_transaction_undoes_its_writes():
    with pytest.raises(InvalidInput):
        _count_then_raise("raised")

    assert IdempotencyRecord.objects.filter(key="raised").count() == 0


def test_an_outcome_that_is_no_refusal_is_handed_back_unchanged():
    outcome = {"id": 7}

    assert raise_if_refused(outcome) is outcome


def test_a_service_transaction_inside_a_callers_transaction_is_left_to_the_caller():
    calls = []

    @service_transaction(durable=False)
    def locked() -> str:
        calls.append(1)
        message = "database is locked"
        raise OperationalError(message)

    # Inside a caller's transaction only the caller can start again from the beginning.
    with pytest.raises(OperationalError), transaction.atomic():
        locked()

    assert calls == [1]
    outermost_attempts = SQLITE_BUSY_RETRIES_MAX if connection.vendor == "sqlite" else 1
    calls.clear()
    with pytest.raises(OperationalError):
        locked()
    assert len(calls) == outermost_attempts


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite lets one writer in at a time"
)
def test_two_services_locking_the_same_rows_in_opposite_orders_both_commit_on_postgresql():
    """PostgreSQL ends one of two transactions waiting on each other; it is run again."""
    first, second = (
        IdempotencyRecord.objects.create(
            scope="test", key=key, fingerprint="f", status_code=200, response_body={}
        ).pk
        for key in ("first", "second")
    )
    both_hold_one_row = threading.Barrier(2, timeout=10)
    attempts: list[str] = []

    @service_transaction(durable=True)
    def lock_both(name: str, one: int, other: int) -> None:
        attempts.append(name)
        list(IdempotencyRecord.objects.select_for_update().filter(pk=one))
        if len(attempts) <= 2:  # Only the two first attempts meet here, not a retry.
            both_hold_one_row.wait()
        list(IdempotencyRecord.objects.select_for_update().filter(pk=other))
        IdempotencyRecord.objects.filter(pk__in=(one, other)).update(
            status_code=models.F("status_code") + 1
        )

    errors: list[Exception] = []

    def run(name: str, one: int, other: int) -> None:
        try:
            lock_both(name, one, other)
        except Exception as error:  # noqa: BLE001  (reported to the test's thread below)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=("a", first, second)),
        threading.Thread(target=run, args=("b", second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert (
        len(attempts) == 3
    )  # One of the two was ended by the deadlock, and ran again.
    assert set(
        IdempotencyRecord.objects.filter(pk__in=(first, second)).values_list(
            "status_code", flat=True
        )
    ) == {202}
