"""The pages on a 360 px wide phone, in headless Chromium: a one-line header, whole words.

Marked ``browser``: they start Debian's Chromium through Playwright against a live server.
"""

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from okryu.accounts.models import Role, RoleGrant, User
from okryu.accounts.tests.factories import ShopperFactory, UserFactory
from okryu.cart.owners import BasketOwner
from okryu.cart.services import add_to_basket
from okryu.merchants.models import MerchantKind, MerchantStaff
from okryu.merchants.tests.factories import MerchantFactory
from okryu.web.tests.test_checkout_pages import stocked_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

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
PHONE: ViewportSize = {"width": 360, "height": 740}
# One line of the header: its tallest item (the menu button) and a little room.
ONE_LINE_PIXELS_MAX = 40


@pytest.fixture
def browser(monkeypatch) -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread; the test's own database
    # calls happen before the pages and do not race it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


def signed_in_page(
    browser: Browser, live_server, user, *, language: str = "ko"
) -> Page:
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=PHONE)
    cookies = [
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
    context.add_cookies(cookies)  # type: ignore[arg-type]
    return context.new_page()


def restaurant_staff() -> User:
    restaurant = MerchantFactory.create(kind=MerchantKind.RESTAURANT, name="옥류관")
    staff: User = UserFactory.create(display_name="김향미")
    for role in (Role.MERCHANT, Role.SHOPPER):
        RoleGrant.objects.create(user=staff, role=role)
    MerchantStaff.objects.create(merchant=restaurant, user=staff)
    return staff


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_header_of_staff_with_every_link_keeps_to_one_line_on_a_phone(
    browser, live_server, language
):
    page = signed_in_page(browser, live_server, restaurant_staff(), language=language)

    page.goto(f"{live_server.url}/merchant/")
    bar_height = page.locator(".bar").bounding_box()["height"]  # type: ignore[index]
    hidden = page.locator(".menu-items a").first.is_visible()
    summary = page.locator(".menu summary").inner_text()
    page.click(".menu summary")
    links = page.locator(".menu-items a").all_inner_texts()

    assert bar_height <= ONE_LINE_PIXELS_MAX
    assert hidden is False
    assert summary == {"ko": "메뉴", "en": "Menu"}[language]
    expected = {
        "ko": ["내 주문", "내 입고 알림", "내 카드", "판매자 업무", "주방", "내 정보"],
        "en": [
            "My orders",
            "My waitlist",
            "My cards",
            "Merchant desk",
            "Kitchen",
            "My account",
        ],
    }[language]
    assert links == expected
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_basket_splits_no_word_and_fits_the_phone(browser, live_server):
    shopper = ShopperFactory.create()
    for name in ("평양랭면", "봄향기 물크림 120ml"):
        product = stocked_product(name=name, price_won=18_000)
        add_to_basket(
            owner=BasketOwner.for_user(shopper.pk), product_id=product.pk, quantity=1
        )
    page = signed_in_page(browser, live_server, shopper)

    page.goto(f"{live_server.url}/basket/")
    button = page.get_by_role("button", name="바꾸기").first
    button_box = button.bounding_box()
    line_height = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('main button')).lineHeight)"
    )

    assert button_box is not None
    # One line of text inside the button's padding and border: no 바꾸/기.
    assert button_box["height"] < 2 * line_height
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_search_box_shows_what_was_searched_on_the_results(browser, live_server):
    stocked_product(name="평양랭면", name_en="Pyongyang cold noodles")
    page = browser.new_context(viewport=PHONE).new_page()

    page.goto(f"{live_server.url}/")
    page.fill("input[name=q]", "naengmyon")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/search/?q=naengmyon")
    box = page.locator("input[name=q]")
    colours = box.evaluate(
        "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]"
    )

    assert box.input_value() == "naengmyon"
    # Readable: the header's white text does not reach the white box.
    assert colours[0] != colours[1]
    assert page.locator(".products .name").all_inner_texts() == ["평양랭면"]


def test_the_kitchen_screen_fits_a_small_phone(browser, live_server):
    staff = restaurant_staff()
    restaurant = MerchantStaff.objects.get(user=staff).merchant
    stocked_product(merchant=restaurant, name="평양랭면", is_made_to_order=True)
    page = signed_in_page(browser, live_server, staff)
    page.set_viewport_size({"width": 320, "height": 640})

    page.goto(f"{live_server.url}/kitchen/")

    assert page.locator(".soldout li").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
