"""The bank counter's controls, through the services: four eyes, limits, own cards, drawers.

Each refusal is asserted to change nothing: balances, holds, transfers, top-ups and drawers.
"""

import pytest
from django.test import override_settings

from okryu.accounts.models import Role
from okryu.core.errors import DomainError
from okryu.notifications.models import OutboxMessage
from okryu.payments import ledger
from okryu.payments.cards import issue_card
from okryu.payments.counter_audit import audit_counter
from okryu.payments.counter_services import (
    approve_top_up,
    block_card_at_counter,
    close_drawer,
    issue_card_at_counter,
    open_drawer,
    reject_top_up,
    reset_pin_at_counter,
    take_top_up,
    unblock_card_at_counter,
)
from okryu.payments.models import (
    CashDrawer,
    CashDrawerStatus,
    CounterTopUp,
    CounterTopUpStatus,
    LedgerAccount,
    Transfer,
)
from okryu.payments.tests.builders import TEST_PIN
from okryu.payments.tests.counter_controls_support import (
    counter_state,
    make_staff,
    new_request_id,
)

pytestmark = pytest.mark.django_db

SMALL_WON = 200_000
LARGE_WON = 3_000_000


@pytest.fixture
def teller(db):
    return make_staff(Role.TELLER, name="teller-a")


@pytest.fixture
def supervisor(db):
    return make_staff(Role.SUPERVISOR, name="supervisor-a")


@pytest.fixture
def card(holder):
    return issue_card(holder=holder, phone="191-234-5601", pin=TEST_PIN)


@pytest.fixture
def drawer(teller):
    return open_drawer(teller=teller)


def _balance(card) -> int:
    return LedgerAccount.objects.get(pk=card.ledger_account_id).balance_won


def _refused(code: str, action, *args, **kwargs) -> DomainError:
    before = counter_state()
    with pytest.raises(DomainError) as caught:
        action(*args, **kwargs)
    assert caught.value.code == code, caught.value
    assert counter_state() == before
    return caught.value


def _take(teller, card, amount_won: int) -> CounterTopUp:
    return take_top_up(
        teller=teller,
        card_number=card.number,
        amount_won=amount_won,
        transfer_id=new_request_id(),
    )


# Four eyes.


def test_a_top_up_up_to_the_threshold_is_booked_at_once_through_the_drawer(
    teller, card, drawer
):
    top_up = _take(teller, card, 1_000_000)

    assert top_up.status == CounterTopUpStatus.BOOKED
    assert _balance(card) == 1_000_000
    drawer.refresh_from_db()
    assert (drawer.taken_won, drawer.booked_won) == (1_000_000, 1_000_000)
    assert audit_counter().violations == 0


def test_a_top_up_over_the_threshold_waits_for_approval_and_moves_no_money(
    teller, card, drawer
):
    transfers = Transfer.objects.count()

    top_up = _take(teller, card, LARGE_WON)

    assert top_up.status == CounterTopUpStatus.PENDING_APPROVAL
    assert (_balance(card), Transfer.objects.count()) == (0, transfers)
    assert audit_counter().violations == 0


def test_another_supervisor_approves_it_once_and_the_ledger_moves_once(
    teller, supervisor, card, drawer
):
    top_up = _take(teller, card, LARGE_WON)

    approved = approve_top_up(supervisor=supervisor, top_up_id=top_up.pk)

    assert approved.status == CounterTopUpStatus.APPROVED
    assert approved.decided_by == supervisor
    assert _balance(card) == LARGE_WON
    transfers = Transfer.objects.count()
    error = _refused(
        "already_decided", approve_top_up, supervisor=supervisor, top_up_id=top_up.pk
    )
    assert error.extra["status"] == "approved"
    _refused(
        "already_decided", reject_top_up, supervisor=supervisor, top_up_id=top_up.pk
    )
    assert (_balance(card), Transfer.objects.count()) == (LARGE_WON, transfers)
    drawer.refresh_from_db()
    assert drawer.booked_won == LARGE_WON
    assert audit_counter().violations == 0


def test_the_teller_who_took_it_cannot_approve_it_even_holding_both_roles(card):
    teller = make_staff(Role.TELLER, Role.SUPERVISOR)
    open_drawer(teller=teller)
    top_up = _take(teller, card, LARGE_WON)

    _refused("same_person", approve_top_up, supervisor=teller, top_up_id=top_up.pk)
    _refused("same_person", reject_top_up, supervisor=teller, top_up_id=top_up.pk)


def test_a_teller_who_is_no_supervisor_cannot_approve(teller, card, drawer):
    top_up = _take(teller, card, LARGE_WON)
    other_teller = make_staff(Role.TELLER)

    _refused("forbidden", approve_top_up, supervisor=other_teller, top_up_id=top_up.pk)


def test_a_supervisor_cannot_approve_cash_for_a_card_they_hold(teller, drawer):
    supervisor = make_staff(Role.SUPERVISOR)
    own = issue_card(holder=supervisor, phone="191-234-5601", pin=TEST_PIN)
    top_up = _take(teller, own, LARGE_WON)

    _refused("own_card", approve_top_up, supervisor=supervisor, top_up_id=top_up.pk)


def test_a_rejection_books_nothing_and_gives_the_days_limit_back(
    teller, supervisor, card, drawer
):
    top_up = _take(teller, card, LARGE_WON)

    rejected = reject_top_up(
        supervisor=supervisor, top_up_id=top_up.pk, reason="신분 확인 안 됨"
    )

    assert (rejected.status, rejected.rejection_reason) == (
        CounterTopUpStatus.REJECTED,
        "신분 확인 안 됨",
    )
    assert _balance(card) == 0
    drawer.refresh_from_db()
    assert (drawer.taken_won, drawer.booked_won) == (0, 0)
    _refused(
        "already_decided", approve_top_up, supervisor=supervisor, top_up_id=top_up.pk
    )
    assert audit_counter().violations == 0


def test_an_unknown_top_up_is_not_found(supervisor):
    _refused("topup_not_found", approve_top_up, supervisor=supervisor, top_up_id=999)


def test_the_same_request_repeated_is_taken_once(teller, card, drawer):
    request_id = new_request_id()
    first = take_top_up(
        teller=teller,
        card_number=card.number,
        amount_won=SMALL_WON,
        transfer_id=request_id,
    )
    again = take_top_up(
        teller=teller,
        card_number=card.number,
        amount_won=SMALL_WON,
        transfer_id=request_id,
    )

    assert again.pk == first.pk
    assert _balance(card) == SMALL_WON
    _refused(
        "idempotency_key_reused",
        take_top_up,
        teller=teller,
        card_number=card.number,
        amount_won=SMALL_WON + 1,
        transfer_id=request_id,
    )


# Limits.


def test_a_single_top_up_over_the_maximum_is_refused(teller, card, drawer):
    error = _refused(
        "topup_too_large",
        take_top_up,
        teller=teller,
        card_number=card.number,
        amount_won=10_000_000_000,
        transfer_id=new_request_id(),
    )
    assert error.extra["maximum"] == 10_000_000


@override_settings(OKRYU_TELLER_DAILY_WON=8_000_000)
def test_the_tellers_daily_limit_counts_booked_and_waiting_cash(
    teller, supervisor, card, drawer
):
    _take(teller, card, 1_000_000)  # booked
    waiting = _take(teller, card, 5_000_000)  # awaits approval, counts
    _take(teller, card, 2_000_000)  # awaits approval, counts: 8,000,000 taken

    error = _refused("teller_limit", _take, teller, card, 1)
    assert (error.extra["taken_today"], error.extra["limit"]) == (8_000_000, 8_000_000)

    reject_top_up(supervisor=supervisor, top_up_id=waiting.pk)
    assert _take(teller, card, 5_000_000).status == CounterTopUpStatus.PENDING_APPROVAL


def test_another_teller_has_their_own_limit(card, drawer):
    other = make_staff(Role.TELLER)
    open_drawer(teller=other)

    with override_settings(OKRYU_TELLER_DAILY_WON=1_000_000):
        _take(other, card, 1_000_000)
        _refused("teller_limit", _take, other, card, 1)
        assert _take(drawer.teller, card, 1_000_000).status == "booked"


# Own cards and second cards.


def test_a_teller_may_not_act_on_a_card_they_hold(teller, drawer):
    own = issue_card(holder=teller, phone="191-234-5601", pin=TEST_PIN)

    _refused("own_card", _take, teller, own, SMALL_WON)
    _refused(
        "own_card",
        issue_card_at_counter,
        teller=teller,
        holder=teller,
        phone="191-234-5601",
        pin=TEST_PIN,
        reason="spare",
    )
    _refused("own_card", unblock_card_at_counter, teller=teller, card_number=own.number)
    _refused(
        "own_card",
        reset_pin_at_counter,
        teller=teller,
        card_number=own.number,
        new_pin="9999",
    )
    _refused(
        "own_card",
        block_card_at_counter,
        teller=teller,
        card_number=own.number,
        reason="lost",
    )


def test_another_teller_acts_on_it(teller, holder, card, drawer):
    block_card_at_counter(teller=teller, card_number=card.number, reason="lost")
    assert unblock_card_at_counter(teller=teller, card_number=card.number).status == (
        "active"
    )
    reset_pin_at_counter(teller=teller, card_number=card.number, new_pin="9999")


def test_a_pin_reset_at_the_counter_is_told_to_the_cards_phone_at_once(
    teller, card, drawer
):
    sent_before = OutboxMessage.objects.count()

    reset_pin_at_counter(teller=teller, card_number=card.number, new_pin="9999")

    told = list(OutboxMessage.objects.order_by("pk")[sent_before:])
    assert [message.phone for message in told] == [card.phone]
    assert f"****{card.number[-4:]}" in told[0].body
    assert "비밀번호" in told[0].body
    assert "9999" not in told[0].body


def test_a_pin_reset_refused_tells_nobody(teller, drawer):
    own = issue_card(holder=teller, phone="191-234-5601", pin=TEST_PIN)
    sent_before = OutboxMessage.objects.count()

    _refused(
        "own_card",
        reset_pin_at_counter,
        teller=teller,
        card_number=own.number,
        new_pin="9999",
    )

    assert OutboxMessage.objects.count() == sent_before


def test_a_second_card_says_so_and_needs_a_reason(teller, holder, card):
    error = _refused(
        "second_card",
        issue_card_at_counter,
        teller=teller,
        holder=holder,
        phone="191-234-5601",
        pin=TEST_PIN,
    )
    assert error.extra["card"] == card.masked_number

    second = issue_card_at_counter(
        teller=teller,
        holder=holder,
        phone="191-234-5601",
        pin=TEST_PIN,
        reason="분실 후 재발급",
    )
    second.refresh_from_db()
    assert second.issue_reason == "분실 후 재발급"


def test_a_first_card_needs_no_reason(teller, holder):
    card = issue_card_at_counter(
        teller=teller, holder=holder, phone="191-234-5601", pin=TEST_PIN
    )
    assert card.issue_reason == ""


# Drawers.


def test_cash_is_taken_only_through_an_open_drawer(teller, card):
    _refused("drawer_closed", _take, teller, card, SMALL_WON)


def test_closing_records_the_count_and_its_difference_to_the_ledger(
    teller, card, drawer
):
    _take(teller, card, SMALL_WON)

    _refused("invalid", close_drawer, teller=teller, counted_won=SMALL_WON - 1_000)
    closed = close_drawer(
        teller=teller, counted_won=SMALL_WON - 1_000, note="거스름돈 착오"
    )

    assert (closed.status, closed.counted_won, closed.difference_won) == (
        CashDrawerStatus.CLOSED,
        SMALL_WON - 1_000,
        -1_000,
    )
    audit = audit_counter()
    assert (audit.violations, audit.drawers_with_difference) == (0, 1)
    _refused("drawer_closed", _take, teller, card, SMALL_WON)
    _refused("drawer_already_closed", open_drawer, teller=teller)


def test_a_drawer_with_cash_awaiting_approval_cannot_be_closed(
    teller, supervisor, card, drawer
):
    top_up = _take(teller, card, LARGE_WON)

    _refused("approvals_pending", close_drawer, teller=teller, counted_won=LARGE_WON)
    approve_top_up(supervisor=supervisor, top_up_id=top_up.pk)
    assert close_drawer(teller=teller, counted_won=LARGE_WON).difference_won == 0


def test_a_drawer_left_open_yesterday_must_be_closed_first(teller):
    CashDrawer.objects.create(
        teller=teller,
        day="2020-01-01",
        opened_at="2020-01-01T09:00:00+09:00",
    )

    _refused("drawer_open", open_drawer, teller=teller)
    close_drawer(teller=teller, counted_won=0)
    assert open_drawer(teller=teller).status == CashDrawerStatus.OPEN


def test_opening_twice_returns_the_open_drawer(teller, drawer):
    assert open_drawer(teller=teller).pk == drawer.pk


def test_a_closed_drawer_that_is_not_counted_is_refused(teller, drawer):
    _refused("invalid", close_drawer, teller=teller, counted_won=-1)
    _refused(
        "drawer_closed", close_drawer, teller=make_staff(Role.TELLER), counted_won=0
    )


# The audit.


def test_a_large_top_up_booked_outside_the_counter_is_a_violation(card):
    ledger.top_up(card_number=card.number, amount_won=10_000_000_000, transfer_id="x-1")
    ledger.top_up(card_number=card.number, amount_won=10_000_000_000, transfer_id="x-2")

    assert audit_counter().topups_over_threshold_without_approval == 2


def test_a_drawer_edited_behind_the_ledger_is_a_violation(teller, card, drawer):
    _take(teller, card, SMALL_WON)
    CashDrawer.objects.filter(pk=drawer.pk).update(booked_won=0, taken_won=0)

    assert audit_counter().drawers_not_matching_ledger == 1


def test_a_top_up_booked_to_another_card_is_a_violation(teller, holder, card, drawer):
    top_up = _take(teller, card, SMALL_WON)
    other = issue_card(holder=holder, phone="191-234-5601", pin=TEST_PIN)
    redirected = ledger.top_up(
        card_number=other.number, amount_won=SMALL_WON, transfer_id="redirect"
    )
    CounterTopUp.objects.filter(pk=top_up.pk).update(transfer=redirected)

    assert audit_counter().drawers_not_matching_ledger == 1


def test_a_closed_drawer_whose_difference_is_not_the_count_less_the_ledger_is_a_violation(
    teller, card, drawer
):
    _take(teller, card, SMALL_WON)
    close_drawer(teller=teller, counted_won=SMALL_WON)
    CashDrawer.objects.filter(pk=drawer.pk).update(counted_won=0)

    assert audit_counter().drawers_not_matching_ledger == 1
