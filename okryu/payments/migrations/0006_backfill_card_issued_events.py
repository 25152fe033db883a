"""Write one ``issued`` event for each card issued before the journal (a data migration).

Who issued them was never recorded, so the actor is null; the event is dated when the card
was made. The reverse leaves the rows: removing the table (0005's reverse) removes them.
"""

from django.db import migrations

BATCH_SIZE = 2000


def write_issued_events(apps, schema_editor):
    card_model = apps.get_model("payments", "Card")
    event_model = apps.get_model("payments", "CardEvent")
    last_id = 0
    while True:
        batch = list(
            card_model.objects.filter(id__gt=last_id, events__isnull=True)
            .order_by("id")
            .values_list("id", "created_at", "issue_reason")[:BATCH_SIZE]
        )
        if not batch:
            return
        event_model.objects.bulk_create(
            event_model(
                card_id=card_id,
                kind="issued",
                actor=None,
                reason=issue_reason,
                at=created_at,
            )
            for card_id, created_at, issue_reason in batch
        )
        last_id = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0005_add_card_events"),
    ]

    operations = [
        migrations.RunPython(write_issued_events, migrations.RunPython.noop),
    ]
