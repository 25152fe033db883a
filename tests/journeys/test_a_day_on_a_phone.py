"""A day as people live it, on a phone: a shopper orders cold noodles before the restaurant
opens, for the 11:00 slot; the merchant accepts, the kitchen cooks for the slot, the courier
gets the job only when it is due and hands it over against the code; the teller prints a
statement with one line for the purchase. The clock is set before each step.
"""

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.db import transaction
from playwright.sync_api import expect

from okryu.accounts.models import Role, RoleGrant, User
from okryu.accounts.tests.factories import AddressFactory, ShopperFactory, UserFactory
from okryu.catalog import portions
from okryu.catalog.models import Product
from okryu.catalog.tests.factories import CategoryFactory, ProductFactory
from okryu.delivery.models import DeliveryJob
from okryu.delivery.services import dispatch, register_courier, start_duty
from okryu.merchants.models import Merchant, MerchantKind, MerchantStaff, OpeningHours
from okryu.merchants.tests.factories import MerchantFactory
from okryu.orders.models import Order
from okryu.orders.tests.builders import central_district, near_district
from okryu.web.tests.test_checkout_pages import PIN, funded_card

pytestmark = pytest.mark.django_db(transaction=True)

KST = dt.timezone(dt.timedelta(hours=9))
DAY = dt.date(2026, 12, 1)  # A Tuesday.


def at(time: str) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time.fromisoformat(time), tzinfo=KST)


def person(*roles: Role, **fields: Any) -> User:
    user: User = UserFactory.create(**fields)
    for role in roles:
        RoleGrant.objects.create(user=user, role=role)
    return user


def a_restaurant_and_its_dish() -> tuple[Merchant, Product, User]:
    restaurant: Merchant = MerchantFactory.create(
        kind=MerchantKind.RESTAURANT,
        name="옥류관",
        name_en="Okryu Restaurant",
        district=central_district(),
        preparation_minutes=20,
    )
    for weekday in range(7):
        OpeningHours.objects.create(
            merchant=restaurant,
            weekday=weekday,
            opens_at=dt.time(11),
            closes_at=dt.time(21),
        )
    dish: Product = ProductFactory.create(
        merchant=restaurant,
        category=CategoryFactory.create(name="국수", name_en="Noodles"),
        name="평양랭면",
        name_en="Pyongyang cold noodles",
        unit="한 그릇",
        price_won=12_000,
        is_made_to_order=True,
    )
    with transaction.atomic():
        assert portions.set_daily_capacity(
            product_id=dish.pk, daily_capacity=134, day=portions.today()
        )
    staff = person(Role.MERCHANT, display_name="김향미")
    MerchantStaff.objects.create(merchant=restaurant, user=staff)
    return restaurant, dish, staff


def the_shopper_orders_for_the_slot_before_opening(
    page: Any, url: str, dish: Product, card_number: str
) -> None:
    """08:55: closed, not sold out; the dish can be ordered for 11:00, only then."""
    page.goto(f"{url}/categories/{dish.category_id}/")
    row = page.locator("ul.products li", has_text="평양랭면")
    expect(row).to_contain_text("11:00에 엽니다")
    expect(row).not_to_contain_text("품절")
    row.get_by_role("link", name="평양랭면").click()
    expect(page.locator("article.product")).to_contain_text("134인분 남음")
    expect(page.locator("article.product")).to_contain_text("11:00에 엽니다")
    page.get_by_role("button", name="장바구니에 담기").click()
    page.goto(f"{url}/basket/")
    expect(page.locator("main")).to_contain_text("11:00에 엽니다")
    page.goto(f"{url}/checkout/")
    slots = page.get_by_label("배달 시간")
    expect(slots.locator("option").first).to_have_text("오늘 11:00")
    expect(slots.locator("option", has_text="가능한 빨리")).to_have_count(0)
    expect(slots).to_have_value(at("11:00").isoformat(timespec="minutes"))
    page.get_by_label("카드 번호").fill(card_number)
    page.get_by_label("PIN").fill(PIN)
    page.get_by_role("button", name="주문하기").click()
    expect(page).to_have_url(re.compile(r"/orders/\d+/$"))


def the_merchant_accepts_and_the_kitchen_cooks_for_the_slot(
    desk: Any, url: str, order: Order
) -> None:
    """10:35: the order is taken; its ticket is due at 11:00, to be started at 10:40."""
    desk.goto(f"{url}/merchant/queue/")
    desk.locator("li, article, section", has_text=order.number).get_by_role(
        "button", name="주문 받기"
    ).first.click()
    expect(desk.locator("main")).to_contain_text(order.number)
    desk.goto(f"{url}/kitchen/")
    ticket = desk.locator("li", has_text=order.number).first
    expect(ticket).to_contain_text("마감 11:00")
    expect(ticket).to_contain_text("조리 시작 10:40")
    ticket.get_by_role("button", name="준비 시작").click()
    desk.locator("li", has_text=order.number).first.get_by_role(
        "button", name="준비 완료"
    ).click()
    expect(desk.locator("main")).not_to_contain_text(order.number)


def the_courier_hands_it_over_against_the_code(
    bike: Any, url: str, job: DeliveryJob, order: Order
) -> None:
    """11:00: the job is on the courier's route, with the order and the recipient."""
    bike.goto(f"{url}/courier/")
    stop = bike.locator(f"#job-{job.pk}")
    expect(stop).to_contain_text(order.number)
    expect(stop).to_contain_text("리은정")
    stop.get_by_role("link").first.click()
    bike.get_by_role("button", name="물건 받음").click()
    job.refresh_from_db()
    bike.get_by_label("구매자의 확인 번호 (숫자 4자리)").fill(job.confirmation_code)
    bike.get_by_role("button", name="건네줌 (배달 완료)").click()
    expect(bike.locator("main")).to_contain_text("배달을 마쳤습니다")


def test_a_day_from_an_order_before_opening_to_the_statement(phone, live_server):
    url = live_server.url
    with time_machine.travel(at("08:55"), tick=True) as clock:
        restaurant, dish, staff = a_restaurant_and_its_dish()
        shopper: User = ShopperFactory.create(display_name="리은정")
        AddressFactory.create(
            user=shopper, district=near_district(), detail="3-201호", is_default=True
        )
        card = funded_card(shopper)
        courier = person(Role.COURIER, display_name="박철")
        register_courier(
            user_id=courier.pk,
            vehicle="motorbike",
            capacity_grams=30_000,
            district_id=central_district().pk,
        )
        start_duty(courier_user_id=courier.pk)

        page = phone(shopper)
        the_shopper_orders_for_the_slot_before_opening(page, url, dish, card.number)
        order = Order.objects.get(shopper=shopper)
        expect(page.locator("main")).to_contain_text(order.number)
        english = phone(shopper, language="en")
        english.goto(f"{url}/products/{dish.pk}/")
        expect(english.locator("article.product")).to_contain_text("Opens at 11:00")

        clock.move_to(at("10:35"))
        the_merchant_accepts_and_the_kitchen_cooks_for_the_slot(
            phone(staff), url, order
        )
        job = DeliveryJob.objects.get(fulfilment__order=order)
        assert job.due_at == at("11:00")

        # 10:50: ready early, it waits for its slot; no courier has it yet.
        clock.move_to(at("10:50"))
        assert dispatch().assigned == ()
        page.goto(f"{url}/orders/{order.pk}/")
        expect(page.locator("main")).to_contain_text("배달 시간 기다리는 중")
        bike = phone(courier)
        bike.goto(f"{url}/courier/")
        expect(bike.locator("main")).to_contain_text("맡은 배달이 없습니다.")

        clock.move_to(at("11:00"))
        assert [a.job_id for a in dispatch().assigned] == [job.pk]
        the_courier_hands_it_over_against_the_code(bike, url, job, order)
        order.refresh_from_db()
        assert order.status == "completed"

        # 11:20, the teller prints the statement: one line for the purchase, no hold.
        clock.move_to(at("11:20"))
        counter = phone(person(Role.TELLER, display_name="정은순"))
        counter.goto(f"{url}/teller/cards/{card.number}/statement/")
        purchase = counter.locator("tr", has_text=order.number)
        expect(purchase).to_have_count(1)
        expect(purchase).to_contain_text(restaurant.name)
        expect(counter.locator("main")).not_to_contain_text("승인(대기)")
