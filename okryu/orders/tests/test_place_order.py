import datetime as dt

import pytest
import time_machine

from okryu.catalog.audit import audit_stock
from okryu.catalog.models import Product
from okryu.core import clock
from okryu.core.errors import DomainError, IdempotencyKeyReused
from okryu.core.models import BackgroundJob, IdempotencyRecord
from okryu.merchants.models import Merchant, MerchantKind
from okryu.notifications.models import OutboxMessage
from okryu.orders.audit import audit_orders
from okryu.orders.models import DailyPurchase, Fulfilment, FulfilmentEvent, Order
from okryu.orders.queries import payment_amount_of, payment_status_of
from okryu.orders.services import place_order, quote_checkout
from okryu.orders.services.checkout import CheckoutLine, CheckoutOrder
from okryu.orders.tests.builders import (
    TEST_PIN,
    account_of,
    checkout,
    make_merchant,
    make_product,
    make_shopper,
    near_district,
    open_all_week,
    snapshot,
    stock_of,
)
from okryu.payments import ledger
from okryu.payments.audit import audit_ledger
from okryu.payments.cards import block_card
from okryu.payments.models import Card, Transfer, TransferKind
from okryu.payments.tests.builders import make_teller

pytestmark = pytest.mark.django_db

FEE_WON = 1_000  # Base fee: near district, light parcel.


def test_placing_an_order_reserves_stock_holds_the_total_and_queues_one_sms():
    shopper, card = make_shopper(balance_won=50_000)
    store, _staff = make_merchant()
    factory, _staff2 = make_merchant(kind=MerchantKind.FACTORY)
    noodles = make_product(store, stock=5, price_won=3_000)
    socks = make_product(factory, stock=2, price_won=7_000)
    sms_before = OutboxMessage.objects.count()

    placed = place_order(
        shopper_id=shopper.pk,
        checkout=checkout(card, [(noodles, 2), (socks, 1)]),
        idempotency_key="k1",
    )

    order = Order.objects.get(pk=placed.order_id)
    assert (order.items_total_won, order.delivery_fee_won, order.total_won) == (
        13_000,
        2 * FEE_WON,
        15_000,
    )
    assert order.card_last4 == card.number[-4:]
    assert placed.is_replay is False
    assert stock_of(noodles) == (5, 2, 0)
    assert stock_of(socks) == (2, 1, 0)
    assert account_of(card.ledger_account_id) == (50_000, 15_000)
    holds = Transfer.objects.filter(kind=TransferKind.HOLD, reference=order.number)
    assert sorted(holds.values_list("amount_won", flat=True)) == [
        1_000,
        1_000,
        6_000,
        7_000,
    ]
    assert list(
        Fulfilment.objects.filter(order=order).values_list("merchant_id", "status")
    ) == [(store.pk, "placed"), (factory.pk, "placed")]
    assert FulfilmentEvent.objects.filter(fulfilment__order=order).count() == 2
    # One SMS for the order, naming what was held: not one per hold.
    assert OutboxMessage.objects.count() - sms_before == 1
    assert (
        BackgroundJob.objects.filter(kind="orders.expire_fulfilment_hold").count() == 2
    )
    fulfilments = placed.rows.fulfilment_rows
    assert payment_status_of("card", fulfilments) == "held"
    assert payment_amount_of("card", fulfilments) == 15_000
    assert [
        (line.product_id, line.name, line.quantity, line.unit_price_won, line.total_won)
        for line in placed.rows.fulfilments[0].lines
    ] == [(noodles.pk, noodles.name, 2, 3_000, 6_000)]
    assert audit_orders().is_clean
    assert audit_stock().is_clean
    assert audit_ledger().violations == 0


def test_the_same_key_and_request_replays_the_first_order_and_changes_nothing():
    shopper, card = make_shopper()
    store, _staff = make_merchant()
    product = make_product(store, stock=5)
    request = checkout(card, [(product, 1)])
    first = place_order(shopper_id=shopper.pk, checkout=request, idempotency_key="same")
    before = snapshot()

    again = place_order(shopper_id=shopper.pk, checkout=request, idempotency_key="same")

    assert (again.order_id, again.number, again.is_replay) == (
        first.order_id,
        first.number,
        True,
    )
    assert again.rows == first.rows
    assert snapshot() == before


def test_the_same_key_with_another_request_is_refused_and_changes_nothing():
    shopper, card = make_shopper()
    store, _staff = make_merchant()
    product = make_product(store, stock=5)
    place_order(
        shopper_id=shopper.pk,
        checkout=checkout(card, [(product, 1)]),
        idempotency_key="same",
    )
    before = snapshot()

    with pytest.raises(IdempotencyKeyReused):
        place_order(
            shopper_id=shopper.pk,
            checkout=checkout(card, [(product, 2)]),
            idempotency_key="same",
        )

    assert snapshot() == before


def test_two_shoppers_may_use_the_same_key_for_their_own_orders():
    store, _staff = make_merchant()
    product = make_product(store, stock=5)
    first_shopper, first_card = make_shopper()
    second_shopper, second_card = make_shopper()

    first = place_order(
        shopper_id=first_shopper.pk,
        checkout=checkout(first_card, [(product, 1)]),
        idempotency_key="k",
    )
    second = place_order(
        shopper_id=second_shopper.pk,
        checkout=checkout(second_card, [(product, 1)]),
        idempotency_key="k",
    )

    assert first.order_id != second.order_id
    assert stock_of(product) == (5, 2, 0)


def _refused(shopper_id: int, request: CheckoutOrder, code: str) -> DomainError:
    before = snapshot()
    with pytest.raises(DomainError) as refusal:
        place_order(shopper_id=shopper_id, checkout=request, idempotency_key="bad")
    assert refusal.value.code == code
    assert snapshot() == before
    assert IdempotencyRecord.objects.filter(key="bad").count() == 0
    return refusal.value


def test_an_empty_checkout_is_refused():
    shopper, card = make_shopper()

    refusal = _refused(shopper.pk, checkout(card, []), "basket_empty")

    assert refusal.extra == {"field": "lines"}


def test_a_line_above_the_available_stock_is_refused_as_out_of_stock_naming_it():
    shopper, card = make_shopper()
    store, _staff = make_merchant()
    plenty = make_product(store, stock=9)
    scarce = make_product(store, stock=2)

    refusal = _refused(
        shopper.pk, checkout(card, [(plenty, 1), (scarce, 3)]), "out_of_stock"
    )

    assert refusal.extra == {"product": scarce.pk, "available": 2}


def test_a_changed_price_is_refused_with_both_figures():
    shopper, card = make_shopper()
    store, _staff = make_merchant()
    product = make_product(store, stock=5, price_won=1_000)
    Product.objects.filter(pk=product.pk).update(price_won=1_200)

    refusal = _refused(
        shopper.pk,
        checkout(card, [(product, 1)], seen={product.pk: 1_000}),
        "price_changed",
    )

    assert refusal.extra == {
        "product": product.pk,
        "price_seen": 1_000,
        "price_now": 1_200,
    }


@pytest.mark.parametrize(
    ("change", "code"),
    [
        pytest.param({"is_active": False}, "invalid", id="withdrawn product"),
        pytest.param("deleted", "invalid", id="unknown product"),
    ],
)
def test_a_line_for_a_product_not_on_sale_is_refused(change, code):
    shopper, card = make_shopper()
    store, _staff = make_merchant()
    product = make_product(store, stock=5)
    request = checkout(card, [(product, 1)])
    if change == "deleted":
        request = CheckoutOrder(
            lines=(CheckoutLine(product_id=product.pk + 1000, quantity=1),),
            district_id=request.district_id,
            address_detail=request.address_detail,
            slot_starts_at=None,
            card_number=card.number,
            pin=TEST_PIN,
        )
    else:
        Product.objects.filter(pk=product.pk).update(**change)

    _refused(shopper.pk, request, code)


@pytest.mark.parametrize(
    ("quantity", "field"),
    [
        pytest.param(0, "quantity", id="zero"),
        pytest.param(-1, "quantity", id="negative"),
        pytest.param(1000, "quantity", id="over the line maximum"),
        pytest.param(True, "quantity", id="a boolean"),
    ],
)
def test_a_quantity_outside_the_line_limits_is_refused(quantity, field):
    shopper, card = make_shopper()
    store, _staff = make_merchant()
    product = make_product(store, stock=5)
    request = CheckoutOrder(
        lines=(CheckoutLine(product_id=product.pk, quantity=quantity),),
        district_id=near_district().pk,
        address_detail="1호",
        slot_starts_at=None,
        card_number=card.number,
        pin=TEST_PIN,
    )

    refusal = _refused(shopper.pk, request, "invalid")

    assert refusal.extra == {"field": field}


def test_a_quantity_at_the_line_maximum_is_accepted(settings):
    settings.OKRYU_LINE_QUANTITY_MAX = 3
    shopper, card = make_shopper()
    store, _staff = make_merchant()
    product = make_product(store, stock=5)

    place_order(
        shopper_id=shopper.pk,
        checkout=checkout(card, [(product, 3)]),
        idempotency_key="at-limit",
    )

    assert stock_of(product) == (5, 3, 0)


def test_the_daily_purchase_limit_counts_earlier_orders_of_the_day():
    shopper, card = make_shopper()
    store, _staff = make_merchant()
    rice = make_product(store, stock=50, purchase_limit_per_day=3)
    place_order(
        shopper_id=shopper.pk,
        checkout=checkout(card, [(rice, 2)]),
        idempotency_key="first",
    )

    refusal = _refused(shopper.pk, checkout(card, [(rice, 2)]), "over_limit")

    assert refusal.extra == {"product": rice.pk, "limit": 3, "bought_today": 2}
    place_order(
        shopper_id=shopper.pk,
        checkout=checkout(card, [(rice, 1)]),
        idempotency_key="third",
    )
    assert DailyPurchase.objects.get(shopper=shopper, product=rice).quantity == 3


def test_a_first_order_above_the_daily_limit_is_refused():
    shopper, card = make_shopper()
    store, _staff = make_merchant()
    rice = make_product(store, stock=50, purchase_limit_per_day=3)

    _refused(shopper.pk, checkout(card, [(rice, 4)]), "over_limit")


def test_a_card_without_enough_money_is_refused_and_nothing_is_reserved():
    shopper, card = make_shopper(balance_won=1_500)
    store, _staff = make_merchant()
    product = make_product(store, stock=5, price_won=1_000)

    _refused(shopper.pk, checkout(card, [(product, 1)]), "insufficient_funds")


def test_a_wrong_pin_is_refused_and_counted_but_nothing_else_changes():
    shopper, card = make_shopper()
    store, _staff = make_merchant()
    product = make_product(store, stock=5)

    refusal = _refused(
        shopper.pk, checkout(card, [(product, 1)], pin="0000"), "wrong_pin"
    )

    assert refusal.extra == {"attempts_left": 2}
    assert Card.objects.get(pk=card.pk).pin_failed_attempts == 1


def test_a_card_of_another_person_is_refused_without_counting_a_pin_attempt():
    shopper, _card = make_shopper()
    _other, other_card = make_shopper()
    store, _staff = make_merchant()
    product = make_product(store, stock=5)

    _refused(
        shopper.pk, checkout(other_card, [(product, 1)], pin="0000"), "card_not_found"
    )

    assert Card.objects.get(pk=other_card.pk).pin_failed_attempts == 0


def test_a_blocked_card_is_refused():
    shopper, card = make_shopper()
    store, _staff = make_merchant()
    product = make_product(store, stock=5)
    block_card(card_number=card.number, reason="lost", actor=make_teller())

    _refused(shopper.pk, checkout(card, [(product, 1)]), "card_blocked")


def test_a_slot_in_the_past_is_refused():
    shopper, card = make_shopper()
    store, _staff = make_merchant()
    product = make_product(store, stock=5)

    refusal = _refused(
        shopper.pk,
        checkout(
            card,
            [(product, 1)],
            slot_starts_at=clock.now() - dt.timedelta(minutes=1),
        ),
        "slot_in_past",
    )

    assert refusal.extra == {"field": "slot"}


def test_a_slot_after_tomorrow_is_refused():
    shopper, card = make_shopper()
    store, _staff = make_merchant()
    product = make_product(store, stock=5)

    refusal = _refused(
        shopper.pk,
        checkout(
            card, [(product, 1)], slot_starts_at=clock.now() + dt.timedelta(days=3)
        ),
        "invalid",
    )

    assert refusal.extra == {"field": "slot"}


# 2026-12-01 is a Tuesday; 03:00 UTC is 12:00 in Pyongyang.
NOON = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)


def _restaurant_open_evenings() -> tuple[Merchant, Product]:
    restaurant, _staff = make_merchant(kind=MerchantKind.RESTAURANT)
    open_all_week(restaurant, dt.time(17, 0), dt.time(22, 0))
    dish = make_product(restaurant, stock=10, is_made_to_order=True)
    return restaurant, dish


@time_machine.travel(NOON, tick=False)
def test_a_dish_of_a_closed_restaurant_is_refused_as_soon_as_possible():
    shopper, card = make_shopper()
    _restaurant, dish = _restaurant_open_evenings()

    refusal = _refused(shopper.pk, checkout(card, [(dish, 1)]), "merchant_closed")

    assert refusal.extra["field"] == "slot"
    assert refusal.extra["merchant"] == _restaurant.pk
    assert refusal.extra["opens_at"] == "2026-12-01T17:00:00+09:00"


@time_machine.travel(NOON, tick=False)
def test_a_closed_restaurant_is_refused_before_the_pin_is_checked():
    shopper, card = make_shopper()
    _restaurant, dish = _restaurant_open_evenings()

    refusal = _refused(
        shopper.pk, checkout(card, [(dish, 1)], pin="0000"), "merchant_closed"
    )

    card.refresh_from_db()
    assert refusal.detail.startswith(f"{_restaurant.name}")
    assert card.pin_failed_attempts == 0


@time_machine.travel(NOON, tick=False)
def test_a_dish_of_a_closed_restaurant_is_accepted_for_a_slot_in_its_hours():
    shopper, card = make_shopper()
    _restaurant, dish = _restaurant_open_evenings()
    evening = NOON + dt.timedelta(hours=6)  # 18:00 in Pyongyang.

    placed = place_order(
        shopper_id=shopper.pk,
        checkout=checkout(card, [(dish, 1)], slot_starts_at=evening),
        idempotency_key="dinner",
    )

    order = Order.objects.get(pk=placed.order_id)
    assert (order.slot_starts_at, order.slot_ends_at) == (
        evening,
        evening + dt.timedelta(hours=1),
    )


@time_machine.travel(NOON, tick=False)
def test_a_dish_for_a_slot_outside_the_restaurants_hours_is_refused():
    shopper, card = make_shopper()
    _restaurant, dish = _restaurant_open_evenings()

    _refused(
        shopper.pk,
        checkout(card, [(dish, 1)], slot_starts_at=NOON + dt.timedelta(hours=1)),
        "merchant_closed",
    )


def test_a_refused_hold_of_a_second_merchant_rolls_back_the_first():
    shopper, card = make_shopper(balance_won=5_000)
    store, _staff = make_merchant()
    factory, _staff2 = make_merchant(kind=MerchantKind.FACTORY)
    cheap = make_product(store, stock=5, price_won=1_000)
    dear = make_product(factory, stock=5, price_won=3_000)

    _refused(shopper.pk, checkout(card, [(cheap, 1), (dear, 1)]), "insufficient_funds")


def test_the_quote_gives_each_merchants_subtotal_weight_and_fee():
    store, _staff = make_merchant()
    heavy = make_product(store, stock=5, price_won=2_000, weight_grams=4_000)

    quote = quote_checkout(
        lines=[CheckoutLine(product_id=heavy.pk, quantity=2)],
        district_id=near_district().pk,
    )

    (part,) = quote.merchants
    assert (part.items_total_won, part.weight_grams, part.delivery_fee_won) == (
        4_000,
        8_000,
        1_300,
    )
    assert quote.total_won == 5_300


def test_the_items_are_held_for_the_merchant_and_the_fee_for_delivery():
    shopper, card = make_shopper()
    store, _staff = make_merchant()
    product = make_product(store, stock=5)

    placed = place_order(
        shopper_id=shopper.pk,
        checkout=checkout(card, [(product, 1)]),
        idempotency_key="k",
    )

    fulfilment = Fulfilment.objects.get(order_id=placed.order_id)
    items = Transfer.objects.get(transfer_id=fulfilment.items_hold_transfer_id)
    fee = Transfer.objects.get(transfer_id=fulfilment.fee_hold_transfer_id)
    assert (
        items.credit_account_id == Merchant.objects.get(pk=store.pk).ledger_account_id
    )
    assert fee.credit_account_id == ledger.open_delivery_fees_account().pk
    assert (items.amount_won, fee.amount_won) == (1_000, FEE_WON)
