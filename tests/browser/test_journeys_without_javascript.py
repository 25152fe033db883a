"""With JavaScript off, the shopper's journeys still work end to end, on a phone.

No script runs, so no service worker is installed: every step is a plain page and form,
exactly as before the offline helper existed.
"""

import re

import pytest
from playwright.sync_api import expect

from okryu.orders.models import Order, OrderStatusChoices
from okryu.web.tests.test_checkout_pages import PIN, funded_card
from tests.browser.harness import open_phone, session_cookies

pytestmark = pytest.mark.django_db(transaction=True)


def test_search_add_change_check_out_by_card_and_cancel_without_javascript(
    playwright, link, shop, tmp_path
):
    card = funded_card(shop.shopper)
    phone = open_phone(
        playwright,
        tmp_path / "phone",
        cookies=session_cookies(shop.shopper, link.url),
        javascript=False,
    )
    page = phone.new_page()

    page.goto(f"{link.url}/")
    page.get_by_role("searchbox").fill("콩우유")
    page.get_by_role("button", name="검색").click()
    page.get_by_role("link", name="콩우유").first.click()
    page.get_by_label("수량").fill("2")
    page.get_by_role("button", name="장바구니에 담기").click()
    page.goto(f"{link.url}/basket/")
    expect(page.locator("main")).to_contain_text("콩우유")
    quantity = page.locator('main input[name="quantity"]').first
    quantity.fill("4")
    page.get_by_role("button", name="바꾸기").first.click()
    expect(page.locator('main input[name="quantity"]').first).to_have_value("4")

    page.goto(f"{link.url}/checkout/")
    page.get_by_label("카드 번호").fill(card.number)
    page.get_by_label("PIN").fill(PIN)
    page.get_by_role("button", name="주문하기").click()
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    order = Order.objects.get()
    expect(page.locator("h1")).to_contain_text(order.number)

    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="주문 취소").click()
    expect(page.locator(".messages")).to_contain_text("주문을 취소했습니다")
    order.refresh_from_db()
    assert order.status == OrderStatusChoices.CANCELLED
    assert not phone.service_workers
    phone.close()


def test_a_door_order_and_the_english_pages_work_without_javascript(
    playwright, link, shop, tmp_path
):
    phone = open_phone(
        playwright,
        tmp_path / "phone",
        cookies=session_cookies(shop.shopper, link.url, language="en"),
        javascript=False,
    )
    page = phone.new_page()

    page.goto(f"{link.url}/checkout/")
    page.locator('input[name="payment"][value="door"]').check()
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    page.goto(f"{link.url}/orders/")

    expect(page.locator("h1")).to_have_text("My orders")
    expect(page.locator("main table")).to_contain_text(Order.objects.get().number)
    phone.close()
