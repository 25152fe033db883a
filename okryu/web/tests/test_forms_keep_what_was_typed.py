"""After a refusal every form shows again what was typed, except the PIN and passwords.

One test per kind of form: a person corrects the one thing refused instead of typing it all
again. Secrets (a PIN, a password) are never written back into a page.
"""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from okryu.accounts.models import Role
from okryu.accounts.tests.factories import DistrictFactory, ShopperFactory
from okryu.cart.models import BasketLine
from okryu.cart.owners import BasketOwner
from okryu.cart.services import add_to_basket
from okryu.catalog.tests.factories import add_noodle_options
from okryu.delivery.services import dispatch
from okryu.delivery.tests.builders import Shop, make_courier
from okryu.merchants.models import MerchantKind
from okryu.merchants.tests.factories import MerchantFactory
from okryu.orders.models import Order
from okryu.orders.tests.builders import make_user_with_role, open_all_week
from okryu.orders.tests.dish_builders import make_dish
from okryu.web.checkout.forms import NEW_ADDRESS
from okryu.web.tests.test_checkout_pages import (
    checkout_form,
    funded_card,
    stocked_product,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_pin_hashes(settings):
    settings.OKRYU_PIN_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


def input_value(page: str, name: str) -> str | None:
    """The value of the first input named ``name`` (None when it has no value)."""
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert tag is not None, name
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


def selected_value(page: str, name: str) -> str:
    select = re.search(
        rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.DOTALL
    )
    assert select is not None, name
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(1))
    assert chosen is not None, name
    return chosen.group(1)


def test_a_refused_checkout_keeps_the_address_slot_payment_and_card_but_not_the_pin(
    client: Client,
):
    shopper = ShopperFactory.create()
    card = funded_card(shopper)
    home = DistrictFactory.create(name="모란봉구역")
    noodles = stocked_product(name="평양랭면", price_won=1_200)
    add_to_basket(
        owner=BasketOwner.for_user(shopper.pk), product_id=noodles.pk, quantity=1
    )
    client.force_login(shopper)
    form = checkout_form(client, card_number=card.number, pin="0000")
    page = client.get(reverse("checkout")).content.decode()
    later = re.findall(r'<option value="(20[^"]+)"', page)[1]
    form.update(
        {
            "address": NEW_ADDRESS,
            "district": str(home.pk),
            "detail": "3-201",
            "slot": later,
        }
    )
    form["quoted_district"] = str(home.pk)

    response = client.post(reverse("checkout"), form)

    page = response.content.decode()
    assert response.status_code == 403  # the wrong PIN
    assert input_value(page, "card_number") == card.number
    assert input_value(page, "pin") is None
    assert input_value(page, "detail") == "3-201"
    assert selected_value(page, "district") == str(home.pk)
    assert selected_value(page, "slot") == later
    assert re.search(rf'value="{NEW_ADDRESS}"\s*checked', page)
    assert Order.objects.count() == 0


def test_a_refused_quantity_on_a_basket_line_stays_as_typed(client: Client):
    shopper = ShopperFactory.create()
    oil = stocked_product(stock=5, name="콩기름")
    line = add_to_basket(
        owner=BasketOwner.for_user(shopper.pk), product_id=oil.pk, quantity=2
    )
    client.force_login(shopper)

    response = client.post(
        reverse("basket-line-update", args=[line.pk]), {"quantity": "7"}
    )

    page = response.content.decode()
    assert response.status_code == 409
    assert input_value(page, "quantity") == "7"
    assert "콩기름은 지금 5개만 남아 있습니다." in page
    assert BasketLine.objects.get().quantity == 2


def test_a_refused_dish_goes_back_to_its_page_with_the_options_and_quantity(
    client: Client,
):
    restaurant = MerchantFactory.create(kind=MerchantKind.RESTAURANT)
    open_all_week(restaurant, dt.time(0), dt.time(0))  # Round the clock: open now.
    noodles = add_noodle_options(make_dish(restaurant, capacity=2))

    response = client.post(
        reverse("basket-add"),
        {
            "idempotency_key": "add-1",
            "product": noodles.dish.pk,
            "quantity": "3",
            f"option-{noodles.large.group_id}": str(noodles.large.pk),
            "option": [str(noodles.egg.pk)],
            "next": "/",
        },
        follow=True,
    )

    page = response.content.decode()
    assert response.redirect_chain[0][0].startswith(
        reverse("product", args=[noodles.dish.pk]) + "?"
    )
    assert input_value(page, "quantity") == "3"
    checked = re.findall(r'value="(\d+)"[^>]*checked', page)
    assert sorted(checked) == sorted([str(noodles.large.pk), str(noodles.egg.pk)])
    assert BasketLine.objects.count() == 0


def test_a_refused_sign_up_keeps_every_field_but_the_passwords(client: Client):
    home = DistrictFactory.create(name="중구역", city="평양")

    response = client.post(
        reverse("signup"),
        {
            "username": "chollima",
            "display_name": "김철수",
            "phone": "010-1234-5678",
            "password": "noodle-house-77",
            "password_again": "noodle-house-78",
            "district": str(home.pk),
            "detail": "1동 201호",
        },
    )

    page = response.content.decode()
    assert response.status_code == 422
    assert input_value(page, "username") == "chollima"
    assert input_value(page, "display_name") == "김철수"
    assert input_value(page, "phone") == "010-1234-5678"
    assert input_value(page, "detail") == "1동 201호"
    assert selected_value(page, "district") == str(home.pk)
    assert input_value(page, "password") is None
    assert input_value(page, "password_again") is None


def test_a_wrong_code_at_the_door_stays_in_its_box(client: Client):
    courier = make_courier()
    job = Shop(weight_grams=1_000).ready_job()
    client.force_login(courier.user)
    dispatch()
    client.post(reverse("courier-job-pick-up", args=[job.pk]), {"idempotency_key": "p"})
    wrong = "1111" if job.confirmation_code != "1111" else "2222"

    response = client.post(
        reverse("courier-job-hand-over", args=[job.pk]),
        {"idempotency_key": "h", "code": wrong},
    )

    assert response.status_code == 422
    assert input_value(response.content.decode(), "code") == wrong


def test_a_refused_assignment_keeps_the_courier_chosen(client: Client):
    client.force_login(make_user_with_role(Role.OPERATOR))
    motorbike = make_courier(vehicle="motorbike")
    make_courier(vehicle="van", capacity_grams=500_000)
    heavy = Shop(weight_grams=20_000).ready_job()

    response = client.post(
        reverse("logistics-assign", args=[heavy.pk]),
        {"idempotency_key": "a", "courier": str(motorbike.pk)},
    )

    page = response.content.decode()
    assert response.status_code == 409
    assert selected_value(page, "courier") == str(motorbike.pk)
