"""Adding from a product page says so when the price is not the one the page showed.

A page kept on a phone while the link was down may be hours old; the basket edit reaches the
server later, and the server's price counts.
"""

import pytest
from django.test import Client
from django.urls import reverse

from okryu.web.tests.test_basket_pages import _messages, new_key, noodles

__all__ = ["noodles"]

pytestmark = pytest.mark.django_db


def add(client: Client, product, *, price_seen: str) -> list[str]:
    response = client.post(
        reverse("basket-add"),
        {
            "idempotency_key": new_key(),
            "product": product.pk,
            "quantity": "1",
            "price_seen": price_seen,
        },
        follow=True,
    )
    return _messages(response)


def test_a_price_other_than_the_one_seen_is_told_with_both_figures(
    client: Client, noodles
):
    assert add(client, noodles, price_seen="1000") == [
        "장바구니에 담았습니다 (평양랭면 1개).",
        "평양랭면의 가격이 1,000원에서 1,234원으로 바뀌었습니다.",
    ]


def test_the_price_seen_when_it_is_still_the_price_says_nothing_more(
    client: Client, noodles
):
    assert add(client, noodles, price_seen="1234") == [
        "장바구니에 담았습니다 (평양랭면 1개)."
    ]


def test_a_price_seen_that_is_not_a_number_is_ignored(client: Client, noodles):
    assert add(client, noodles, price_seen="1e9") == [
        "장바구니에 담았습니다 (평양랭면 1개)."
    ]


def test_the_product_page_form_carries_the_price_it_shows(client: Client, noodles):
    page = client.get(reverse("product", args=[noodles.pk])).content.decode()

    assert '<input type="hidden" name="price_seen" value="1234">' in page
