"""A new release's worker drops every page the older one saved, prices included."""

import pytest
from playwright.sync_api import expect

from tests.browser.harness import (
    go_offline,
    open_phone,
    session_cookies,
    wait_until,
    worker_controls,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_after_a_new_release_no_page_of_the_older_one_is_served_offline(
    playwright, link, shop, tmp_path, settings
):
    settings.OKRYU_RELEASE = "2026.12.1"
    phone = open_phone(
        playwright, tmp_path / "phone", cookies=session_cookies(shop.shopper, link.url)
    )
    page = phone.new_page()
    page.goto(f"{link.url}/basket/")
    wait_until(lambda: worker_controls(page), seconds=10, what="the service worker")
    page.goto(f"{link.url}/checkout/")

    def cache_names() -> list[str]:
        return list(page.evaluate("() => caches.keys()"))

    assert any(name.startswith("okryu-pages-2026.12.1-") for name in cache_names())

    settings.OKRYU_RELEASE = "2026.12.2"
    page.goto(
        f"{link.url}/"
    )  # A visit makes the browser check the worker for a change.
    wait_until(
        lambda: all("2026.12.1" not in name for name in cache_names()),
        seconds=20,
        what="the new worker to drop the older caches",
    )
    go_offline(phone, link)
    page.goto(f"{link.url}/checkout/")

    # Not the older release's saved checkout: the page saying nothing is saved.
    expect(page.locator("h1")).to_have_text("연결 끊김")
    expect(page.locator("main")).to_contain_text(
        "이 쪽은 이 기기에 저장되지 않았습니다."
    )
    expect(page.locator('input[name="idempotency_key"]')).to_have_count(0)
    phone.close()
