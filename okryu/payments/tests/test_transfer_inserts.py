"""The ledger's transfer INSERT: one statement on PostgreSQL, one per row on SQLite, and the
same rows either way. Both databases run these tests with the same inputs; each compares
every column of the transfers handed back with the rows stored, and the SMS and jobs."""

import datetime as dt

import pytest
from django.db import connection

from okryu.core import clock
from okryu.core.models import BackgroundJob
from okryu.notifications.models import OutboxMessage
from okryu.payments.ledger import sql
from okryu.payments.models import Transfer, TransferKind
from okryu.payments.tests.builders import make_merchant_account

pytestmark = pytest.mark.django_db

EXPIRE_HOLD_JOB = "payments.expire_hold"


def _written(
    count: int, *, debit_id: int, credit_id: int
) -> list[tuple[Transfer, list[tuple[str, str]], sql.Job | None]]:
    now = clock.now()
    written = []
    for index in range(count):
        timeout_at = now + dt.timedelta(minutes=30 + index)
        transfer = Transfer(
            transfer_id=f"h{index}",
            fingerprint=f"f{index}",
            kind=TransferKind.HOLD,
            debit_account_id=debit_id,
            credit_account_id=credit_id,
            amount_won=1_000 * (index + 1),
            reference="order-1",
            created_at=now,
            timeout_at=timeout_at,
        )
        # The middle transfer tells nobody and the last has no job: every shape once.
        sms = [] if index == 1 else [(f"010-0000-000{index}", f"message {index}")]
        job = (
            None
            if index == count - 1 and count > 1
            else sql.Job(
                kind=EXPIRE_HOLD_JOB, payload={"hold": f"h{index}"}, run_at=timeout_at
            )
        )
        written.append((transfer, sms, job))
    return written


def _columns(transfer: Transfer) -> dict[str, object]:
    return {
        field.attname: getattr(transfer, field.attname)
        for field in Transfer._meta.concrete_fields
    }


@pytest.mark.parametrize("count", [1, 3], ids=["one transfer", "three transfers"])
def test_transfers_inserted_together_are_stored_as_handed_back_column_by_column(
    count, django_assert_num_queries
):
    debit = make_merchant_account("merchant:debit")
    credit = make_merchant_account("merchant:credit")
    written = _written(count, debit_id=debit.pk, credit_id=credit.pk)
    # SQLite: each transfer, its SMS and its job, one INSERT each.
    statements = 1 if connection.vendor == "postgresql" else {1: 3, 3: 7}[count]

    with django_assert_num_queries(statements):
        sql.insert_transfers(written)

    handed_back = [transfer for transfer, _sms, _job in written]
    stored = list(Transfer.objects.filter(reference="order-1").order_by("pk"))
    assert [_columns(transfer) for transfer in handed_back] == [
        _columns(transfer) for transfer in stored
    ]
    assert [transfer._state.adding for transfer in handed_back] == [False] * count
    assert list(OutboxMessage.objects.order_by("pk").values_list("phone", "body")) == [
        message for _transfer, sms, _job in written for message in sms
    ]
    assert list(
        BackgroundJob.objects.filter(kind=EXPIRE_HOLD_JOB)
        .order_by("payload__hold")
        .values_list("payload", "run_at")
    ) == [
        (job.payload, job.run_at) for _transfer, _sms, job in written if job is not None
    ]
