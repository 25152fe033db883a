"""Pages the shopper visited stay readable with the link down, saying so and since when."""

import pytest
from playwright.sync_api import expect

from tests.browser.harness import (
    go_offline,
    go_online,
    open_phone,
    session_cookies,
    wait_until,
    worker_controls,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_basket_and_orders_stay_readable_offline_with_a_banner_saying_when(
    playwright, link, shop, tmp_path
):
    phone = open_phone(
        playwright, tmp_path / "phone", cookies=session_cookies(shop.shopper, link.url)
    )
    page = phone.new_page()
    page.goto(f"{link.url}/basket/")
    wait_until(lambda: worker_controls(page), seconds=10, what="the service worker")
    for path in ("/basket/", "/orders/", "/"):
        page.goto(f"{link.url}{path}")
    expect(page.locator("#offline")).to_be_hidden()

    go_offline(phone, link)
    page.goto(f"{link.url}/basket/")

    expect(page.locator("#offline")).to_be_visible()
    expect(page.locator("#offline")).to_contain_text("연결 끊김")
    expect(page.locator("main")).to_contain_text("콩우유")
    page.goto(f"{link.url}/orders/")
    expect(page.locator("h1")).to_have_text("내 주문")
    go_online(phone, link)
    page.goto(f"{link.url}/basket/")
    expect(page.locator("#offline")).to_be_hidden()
    phone.close()


@pytest.mark.parametrize("path", ["/categories/999/", "/courier/"])
def test_a_page_never_saved_says_in_the_sites_words_that_the_link_is_down_and_leads_back(
    playwright, link, shop, tmp_path, path
):
    # A shop page not visited yet, and a page never kept on the phone (a staff page).
    phone = open_phone(
        playwright, tmp_path / "phone", cookies=session_cookies(shop.shopper, link.url)
    )
    page = phone.new_page()
    page.goto(f"{link.url}/basket/")
    wait_until(lambda: worker_controls(page), seconds=10, what="the service worker")
    page.goto(f"{link.url}/basket/")

    go_offline(phone, link)
    page.goto(f"{link.url}{path}")

    expect(page.locator("h1")).to_have_text("연결 끊김")
    expect(page.locator("main")).to_contain_text(
        "이 쪽은 이 기기에 저장되지 않았습니다."
    )
    expect(page.locator("main [lang=en]")).to_contain_text("Offline")
    # Dressed as the site is, with a way to the pages the phone keeps.
    expect(page.locator("header.top .brand")).to_have_css(
        "text-decoration-line", "none"
    )
    page.get_by_role("link", name="장바구니 (Basket)").click()
    expect(page.locator("main")).to_contain_text("콩우유")
    expect(page.locator("#offline")).to_contain_text("연결 끊김")
    phone.close()
