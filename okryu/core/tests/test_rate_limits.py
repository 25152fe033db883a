"""The rate-limit counters: atomic under racing threads, in the database and in Redis."""

import datetime as dt
import os
import uuid

import pytest
import redis
import time_machine

from okryu.core import clock, rate_limits
from okryu.core.models import RateCounter
from okryu.core.rate_limits import CacheCounters, DatabaseCounters, RateLimited
from okryu.core.tests.threads import race

THREADS = 8
HITS_PER_THREAD = 25
TEST_REDIS_URL = os.environ.get("OKRYU_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


@pytest.mark.django_db(transaction=True)
@pytest.mark.stress
def test_racing_threads_lose_no_count_in_the_database():
    store = DatabaseCounters()
    key = f"race:{uuid.uuid4().hex}"
    expires_at = clock.now() + dt.timedelta(minutes=5)

    def work(_index: int) -> list[int]:
        return [
            store.increment(key, expires_at=expires_at) for _ in range(HITS_PER_THREAD)
        ]

    seen = race(work, THREADS)

    values = sorted(value for values in seen for value in values)  # type: ignore[attr-defined]
    assert store.read(key) == THREADS * HITS_PER_THREAD
    assert values == list(range(1, THREADS * HITS_PER_THREAD + 1))


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": TEST_REDIS_URL,
            "KEY_PREFIX": f"okryu-test-{uuid.uuid4().hex}",
        }
    }
    settings.OKRYU_RATE_LIMIT_STORE = "cache"
    from django.core.cache import cache

    # Every key has an expiry of minutes at most; nothing is flushed in a shared Redis.
    return cache


@pytest.mark.stress
def test_racing_threads_lose_no_count_in_redis(redis_cache):
    store = CacheCounters()
    key = f"race:{uuid.uuid4().hex}"
    expires_at = clock.now() + dt.timedelta(minutes=5)

    def work(_index: int) -> list[int]:
        return [
            store.increment(key, expires_at=expires_at) for _ in range(HITS_PER_THREAD)
        ]

    seen = race(work, THREADS)

    values = sorted(value for values in seen for value in values)  # type: ignore[attr-defined]
    assert store.read(key) == THREADS * HITS_PER_THREAD
    assert values == list(range(1, THREADS * HITS_PER_THREAD + 1))
    store.delete(key)
    assert store.read(key) == 0


def test_a_redis_count_dies_with_its_window(redis_cache):
    store = CacheCounters()
    key = f"short:{uuid.uuid4().hex}"

    store.increment(key, expires_at=clock.now() + dt.timedelta(seconds=1))
    ttl = redis.Redis.from_url(TEST_REDIS_URL).ttl(redis_cache.make_key(key))

    assert store.read(key) == 1
    assert ttl is not None
    assert 0 < ttl <= 1


def test_the_limit_refuses_the_one_past_it_and_says_until_when_in_redis(
    redis_cache, settings
):
    settings.OKRYU_RATE_LIMITS = {"search_account": (2, 60)}
    subject = uuid.uuid4().hex
    start = dt.datetime(2026, 5, 1, 12, 0, 15, tzinfo=dt.UTC)

    with time_machine.travel(start, tick=False):
        counts = [rate_limits.hit("search_account", subject) for _ in range(2)]
        with pytest.raises(RateLimited) as refused:
            rate_limits.hit("search_account", subject)

    assert counts == [1, 2]
    assert refused.value.retry_after_seconds == 45


@pytest.mark.django_db
def test_the_limit_refuses_the_one_past_it_in_the_database_and_the_next_window_allows(
    settings,
):
    settings.OKRYU_RATE_LIMITS = {"search_account": (2, 60)}
    start = dt.datetime(2026, 5, 1, 12, 0, 15, tzinfo=dt.UTC)

    with time_machine.travel(start, tick=False):
        counts = [rate_limits.hit("search_account", 7) for _ in range(2)]
        with pytest.raises(RateLimited) as refused:
            rate_limits.hit("search_account", 7)
    with time_machine.travel(start + dt.timedelta(seconds=45), tick=False):
        next_window = rate_limits.hit("search_account", 7)

    assert counts == [1, 2]
    assert refused.value.retry_after_seconds == 45
    assert refused.value.code == "rate_limited"
    assert next_window == 1
    # The new window swept the old one's row.
    assert RateCounter.objects.count() == 1


@pytest.mark.django_db
def test_keys_carry_no_subject_in_clear():
    rate_limits.hit("sign_up_phone", "01012345678")

    key = RateCounter.objects.get().key

    assert "01012345678" not in key
    assert key.startswith("rl:sign_up_phone:")


@pytest.mark.django_db
def test_a_person_refused_on_their_account_spends_nothing_of_their_address(settings):
    settings.OKRYU_RATE_LIMITS = {
        **settings.OKRYU_RATE_LIMITS,
        "probe_account": (2, 60),
        "probe_card": (100, 60),
        "probe_address": (100, 60),
    }
    with time_machine.travel(dt.datetime(2026, 12, 7, 9, 0, 5, tzinfo=dt.UTC)):
        for _ in range(2):
            rate_limits.hit_all("probe", address="10.1.2.3", account_id=7, card="9410")
        for _ in range(5):
            with pytest.raises(RateLimited):
                rate_limits.hit_all(
                    "probe", address="10.1.2.3", account_id=7, card="9410"
                )

        # Two counted on the address and the card; the refused five stopped at the account.
        assert rate_limits.hit("probe_address", "10.1.2.3") == 3
        assert rate_limits.hit("probe_card", "9410") == 3


@pytest.mark.django_db(transaction=True)
def test_the_counters_of_one_action_are_kept_in_one_transaction_and_survive_a_refusal(
    settings,
):
    settings.OKRYU_RATE_LIMITS = {
        **settings.OKRYU_RATE_LIMITS,
        "probe_account": (1, 60),
        "probe_address": (100, 60),
    }
    rate_limits.hit_all("probe", address="10.9.9.9", account_id=8)

    with pytest.raises(RateLimited):
        rate_limits.hit_all("probe", address="10.9.9.9", account_id=8)

    assert RateCounter.objects.filter(value=2).count() == 1
    assert RateCounter.objects.filter(value=1).count() == 1
