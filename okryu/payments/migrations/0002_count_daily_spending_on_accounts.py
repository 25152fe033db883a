"""Keep each card account's spending of the day on its row, filled from today's transfers."""

import datetime as dt
from typing import Any

from django.db import migrations, models
from django.db.models import Sum

from okryu.core import clock


def count_todays_spending(apps: Any, schema_editor: Any) -> None:
    # Card debits already made today still count against today's limit after the switch from
    # a SUM over the day's transfers to the counter.
    transfer_model = apps.get_model("payments", "Transfer")
    account_model = apps.get_model("payments", "LedgerAccount")
    today = clock.local_today()
    day_start = dt.datetime.combine(today, dt.time(), tzinfo=clock.PYONGYANG)
    spent = (
        transfer_model.objects.filter(
            debit_account__kind="shopper",
            kind__in=["single", "hold"],
            created_at__gte=day_start,
        )
        .values_list("debit_account")
        .annotate(total=Sum("amount_won"))
    )
    for account_id, total in spent:
        account_model.objects.filter(pk=account_id).update(
            spent_on=today, spent_today_won=total
        )


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_add_ledger_cards_chip_and_qr"),
    ]

    operations = [
        migrations.AddField(
            model_name="ledgeraccount",
            name="spent_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="ledgeraccount",
            name="spent_today_won",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddConstraint(
            model_name="ledgeraccount",
            constraint=models.CheckConstraint(
                condition=models.Q(("spent_today_won__gte", 0)),
                name="ledger_account_spent_not_negative",
            ),
        ),
        migrations.RunPython(count_todays_spending, migrations.RunPython.noop),
    ]
