"""Record on each card the issuer's key version of its chip key and of its PIN record, and
accept PIN records in the keyed-MAC form beside the earlier Argon2id hashes.

Every card issued so far was made under the one issuer key there was, which is version 1.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("payments", "0002_count_daily_spending_on_accounts"),
    ]

    operations = [
        migrations.AddField(
            model_name="card",
            name="chip_key_version",
            field=models.PositiveSmallIntegerField(default=1),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="card",
            name="pin_key_version",
            field=models.PositiveSmallIntegerField(default=1),
            preserve_default=False,
        ),
        migrations.RemoveConstraint(
            model_name="card",
            name="card_pin_hash_is_argon2",
        ),
        migrations.AddConstraint(
            model_name="card",
            constraint=models.CheckConstraint(
                condition=models.Q(("pin_hash__startswith", "hmac-sha256$"), ("pin_hash__startswith", "$argon2"), _connector="OR"),
                name="card_pin_hash_form_known",
            ),
        ),
        migrations.AddConstraint(
            model_name="card",
            constraint=models.CheckConstraint(
                condition=models.Q(("chip_key_version__gte", 1), ("pin_key_version__gte", 1)),
                name="card_key_versions_positive",
            ),
        ),
    ]
