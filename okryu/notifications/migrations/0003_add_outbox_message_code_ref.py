from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_outbox_message_send_after"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="code_ref",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=80
            ),
        ),
    ]
