"""The basket pages: grouped by merchant, quantities edited, refusals told clearly."""

import re
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from okryu.accounts.tests.factories import UserFactory
from okryu.cart.models import Basket, BasketLine
from okryu.cart.owners import BasketOwner
from okryu.cart.services import add_to_basket
from okryu.catalog.models import Product
from okryu.catalog.services import receive_stock
from okryu.catalog.tests.factories import ProductFactory
from okryu.merchants.tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db


def new_key() -> str:
    return uuid.uuid4().hex


def _product(*, stock: int = 10, **fields: Any) -> Product:
    product: Product = ProductFactory.create(**fields)
    receive_stock(product_id=product.pk, quantity=stock, changed_by=None)
    product.refresh_from_db()
    return product


@pytest.fixture
def noodles():
    house = MerchantFactory.create(name="옥류관")
    return _product(merchant=house, name="평양랭면", price_won=1234)


@pytest.fixture
def shopper():
    return UserFactory.create()


@pytest.fixture
def shopper_client(client: Client, shopper):
    client.force_login(shopper)
    return client


def _messages(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_an_empty_basket_says_so(client: Client):
    response = client.get(reverse("basket"))

    assert response.status_code == 200
    assert "장바구니가 비어 있습니다." in response.content.decode()


def test_a_visitor_adds_a_product_and_is_sent_back_to_next(client: Client, noodles):
    product_url = reverse("product", args=[noodles.pk])

    response = client.post(
        reverse("basket-add"),
        {
            "idempotency_key": new_key(),
            "product": noodles.pk,
            "quantity": "2",
            "next": product_url,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == product_url
    line = BasketLine.objects.get()
    assert (line.basket.session_key, line.quantity) == (client.session.session_key, 2)


def test_next_pointing_to_another_site_is_ignored(client: Client, noodles):
    response = client.post(
        reverse("basket-add"),
        {
            "idempotency_key": new_key(),
            "product": noodles.pk,
            "quantity": "1",
            "next": "https://evil.example/",
        },
    )

    assert response["Location"] == reverse("basket")


def test_the_basket_groups_lines_by_merchant_with_subtotals_and_total(
    shopper_client, shopper, noodles
):
    pharmacy = MerchantFactory.create(name="중앙약국")
    aspirin = _product(merchant=pharmacy, name="아스피린", price_won=500)
    owner = BasketOwner.for_user(shopper.pk)
    add_to_basket(owner=owner, product_id=noodles.pk, quantity=2)
    add_to_basket(owner=owner, product_id=aspirin.pk, quantity=3)

    response = shopper_client.get(reverse("basket"))

    html = response.content.decode()
    assert html.index("옥류관") < html.index("평양랭면") < html.index("중앙약국")
    assert '<td class="num subtotal">2,468원</td>' in html
    assert '<td class="num subtotal">1,500원</td>' in html
    assert '<strong class="price">3,968원</strong>' in html


def test_updating_a_line_redirects_to_the_basket(shopper_client, shopper, noodles):
    owner = BasketOwner.for_user(shopper.pk)
    line = add_to_basket(owner=owner, product_id=noodles.pk, quantity=1)

    response = shopper_client.post(
        reverse("basket-line-update", args=[line.pk]), {"quantity": "4"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("basket")
    assert BasketLine.objects.get().quantity == 4


def test_removing_a_line_redirects_to_the_basket(shopper_client, shopper, noodles):
    owner = BasketOwner.for_user(shopper.pk)
    line = add_to_basket(owner=owner, product_id=noodles.pk, quantity=1)

    response = shopper_client.post(reverse("basket-line-remove", args=[line.pk]))

    assert response.status_code == 302
    assert BasketLine.objects.count() == 0


BAD_QUANTITIES = [
    pytest.param("0", "수량은 1 이상의 정수여야 합니다.", id="zero"),
    pytest.param("-1", "수량은 1 이상의 정수여야 합니다.", id="negative"),
    pytest.param("1.5", "수량은 1 이상의 정수여야 합니다.", id="fraction"),
    pytest.param("abc", "수량은 1 이상의 정수여야 합니다.", id="text"),
    pytest.param("1000000000", "수량은 한 번에 999개까지입니다.", id="a billion"),
    pytest.param("", "수량을 입력하십시오.", id="empty"),
]


@pytest.mark.parametrize(("quantity", "message"), BAD_QUANTITIES)
def test_a_bad_quantity_when_adding_is_told_and_changes_nothing(
    client: Client, noodles, quantity, message
):
    response = client.post(
        reverse("basket-add"),
        {"idempotency_key": new_key(), "product": noodles.pk, "quantity": quantity},
        follow=True,
    )

    product_url = reverse("product", args=[noodles.pk])
    carried = quantity if 0 < len(quantity) <= 9 else ""
    again = (
        f"{product_url}?{urlencode({'quantity': carried})}" if carried else product_url
    )
    assert response.redirect_chain == [(again, 302)]
    assert _messages(response) == [message]
    # The product's form shows what was typed, when the browser can hold it in a number box.
    shown = quantity if quantity.isdigit() and len(quantity) <= 9 else "1"
    assert f'name="quantity" value="{shown}"' in response.content.decode()
    assert Basket.objects.count() == 0
    assert BasketLine.objects.count() == 0


@pytest.mark.parametrize(("quantity", "message"), BAD_QUANTITIES)
def test_a_bad_quantity_on_a_line_is_shown_beside_it_and_changes_nothing(
    shopper_client, shopper, noodles, quantity, message
):
    owner = BasketOwner.for_user(shopper.pk)
    line = add_to_basket(owner=owner, product_id=noodles.pk, quantity=2)

    response = shopper_client.post(
        reverse("basket-line-update", args=[line.pk]), {"quantity": quantity}
    )

    assert response.status_code == 422
    assert response.context["line_errors"] == {line.pk: [message]}
    assert message in response.content.decode()
    assert BasketLine.objects.get().quantity == 2


def test_the_purchase_limit_is_told_by_name_and_changes_nothing(
    shopper_client, shopper
):
    limited = _product(name="콩기름", purchase_limit_per_day=2)
    owner = BasketOwner.for_user(shopper.pk)
    line = add_to_basket(owner=owner, product_id=limited.pk, quantity=2)

    added = shopper_client.post(
        reverse("basket-add"),
        {"idempotency_key": new_key(), "product": limited.pk, "quantity": "1"},
        follow=True,
    )
    updated = shopper_client.post(
        reverse("basket-line-update", args=[line.pk]), {"quantity": "3"}
    )

    limit_message = "콩기름은 하루에 2개까지만 살 수 있습니다."
    assert _messages(added) == [limit_message]
    assert updated.status_code == 409
    assert limit_message in updated.content.decode()
    assert BasketLine.objects.get().quantity == 2


@pytest.mark.parametrize("product", ["999999", "abc", ""])
def test_adding_an_unknown_product_is_404(client: Client, product):
    response = client.post(
        reverse("basket-add"),
        {"idempotency_key": new_key(), "product": product, "quantity": "1"},
    )

    assert response.status_code == 404
    assert BasketLine.objects.count() == 0


def test_an_unknown_line_is_404(shopper_client):
    update = shopper_client.post(
        reverse("basket-line-update", args=[999_999]), {"quantity": "1"}
    )
    remove = shopper_client.post(reverse("basket-line-remove", args=[999_999]))

    assert (update.status_code, remove.status_code) == (404, 404)


def test_a_line_of_another_basket_is_404_and_changes_nothing(shopper_client, noodles):
    stranger = UserFactory.create()
    theirs = add_to_basket(
        owner=BasketOwner.for_user(stranger.pk), product_id=noodles.pk, quantity=2
    )

    update = shopper_client.post(
        reverse("basket-line-update", args=[theirs.pk]), {"quantity": "5"}
    )
    remove = shopper_client.post(reverse("basket-line-remove", args=[theirs.pk]))
    bad_update = shopper_client.post(
        reverse("basket-line-update", args=[theirs.pk]), {"quantity": "0"}
    )

    assert (update.status_code, remove.status_code, bad_update.status_code) == (
        404,
        404,
        404,
    )
    assert BasketLine.objects.get(pk=theirs.pk).quantity == 2


def test_a_visitor_without_a_session_gets_404_for_a_line(client: Client):
    response = client.post(reverse("basket-line-remove", args=[1]))

    assert response.status_code == 404


def test_the_basket_forms_are_refused_without_their_csrf_token(noodles):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("basket-add"),
        {"idempotency_key": new_key(), "product": noodles.pk, "quantity": "1"},
    )

    assert response.status_code == 403
    assert BasketLine.objects.count() == 0


def test_every_form_of_the_basket_page_posts_with_a_csrf_token(
    shopper_client, shopper, noodles
):
    owner = BasketOwner.for_user(shopper.pk)
    add_to_basket(owner=owner, product_id=noodles.pk, quantity=1)

    html = shopper_client.get(reverse("basket")).content.decode()

    main = html[html.index("<main") : html.index("</main>")]
    assert main.count('method="post"') == 2
    assert main.count('name="csrfmiddlewaretoken"') == 2


def test_a_double_clicked_add_puts_the_product_in_the_basket_once(
    client: Client, noodles
):
    form = {"idempotency_key": new_key(), "product": noodles.pk, "quantity": "2"}

    first = client.post(reverse("basket-add"), form)
    second = client.post(reverse("basket-add"), form)

    assert (first.status_code, second.status_code) == (302, 302)
    assert BasketLine.objects.get().quantity == 2


def test_a_new_rendering_of_the_form_adds_again(client: Client, noodles):
    for _visit in range(2):
        client.post(
            reverse("basket-add"),
            {"idempotency_key": new_key(), "product": noodles.pk, "quantity": "1"},
        )

    assert BasketLine.objects.get().quantity == 2


def test_an_add_without_its_form_key_is_told_and_changes_nothing(
    client: Client, noodles
):
    response = client.post(
        reverse("basket-add"), {"product": noodles.pk, "quantity": "1"}, follow=True
    )

    assert "양식은 만료되었습니다" in response.content.decode()
    assert BasketLine.objects.count() == 0


def test_every_add_form_of_a_listing_carries_its_own_key(client: Client, noodles):
    response = client.get(reverse("category", args=[noodles.category_id]))

    keys = re.findall(
        r'name="idempotency_key" value="([0-9a-f]{32})"', response.content.decode()
    )
    assert len(keys) >= 1
    assert len(set(keys)) == len(keys)
