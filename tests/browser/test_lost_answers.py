"""The answer to 주문하기 is lost after the server placed the order: nothing is ordered twice
and the shopper is told that order N was placed at HH:MM.

Without JavaScript, Playwright's route interception sends the POST to the server, lets it
commit, and then aborts the answer, as a dropped link does; the basket and the orders page
find the order by the form's key kept in the session. With the service worker, the relay
delivers the request and drops every answer; the worker keeps the order, asks the server
for the outcome of its key when the link returns, and shows the order without sending it
again.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Route, expect

from okryu.orders.models import Order
from okryu.web.tests.test_checkout_pages import PIN, funded_card
from tests.browser.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    open_phone,
    session_cookies,
    wait_until,
    worker_controls,
)

pytestmark = pytest.mark.django_db(transaction=True)


def placed_notice(order: Order) -> str:
    time = timezone.localtime(order.placed_at).strftime("%H:%M")
    return f"주문 {order.number}번이 {time}에 접수되었습니다."


def test_without_javascript_the_basket_and_orders_tell_of_the_order_whose_answer_was_lost(
    playwright, link, shop, tmp_path
):
    phone = open_phone(
        playwright,
        tmp_path / "phone",
        cookies=session_cookies(shop.shopper, link.url),
        javascript=False,
    )
    page = phone.new_page()
    answered: list[int] = []

    def lose_the_answer(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        answered.append(route.fetch(max_redirects=0).status)  # The server commits.
        route.abort("connectionreset")  # ...and the phone never hears of it.

    page.route(re.compile(r"/checkout/$"), lose_the_answer)
    page.goto(f"{link.url}/checkout/")
    page.locator('input[name="payment"][value="door"]').check()
    page.get_by_role("button", name="주문하기").click()
    page.wait_for_url(re.compile(r"^chrome-error://"))  # The browser's own error page.
    assert answered == [302]

    order = Order.objects.get()
    page.go_back()
    page.goto(f"{link.url}/basket/")
    expect(page.locator(".recovered")).to_have_text(
        re.compile(re.escape(placed_notice(order)))
    )
    page.goto(f"{link.url}/orders/")
    expect(page.locator(".recovered")).to_contain_text(placed_notice(order))
    page.locator(".recovered a").click()
    page.goto(f"{link.url}/basket/")
    expect(page.locator(".recovered")).to_have_count(0)
    assert Order.objects.count() == 1
    phone.close()


def test_with_the_worker_an_order_whose_answer_was_lost_is_found_not_sent_again(
    playwright, link, shop, tmp_path
):
    phone = open_phone(
        playwright, tmp_path / "phone", cookies=session_cookies(shop.shopper, link.url)
    )
    page = phone.new_page()
    page.goto(f"{link.url}/orders/")
    wait_until(lambda: worker_controls(page), seconds=10, what="the service worker")
    page.goto(f"{link.url}/orders/")
    page.goto(f"{link.url}/checkout/")
    page.locator('input[name="payment"][value="door"]').check()

    link.lose_answers(lost=True)
    page.get_by_role("button", name="주문하기").click()
    page.wait_for_url(re.compile(r"\?queued="))
    wait_until(Order.objects.exists, seconds=10, what="the order on the server")
    link.lose_answers(lost=False)

    order = Order.objects.get()
    expect(page.locator(".queue li.placed")).to_have_text(
        re.compile(re.escape(placed_notice(order))), timeout=20_000
    )
    assert Order.objects.count() == 1
    phone.close()


def test_with_the_worker_a_card_order_whose_answer_was_lost_is_told_and_not_placed_twice(
    playwright, link, shop, tmp_path
):
    card = funded_card(shop.shopper)
    phone = open_phone(
        playwright, tmp_path / "phone", cookies=session_cookies(shop.shopper, link.url)
    )
    page = phone.new_page()
    page.goto(f"{link.url}/orders/")
    wait_until(lambda: worker_controls(page), seconds=10, what="the service worker")
    page.goto(f"{link.url}/checkout/")
    page.get_by_label("카드 번호").fill(card.number)
    page.get_by_label("PIN").fill(PIN)
    sent_key = page.locator('input[name="idempotency_key"]').input_value()

    link.lose_answers(lost=True)
    page.get_by_role("button", name="주문하기").click()
    page.wait_for_url(re.compile(r"/checkout/\?pin_again=1&key="))
    wait_until(Order.objects.exists, seconds=10, what="the order on the server")
    # The card order is not kept on the phone, but the form shown again keeps its key...
    expect(page.locator('input[name="idempotency_key"]')).to_have_value(sent_key)
    expect(page.locator("#offline")).not_to_contain_text("보내지 못했습니다")
    link.lose_answers(lost=False)

    # ...and, the link back, the page asks what became of it and says so.
    order = Order.objects.get()
    expect(page.locator("#offline")).to_contain_text(
        placed_notice(order), timeout=20_000
    )
    expect(page.locator("#offline a")).to_have_attribute("href", f"/orders/{order.pk}/")
    # Readable on the banner: white, as its words are.
    expect(page.locator("#offline a")).to_have_css("color", "rgb(255, 255, 255)")
    expect(page.locator("form.checkout")).to_be_hidden()

    # Had the shopper sent the form again before the answer came, the server would show
    # that order, not place another: one order, one hold.
    page.evaluate("() => { document.querySelector('form.checkout').hidden = false; }")
    page.get_by_label("카드 번호").fill(card.number)
    page.get_by_label("PIN").fill(PIN)
    page.get_by_role("button", name="주문하기").click()
    page.wait_for_url(re.compile(rf"/orders/{order.pk}/$"))
    expect(page.locator(".messages")).to_contain_text("이미 받은 주문입니다.")
    assert Order.objects.count() == 1
    phone.close()


def test_without_javascript_back_after_a_lost_answer_tells_of_the_order_not_the_old_basket(
    playwright, link, shop, tmp_path
):
    # A fresh (not persistent) profile keeps pages for Back as a phone's browser does.
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
    )
    phone = browser.new_context(viewport=PHONE, java_script_enabled=False)
    phone.add_cookies(session_cookies(shop.shopper, link.url))
    page = phone.new_page()
    page.goto(f"{link.url}/basket/")
    page.goto(f"{link.url}/checkout/")
    page.locator('input[name="payment"][value="door"]').check()

    link.lose_answers(lost=True)  # The server places it; the phone hears nothing back.
    page.get_by_role("button", name="주문하기").click()
    page.wait_for_url(re.compile(r"^chrome-error://"))
    wait_until(Order.objects.exists, seconds=10, what="the order on the server")
    link.lose_answers(lost=False)

    # Back shows the basket as the server has it now, not as the browser kept it.
    page.go_back()
    order = Order.objects.get()
    expect(page.locator(".recovered")).to_contain_text(placed_notice(order))
    expect(page.locator("main")).not_to_contain_text(shop.product.name)
    browser.close()
