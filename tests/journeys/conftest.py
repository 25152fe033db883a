"""Journeys on a phone in headless Chromium (Debian's), against a live server.

Every journey is marked ``browser``; without ``/usr/bin/chromium`` (or Playwright) they are
skipped with the reason. CI installs Chromium and the CJK fonts (``.ci/run``). The clock is
the project's (time-machine moves it for the server thread too), set before each step.
"""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
# Expect-style waits give up after this long (milliseconds): a page here answers in well
# under a second, even on a busy machine.
WAIT_MS = 10_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            if not Path(CHROMIUM).exists():
                item.add_marker(
                    pytest.mark.skip(
                        reason=f"no Chromium at {CHROMIUM} (CI installs it)"
                    )
                )


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """One headless Chromium for the journey."""
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the journey's own database
    # calls happen between page steps and do not race it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        sync_api.expect.set_options(timeout=WAIT_MS)
        yield launched
        launched.close()


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Callable[..., Any]:
    """Open a phone-sized page signed in as ``user`` (a fresh session, set just then)."""

    def open_as(user: Any, *, language: str = "ko") -> Any:
        client = Client()
        client.force_login(user)
        context = browser.new_context(viewport=PHONE, locale="ko-KR")
        context.set_default_timeout(WAIT_MS)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                },
                {
                    "name": settings.LANGUAGE_COOKIE_NAME,
                    "value": language,
                    "url": live_server.url,
                },
            ]
        )
        page = context.new_page()
        page.set_default_navigation_timeout(WAIT_MS)
        return page

    return open_as
