"""Sessions read through the cache (okryu.core.sessions) remember unknown keys, and never
hide a real session."""

import pytest
from django.core.cache import cache
from django.test import Client

from okryu.accounts.tests.factories import UserFactory
from okryu.core.sessions import UNKNOWN_SESSION_MARK, SessionStore

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cached_sessions(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    settings.SESSION_ENGINE = "okryu.core.sessions"
    cache.clear()
    yield
    cache.clear()


def test_an_unknown_key_is_asked_of_the_database_once(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert SessionStore("unknownsessionkey123").load() == {}

    with django_assert_num_queries(0):
        assert SessionStore("unknownsessionkey123").load() == {}
    assert cache.get(SessionStore.cache_key_prefix + "unknownsessionkey123") == (
        UNKNOWN_SESSION_MARK
    )


def test_a_saved_session_is_read_from_the_cache_without_a_query(
    django_assert_num_queries,
):
    session = SessionStore()
    session["district"] = "중구역"
    session.create()

    with django_assert_num_queries(0):
        assert SessionStore(session.session_key).load() == {"district": "중구역"}


def test_a_session_lost_from_the_cache_is_read_back_from_the_database():
    session = SessionStore()
    session["district"] = "모란봉구역"
    session.save()
    cache.clear()

    assert SessionStore(session.session_key).load() == {"district": "모란봉구역"}


def test_a_browser_keeping_an_unknown_key_gets_a_fresh_one_when_it_signs_in():
    browser = Client()
    browser.cookies["sessionid"] = "madeupkeymadeupkeymadeupkey12345"
    browser.get("/")
    user = UserFactory.create()

    browser.force_login(user)

    assert browser.cookies["sessionid"].value != "madeupkeymadeupkeymadeupkey12345"
    page = browser.get("/").content.decode()
    assert "로그아웃" in page


def test_signing_out_forgets_the_session_everywhere():
    browser = Client()
    browser.force_login(UserFactory.create())
    key = browser.cookies["sessionid"].value
    browser.post("/accounts/logout/")

    assert SessionStore(key).load() == {}
    assert 'href="/accounts/login/"' in browser.get("/").content.decode()
