"""A delivery's confirmation code lives in the shopper's SMS and screen, nowhere else: not in
a table (only a salt and a keyed MAC), not in ``dumpdata``, not in the log the default SMS
gateway writes. Unlocking a locked job gives it a new code, sent by SMS.
"""

import io
import logging

import pytest
from django.core.management import call_command
from django.db import connection

from okryu.accounts.models import Role
from okryu.delivery.errors import JobLocked, WrongConfirmationCode
from okryu.delivery.models import DeliveryJob
from okryu.delivery.services import dispatch, hand_over_job, pick_up_job, unlock_job
from okryu.delivery.tests.builders import Shop, make_courier
from okryu.delivery.tests.codes import make_codes_distinctive, occurs
from okryu.notifications.gateways import LogGateway, RecordingGateway
from okryu.notifications.models import OutboxMessage
from okryu.notifications.outbox import send_pending_sms
from okryu.orders.tests.builders import make_user_with_role

pytestmark = pytest.mark.django_db

ATTEMPTS_MAX = 5


@pytest.fixture
def distinctive_codes(monkeypatch):
    make_codes_distinctive(monkeypatch)


def _raw_tables() -> str:
    """Every row of every table, as the database returns it."""
    dump = io.StringIO()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                dump.write(repr(row))
    return dump.getvalue()


def _dumpdata() -> str:
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue()


def _picked_up_job() -> tuple[DeliveryJob, int]:
    shop = Shop()
    courier = make_courier()
    job = shop.ready_job()
    dispatch()
    pick_up_job(courier_user_id=courier.user_id, job_id=job.pk)
    job.refresh_from_db()
    return job, courier.user_id


def _lock(job: DeliveryJob, courier_user_id: int) -> None:
    wrong = f"{(int(job.confirmation_code) + 1) % 10_000:04d}"
    for _attempt in range(ATTEMPTS_MAX - 1):
        with pytest.raises(WrongConfirmationCode):
            hand_over_job(courier_user_id=courier_user_id, job_id=job.pk, code=wrong)
    with pytest.raises(JobLocked):
        hand_over_job(courier_user_id=courier_user_id, job_id=job.pk, code=wrong)


def test_a_known_code_is_in_no_log_no_table_and_no_dumpdata_but_reaches_the_phone(
    distinctive_codes, caplog
):
    job, courier_user_id = _picked_up_job()
    code = job.confirmation_code
    with caplog.at_level(logging.DEBUG):
        logged = send_pending_sms(gateway=LogGateway(), batch_size=50)
    phone = RecordingGateway()
    OutboxMessage.objects.update(status="pending", locked_until=None)
    send_pending_sms(gateway=phone, batch_size=50)
    delivered = hand_over_job(courier_user_id=courier_user_id, job_id=job.pk, code=code)

    assert logged.sent >= 1
    assert any(occurs(code, sms.body) for sms in phone.sent)
    assert any("****" in record.getMessage() for record in caplog.records)
    assert not any(occurs(code, record.getMessage()) for record in caplog.records)
    assert not occurs(code, caplog.text)
    assert not occurs(code, _raw_tables())
    assert not occurs(code, _dumpdata())
    assert delivered.status == "delivered"


def test_the_table_keeps_a_salt_and_a_mac_that_a_wrong_code_does_not_match():
    job, _courier = _picked_up_job()
    wrong = f"{(int(job.confirmation_code) + 1) % 10_000:04d}"

    assert len(job.code_salt) == 32
    assert len(job.code_mac) == 64
    assert job.is_confirmed_by(job.confirmation_code)
    assert not job.is_confirmed_by(wrong)
    assert job.code_mac == job.secret_code.mac_of(job.confirmation_code)


def test_a_code_depends_on_the_issuer_key_which_the_database_does_not_hold(settings):
    job, _courier = _picked_up_job()
    code = job.confirmation_code

    settings.OKRYU_CARD_ISSUER_KEYS = {
        job.code_key_version: "another-issuer-key-of-enough-length-0123456789"
    }

    assert not job.is_confirmed_by(code)


def test_unlocking_a_locked_job_issues_a_new_code_by_sms_and_the_old_one_stops_working(
    distinctive_codes,
):
    job, courier_user_id = _picked_up_job()
    old_code, old_salt = job.confirmation_code, job.code_salt
    _lock(job, courier_user_id)
    sms_before = OutboxMessage.objects.count()

    unlock_job(operator_user_id=make_user_with_role(Role.OPERATOR).pk, job_id=job.pk)
    job.refresh_from_db()
    new_code = job.confirmation_code
    last_sms = OutboxMessage.objects.order_by("-pk").first()
    phone = RecordingGateway()
    send_pending_sms(gateway=phone, batch_size=50)

    assert OutboxMessage.objects.count() == sms_before + 1
    assert last_sms is not None
    assert last_sms.code_ref == job.secret_code.ref
    assert job.code_salt != old_salt
    assert any(occurs(new_code, sms.body) for sms in phone.sent[-1:])
    assert new_code != old_code
    with pytest.raises(WrongConfirmationCode):
        hand_over_job(courier_user_id=courier_user_id, job_id=job.pk, code=old_code)
    delivered = hand_over_job(
        courier_user_id=courier_user_id, job_id=job.pk, code=new_code
    )
    assert delivered.status == "delivered"
