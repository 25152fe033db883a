"""The checkout page: from the basket to one order, exactly once, refusals told plainly."""

import datetime as dt
import itertools
from html.parser import HTMLParser
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from typing_extensions import override

from okryu.accounts.phone_verification import record_verified_phone
from okryu.accounts.tests.factories import AddressFactory, ShopperFactory
from okryu.cart.models import BasketLine
from okryu.cart.owners import BasketOwner
from okryu.cart.services import add_to_basket
from okryu.catalog.models import Product
from okryu.catalog.services import receive_stock
from okryu.catalog.tests.factories import ProductFactory
from okryu.core import clock
from okryu.core.clock import PYONGYANG
from okryu.core.particles import with_particle
from okryu.merchants.tests.factories import MerchantFactory
from okryu.orders.models import Fulfilment, Order
from okryu.payments import ledger
from okryu.payments.cards import issue_card
from okryu.payments.models import Card, LedgerAccount
from okryu.web.checkout.forms import slot_label
from okryu.web.checkout.slots import list_slots

pytestmark = pytest.mark.django_db

PIN = "4831"
_transfer_ids = itertools.count(1)


def stocked_product(*, stock: int = 10, **fields: Any) -> Product:
    product: Product = ProductFactory.create(**fields)
    receive_stock(product_id=product.pk, quantity=stock, changed_by=None)
    product.refresh_from_db()
    return product


def funded_card(holder, amount_won: int = 1_000_000) -> Card:
    card = issue_card(holder=holder, phone="010-1234-5678", pin=PIN)
    ledger.top_up(
        card_number=card.number,
        amount_won=amount_won,
        transfer_id=f"web-checkout-top-up-{next(_transfer_ids)}",
    )
    return card


@pytest.fixture
def shopper():
    shopper = ShopperFactory.create()
    record_verified_phone(user_id=shopper.pk)
    return shopper


@pytest.fixture
def address(shopper):
    return AddressFactory.create(user=shopper, is_default=True)


@pytest.fixture
def card(shopper):
    return funded_card(shopper)


@pytest.fixture
def noodles():
    return stocked_product(
        merchant=MerchantFactory.create(name="옥류관"), name="평양랭면", price_won=1200
    )


@pytest.fixture
def socks():
    return stocked_product(
        merchant=MerchantFactory.create(name="평양제1백화점"),
        name="양말",
        price_won=800,
    )


@pytest.fixture
def shopper_client(client: Client, shopper, address, card):
    client.force_login(shopper)
    return client


def fill_basket(shopper, *lines: tuple[Product, int]) -> None:
    for product, quantity in lines:
        add_to_basket(
            owner=BasketOwner.for_user(shopper.pk),
            product_id=product.pk,
            quantity=quantity,
        )


class FormInputs(HTMLParser):
    """The inputs of a page as a browser would post them: name, value, checked."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []

    @override
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "input":
            self.inputs.append(dict(attrs))


def checkout_form(client: Client, **changes: str) -> dict[str, Any]:
    """Open the checkout page and return what its form would post, with ``changes``."""
    parser = FormInputs()
    parser.feed(client.get(reverse("checkout")).content.decode())
    hidden = [i for i in parser.inputs if i.get("type") == "hidden"]

    def hidden_value(name: str) -> str:
        [value] = [i["value"] for i in hidden if i["name"] == name]
        return value or ""

    [address] = [
        i["value"]
        for i in parser.inputs
        if i.get("name") == "address" and "checked" in i
    ]
    data: dict[str, Any] = {
        "line": [i["value"] for i in hidden if i["name"] == "line"],
        "idempotency_key": hidden_value("idempotency_key"),
        "quoted_district": hidden_value("quoted_district"),
        "address": address,
        "slot": "asap",
        "district": "",
        "detail": "",
    }
    data.update(changes)
    return data


def stock_of(product: Product) -> tuple[int, int]:
    product.refresh_from_db()
    return product.stock_on_hand, product.stock_reserved


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_the_checkout_page_shows_each_merchant_with_its_delivery_fee_and_the_total(
    shopper_client, shopper, noodles, socks
):
    fill_basket(shopper, (noodles, 2), (socks, 1))

    response = shopper_client.get(reverse("checkout"))

    assert response.status_code == 200
    parts = response.context["parts"]
    assert [(group.merchant_name, group.subtotal_won) for group, _fee in parts] == [
        ("옥류관", 2400),
        ("평양제1백화점", 800),
    ]
    quote = response.context["quote"]
    assert quote.items_total_won == 3200
    assert quote.total_won == 3200 + quote.delivery_fee_won
    page = response.content.decode()
    assert 'type="password"' in page
    assert 'inputmode="numeric"' in page
    assert 'autocomplete="off"' in page


def test_an_empty_basket_is_sent_back_to_the_basket_with_a_message(shopper_client):
    response = shopper_client.get(reverse("checkout"), follow=True)

    assert response.redirect_chain == [(reverse("basket"), 302)]
    assert messages_of(response) == [
        "장바구니가 비어 있습니다. 먼저 상품을 담으십시오."
    ]


def test_a_visitor_is_asked_to_log_in(client: Client):
    response = client.get(reverse("checkout"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_placing_the_order_reserves_stock_clears_the_basket_and_shows_the_order(
    shopper_client, shopper, card, noodles, socks
):
    fill_basket(shopper, (noodles, 2), (socks, 1))
    data = checkout_form(shopper_client, card_number=card.number, pin=PIN)

    response = shopper_client.post(reverse("checkout"), data)

    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("order", args=[order.pk])
    assert order.shopper_id == shopper.pk
    assert order.items_total_won == 3200
    assert sorted(
        order.fulfilments.values_list("merchant__name", "items_total_won", "status")
    ) == [("옥류관", 2400, "placed"), ("평양제1백화점", 800, "placed")]
    assert stock_of(noodles) == (10, 2)
    assert stock_of(socks) == (10, 1)
    assert BasketLine.objects.filter(basket__user=shopper).count() == 0
    page = shopper_client.get(response["Location"])
    assert messages_of(page) == [
        f"주문 {with_particle(order.number, '을')} 받았습니다."
    ]


def test_only_the_lines_ordered_leave_the_basket(
    shopper_client, shopper, card, noodles, socks
):
    fill_basket(shopper, (noodles, 1))
    data = checkout_form(shopper_client, card_number=card.number, pin=PIN)
    fill_basket(shopper, (socks, 3))  # added in another tab after the page was shown

    shopper_client.post(reverse("checkout"), data)

    assert list(
        BasketLine.objects.filter(basket__user=shopper).values_list(
            "product_id", "quantity"
        )
    ) == [(socks.pk, 3)]
    assert list(Order.objects.get().fulfilments.values_list("merchant_id")) == [
        (noodles.merchant_id,)
    ]


def test_submitting_the_same_form_twice_places_one_order(
    shopper_client, shopper, card, noodles
):
    fill_basket(shopper, (noodles, 2))
    data = checkout_form(shopper_client, card_number=card.number, pin=PIN)

    first = shopper_client.post(reverse("checkout"), data)
    second = shopper_client.post(reverse("checkout"), data)

    order = Order.objects.get()
    assert first["Location"] == second["Location"] == reverse("order", args=[order.pk])
    assert stock_of(noodles) == (10, 2)
    assert Fulfilment.objects.count() == 1
    assert messages_of(shopper_client.get(second["Location"])) == [
        f"주문 {with_particle(order.number, '을')} 받았습니다.",
        "이미 받은 주문입니다.",
    ]


def test_reloading_the_order_page_changes_nothing(
    shopper_client, shopper, card, noodles
):
    fill_basket(shopper, (noodles, 1))
    placed = shopper_client.post(
        reverse("checkout"),
        checkout_form(shopper_client, card_number=card.number, pin=PIN),
    )

    shopper_client.get(placed["Location"])
    shopper_client.get(placed["Location"])

    assert Order.objects.count() == 1
    assert stock_of(noodles) == (10, 1)


def test_a_new_address_is_delivered_to_once_its_fee_was_shown(
    shopper_client, shopper, card, noodles
):
    fill_basket(shopper, (noodles, 1))
    other = AddressFactory.create()  # another person's address, for its district only
    data = checkout_form(
        shopper_client,
        card_number=card.number,
        pin=PIN,
        address="new",
        district=str(other.district_id),
        detail="3동 5호",
    )

    shown_again = shopper_client.post(reverse("checkout"), data)
    data["quoted_district"] = str(other.district_id)
    placed = shopper_client.post(reverse("checkout"), data)

    assert shown_again.status_code == 409
    assert shown_again.context["form"].non_field_errors() == [
        "배달 주소가 바뀌어 배달비를 다시 계산했습니다. 확인하고 다시 주문하십시오."
    ]
    assert placed.status_code == 302
    order = Order.objects.get()
    assert (order.district_id, order.address_detail) == (other.district_id, "3동 5호")


def nothing_changed(shopper, noodles) -> dict[str, Any]:
    return {
        "orders": Order.objects.count(),
        "stock": stock_of(noodles),
        "basket": list(
            BasketLine.objects.filter(basket__user=shopper).values_list(
                "product_id", "quantity"
            )
        ),
        "held": list(LedgerAccount.objects.order_by("pk").values_list("held_won")),
    }


def test_a_wrong_pin_is_told_with_the_attempts_left_and_changes_nothing(
    shopper_client, shopper, card, noodles
):
    fill_basket(shopper, (noodles, 2))
    before = nothing_changed(shopper, noodles)
    data = checkout_form(shopper_client, card_number=card.number, pin="0000")

    response = shopper_client.post(reverse("checkout"), data)

    assert response.status_code == 403
    assert response.context["form"].non_field_errors() == [
        "PIN이 틀렸습니다. 2번 더 틀리면 카드가 잠깁니다."
    ]
    page = response.content.decode()
    # What was typed stays, except the PIN: the shopper retypes only the PIN.
    assert f'name="card_number" value="{card.number}"' in page
    assert 'value="0000"' not in page
    assert nothing_changed(shopper, noodles) == before


def test_running_out_of_stock_meanwhile_is_told_and_changes_nothing(
    shopper_client, shopper, card, noodles
):
    fill_basket(shopper, (noodles, 5))
    data = checkout_form(shopper_client, card_number=card.number, pin=PIN)
    from okryu.catalog.services import count_stock

    count_stock(product_id=noodles.pk, counted=3, changed_by=None)
    before = nothing_changed(shopper, noodles)

    response = shopper_client.post(reverse("checkout"), data)

    assert response.status_code == 409
    [message] = response.context["form"].non_field_errors()
    assert "평양랭면" in message
    assert nothing_changed(shopper, noodles) == before


def test_a_price_changed_since_the_page_was_shown_is_told_and_changes_nothing(
    shopper_client, shopper, card, noodles
):
    fill_basket(shopper, (noodles, 1))
    data = checkout_form(shopper_client, card_number=card.number, pin=PIN)
    Product.objects.filter(pk=noodles.pk).update(price_won=1500)
    before = nothing_changed(shopper, noodles)

    response = shopper_client.post(reverse("checkout"), data)

    assert response.status_code == 409
    [message] = response.context["form"].non_field_errors()
    assert "평양랭면" in message
    assert nothing_changed(shopper, noodles) == before
    # The page shown again carries today's price, so pressing again places the order.
    assert f"{noodles.pk}:1:1500" in response.content.decode()


def test_a_price_changed_is_told_in_the_visitors_language_by_its_code(
    shopper_client, shopper, card, noodles
):
    fill_basket(shopper, (noodles, 1))
    data = checkout_form(shopper_client, card_number=card.number, pin=PIN)
    Product.objects.filter(pk=noodles.pk).update(price_won=1500)
    shopper_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = shopper_client.post(reverse("checkout"), data)

    assert response.status_code == 409
    [message] = response.context["form"].non_field_errors()
    assert message.startswith(f"The price of {noodles.name_en} changed from ")
    assert message.endswith("1,500원. Check it and order again.")


def test_posting_with_an_emptied_basket_goes_back_to_the_basket(shopper_client):
    response = shopper_client.post(
        reverse("checkout"), {"idempotency_key": "k1", "address": "new"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("basket")
    assert Order.objects.count() == 0


def test_a_malformed_card_number_is_refused_by_the_form(
    shopper_client, shopper, noodles
):
    fill_basket(shopper, (noodles, 1))
    data = checkout_form(shopper_client, card_number="1234", pin=PIN)

    response = shopper_client.post(reverse("checkout"), data)

    assert response.status_code == 422
    assert response.context["form"].errors["card_number"] == [
        "카드 번호는 숫자 16자리입니다."
    ]
    assert Order.objects.count() == 0


def test_slots_start_an_hour_ahead_and_run_to_the_end_of_tomorrow():
    now = dt.datetime(2026, 3, 2, 13, 20, tzinfo=PYONGYANG)

    slots = list_slots(now)

    assert [(s.starts_at.day, s.starts_at.hour) for s in slots] == [
        *((2, hour) for hour in range(15, 22)),
        *((3, hour) for hour in range(9, 22)),
    ]
    assert slots[0].value == "2026-03-02T15:00+09:00"
    assert [slot_label(slots[0]), slot_label(slots[-1])] == ["오늘 15:00", "내일 21:00"]


def test_late_in_the_evening_only_tomorrows_slots_are_offered():
    now = dt.datetime(2026, 3, 2, 22, 30, tzinfo=PYONGYANG)

    slots = list_slots(now)

    assert {slot.is_tomorrow for slot in slots} == {True}
    assert len(slots) == 13


def test_a_chosen_slot_is_kept_on_the_order(shopper_client, shopper, card, noodles):
    fill_basket(shopper, (noodles, 1))
    slot = list_slots(clock.now())[0]
    data = checkout_form(
        shopper_client, card_number=card.number, pin=PIN, slot=slot.value
    )

    response = shopper_client.post(reverse("checkout"), data)

    assert response.status_code == 302
    assert Order.objects.get().slot_starts_at == slot.starts_at


def test_a_slot_that_has_passed_is_told_and_changes_nothing(
    shopper_client, shopper, card, noodles
):
    fill_basket(shopper, (noodles, 1))
    data = checkout_form(
        shopper_client, card_number=card.number, pin=PIN, slot="2020-01-01T09:00+09:00"
    )

    response = shopper_client.post(reverse("checkout"), data)

    assert response.status_code == 422
    assert response.context["form"].errors["slot"] == [
        "고른 배달 시간이 지났습니다. 다른 시간을 고르십시오."
    ]
    assert Order.objects.count() == 0


def test_the_checkout_page_speaks_english_after_the_switch(
    shopper_client, shopper, noodles
):
    fill_basket(shopper, (noodles, 1))
    shopper_client.cookies["okryu_language"] = "en"

    page = shopper_client.get(reverse("checkout")).content.decode()

    assert "Place order" in page
    assert "As soon as possible" in page
    assert "Delivery fee" in page


def test_an_order_paid_at_the_door_needs_no_card_and_holds_nothing(
    shopper_client, shopper, card, noodles
):
    fill_basket(shopper, (noodles, 2))
    data = checkout_form(shopper_client, payment="door")
    held_before = LedgerAccount.objects.get(pk=card.ledger_account_id).held_won

    response = shopper_client.post(reverse("checkout"), data)

    order = Order.objects.get()
    assert response.status_code == 302
    assert (order.payment_method, order.card_last4) == ("door", "")
    assert stock_of(noodles) == (10, 2)
    assert LedgerAccount.objects.get(pk=card.ledger_account_id).held_won == held_before
    page = shopper_client.get(response["Location"])
    assert "문앞 결제" in page.content.decode()


def test_paying_by_card_now_still_needs_the_card_and_pin(
    shopper_client, shopper, noodles
):
    fill_basket(shopper, (noodles, 1))
    data = checkout_form(shopper_client, payment="card")

    response = shopper_client.post(reverse("checkout"), data)

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["card_number"] == ["카드 번호를 입력하십시오."]
    assert errors["pin"] == ["PIN을 입력하십시오."]
    assert Order.objects.count() == 0


def test_the_checkout_page_offers_paying_at_the_door(shopper_client, shopper, noodles):
    fill_basket(shopper, (noodles, 1))

    page = shopper_client.get(reverse("checkout")).content.decode()

    assert 'name="payment" value="door"' in page
    assert 'name="payment" value="card"' in page


def test_paying_at_the_door_with_an_unverified_phone_is_a_form_message_and_orders_nothing(
    shopper_client, shopper, noodles
):
    shopper.phone_verifications.all().delete()
    fill_basket(shopper, (noodles, 2))
    data = checkout_form(shopper_client, payment="door")

    response = shopper_client.post(reverse("checkout"), data)

    assert response.status_code == 403
    assert "문앞 결제에는 확인된 전화번호가 필요합니다." in response.content.decode()
    # The way to mend it is one tap away.
    assert f'<a href="{reverse("phone-verify")}">전화번호 확인하러 가기</a>' in (
        response.content.decode()
    )
    assert Order.objects.count() == 0
    assert stock_of(noodles) == (10, 0)
