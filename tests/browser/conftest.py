"""Harness of the browser tests: skipped, saying why, where Debian's Chromium is missing."""

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Playwright, sync_playwright

from okryu.accounts.models import User
from okryu.accounts.phone_verification import record_verified_phone
from okryu.accounts.tests.factories import AddressFactory, ShopperFactory
from okryu.cart.owners import BasketOwner
from okryu.cart.services import add_to_basket
from okryu.catalog.models import Product
from okryu.web.tests.test_checkout_pages import stocked_product
from tests.browser.harness import CHROMIUM, Link, relayed

MISSING_CHROMIUM = (
    f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium "
    "(apt-get install -y chromium fonts-noto-cjk; .ci/run does)"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(pytest.mark.skip(reason=MISSING_CHROMIUM))


@pytest.fixture
def playwright(monkeypatch) -> Iterator[Playwright]:
    # Playwright's sync API runs an event loop in this thread; the test's own database
    # calls happen between page actions and do not race it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as started:
        yield started


@pytest.fixture
def link(live_server) -> Iterator[Link]:
    with relayed(urlsplit(live_server.url).port or 80) as made:
        yield made


@dataclass(frozen=True)
class Shop:
    """A shopper with an address and a basket of one product sold by a store."""

    shopper: User
    product: Product


@pytest.fixture
def shop(settings) -> Shop:
    # A soak places more orders than a person would in an hour; the SMS limit is not its test.
    settings.OKRYU_RATE_LIMITS = {
        **settings.OKRYU_RATE_LIMITS,
        "sms_account": (10_000, 3600),
        "sms_address": (10_000, 3600),
    }
    # Nor is the cap on open door orders: each queued order pays at the door.
    settings.OKRYU_OPEN_DOOR_ORDERS = 10_000
    shopper = ShopperFactory.create()
    # Paying at the door needs a verified phone, as the demo shoppers' are.
    record_verified_phone(user_id=shopper.pk)
    AddressFactory.create(user=shopper, is_default=True)
    product = stocked_product(name="콩우유", price_won=1_500, stock=5_000)
    add_to_basket(
        owner=BasketOwner.for_user(shopper.pk), product_id=product.pk, quantity=1
    )
    return Shop(shopper=shopper, product=product)
