"""Failed log-ins are counted per account, and a lock expires by itself."""

import datetime as dt

import pytest
import time_machine

from okryu.accounts.models import LoginAttempt
from okryu.accounts.queries import find_login_lock
from okryu.accounts.services import (
    LOGIN_FAILURES_MAX,
    clear_login_failures,
    record_login_failure,
)

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)


def test_the_fifth_failure_in_a_window_locks_the_username_for_fifteen_minutes():
    with time_machine.travel(START, tick=False):
        for _ in range(LOGIN_FAILURES_MAX - 1):
            record_login_failure(username="Shopper1")
        assert find_login_lock(username="shopper1") is None

        record_login_failure(username="shopper1")

        assert find_login_lock(username="SHOPPER1") == START + dt.timedelta(minutes=15)
        assert find_login_lock(username="shopper2") is None


def test_the_lock_expires_and_the_count_starts_again():
    with time_machine.travel(START, tick=False):
        for _ in range(LOGIN_FAILURES_MAX):
            record_login_failure(username="shopper1")
    with time_machine.travel(START + dt.timedelta(minutes=15, seconds=1), tick=False):
        assert find_login_lock(username="shopper1") is None

        attempt = record_login_failure(username="shopper1")

        assert (attempt.failures_count, attempt.locked_until) == (1, None)


def test_failures_spread_over_more_than_the_window_do_not_lock():
    for minutes in (0, 5, 10, 16, 20):
        with time_machine.travel(START + dt.timedelta(minutes=minutes), tick=False):
            record_login_failure(username="shopper1")

    assert find_login_lock(username="shopper1") is None
    assert LoginAttempt.objects.get().failures_count == 2


def test_a_successful_log_in_forgets_the_failures():
    record_login_failure(username="shopper1")

    clear_login_failures(username="Shopper1")

    assert LoginAttempt.objects.count() == 0
