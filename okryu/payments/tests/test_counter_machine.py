"""A hypothesis state machine of the bank counter: issue cards, open the drawer, top up small
and large amounts (at the approval threshold, the maximum and one past each), approve, reject,
approve as the teller, block, unblock, and count and close the drawer.

A simple model predicts each answer (booked, waiting, or which refusal) and every balance and
drawer figure; after every step the ledger audit and the counter audit find no violation.
Each example runs in its own transaction inside hypothesis' Django TestCase.
"""

import itertools

import pytest
from django.db import transaction
from django.test import override_settings
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisDjangoTestCase
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    rule,
)
from typing_extensions import override

from okryu.accounts.models import Role
from okryu.core.errors import DomainError
from okryu.payments.audit import audit_ledger
from okryu.payments.counter_audit import audit_counter
from okryu.payments.counter_services import (
    approve_top_up,
    block_card_at_counter,
    close_drawer,
    issue_card_at_counter,
    open_drawer,
    reject_top_up,
    take_top_up,
    unblock_card_at_counter,
)
from okryu.payments.models import CashDrawer, LedgerAccount
from okryu.payments.tests.builders import TEST_PIN
from okryu.payments.tests.counter_controls_support import make_staff

THRESHOLD_WON = 1_000_000
MAXIMUM_WON = 10_000_000
DAILY_WON = 25_000_000
AMOUNTS = st.sampled_from(
    [1, THRESHOLD_WON, THRESHOLD_WON + 1, MAXIMUM_WON, MAXIMUM_WON + 1]
)
_run = itertools.count(1)


class CounterMachine(RuleBasedStateMachine):
    cards = Bundle("cards")
    pending = Bundle("pending")

    def __init__(self) -> None:
        super().__init__()
        self._settings = override_settings(
            OKRYU_TOPUP_APPROVAL_WON=THRESHOLD_WON,
            OKRYU_TOPUP_MAX_WON=MAXIMUM_WON,
            OKRYU_TELLER_DAILY_WON=DAILY_WON,
        )
        self._settings.enable()
        # The stateful runner does not call the TestCase's per-example hooks, so each example
        # opens its own savepoint here and rolls it back in teardown().
        self._example = transaction.atomic()
        self._example.__enter__()
        run = next(_run)
        self.teller = make_staff(Role.TELLER, name=f"m{run}-teller")
        self.supervisor = make_staff(Role.SUPERVISOR, name=f"m{run}-supervisor")
        self.holders = [make_staff(name=f"m{run}-holder{index}") for index in range(2)]
        self.ids = itertools.count(1)
        self.run = run
        # The model.
        self.balances: dict[str, int] = {}
        self.blocked: set[str] = set()
        self.holders_with_cards: set[int] = set()
        self.drawer = "none"  # none, open, closed
        self.taken_won = 0
        self.booked_won = 0
        self.waiting: dict[int, tuple[str, int]] = {}

    @override
    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._example.__exit__(None, None, None)
        self._settings.disable()

    def _refused(self, code: str, action, **kwargs) -> None:
        with pytest.raises(DomainError) as caught:
            action(**kwargs)
        assert caught.value.code == code, (code, caught.value.code, caught.value.detail)

    @rule(target=cards, holder=st.integers(0, 1), with_reason=st.booleans())
    def issue_card(self, holder, with_reason):
        person = self.holders[holder]
        arguments = {
            "teller": self.teller,
            "holder": person,
            "phone": "191-234-5601",
            "pin": TEST_PIN,
            "reason": "분실 재발급" if with_reason else "",
        }
        if person.pk in self.holders_with_cards and not with_reason:
            self._refused("second_card", issue_card_at_counter, **arguments)
            return multiple()
        card = issue_card_at_counter(**arguments)
        self.holders_with_cards.add(person.pk)
        self.balances[card.number] = 0
        return card.number

    @rule()
    def open_the_drawer(self):
        if self.drawer == "closed":
            self._refused("drawer_already_closed", open_drawer, teller=self.teller)
            return
        open_drawer(teller=self.teller)
        self.drawer = "open"

    @rule(target=pending, number=cards, amount=AMOUNTS)
    def top_up(self, number, amount):
        arguments = {
            "teller": self.teller,
            "card_number": number,
            "amount_won": amount,
            "transfer_id": f"m{self.run}-{next(self.ids)}",
        }
        if amount > MAXIMUM_WON:
            self._refused("topup_too_large", take_top_up, **arguments)
            return multiple()
        if self.drawer != "open":
            self._refused("drawer_closed", take_top_up, **arguments)
            return multiple()
        if self.taken_won + amount > DAILY_WON:
            self._refused("teller_limit", take_top_up, **arguments)
            return multiple()
        top_up = take_top_up(**arguments)
        self.taken_won += amount
        if amount > THRESHOLD_WON:
            assert top_up.status == "pending_approval"
            self.waiting[top_up.pk] = (number, amount)
            return top_up.pk
        assert top_up.status == "booked"
        self.balances[number] += amount
        self.booked_won += amount
        return multiple()

    @rule(top_up_id=pending)
    def approve(self, top_up_id):
        if top_up_id not in self.waiting:
            self._refused(
                "already_decided",
                approve_top_up,
                supervisor=self.supervisor,
                top_up_id=top_up_id,
            )
            return
        approve_top_up(supervisor=self.supervisor, top_up_id=top_up_id)
        number, amount = self.waiting.pop(top_up_id)
        self.balances[number] += amount
        self.booked_won += amount

    @rule(top_up_id=pending)
    def reject(self, top_up_id):
        if top_up_id not in self.waiting:
            self._refused(
                "already_decided",
                reject_top_up,
                supervisor=self.supervisor,
                top_up_id=top_up_id,
            )
            return
        reject_top_up(supervisor=self.supervisor, top_up_id=top_up_id)
        _number, amount = self.waiting.pop(top_up_id)
        self.taken_won -= amount

    @rule(top_up_id=pending)
    def approve_as_a_teller(self, top_up_id):
        self._refused(
            "forbidden", approve_top_up, supervisor=self.teller, top_up_id=top_up_id
        )

    @rule(number=cards)
    def block_or_unblock(self, number):
        if number in self.blocked:
            unblock_card_at_counter(teller=self.teller, card_number=number)
            self.blocked.discard(number)
        else:
            block_card_at_counter(teller=self.teller, card_number=number, reason="lost")
            self.blocked.add(number)

    @rule(shortage=st.sampled_from([0, 1_000]), with_note=st.booleans())
    def close_the_drawer(self, shortage, with_note):
        arguments = {
            "teller": self.teller,
            "counted_won": max(self.booked_won - shortage, 0),
            "note": "잔돈 착오" if with_note else "",
        }
        if self.drawer != "open":
            self._refused("drawer_closed", close_drawer, **arguments)
        elif self.waiting:
            self._refused("approvals_pending", close_drawer, **arguments)
        elif arguments["counted_won"] != self.booked_won and not with_note:
            self._refused("invalid", close_drawer, **arguments)
        else:
            closed = close_drawer(**arguments)
            assert closed.difference_won == arguments["counted_won"] - self.booked_won
            self.drawer = "closed"

    @invariant()
    def the_audits_find_nothing_wrong(self):
        counter = audit_counter()
        assert counter.violations == 0, counter
        ledger = audit_ledger()
        assert (ledger.violations, ledger.sum_of_balances) == (0, 0), ledger

    @invariant()
    def the_balances_and_the_drawer_match_the_model(self):
        actual = dict(
            LedgerAccount.objects.filter(
                card__number__in=list(self.balances)
            ).values_list("card__number", "balance_won")
        )
        assert actual == self.balances
        drawer = CashDrawer.objects.filter(teller=self.teller).first()
        if drawer is not None:
            assert (drawer.taken_won, drawer.booked_won) == (
                self.taken_won,
                self.booked_won,
            )


# The machine's TestCase comes first, so that its hypothesis ``settings`` wins over Django's
# ``SimpleTestCase.settings`` method; the Django TestCase wraps each example in a transaction.
class TestCounterMachine(CounterMachine.TestCase, HypothesisDjangoTestCase):  # type: ignore[misc,valid-type]  # hypothesis builds TestCase at run time
    # Bounded so the machine runs in well under 30 seconds on a small machine.
    settings = hypothesis_settings(max_examples=12, stateful_step_count=20)  # type: ignore[assignment]  # hypothesis' settings, not Django's method
