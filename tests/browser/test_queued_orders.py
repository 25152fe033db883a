"""Orders paid at the door, placed with the link down, are each delivered exactly once.

The shopper places ``OKRYU_OFFLINE_SOAK_ORDERS`` orders (20 in CI; ``make offline-soak``
places 100) from the saved checkout page while the link is down, reloading now and then and
restarting the browser halfway; then the link returns. Every order must reach the server
once, none twice, and the phone must show each one's outcome.
"""

import os
import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from okryu.core.models import IdempotencyRecord
from okryu.orders.models import Order
from tests.browser.harness import (
    Link,
    go_offline,
    go_online,
    open_phone,
    session_cookies,
    wait_until,
    worker_controls,
)

pytestmark = pytest.mark.django_db(transaction=True)

ORDERS = int(os.environ.get("OKRYU_OFFLINE_SOAK_ORDERS", "20"))
RELOAD_EVERY = 7
DELIVERY_SECONDS_MAX = 60 + ORDERS * 2


def prepare(page: Page, link: Link) -> None:
    """Visit the pages while the link is up, so the phone keeps them."""
    page.goto(f"{link.url}/orders/")
    wait_until(lambda: worker_controls(page), seconds=10, what="the service worker")
    page.goto(f"{link.url}/checkout/")
    expect(page.get_by_role("button", name="주문하기")).to_be_visible()
    page.goto(f"{link.url}/orders/")


def place_offline(page: Page, link: Link) -> str:
    """Fill the saved checkout page as paid at the door and send it; return its key."""
    page.goto(f"{link.url}/checkout/")
    expect(page.locator("#offline")).to_contain_text("연결 끊김")
    key = page.locator('input[name="idempotency_key"]').input_value()
    page.locator('input[name="payment"][value="door"]').check()
    page.get_by_role("button", name="주문하기").click()
    page.wait_for_url(re.compile(r"/orders/\?queued="))
    expect(page.locator(f'.queue li[data-key="{key}"]')).to_contain_text("보내는 중")
    return key


def restart(phone: BrowserContext, playwright, profile) -> tuple[BrowserContext, Page]:
    phone.close()
    again = open_phone(playwright, profile)
    again.set_offline(True)
    return again, again.new_page()


def test_orders_placed_offline_across_reloads_and_a_restart_arrive_once_each(
    playwright, link, shop, tmp_path
):
    profile = tmp_path / "phone"
    phone = open_phone(
        playwright, profile, cookies=session_cookies(shop.shopper, link.url)
    )
    page = phone.new_page()
    prepare(page, link)
    go_offline(phone, link)

    keys: list[str] = []
    for number in range(1, ORDERS + 1):
        keys.append(place_offline(page, link))
        if number % RELOAD_EVERY == 0:
            page.reload()
        if number == ORDERS // 2:
            phone, page = restart(phone, playwright, profile)
    assert len(set(keys)) == ORDERS
    assert not Order.objects.exists()

    go_online(phone, link)
    page.goto(f"{link.url}/orders/")
    placed = page.locator(".queue li.placed")
    wait_until(
        lambda: placed.count() == ORDERS,
        seconds=DELIVERY_SECONDS_MAX,
        what=f"{ORDERS} orders placed",
    )

    orders = Order.objects.filter(shopper=shop.shopper)
    assert orders.count() == ORDERS
    records = IdempotencyRecord.objects.filter(key__in=keys)
    assert sorted(records.values_list("key", flat=True)) == sorted(keys)
    shown = set(re.findall(r"OK-\d{8}-[A-Z0-9]+", " ".join(placed.all_inner_texts())))
    assert shown == set(orders.values_list("number", flat=True))
    expect(page.locator(".queue li.sending")).to_have_count(0)
    phone.close()


def test_a_card_checkout_offline_is_not_kept_and_asks_for_the_pin_again(
    playwright, link, shop, tmp_path
):
    phone = open_phone(
        playwright, tmp_path / "phone", cookies=session_cookies(shop.shopper, link.url)
    )
    page = phone.new_page()
    prepare(page, link)
    go_offline(phone, link)

    page.goto(f"{link.url}/checkout/")
    page.get_by_label("카드 번호").fill("9410000000000013")
    page.get_by_label("PIN").fill("2468")
    page.get_by_role("button", name="주문하기").click()

    page.wait_for_url(re.compile(r"/checkout/\?pin_again=1&key=\w+$"))
    expect(page.locator("#offline")).to_contain_text(
        "카드 결제 주문이 접수되었는지 아직 모릅니다"
    )
    expect(page.get_by_label("PIN")).to_have_value("")
    stored = page.evaluate(
        """() => new Promise((resolve) => {
            const open = indexedDB.open("okryu-offline", 1);
            open.onupgradeneeded = () => open.result.createObjectStore("queue", {keyPath: "key"});
            open.onsuccess = () => {
                const all = open.result.transaction("queue").objectStore("queue").getAll();
                all.onsuccess = () => resolve(JSON.stringify(all.result));
            };
        })"""
    )
    assert stored == "[]"
    go_online(phone, link)
    # Back online, the page asks what became of its key: nothing was placed.
    expect(page.locator("#offline")).to_contain_text(
        "카드 결제 주문은 접수되지 않았습니다. PIN을 다시 입력하고 주문하십시오."
    )
    page.goto(f"{link.url}/orders/")
    assert not Order.objects.exists()
    phone.close()
