"""A hypothesis state machine over the ledger: open, top up, hold, capture (in part), void,
expire and refund, with amounts at the edges (0, 1, exactly what is there, one more).

After every step the operator's audit must find no violation, the balances must sum to zero and
no shopper balance may be negative; a simple model of the expected balances must agree.
Each example runs in its own transaction inside hypothesis' Django TestCase.
"""

import itertools

from django.db import transaction
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisDjangoTestCase
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
)
from typing_extensions import override

from okryu.core.errors import DomainError, InvalidInput
from okryu.payments import ledger
from okryu.payments.audit import audit_ledger
from okryu.payments.errors import InsufficientFunds, OverHeldAmount, OverRefundable
from okryu.payments.models import LedgerAccount, Transfer
from okryu.payments.tests.builders import (
    TEST_PIN,
    funded_card,
    make_holder,
    make_merchant_account,
)

EDGES = st.sampled_from(["zero", "one", "exact", "one_more", "half"])
_run = itertools.count(1)


def edge_amount(edge: str, exact: int) -> int:
    return {
        "zero": 0,
        "one": 1,
        "exact": exact,
        "one_more": exact + 1,
        "half": exact // 2,
    }[edge]


class LedgerMachine(RuleBasedStateMachine):
    cards = Bundle("cards")
    holds = Bundle("holds")
    captures = Bundle("captures")

    def __init__(self) -> None:
        super().__init__()
        # The stateful runner does not call the TestCase's per-example hooks, so each example
        # opens its own savepoint here and rolls it back in teardown().
        self._example = transaction.atomic()
        self._example.__enter__()
        assert Transfer.objects.count() == 0, "each example starts from an empty ledger"
        self.run = next(_run)
        self.holder = make_holder(f"machine{self.run}")
        self.merchant = make_merchant_account(f"merchant:machine{self.run}")
        self.expected: dict[str, list[int]] = {}  # card number -> [balance, held]
        self.hold_amounts: dict[str, tuple[str, int]] = {}
        self.refundable: dict[str, tuple[str, int]] = {}
        self.ids = itertools.count(1)

    @override
    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._example.__exit__(None, None, None)

    def next_id(self) -> str:
        return f"m{self.run}-{next(self.ids)}"

    @rule(target=cards)
    def open_card(self):
        card = funded_card(self.holder, 0)
        self.expected[card.number] = [0, 0]
        return card.number

    @rule(number=cards, amount=st.sampled_from([0, 1, 999, 10_000]))
    def top_up(self, number, amount):
        try:
            ledger.top_up(
                card_number=number, amount_won=amount, transfer_id=self.next_id()
            )
        except InvalidInput:
            assert amount == 0
            return
        self.expected[number][0] += amount

    @rule(target=holds, number=cards, edge=EDGES)
    def hold(self, number, edge):
        balance, held = self.expected[number]
        amount = edge_amount(edge, balance - held)
        transfer_id = self.next_id()
        try:
            ledger.hold_funds(
                card_number=number,
                pin=TEST_PIN,
                amount_won=amount,
                credit_account_id=self.merchant.pk,
                transfer_id=transfer_id,
            )
        except (InvalidInput, InsufficientFunds):
            assert amount <= 0 or amount > balance - held
            return transfer_id  # A refused id: resolving it must be refused too.
        assert 0 < amount <= balance - held
        self.expected[number][1] += amount
        self.hold_amounts[transfer_id] = (number, amount)
        return transfer_id

    @rule(target=captures, hold_id=consumes(holds), edge=EDGES)
    def capture(self, hold_id, edge):
        number, held = self.hold_amounts.get(hold_id, ("", 0))
        amount = edge_amount(edge, held)
        transfer_id = self.next_id()
        try:
            ledger.capture_hold(
                hold_transfer_id=hold_id, amount_won=amount, transfer_id=transfer_id
            )
        except (InvalidInput, OverHeldAmount, DomainError):
            assert amount <= 0 or amount > held or not number
            return transfer_id
        self.hold_amounts.pop(hold_id)
        self.expected[number][0] -= amount
        self.expected[number][1] -= held
        self.refundable[transfer_id] = (number, amount)
        return transfer_id

    @rule(hold_id=consumes(holds), expire=st.booleans())
    def void_or_expire(self, hold_id, expire):
        hold = Transfer.objects.filter(transfer_id=hold_id).first()
        if expire and hold is not None and hold.timeout_at is not None:
            outcome = ledger.expire_hold(hold_transfer_id=hold_id, now=hold.timeout_at)
            assert outcome is not None
        else:
            try:
                ledger.void_hold(hold_transfer_id=hold_id, transfer_id=self.next_id())
            except DomainError:
                assert hold is None
                return
        number, held = self.hold_amounts.pop(hold_id)
        self.expected[number][1] -= held

    @rule(capture_id=captures, edge=EDGES)
    def refund(self, capture_id, edge):
        number, left = self.refundable.get(capture_id, ("", 0))
        amount = edge_amount(edge, left)
        try:
            ledger.refund(
                original_transfer_id=capture_id,
                amount_won=amount,
                transfer_id=self.next_id(),
            )
        except (InvalidInput, OverRefundable, DomainError):
            assert amount <= 0 or amount > left or not number
            return
        self.refundable[capture_id] = (number, left - amount)
        self.expected[number][0] += amount

    @invariant()
    def the_audit_finds_nothing_wrong(self):
        audit = audit_ledger()
        assert audit.violations == 0, audit
        assert audit.sum_of_balances == 0
        assert audit.negative_shopper_accounts == 0

    @invariant()
    def the_balances_match_the_model(self):
        actual = {
            number: [balance, held]
            for number, balance, held in LedgerAccount.objects.filter(
                card__number__in=list(self.expected)
            ).values_list("card__number", "balance_won", "held_won")
        }
        assert actual == self.expected


# The machine's TestCase comes first, so that its hypothesis ``settings`` wins over Django's
# ``SimpleTestCase.settings`` method; the Django TestCase wraps each example in a transaction.
class TestLedgerMachine(LedgerMachine.TestCase, HypothesisDjangoTestCase):  # type: ignore[misc,valid-type]  # hypothesis builds TestCase at run time
    # Examples come from the profile in the root conftest; 20 steps each keep a run short.
    settings = hypothesis_settings(stateful_step_count=20)  # type: ignore[assignment]  # hypothesis' settings, not Django's method
