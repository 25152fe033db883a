"""A card's journal: each issue, block, unblock and PIN reset leaves one line naming who did it.

At the counter the line names the teller and commits with the action; a refused action leaves
no line and changes nothing. What the issuer does on its own (a clone detected, a debt at the
door) names nobody and says why.
"""

import datetime as dt
from typing import Any

import pytest
import time_machine

from okryu.accounts.models import Role
from okryu.core.errors import DomainError
from okryu.notifications.models import OutboxMessage
from okryu.payments.cards import block_card_for_debt, issue_card
from okryu.payments.chip import SoftwareCard, SoftwareTerminal, issuer_card_key
from okryu.payments.counter import list_card_events_of_day
from okryu.payments.counter_services import (
    block_card_at_counter,
    issue_card_at_counter,
    reset_pin_at_counter,
    unblock_card_at_counter,
)
from okryu.payments.errors import CardCloned
from okryu.payments.models import Card, CardEvent
from okryu.payments.queries import list_card_events_page
from okryu.payments.tests.builders import TEST_PIN, funded_card, make_holder
from okryu.payments.tests.counter_controls_support import counter_state, make_staff

pytestmark = pytest.mark.django_db

PHONE = "191-234-5601"
UNKNOWN_CARD = "9410000000000013"


@pytest.fixture
def teller(db):
    return make_staff(Role.TELLER, name="teller-kim")


@pytest.fixture
def card(holder):
    return issue_card(holder=holder, phone=PHONE, pin=TEST_PIN)


def _journal(card: Card) -> list[tuple[str, str | None, str]]:
    """The card's journal, newest first, as (kind, actor's login or None, reason)."""
    return [
        (event.kind, event.actor.username if event.actor else None, event.reason)
        for event in CardEvent.objects.filter(card=card).order_by("-at", "-id")
    ]


def _everything() -> dict[str, Any]:
    """What a refused counter action must leave as it was: money, cards, journal, SMS."""
    return {
        **counter_state(),
        "cards": list(
            Card.objects.order_by("pk").values_list(
                "pk", "status", "blocked_reason", "pin_hash", "pin_failed_attempts"
            )
        ),
        "events": CardEvent.objects.count(),
        "sms": OutboxMessage.objects.count(),
    }


def _refused(code: str, action, **arguments) -> None:
    before = _everything()
    with pytest.raises(DomainError) as caught:
        action(**arguments)
    assert caught.value.code == code, caught.value
    assert _everything() == before


# At the counter: one line per action, naming the teller.


def test_a_card_issued_at_the_counter_is_journalled_as_issued_by_the_teller(
    teller, holder
):
    card = issue_card_at_counter(
        teller=teller, holder=holder, phone=PHONE, pin=TEST_PIN
    )

    assert _journal(card) == [("issued", "teller-kim", "")]


def test_a_second_card_is_journalled_with_its_reason(teller, holder, card):
    second = issue_card_at_counter(
        teller=teller, holder=holder, phone=PHONE, pin=TEST_PIN, reason="분실 후 재발급"
    )

    assert _journal(second) == [("issued", "teller-kim", "분실 후 재발급")]


def test_a_block_at_the_counter_is_journalled_with_the_teller_and_the_reason(
    teller, card
):
    block_card_at_counter(teller=teller, card_number=card.number, reason="stolen")

    assert _journal(card) == [("blocked", "teller-kim", "stolen"), ("issued", None, "")]


def test_an_unblock_at_the_counter_is_journalled_with_the_teller(teller, card):
    block_card_at_counter(teller=teller, card_number=card.number, reason="lost")
    other = make_staff(Role.TELLER, name="teller-ri")

    unblock_card_at_counter(teller=other, card_number=card.number)

    assert _journal(card)[:2] == [
        ("unblocked", "teller-ri", ""),
        ("blocked", "teller-kim", "lost"),
    ]


def test_unblocking_a_card_that_is_not_blocked_changes_nothing_and_journals_nothing(
    teller, card
):
    unblock_card_at_counter(teller=teller, card_number=card.number)

    assert _journal(card) == [("issued", None, "")]


def test_a_pin_reset_at_the_counter_names_the_teller_who_did_it(teller, card):
    sent_before = OutboxMessage.objects.count()

    reset_pin_at_counter(teller=teller, card_number=card.number, new_pin="9999")

    assert _journal(card) == [("pin_reset", "teller-kim", ""), ("issued", None, "")]
    assert OutboxMessage.objects.count() == sent_before + 1


def test_the_journal_line_is_dated_by_the_clock(teller, card):
    moment = dt.datetime(2026, 5, 1, 9, 30, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False):
        reset_pin_at_counter(teller=teller, card_number=card.number, new_pin="9999")

    assert CardEvent.objects.get(card=card, kind="pin_reset").at == moment


# Refused at the counter: no line, nothing changed.


@pytest.mark.parametrize(
    ("action", "arguments"),
    [
        pytest.param(block_card_at_counter, {"reason": "lost"}, id="block"),
        pytest.param(unblock_card_at_counter, {}, id="unblock"),
        pytest.param(reset_pin_at_counter, {"new_pin": "9999"}, id="pin-reset"),
    ],
)
def test_an_action_on_the_tellers_own_card_is_refused_and_journals_nothing(
    teller, action, arguments
):
    own = issue_card(holder=teller, phone=PHONE, pin=TEST_PIN)

    _refused("own_card", action, teller=teller, card_number=own.number, **arguments)


@pytest.mark.parametrize(
    ("action", "arguments"),
    [
        pytest.param(block_card_at_counter, {"reason": "lost"}, id="block"),
        pytest.param(unblock_card_at_counter, {}, id="unblock"),
        pytest.param(reset_pin_at_counter, {"new_pin": "9999"}, id="pin-reset"),
    ],
)
def test_an_action_on_an_unknown_card_is_refused_and_journals_nothing(
    teller, card, action, arguments
):
    _refused(
        "card_not_found", action, teller=teller, card_number=UNKNOWN_CARD, **arguments
    )


def test_issuing_to_oneself_is_refused_and_journals_nothing(teller):
    _refused(
        "own_card",
        issue_card_at_counter,
        teller=teller,
        holder=teller,
        phone=PHONE,
        pin=TEST_PIN,
        reason="spare",
    )


def test_a_second_card_without_a_reason_is_refused_and_journals_nothing(
    teller, holder, card
):
    _refused(
        "second_card",
        issue_card_at_counter,
        teller=teller,
        holder=holder,
        phone=PHONE,
        pin=TEST_PIN,
    )


def test_a_pin_reset_with_a_bad_pin_is_refused_and_journals_nothing(teller, card):
    _refused(
        "invalid",
        reset_pin_at_counter,
        teller=teller,
        card_number=card.number,
        new_pin="1",
    )


def test_someone_who_is_no_teller_is_refused_and_journals_nothing(card):
    shopper = make_holder()

    _refused(
        "forbidden",
        block_card_at_counter,
        teller=shopper,
        card_number=card.number,
        reason="lost",
    )


# Outside the counter: the issuer names nobody and says why.


def test_a_card_issued_outside_the_counter_is_journalled_without_a_teller(card):
    assert _journal(card) == [("issued", None, "")]


def test_a_card_blocked_for_a_debt_at_the_door_is_journalled_without_a_teller(card):
    block_card_for_debt(card_number=card.number)
    block_card_for_debt(card_number=card.number)  # Already blocked: nothing new.

    assert _journal(card) == [("blocked", None, "door_debt"), ("issued", None, "")]


def test_a_cloned_card_is_journalled_as_blocked_by_the_issuer(holder, merchant_account):
    card = funded_card(holder, 100_000)
    chip = SoftwareCard(number=card.number, key=issuer_card_key(card.number))
    clone = SoftwareCard(number=chip.number, key=chip.key, counter=chip.counter)
    terminal = SoftwareTerminal(merchant_account_id=merchant_account.pk)
    terminal.take_payment(chip, amount_won=5_000, online=True)

    with pytest.raises(CardCloned):
        terminal.take_payment(clone, amount_won=7_000, online=True)

    assert _journal(card) == [("blocked", None, "cloned"), ("issued", None, "")]


@pytest.mark.parametrize("kept", ["door_debt", "cloned"])
def test_a_block_over_a_clone_or_a_debt_keeps_it_so_the_counter_cannot_unblock_it(
    teller, card, kept
):
    Card.objects.filter(pk=card.pk).update(status="blocked", blocked_reason=kept)

    block_card_at_counter(teller=teller, card_number=card.number, reason="lost")
    with pytest.raises(DomainError) as refused:
        unblock_card_at_counter(teller=teller, card_number=card.number)

    card.refresh_from_db()
    assert (card.status, card.blocked_reason) == ("blocked", kept)
    assert refused.value.code in {"card_blocked", "door_debt_open"}
    assert _journal(card)[0] == ("blocked", teller.username, "lost")


def test_a_block_over_a_cleared_debt_or_a_loss_replaces_the_reason(teller, card):
    Card.objects.filter(pk=card.pk).update(
        status="blocked", blocked_reason="door_debt_cleared"
    )

    block_card_at_counter(teller=teller, card_number=card.number, reason="stolen")

    card.refresh_from_db()
    assert (card.status, card.blocked_reason) == ("blocked", "stolen")


# Reading it.


def test_the_journal_reads_newest_first_in_pages(teller, card):
    block_card_at_counter(teller=teller, card_number=card.number, reason="lost")
    unblock_card_at_counter(teller=teller, card_number=card.number)

    first, count = list_card_events_page(card=card, offset=0, limit=2)
    rest, _count = list_card_events_page(card=card, offset=2, limit=2)

    assert count == 3
    assert [event.kind for event in first] == ["unblocked", "blocked"]
    assert [event.kind for event in rest] == ["issued"]


def test_the_days_events_are_listed_by_person_the_issuers_own_last(card, holder):
    kim = make_staff(Role.TELLER, name="teller-kim")
    ri = make_staff(Role.TELLER, name="teller-ri")
    today = dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(today, tick=False):
        reset_pin_at_counter(teller=ri, card_number=card.number, new_pin="9999")
        block_card_at_counter(teller=kim, card_number=card.number, reason="lost")
        unblock_card_at_counter(teller=ri, card_number=card.number)
        block_card_for_debt(card_number=card.number)
    with time_machine.travel(today + dt.timedelta(days=1), tick=False):
        reset_pin_at_counter(teller=kim, card_number=card.number, new_pin="8888")

    events = list_card_events_of_day(day=dt.date(2026, 5, 1))

    assert [(e.actor.username if e.actor else None, e.kind) for e in events] == [
        ("teller-kim", "blocked"),
        ("teller-ri", "pin_reset"),
        ("teller-ri", "unblocked"),
        (None, "blocked"),
    ]
