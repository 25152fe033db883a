"""After the answer to 주문하기 is lost, the shopper is told the order exists, by its key.

The answer is "lost" here as a phone would lose it: the POST reaches the server and is
placed, and its response is thrown away unread. The session is saved on the server with
that response either way, so the next page the shopper opens can say what happened.
"""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from okryu.accounts.tests.factories import ShopperFactory
from okryu.orders.models import Order
from okryu.web.checkout.slots import list_slots
from okryu.web.tests.test_checkout_pages import (
    PIN,
    address,
    card,
    checkout_form,
    fill_basket,
    noodles,
    shopper,
    shopper_client,
)

# Fixtures shared with the checkout pages' tests.
__all__ = ["address", "card", "noodles", "shopper", "shopper_client"]

pytestmark = pytest.mark.django_db


def placed_notice(order: Order) -> str:
    time = timezone.localtime(order.placed_at).strftime("%H:%M")
    return f"주문 {order.number}번이 {time}에 접수되었습니다."


def lose_the_answer_to_a_checkout(client: Client, shopper, card, product) -> str:
    fill_basket(shopper, (product, 1))
    data = checkout_form(client, card_number=card.number, pin=PIN)
    client.post(reverse("checkout"), data)  # The answer never reaches the phone.
    return str(data["idempotency_key"])


def test_the_basket_says_which_order_was_placed_and_when_after_a_lost_answer(
    shopper_client, shopper, card, noodles
):
    lose_the_answer_to_a_checkout(shopper_client, shopper, card, noodles)

    page = shopper_client.get(reverse("basket")).content.decode()

    order = Order.objects.get()
    assert placed_notice(order) in page
    assert reverse("order", args=[order.pk]) in page


def test_the_orders_page_says_it_too(shopper_client, shopper, card, noodles):
    lose_the_answer_to_a_checkout(shopper_client, shopper, card, noodles)

    page = shopper_client.get(reverse("orders")).content.decode()

    assert placed_notice(Order.objects.get()) in page


def test_once_the_order_is_opened_the_notice_is_no_longer_shown(
    shopper_client, shopper, card, noodles
):
    lose_the_answer_to_a_checkout(shopper_client, shopper, card, noodles)
    order = Order.objects.get()

    shopper_client.get(reverse("order", args=[order.pk]))

    assert (
        placed_notice(order)
        not in shopper_client.get(reverse("basket")).content.decode()
    )


def test_a_refused_checkout_leaves_no_notice(shopper_client, shopper, card, noodles):
    fill_basket(shopper, (noodles, 1))
    data = checkout_form(shopper_client, card_number=card.number, pin="0000")

    refused = shopper_client.post(reverse("checkout"), data)

    assert refused.status_code == 403
    assert shopper_client.get(reverse("basket")).context["recovered_orders"] == []


def test_asking_the_outcome_of_a_placed_key_goes_to_its_order_saying_when(
    shopper_client, shopper, card, noodles
):
    key = lose_the_answer_to_a_checkout(shopper_client, shopper, card, noodles)

    response = shopper_client.get(
        reverse("order-outcome"), {"idempotency_key": key}, follow=True
    )

    order = Order.objects.get()
    assert response.redirect_chain == [(reverse("order", args=[order.pk]), 302)]
    assert placed_notice(order) in response.content.decode()


def test_asking_the_outcome_of_a_key_that_placed_nothing_is_404_and_sends_nothing(
    shopper_client,
):
    response = shopper_client.get(reverse("order-outcome"), {"idempotency_key": "ab12"})

    assert response.status_code == 404
    assert "접수된 주문은 없습니다" in response.content.decode()
    assert not Order.objects.exists()


def test_another_shoppers_key_finds_nothing(
    client: Client, shopper_client, shopper, card, noodles
):
    key = lose_the_answer_to_a_checkout(shopper_client, shopper, card, noodles)
    client.force_login(ShopperFactory.create())

    response = client.get(reverse("order-outcome"), {"idempotency_key": key})

    assert response.status_code == 404


def test_in_english_the_basket_says_the_order_was_placed_and_when(
    shopper_client, shopper, card, noodles
):
    lose_the_answer_to_a_checkout(shopper_client, shopper, card, noodles)
    shopper_client.post("/language/", {"language": "en", "next": "/"})

    page = shopper_client.get(reverse("basket")).content.decode()

    order = Order.objects.get()
    time = timezone.localtime(order.placed_at).strftime("%H:%M")
    assert f"Order {order.number} was placed at {time}." in page


def test_asked_for_json_the_outcome_is_the_order_and_the_pages_leave_it_to_the_phone(
    shopper_client, shopper, card, noodles
):
    key = lose_the_answer_to_a_checkout(shopper_client, shopper, card, noodles)

    # The service worker asks with kept=1: it lists the outcome on every page itself.
    response = shopper_client.get(
        reverse("order-outcome"),
        {"idempotency_key": key, "kept": "1"},
        HTTP_ACCEPT="application/json",
    )

    order = Order.objects.get()
    assert shopper_client.get(reverse("basket")).context["recovered_orders"] == []
    assert response.json() == {
        "order": {
            "id": order.pk,
            "number": order.number,
            "placed_at": order.placed_at.isoformat(),
            "url": reverse("order", args=[order.pk]),
        }
    }


def test_asked_for_json_a_key_that_placed_nothing_is_404_with_no_order(
    shopper_client,
):
    response = shopper_client.get(
        reverse("order-outcome"),
        {"idempotency_key": "ab12"},
        HTTP_ACCEPT="application/json",
    )

    assert (response.status_code, response.json()) == (404, {"order": None})


def test_a_page_that_only_asked_for_json_leaves_the_basket_and_orders_to_tell_of_it(
    shopper_client, shopper, card, noodles
):
    key = lose_the_answer_to_a_checkout(shopper_client, shopper, card, noodles)

    # The checkout page shown again after a lost card checkout asks, and keeps nothing.
    shopper_client.get(
        reverse("order-outcome"),
        {"idempotency_key": key},
        HTTP_ACCEPT="application/json",
    )

    order = Order.objects.get()
    assert (
        placed_notice(order) in shopper_client.get(reverse("basket")).content.decode()
    )


@pytest.mark.parametrize("page", ["basket", "checkout", "orders"])
def test_the_pages_a_checkout_changes_are_never_kept_by_the_browser(
    shopper_client, shopper, noodles, page
):
    # Back after a lost answer must ask the server (which tells of the order), not show
    # the basket as it was before 주문하기.
    fill_basket(shopper, (noodles, 1))

    response = shopper_client.get(reverse(page))

    assert "no-store" in response["Cache-Control"]


def test_the_same_form_sent_again_with_other_choices_is_told_in_the_shoppers_words(
    shopper_client, shopper, card, noodles
):
    # The form shown again after a lost answer keeps its key; the shopper changed the slot.
    key = lose_the_answer_to_a_checkout(shopper_client, shopper, card, noodles)
    fill_basket(shopper, (noodles, 1))
    again = checkout_form(shopper_client, card_number=card.number, pin=PIN)
    again.update(idempotency_key=key, slot=list_slots(timezone.now())[0].value)

    page = shopper_client.post(reverse("checkout"), again).content.decode()

    assert "This idempotency key" not in page
    assert "이 주문서로는 이미 주문했습니다." in page
    assert Order.objects.count() == 1
