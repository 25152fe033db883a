"""Replace every job's plain confirmation code by a salt, a key version and a keyed MAC.

A plain code cannot be carried over (the new codes are derived from their salt), so each job
gets a new code; a job still to be handed over tells its shopper the new one by SMS.
"""

from django.db import migrations, models
from django.db.models.functions import Length
from django.db.models.lookups import Exact

OPEN_STATUSES = ("waiting", "assigned", "picked_up")
CODE_BODY = (
    "[옥류] 주문 {number}: 배달 확인 번호가 바뀌었습니다. 새 번호는 {{code}}입니다. "
    "물건을 받을 때 배달원에게 알려 주십시오."
)


def reissue_codes(apps, schema_editor):
    from okryu.notifications.secret_codes import new_secret_code  # noqa: PLC0415

    job_model = apps.get_model("delivery", "DeliveryJob")
    outbox = apps.get_model("notifications", "OutboxMessage")
    for job in job_model.objects.select_related("fulfilment__order").iterator():
        code = new_secret_code("delivery", digits=4)
        job.code_salt = code.salt
        job.code_key_version = code.key_version
        job.code_mac = code.mac_of(code.reveal())
        job.save(update_fields=["code_salt", "code_key_version", "code_mac"])
        order = job.fulfilment.order
        if job.status in OPEN_STATUSES and order.contact_phone:
            outbox.objects.create(
                phone=order.contact_phone,
                body=CODE_BODY.format(number=order.number),
                code_ref=code.ref,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("delivery", "0001_add_couriers_jobs_and_events"),
        ("notifications", "0003_add_outbox_message_code_ref"),
        ("orders", "0003_add_pay_at_the_door"),
    ]

    operations = [
        migrations.AddField(
            model_name="deliveryjob",
            name="code_salt",
            field=models.CharField(default="", max_length=32),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="deliveryjob",
            name="code_key_version",
            field=models.PositiveIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="deliveryjob",
            name="code_mac",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(reissue_codes, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="deliveryjob",
            name="job_confirmation_code_length",
        ),
        migrations.RemoveField(
            model_name="deliveryjob",
            name="confirmation_code",
        ),
        migrations.AddConstraint(
            model_name="deliveryjob",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    Exact(Length("code_salt"), 32), Exact(Length("code_mac"), 64)
                ),
                name="job_code_salt_and_mac_length",
            ),
        ),
    ]
