"""The kitchen screen: a restaurant's tickets, for its own staff only, readable across a room."""

import dataclasses
import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from okryu.accounts.models import Role, RoleGrant
from okryu.accounts.tests.factories import UserFactory
from okryu.catalog.models import Option, OptionChoice, OptionGroup, Product
from okryu.delivery.models import DeliveryJob
from okryu.merchants.models import Merchant, MerchantKind, MerchantStaff
from okryu.orders.models import Fulfilment, FulfilmentEvent
from okryu.orders.services import (
    accept_fulfilment,
    cancel_order,
    place_order,
    start_preparing,
)
from okryu.orders.services.checkout import CheckoutLine
from okryu.orders.tests.builders import (
    checkout,
    make_merchant,
    make_product,
    make_shopper,
    open_all_week,
    snapshot,
)
from okryu.web.tests.test_page_budget import PageParts

pytestmark = pytest.mark.django_db

# 2026-12-01 is a Tuesday; 03:00 UTC is 12:00 in Pyongyang.
NOON = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def restaurant(preparation_minutes: int = 20):
    merchant, staff = make_merchant(kind=MerchantKind.RESTAURANT)
    Merchant.objects.filter(pk=merchant.pk).update(
        preparation_minutes=preparation_minutes
    )
    merchant.refresh_from_db()
    open_all_week(merchant, dt.time(0, 0), dt.time(0, 0))
    return merchant, staff


def place(*lines) -> Fulfilment:
    shopper, card = make_shopper()
    placed = place_order(
        shopper_id=shopper.pk,
        checkout=checkout(card, list(lines)),
        idempotency_key=f"kitchen-page-{shopper.pk}",
    )
    return Fulfilment.objects.get(order_id=placed.order_id)


@pytest.fixture
def house():
    merchant, staff = restaurant(preparation_minutes=20)
    return {
        "merchant": merchant,
        "staff": staff,
        "noodles": make_product(
            merchant,
            name="평양랭면",
            name_en="Pyongyang noodles",
            is_made_to_order=True,
        ),
        "pancake": make_product(merchant, name="녹두지짐", name_en="Mung bean pancake"),
    }


@pytest.fixture
def cook(client: Client, house) -> Client:
    client.force_login(house["staff"])
    return client


def accepted(house, *lines, at: dt.datetime = NOON) -> Fulfilment:
    with time_machine.travel(at, tick=False):
        fulfilment = place(*lines)
        accept_fulfilment(staff_user_id=house["staff"].pk, fulfilment_id=fulfilment.pk)
    return fulfilment


def status_of(fulfilment: Fulfilment) -> str:
    return Fulfilment.objects.get(pk=fulfilment.pk).status


def post(client: Client, fulfilment: Fulfilment, action: str, key: str = "k1"):
    return client.post(
        reverse("kitchen-action", args=[fulfilment.pk, action]),
        {"idempotency_key": key},
    )


def test_the_screen_lists_the_accepted_and_preparing_tickets_oldest_first(cook, house):
    newer = accepted(house, (house["pancake"], 1), at=NOON + 5 * MINUTE)
    older = accepted(house, (house["noodles"], 2), (house["pancake"], 1))
    start_preparing(staff_user_id=house["staff"].pk, fulfilment_id=older.pk)
    waiting = place((house["noodles"], 1))

    with time_machine.travel(NOON + 12 * MINUTE, tick=False):
        response = cook.get(reverse("kitchen"))

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [
        (r.ticket.fulfilment.pk, r.waited_minutes, r.ticket.due_at, r.is_late)
        for r in rows
    ] == [
        (older.pk, 12, NOON + 20 * MINUTE, False),
        (newer.pk, 7, NOON + 25 * MINUTE, False),
    ]
    page = response.content.decode()
    # A placed order is not a ticket yet: it waits among the new orders, to be accepted.
    assert [f.pk for f in response.context["new_orders"]] == [waiting.pk]
    assert page.index(waiting.order.number) < page.index(f'id="fulfilment-{older.pk}"')
    assert "조리 중" in page
    assert "대기" in page
    assert '<b class="quantity">2</b>' in page
    assert "평양랭면" in page
    assert "녹두지짐" in page
    assert "받은 지 12분" in page
    assert "<b>12:20</b>" in page
    assert "<b>12:25</b>" in page


def test_an_overdue_ticket_stands_out(cook, house):
    late = accepted(house, (house["noodles"], 1))
    on_time = accepted(house, (house["pancake"], 1), at=NOON + 15 * MINUTE)

    with time_machine.travel(NOON + 23 * MINUTE, tick=False):
        page = cook.get(reverse("kitchen")).content.decode()

    assert (
        f'class="ticket accepted late"\n                    id="fulfilment-{late.pk}"'
        in (page)
    )
    assert (
        f'class="ticket accepted"\n                    id="fulfilment-{on_time.pk}"'
        in (page)
    )
    assert "3분 늦음" in page


def test_the_screen_works_without_javascript_and_its_script_does_not_block(cook):
    response = cook.get(reverse("kitchen"))

    page = response.content.decode()
    parts = PageParts()
    parts.feed(page)
    assert "<noscript>" in page
    assert '<meta http-equiv="refresh" content="20">' in page
    assert '<script defer src="/static/web/queue.js"></script>' in page
    assert parts.blocking_head_scripts == []
    assert parts.stylesheets == ["/static/web/site.css", "/static/web/kitchen.css"]
    assert "만들 주문이 없습니다." in page


def test_the_kitchen_stylesheet_is_loaded_only_on_the_kitchen_screen(house):
    client = Client()
    client.force_login(house["staff"])

    queue = client.get(reverse("merchant-queue")).content.decode()

    assert "kitchen.css" not in queue


def test_the_partial_is_only_the_tickets(cook, house):
    fulfilment = accepted(house, (house["noodles"], 1))

    response = cook.get(reverse("kitchen"), {"partial": "1"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert "kitchen.css" not in page
    assert fulfilment.order.number in page
    assert page.count("<form") == 1


def test_start_then_ready_move_the_ticket_open_its_delivery_and_say_so(cook, house):
    fulfilment = accepted(house, (house["noodles"], 1))

    start = post(cook, fulfilment, "prepare")
    after_start = status_of(fulfilment)
    ready = post(cook, fulfilment, "ready", key="k2")
    screen = cook.get(reverse("kitchen"))

    assert (start.status_code, start["Location"], after_start) == (
        302,
        reverse("kitchen"),
        "preparing",
    )
    assert (ready.status_code, ready["Location"]) == (302, reverse("kitchen"))
    assert status_of(fulfilment) == "ready"
    assert DeliveryJob.objects.filter(fulfilment=fulfilment).count() == 1
    assert [str(m) for m in screen.context["messages"]] == [
        "준비를 시작했습니다.",
        "준비 완료로 표시했습니다.",
    ]
    assert screen.context["rows"] == []


def test_a_double_tap_on_start_is_told_as_done(cook, house):
    fulfilment = accepted(house, (house["noodles"], 1))

    post(cook, fulfilment, "prepare")
    again = post(cook, fulfilment, "prepare", key="k2")

    assert again.status_code == 302
    assert status_of(fulfilment) == "preparing"
    assert FulfilmentEvent.objects.filter(fulfilment=fulfilment).count() == 3


def test_starting_an_order_the_shopper_cancelled_is_refused_with_a_message(cook, house):
    fulfilment = accepted(house, (house["noodles"], 1))
    cancel_order(shopper_id=fulfilment.order.shopper_id, order_id=fulfilment.order_id)
    before = snapshot()

    response = post(cook, fulfilment, "prepare")
    screen = cook.get(response["Location"])

    assert (response.status_code, response["Location"]) == (302, reverse("kitchen"))
    assert [str(m) for m in screen.context["messages"]] == [
        "손님이 이 주문을 취소했습니다. 만들지 마십시오."
    ]
    assert 'class="error"' in screen.content.decode()
    assert snapshot() == before


def test_ready_before_start_is_refused_with_a_message_and_changes_nothing(cook, house):
    fulfilment = accepted(house, (house["noodles"], 1))
    before = snapshot()

    response = post(cook, fulfilment, "ready")
    screen = cook.get(response["Location"])

    assert response.status_code == 302
    assert [str(m) for m in screen.context["messages"]] == [
        "이 주문은 지금 '주문 확인' 상태라 그렇게 바꿀 수 없습니다."
    ]
    assert snapshot() == before


def test_an_unknown_action_is_not_found(cook, house):
    fulfilment = accepted(house, (house["noodles"], 1))

    response = post(cook, fulfilment, "reject")

    assert response.status_code == 404
    assert status_of(fulfilment) == "accepted"


def test_the_kitchen_accepts_a_new_order_which_becomes_a_ticket(cook, house):
    new = place((house["noodles"], 2))

    with time_machine.travel(NOON + MINUTE, tick=False):
        before = cook.get(reverse("kitchen")).content.decode()
        response = post(cook, new, "accept")
        after = cook.get(reverse("kitchen"))

    accept = reverse("kitchen-action", args=[new.pk, "accept"])
    reject = reverse("merchant-reject", args=[new.pk])
    assert "새 주문 1건" in before
    # Rejecting is a link apart, after the accept button.
    assert before.index(f'action="{accept}"') < before.index(f'href="{reject}"')
    assert response.status_code == 302
    assert status_of(new) == "accepted"
    assert after.context["new_orders"] == []
    assert [row.ticket.fulfilment.pk for row in after.context["rows"]] == [new.pk]


def test_staff_of_another_restaurant_get_404_and_see_none_of_its_tickets(
    client: Client, house
):
    fulfilment = accepted(house, (house["noodles"], 1))
    _other, other_staff = restaurant()
    client.force_login(other_staff)
    before = snapshot()

    start = post(client, fulfilment, "prepare")
    screen = client.get(reverse("kitchen"))

    assert (start.status_code, screen.status_code) == (404, 200)
    assert screen.context["rows"] == []
    assert fulfilment.order.number not in screen.content.decode()
    assert snapshot() == before


def _person(who: str, house):
    if who == "store staff":
        _store, staff = make_merchant(kind=MerchantKind.STORE)
        return staff
    user = UserFactory.create()
    if who == "restaurant member without the merchant role":
        MerchantStaff.objects.create(merchant=house["merchant"], user=user)
        return user
    role = {"shopper": Role.SHOPPER, "courier": Role.COURIER}.get(who, Role.MERCHANT)
    RoleGrant.objects.create(user=user, role=role)
    return user


@pytest.mark.parametrize(
    "who",
    [
        "shopper",
        "courier",
        "store staff",
        "merchant role without membership",
        "restaurant member without the merchant role",
    ],
)
def test_people_who_are_not_restaurant_staff_are_forbidden(client: Client, house, who):
    fulfilment = accepted(house, (house["noodles"], 1))
    client.force_login(_person(who, house))

    screen = client.get(reverse("kitchen"))
    start = post(client, fulfilment, "prepare")

    assert (screen.status_code, start.status_code) == (403, 403)
    assert status_of(fulfilment) == "accepted"


def test_a_visitor_is_asked_to_log_in(client: Client):
    response = client.get(reverse("kitchen"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_restaurant_staff_are_linked_to_the_kitchen_and_store_staff_are_not(
    client: Client, house
):
    _store, store_staff = make_merchant(kind=MerchantKind.STORE)

    client.force_login(house["staff"])
    cook_page = client.get("/").content.decode()
    client.force_login(store_staff)
    store_page = client.get("/").content.decode()

    assert 'href="/kitchen/">주방</a>' in cook_page
    assert "/kitchen/" not in store_page


def with_options(product: Product) -> tuple[Option, Option]:
    size = OptionGroup.objects.create(
        product=product, name="양", name_en="Size", choice=OptionChoice.ONE
    )
    large = Option.objects.create(
        group=size, name="곱빼기", name_en="Large", price_change_won=500
    )
    extra = OptionGroup.objects.create(
        product=product, name="추가", name_en="Extras", choice=OptionChoice.ANY
    )
    egg = Option.objects.create(
        group=extra, name="계란 추가", name_en="Extra egg", price_change_won=200
    )
    return large, egg


def test_a_ticket_shows_the_options_chosen_for_each_dish(cook, house):
    large, egg = with_options(house["noodles"])
    shopper, card = make_shopper()
    request = checkout(card, [(house["noodles"], 1)])
    line = CheckoutLine(
        product_id=house["noodles"].pk,
        quantity=1,
        price_won_seen=house["noodles"].price_won + 700,
        option_ids=(large.pk, egg.pk),
    )
    placed = place_order(
        shopper_id=shopper.pk,
        checkout=dataclasses.replace(request, lines=(line,)),
        idempotency_key="with-options",
    )
    fulfilment = Fulfilment.objects.get(order_id=placed.order_id)
    accept_fulfilment(staff_user_id=house["staff"].pk, fulfilment_id=fulfilment.pk)

    korean = cook.get(reverse("kitchen"), {"partial": "1"}).content.decode()
    cook.post(reverse("language"), {"language": "en", "next": "/"})
    english = cook.get(reverse("kitchen"), {"partial": "1"}).content.decode()

    assert '<span class="options">곱빼기, 계란 추가</span>' in korean
    assert '<span class="options">Large, Extra egg</span>' in english
    assert "Pyongyang noodles" in english


def dish_state(product: Product) -> bool:
    return Product.objects.get(pk=product.pk).is_sold_out


def switch(client: Client, product: Product, state: str):
    return client.post(
        reverse("kitchen-dish", args=[product.pk, state]), {"idempotency_key": "d1"}
    )


def test_a_cook_switches_a_dish_sold_out_and_back_from_the_screen(cook, house):
    noodles = house["noodles"]

    off = switch(cook, noodles, "sold-out")
    screen = cook.get(reverse("kitchen"))
    on = switch(cook, noodles, "on-sale")

    assert (off.status_code, off["Location"]) == (302, reverse("kitchen"))
    assert [str(m) for m in screen.context["messages"]] == ["평양랭면: 품절"]
    page = screen.content.decode()
    assert reverse("kitchen-dish", args=[noodles.pk, "on-sale"]) in page
    assert on.status_code == 302
    assert dish_state(noodles) is False


def test_the_switch_lists_only_the_restaurants_dishes(cook, house):
    screen = cook.get(reverse("kitchen"))

    assert [row.product.pk for row in screen.context["dishes"]] == [house["noodles"].pk]


def test_goods_sold_from_stock_are_refused_a_sold_out_switch_with_a_message(
    cook, house
):
    response = switch(cook, house["pancake"], "sold-out")
    screen = cook.get(reverse("kitchen"))

    assert response.status_code == 302
    assert [str(m) for m in screen.context["messages"]] == [
        "주문 후 조리하는 음식만 품절로 바꿀 수 있습니다."
    ]
    assert dish_state(house["pancake"]) is False


def test_another_restaurants_dish_cannot_be_switched(client: Client, house):
    _other, other_staff = restaurant()
    client.force_login(other_staff)

    unknown_state = switch(client, house["noodles"], "gone")
    response = switch(client, house["noodles"], "sold-out")

    assert (unknown_state.status_code, response.status_code) == (404, 404)
    assert dish_state(house["noodles"]) is False


def test_store_staff_cannot_use_the_sold_out_switch(client: Client, house):
    _store, store_staff = make_merchant(kind=MerchantKind.STORE)
    client.force_login(store_staff)

    response = switch(client, house["noodles"], "sold-out")

    assert response.status_code == 403
    assert dish_state(house["noodles"]) is False


def test_an_order_for_tomorrows_slot_says_tomorrow_on_the_screen(cook, house):
    # Ordered at 22:55 for tomorrow at 11:00: "11:00" alone would read as today.
    evening = NOON.replace(hour=13, minute=55)  # 22:55 in Pyongyang
    tomorrow_eleven = dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC)
    with time_machine.travel(evening, tick=False):
        shopper, card = make_shopper()
        placed = place_order(
            shopper_id=shopper.pk,
            checkout=checkout(
                card, [(house["noodles"], 1)], slot_starts_at=tomorrow_eleven
            ),
            idempotency_key="kitchen-tomorrow",
        )
        new = cook.get(reverse("kitchen")).content.decode()
        accept_fulfilment(
            staff_user_id=house["staff"].pk,
            fulfilment_id=Fulfilment.objects.get(order_id=placed.order_id).pk,
        )
        ticket = cook.get(reverse("kitchen")).content.decode()

    assert "내일 11:00에 배달" in new
    assert "내일 11:00에 배달" in ticket
    assert "마감 <b>내일 11:00</b>" in ticket
