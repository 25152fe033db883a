"""The choice of database for reads that tolerate lag, and its fallbacks to the primary.

The real streaming replica is exercised by tests/cluster/test_replica.py; here the probe of
its lag is a function the test controls.
"""

import pytest
from django.db import OperationalError, transaction
from django.test import Client

from okryu.core.replica import (
    PRIMARY_ALIAS,
    REPLICA_ALIAS,
    WROTE_COOKIE,
    ReplicaHealth,
    lagging_read,
    reads_pinned_to_primary,
)


class Clock:
    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds


class Replica:
    """The replica's lag as the probe sees it; ``None`` when it is down."""

    def __init__(self, lag: float | None = 0.0) -> None:
        self.lag = lag
        self.probes = 0

    def probe(self) -> float:
        self.probes += 1
        if self.lag is None:
            message = "connection refused"
            raise OperationalError(message)
        return self.lag


@pytest.fixture
def replica() -> Replica:
    return Replica()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _health(replica: Replica, clock: Clock) -> ReplicaHealth:
    return ReplicaHealth(
        probe=replica.probe, max_lag_seconds=5, check_seconds=2, now=clock
    )


def _where(health: ReplicaHealth) -> str:
    return lagging_read(lambda alias: alias, health=health)


def test_a_healthy_replica_serves_the_reads_that_tolerate_lag(replica, clock):
    assert _where(_health(replica, clock)) == REPLICA_ALIAS


def test_a_replica_behind_by_more_than_the_allowed_lag_leaves_the_reads_to_the_primary(
    replica, clock
):
    replica.lag = 6

    assert _where(_health(replica, clock)) == PRIMARY_ALIAS


def test_a_replica_that_is_down_leaves_the_reads_to_the_primary(replica, clock):
    replica.lag = None

    assert _where(_health(replica, clock)) == PRIMARY_ALIAS


def test_the_replica_is_used_again_once_it_has_caught_up_at_the_next_check(
    replica, clock
):
    health = _health(replica, clock)
    replica.lag = 30
    behind = _where(health)
    replica.lag = 0.5
    before_the_next_check = _where(health)
    clock.seconds += 2
    caught_up = _where(health)

    assert (behind, before_the_next_check, caught_up) == (
        PRIMARY_ALIAS,
        PRIMARY_ALIAS,
        REPLICA_ALIAS,
    )
    assert replica.probes == 2


def test_a_read_that_fails_on_the_replica_is_read_again_from_the_primary(
    replica, clock
):
    health = _health(replica, clock)
    tried: list[str] = []

    def read(alias: str) -> str:
        tried.append(alias)
        if alias == REPLICA_ALIAS:
            message = "terminating connection due to administrator command"
            raise OperationalError(message)
        return "rows"

    assert lagging_read(read, health=health) == "rows"
    assert tried == [REPLICA_ALIAS, PRIMARY_ALIAS]
    # The replica is left alone until the next check.
    assert _where(health) == PRIMARY_ALIAS
    clock.seconds += 2
    assert _where(health) == REPLICA_ALIAS


def test_a_person_who_just_wrote_reads_from_the_primary(replica, clock):
    health = _health(replica, clock)

    with reads_pinned_to_primary():
        assert _where(health) == PRIMARY_ALIAS
    assert _where(health) == REPLICA_ALIAS


def test_without_a_replica_configured_every_read_goes_to_the_primary():
    assert lagging_read(lambda alias: alias) == PRIMARY_ALIAS


@pytest.mark.django_db
def test_a_read_inside_a_transaction_goes_to_the_primary(replica, clock):
    with transaction.atomic():
        assert _where(_health(replica, clock)) == PRIMARY_ALIAS


@pytest.mark.django_db
def test_a_write_marks_the_browser_to_read_the_primary_for_a_moment(
    settings, monkeypatch
):
    settings.OKRYU_REPLICA_MAX_LAG_S = 5
    monkeypatch.setattr("okryu.core.replica.replica_configured", lambda: True)
    client = Client(HTTP_HOST="localhost")

    read = client.get("/health/")
    wrote = client.post("/accounts/logout/")

    assert WROTE_COOKIE not in read.cookies
    assert wrote.cookies[WROTE_COOKIE]["max-age"] == 15
