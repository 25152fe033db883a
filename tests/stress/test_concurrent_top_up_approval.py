"""Real threads deciding one top-up at once, each with its own connection, on either database.

Twenty identical approvals book it once; an approval racing a rejection ends in exactly one
of the two states, and the ledger moved once or not at all. The audits are clean after each.
"""

import pytest
from django.db import connection

from okryu.accounts.models import Role, User
from okryu.core.tests.threads import race
from okryu.payments.audit import audit_ledger
from okryu.payments.cards import issue_card
from okryu.payments.counter_audit import audit_counter
from okryu.payments.counter_services import (
    approve_top_up,
    open_drawer,
    reject_top_up,
    take_top_up,
)
from okryu.payments.models import (
    CashDrawer,
    CounterTopUp,
    CounterTopUpStatus,
    LedgerAccount,
    Transfer,
)
from okryu.payments.tests.builders import TEST_PIN, make_holder
from okryu.payments.tests.counter_controls_support import make_staff

pytestmark = [pytest.mark.stress, pytest.mark.django_db(transaction=True)]

AMOUNT_WON = 5_000_000
APPROVALS = 20


def _pending_top_up() -> tuple[CounterTopUp, list[User]]:
    teller = make_staff(Role.TELLER)
    supervisors = [make_staff(Role.SUPERVISOR) for _ in range(2)]
    card = issue_card(holder=make_holder(), phone="191-234-5601", pin=TEST_PIN)
    open_drawer(teller=teller)
    top_up = take_top_up(
        teller=teller,
        card_number=card.number,
        amount_won=AMOUNT_WON,
        transfer_id="race-top-up",
    )
    assert top_up.status == CounterTopUpStatus.PENDING_APPROVAL
    connection.close()
    return top_up, supervisors


def _card_balance(top_up: CounterTopUp) -> int:
    return LedgerAccount.objects.get(card__pk=top_up.card_id).balance_won


def _assert_audits_clean() -> None:
    ledger = audit_ledger()
    assert (ledger.violations, ledger.sum_of_balances) == (0, 0)
    assert audit_counter().violations == 0


def test_twenty_identical_approvals_at_once_book_the_top_up_once():
    top_up, supervisors = _pending_top_up()

    outcomes = race(
        lambda index: (
            approve_top_up(
                supervisor=supervisors[index % 2], top_up_id=top_up.pk
            ).status
        ),
        APPROVALS,
    )

    assert (outcomes.count("approved"), outcomes.count("already_decided")) == (
        1,
        APPROVALS - 1,
    ), outcomes
    assert _card_balance(top_up) == AMOUNT_WON
    assert Transfer.objects.filter(transfer_id="race-top-up").count() == 1
    drawer = CashDrawer.objects.get()
    assert (drawer.taken_won, drawer.booked_won) == (AMOUNT_WON, AMOUNT_WON)
    _assert_audits_clean()


@pytest.mark.parametrize("round_", range(3))
def test_an_approval_racing_a_rejection_ends_in_exactly_one_state(round_):
    top_up, supervisors = _pending_top_up()
    transfers = Transfer.objects.count()

    def decide(index: int) -> object:
        if index % 2:
            return reject_top_up(supervisor=supervisors[1], top_up_id=top_up.pk).status
        return approve_top_up(supervisor=supervisors[0], top_up_id=top_up.pk).status

    outcomes = race(decide, 2 * 4)

    final = CounterTopUp.objects.get(pk=top_up.pk)
    assert final.status in {CounterTopUpStatus.APPROVED, CounterTopUpStatus.REJECTED}
    assert outcomes.count(final.status) == 1, outcomes
    assert outcomes.count("already_decided") == len(outcomes) - 1, outcomes
    drawer = CashDrawer.objects.get()
    if final.status == CounterTopUpStatus.APPROVED:
        assert _card_balance(top_up) == AMOUNT_WON
        assert Transfer.objects.count() == transfers + 1
        assert (drawer.taken_won, drawer.booked_won) == (AMOUNT_WON, AMOUNT_WON)
    else:
        assert _card_balance(top_up) == 0
        assert Transfer.objects.count() == transfers
        assert (drawer.taken_won, drawer.booked_won) == (0, 0)
    _assert_audits_clean()
