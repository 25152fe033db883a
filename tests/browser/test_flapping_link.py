"""Orders placed while the link comes and goes every few seconds: each arrives once.

A thread cuts and restores the relay every ``FLAP_SECONDS`` while the shopper keeps placing
door-paid orders from the checkout page; some go straight through, some are queued, some
have their answer cut off after the server placed them. Once the link settles, the server
holds exactly one order per form key and the phone shows every outcome.
"""

import os
import re
import threading

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from okryu.cart.models import BasketLine
from okryu.cart.owners import BasketOwner
from okryu.cart.services import add_to_basket
from okryu.core.models import IdempotencyRecord
from okryu.orders.models import Order
from tests.browser.harness import (
    Link,
    open_phone,
    session_cookies,
    wait_until,
    worker_controls,
)

pytestmark = pytest.mark.django_db(transaction=True)

ORDERS = int(os.environ.get("OKRYU_OFFLINE_FLAP_ORDERS", "12"))
FLAP_SECONDS = 2.0
DELIVERY_SECONDS_MAX = 60 + ORDERS * 2


def flap(link: Link, stop: threading.Event) -> None:
    while not stop.wait(FLAP_SECONDS):
        if link.is_up:
            link.cut()
        else:
            link.restore()
    link.restore()


def keep_one_line_in_the_basket(shop) -> None:
    """An order placed online empties the basket; the shopper fills it again."""
    if not BasketLine.objects.filter(basket__user_id=shop.shopper.pk).exists():
        add_to_basket(
            owner=BasketOwner.for_user(shop.shopper.pk),
            product_id=shop.product.pk,
            quantity=1,
        )


def place(page: Page, link: Link) -> tuple[str, bool] | None:
    """Place one door-paid order; return its key and whether the phone queued it, or None
    if the form could not be had, never left the phone, or was answered without an order."""
    try:
        page.goto(f"{link.url}/checkout/", timeout=10_000)
        key = page.locator('input[name="idempotency_key"]').input_value(timeout=2_000)
        page.locator('input[name="payment"][value="door"]').check(timeout=2_000)
    except Exception:  # noqa: BLE001  (the link dropped before the form was there: try again)
        return None
    # Whatever the answer, the page goes somewhere: the order, the queue, the browser's
    # error page, or back to the form or the basket with the server's reason.
    try:
        with page.expect_navigation(timeout=30_000):
            page.get_by_role("button", name="주문하기").click()
    except PlaywrightError:
        if page.url.startswith("chrome-error://"):
            return None  # The form never left the phone (a page with no saved copy).
        raise AssertionError(f"no answer to the checkout at {page.url}") from None
    if "?queued=" in page.url:
        return key, True
    # The order's page, else the browser's error page, the form or the basket with the
    # server's reason: placed only if the server says so (the answer of a placed order can be
    # cut off on its way to the page that follows it).
    placed = re.search(r"/orders/\d+/$", page.url) is not None or (
        IdempotencyRecord.objects.filter(key=key, status_code=201).exists()
    )
    return (key, False) if placed else None


def test_orders_placed_while_the_link_flaps_arrive_once_each_and_all_are_shown(
    playwright, link, shop, tmp_path
):
    phone = open_phone(
        playwright, tmp_path / "phone", cookies=session_cookies(shop.shopper, link.url)
    )
    page = phone.new_page()
    page.goto(f"{link.url}/orders/")
    wait_until(lambda: worker_controls(page), seconds=10, what="the service worker")
    for path in ("/orders/", "/basket/", "/checkout/"):
        page.goto(f"{link.url}{path}")

    stop = threading.Event()
    flapper = threading.Thread(target=flap, args=(link, stop), daemon=True)
    flapper.start()
    keys: list[str] = []
    queued_keys: list[str] = []
    attempts = 0
    try:
        while len(keys) < ORDERS:
            attempts += 1
            assert attempts <= ORDERS * 10, f"{len(keys)} orders in {attempts} tries"
            keep_one_line_in_the_basket(shop)
            placed = place(page, link)
            if placed is not None:
                keys.append(placed[0])
                if placed[1]:
                    queued_keys.append(placed[0])
    finally:
        stop.set()
        flapper.join()

    page.goto(f"{link.url}/orders/")
    wait_until(
        lambda: page.locator(".queue li.placed").count() == len(queued_keys),
        seconds=DELIVERY_SECONDS_MAX,
        what=f"the {len(queued_keys)} queued orders placed",
    )
    records = IdempotencyRecord.objects.filter(key__in=keys, status_code=201)
    assert sorted(records.values_list("key", flat=True)) == sorted(set(keys))
    orders = Order.objects.filter(shopper=shop.shopper)
    assert orders.count() == len(set(keys))
    queued = page.locator(".queue li")
    assert sorted(
        queued.evaluate_all("items => items.map(i => i.dataset.key)")
    ) == sorted(queued_keys)
    shown = re.findall(r"OK-\d{8}-[A-Z0-9]+", " ".join(queued.all_inner_texts()))
    assert len(shown) == len(queued_keys)
    assert set(shown) <= set(orders.values_list("number", flat=True))
    phone.close()
