"""The journal's data migration: each card issued before the journal gets one ``issued`` line."""

import pytest
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("payments", "0005_add_card_events")]
AFTER = [("payments", "0006_backfill_card_issued_events")]


def _migrate(targets: list[tuple[str, str]]) -> Apps:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_each_card_issued_before_the_journal_gets_one_issued_line_dated_when_it_was_made():
    apps = _migrate(BEFORE)
    user_model = apps.get_model("accounts", "User")
    account_model = apps.get_model("payments", "LedgerAccount")
    card_model = apps.get_model("payments", "Card")
    holder = user_model.objects.create(username="old-holder", display_name="old")
    cards = [
        card_model.objects.create(
            number=number,
            holder=holder,
            phone="191-234-5601",
            expires_on="2030-01-01",
            chip_key_version=1,
            pin_hash="hmac-sha256$unused",
            pin_key_version=1,
            issue_reason=reason,
            ledger_account=account_model.objects.create(
                kind="shopper", owner_reference=f"card:{number}"
            ),
        )
        for number, reason in [("9410000000000013", ""), ("9410000000000021", "spare")]
    ]

    apps = _migrate(AFTER)

    events = apps.get_model("payments", "CardEvent").objects.order_by("card_id")
    assert [
        (event.card_id, event.kind, event.actor_id, event.reason, event.at)
        for event in events
    ] == [
        (card.pk, "issued", None, card.issue_reason, card.created_at) for card in cards
    ]
