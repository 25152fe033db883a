"""Basket edits made offline are kept on the phone and merged when the link returns.

The server's rules win: an edit the stock or a closed merchant no longer allows is refused
with the server's reason, a changed price is told with both figures, and the phone shows
each edit's outcome.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from okryu.cart.models import BasketLine
from okryu.catalog.models import Product
from okryu.catalog.services import count_stock
from okryu.merchants.models import Merchant
from okryu.web.tests.test_checkout_pages import stocked_product
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


def add_offline(page: Page, link: Link, product: Product, quantity: int) -> None:
    page.goto(f"{link.url}/products/{product.pk}/")
    expect(page.locator("#offline")).to_contain_text("연결 끊김")
    page.get_by_label("수량").fill(str(quantity))
    page.get_by_role("button", name="장바구니에 담기").click()
    page.wait_for_url(re.compile(r"/basket/\?kept="))
    expect(page.locator(".queue li.sending").last).to_contain_text(product.name)


def test_offline_basket_edits_merge_with_the_servers_rules_and_say_what_changed(
    playwright, link, shop, tmp_path
):
    tofu = stocked_product(name="두부", price_won=800, stock=3)
    apples = stocked_product(name="사과", price_won=1_000, stock=50)
    kimchi = stocked_product(name="김치", price_won=3_000, stock=50)
    phone = open_phone(
        playwright, tmp_path / "phone", cookies=session_cookies(shop.shopper, link.url)
    )
    page = phone.new_page()
    page.goto(f"{link.url}/basket/")
    wait_until(lambda: worker_controls(page), seconds=10, what="the service worker")
    for path in ("/basket/", *(f"/products/{p.pk}/" for p in (tofu, apples, kimchi))):
        page.goto(f"{link.url}{path}")

    go_offline(phone, link)
    add_offline(page, link, tofu, 3)
    add_offline(page, link, apples, 1)
    add_offline(page, link, kimchi, 1)
    page.locator('main input[name="quantity"]').first.fill("4")
    page.get_by_role("button", name="바꾸기").first.click()
    page.wait_for_url(re.compile(r"/basket/\?kept="))
    expect(page.locator(".queue li.sending")).to_have_count(4)
    # Meanwhile, on the server: the tofu sells, the apples cost more, the kimchi shop closes.
    count_stock(product_id=tofu.pk, counted=1, changed_by=None)
    Product.objects.filter(pk=apples.pk).update(price_won=1_200)
    Merchant.objects.filter(pk=kimchi.merchant_id).update(is_active=False)

    go_online(phone, link)
    page.goto(f"{link.url}/basket/")
    edits = page.locator(".queue li")
    wait_until(
        lambda: page.locator(".queue li.sending").count() == 0 and edits.count() == 4,
        seconds=30,
        what="the four basket edits sent",
    )

    expect(edits.nth(0)).to_have_class(re.compile("refused"))
    expect(edits.nth(0)).to_contain_text("두부")
    expect(edits.nth(1)).to_have_class(re.compile("applied"))
    expect(edits.nth(1)).to_contain_text(
        "사과의 가격이 1,000원에서 1,200원으로 바뀌었습니다"
    )
    expect(edits.nth(2)).to_have_class(re.compile("refused"))
    expect(edits.nth(2)).to_contain_text("김치는 지금 팔지 않습니다")
    expect(edits.nth(3)).to_have_class(re.compile("applied"))
    expect(edits.nth(3)).to_contain_text("수량을 바꿨습니다")
    lines = dict(
        BasketLine.objects.filter(basket__user_id=shop.shopper.pk).values_list(
            "product__name", "quantity"
        )
    )
    assert lines == {"콩우유": 4, "사과": 1}
    phone.close()
