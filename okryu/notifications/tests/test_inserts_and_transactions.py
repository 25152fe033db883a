import datetime as dt

import pytest
from django.db import DataError, OperationalError, connection, transaction

from okryu.core import clock
from okryu.core.inserts import insert_together
from okryu.core.models import BackgroundJob, IdempotencyRecord
from okryu.core.transactions import service_transaction
from okryu.notifications.models import OutboxMessage
from okryu.notifications.outbox import new_sms

pytestmark = pytest.mark.django_db


def test_rows_of_several_models_inserted_together_are_stored_as_django_would_store_them():
    run_at = clock.now() + dt.timedelta(hours=1)
    jobs = [
        BackgroundJob(
            kind="orders.expire_fulfilment_hold", payload={"f": n}, run_at=run_at
        )
        for n in (1, 2)
    ]

    with transaction.atomic():
        insert_together(
            jobs,
            [],
            [new_sms(phone="010-1234-5678", body="안녕하십니까")],
            [
                IdempotencyRecord(
                    scope="s",
                    key="k",
                    fingerprint="f",
                    status_code=201,
                    response_body={"id": 7},
                )
            ],
        )

    stored = list(
        BackgroundJob.objects.order_by("pk").values_list(
            "kind", "payload", "status", "run_at", "attempts", "last_error"
        )
    )
    assert stored == [
        ("orders.expire_fulfilment_hold", {"f": 1}, "pending", run_at, 0, ""),
        ("orders.expire_fulfilment_hold", {"f": 2}, "pending", run_at, 0, ""),
    ]
    sms = OutboxMessage.objects.get()
    assert (sms.phone, sms.body, sms.status, sms.created_at is not None) == (
        "010-1234-5678",
        "안녕하십니까",
        "pending",
        True,
    )
    record = IdempotencyRecord.objects.get()
    assert (record.response_body, record.created_at is not None) == ({"id": 7}, True)


def test_a_text_longer_than_its_column_is_refused_not_cut():
    too_long = "s" * 101  # The scope's column holds 100 characters.
    record = IdempotencyRecord(
        scope=too_long, key="k", fingerprint="f", status_code=1, response_body={}
    )

    if connection.vendor == "postgresql":
        with pytest.raises(DataError), transaction.atomic():
            insert_together([record])
    else:  # SQLite's text columns keep any length: nothing is cut either.
        with transaction.atomic():
            insert_together([record])
        assert IdempotencyRecord.objects.get().scope == too_long


@pytest.mark.django_db(
    transaction=True
)  # Outermost: a retry needs its own transaction.
def test_a_service_transaction_is_run_again_while_sqlite_is_busy_and_only_then():
    calls = []

    @service_transaction(durable=True)
    def locked_twice(answer: str) -> str:
        calls.append(answer)
        if len(calls) < 3:
            message = "database is locked"
            raise OperationalError(message)
        return answer

    if connection.vendor == "sqlite":
        assert locked_twice("done") == "done"
        assert calls == ["done", "done", "done"]
    else:
        with pytest.raises(OperationalError):
            locked_twice("done")
        assert calls == ["done"]
