"""The simulated demand history: written through the real services, sound, and written once."""

import dataclasses
import datetime as dt
from collections import defaultdict
from io import StringIO
from typing import TYPE_CHECKING

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from okryu.catalog.audit import audit_stock
from okryu.catalog.models import (
    EmptySearch,
    SoldOutView,
    UnmetDemand,
    UnmetDemandKind,
    WaitlistEntry,
)
from okryu.core import clock
from okryu.delivery.audit import audit_delivery
from okryu.demo import history
from okryu.demo.history import (
    SHOPPER_PREFIX,
    HistoryPlan,
    HistoryRefused,
    simulate_history,
)
from okryu.demo.users import DEMO_USERS
from okryu.insights.series import daily_series
from okryu.orders.audit import audit_orders
from okryu.orders.models import Fulfilment, Order, OrderLine
from okryu.orders.rules import FulfilmentStatus
from okryu.payments.audit import audit_ledger
from okryu.payments.counter_audit import audit_counter
from okryu.payments.models import CashDrawer, CashDrawerStatus, CounterTopUp

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

pytestmark = pytest.mark.django_db

# A Saturday in the past, so the simulated days are the same whenever the tests run.
LAST_DAY = dt.date(2026, 10, 17)
DAYS = 14
FIRST_DAY = LAST_DAY - dt.timedelta(days=DAYS - 1)
PLAN = HistoryPlan(days=DAYS, products=4, shoppers=12, seed=7, last_day=LAST_DAY)


def load_demo() -> None:
    call_command("load_demo_data", stdout=StringIO())


def simulated_orders() -> int:
    return Order.objects.filter(shopper__username__startswith=SHOPPER_PREFIX).count()


def audit_counts() -> dict[str, int]:
    """Every rule's count of rows breaking it: what ``GET /api/v1/ops/audit`` answers."""
    audits: dict[str, DataclassInstance] = {
        "ledger": audit_ledger(),
        "stock": audit_stock(),
        "orders": audit_orders(),
        "delivery": audit_delivery(),
        "counter": audit_counter(),
    }
    return {
        f"{part}.{name}": value
        for part, audit in audits.items()
        for name, value in dataclasses.asdict(audit).items()
        if (part, name) not in {("ledger", "transfers"), ("ledger", "accounts")}
    }


# One fortnight is simulated once (about 20 s) and checked as a whole.
def test_a_simulated_fortnight_goes_through_the_services_and_is_counted_as_it_happened():
    load_demo()

    report = simulate_history(PLAN)

    # Orders, each delivered (paid, stock sold) within the fortnight.
    orders = Order.objects.filter(shopper__username__startswith=SHOPPER_PREFIX)
    assert report.days == DAYS
    assert (report.first_day, report.last_day) == (FIRST_DAY, LAST_DAY)
    assert orders.count() == report.orders_placed > 100
    assert set(
        Fulfilment.objects.filter(order__in=orders).values_list("status", flat=True)
    ) == {FulfilmentStatus.DELIVERED}
    local_days = {
        order.placed_at.astimezone(clock.PYONGYANG).date() for order in orders
    }
    assert FIRST_DAY <= min(local_days) <= max(local_days) <= LAST_DAY
    # The week's rhythm: units wanted (sold, refused or waited for) are most at the weekend
    # (Sunday busiest), least midweek.
    wanted: dict[int, int] = defaultdict(int)
    for line in OrderLine.objects.filter(fulfilment__order__in=orders).select_related(
        "fulfilment"
    ):
        wanted[line.fulfilment.placed_at.astimezone(clock.PYONGYANG).weekday()] += (
            line.quantity
        )
    for wish in UnmetDemand.objects.all():
        wanted[wish.at.astimezone(clock.PYONGYANG).weekday()] += wish.quantity
    tuesday, wednesday, saturday, sunday = 1, 2, 5, 6
    assert wanted[saturday] + wanted[sunday] > 1.3 * (
        wanted[tuesday] + wanted[wednesday]
    ), dict(wanted)
    # What the insights count as sold is what was sold.
    assert (
        sum(
            sum(daily_series(product_id=pk, start=FIRST_DAY, end=LAST_DAY).sold)
            for pk in report.product_ids
        )
        == report.units_sold
    )
    # Empty shelves: refusals, waitlist entries (each wish counted once), views, searches.
    refused = UnmetDemand.objects.filter(kind=UnmetDemandKind.REFUSED)
    waitlisted = UnmetDemand.objects.filter(kind=UnmetDemandKind.WAITLISTED)
    assert refused.aggregate(units=Sum("quantity"))["units"] == report.refused_units > 0
    assert waitlisted.count() == report.waitlist_entries > 0
    assert WaitlistEntry.objects.count() == report.waitlist_entries
    views = SoldOutView.objects.aggregate(views=Sum("count"))["views"]
    assert views == report.sold_out_views > 0
    searches = EmptySearch.objects.aggregate(searches=Sum("count"))["searches"]
    assert searches == report.empty_searches > 0
    # Cash was taken at a counter that opened and balanced every day, under the threshold.
    drawers = CashDrawer.objects.filter(teller__username=history.TELLER_USERNAME)
    assert drawers.count() == DAYS
    assert set(drawers.values_list("status", "difference_won")) == {
        (CashDrawerStatus.CLOSED, 0)
    }
    top_ups = CounterTopUp.objects.filter(drawer__in=drawers)
    assert top_ups.count() == report.top_ups > 0
    assert max(top_ups.values_list("amount_won", flat=True)) <= 1_000_000
    # And the audit finds nothing wrong.
    counts = audit_counts()
    assert set(counts.values()) == {0}, counts


def test_a_second_run_over_the_same_days_writes_nothing():
    load_demo()
    plan = HistoryPlan(days=2, products=2, shoppers=4, last_day=LAST_DAY)
    first = simulate_history(plan)
    orders = simulated_orders()

    again = simulate_history(plan)

    assert first.days == 2
    assert orders == first.orders_placed > 0
    assert (again.days, again.skipped_days) == (0, 2)
    assert simulated_orders() == orders
    longer = HistoryPlan(days=5, products=2, shoppers=4, last_day=LAST_DAY)
    with pytest.raises(HistoryRefused, match="not days before it"):
        simulate_history(longer)
    assert simulated_orders() == orders


def test_a_run_interrupted_during_a_day_makes_the_next_one_refuse(monkeypatch):
    load_demo()
    hours = 0
    work = history._hour_of_work

    def power_cut_at_noon(*args, **kwargs):
        nonlocal hours
        hours += 1
        if hours == 5:
            raise RuntimeError("power cut")
        return work(*args, **kwargs)

    monkeypatch.setattr(history, "_hour_of_work", power_cut_at_noon)
    with pytest.raises(RuntimeError):
        simulate_history(PLAN)
    monkeypatch.undo()

    with pytest.raises(HistoryRefused, match="interrupted"):
        simulate_history(PLAN)
    with pytest.raises(CommandError, match="interrupted"):
        call_command("simulate_demand", "--days", "3", stdout=StringIO())


def test_the_command_refuses_what_it_cannot_simulate():
    with pytest.raises(CommandError, match="load_demo_data"):
        call_command("simulate_demand", "--days", "2", stdout=StringIO())
    with pytest.raises(CommandError, match="--days"):
        call_command("simulate_demand", "--days", "0", stdout=StringIO())
    today = clock.local_today().isoformat()
    with pytest.raises(CommandError, match="yesterday"):
        call_command("simulate_demand", "--until", today, stdout=StringIO())


def test_the_demo_loads_a_modest_history_once(settings):
    settings.OKRYU_DEMO_HISTORY_DAYS = 3
    settings.OKRYU_DEMO_HISTORY_PRODUCTS = 4
    first = StringIO()
    call_command("load_demo_data", stdout=first)
    orders = simulated_orders()

    second = StringIO()
    call_command("load_demo_data", stdout=second)

    assert orders > 0
    assert "Order history simulated" in first.getvalue()
    assert simulated_orders() == orders
    assert "kept it" in second.getvalue()
    # The named staff logins (store1, factory1, …) find their own merchants' past: what
    # was sold, refused or waited for.
    named = {user.merchant for user in DEMO_USERS if user.merchant}
    sold_by = set(
        OrderLine.objects.filter(
            fulfilment__order__shopper__username__startswith=SHOPPER_PREFIX
        ).values_list("fulfilment__merchant__slug", flat=True)
    )
    wanted_from = set(
        UnmetDemand.objects.values_list("product__merchant__slug", flat=True)
    )
    assert sold_by | wanted_from <= named
    assert len(sold_by | wanted_from) >= 2
