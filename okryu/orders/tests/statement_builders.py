"""Three orders of one shopper as a statement shows them (shared by the page and API tests)."""

from typing import Any

from okryu.accounts.models import Role
from okryu.merchants.models import MerchantKind
from okryu.orders.models import Fulfilment, Order
from okryu.orders.services import (
    accept_fulfilment,
    deliver,
    mark_ready,
    place_order,
    return_fulfilment,
    send_out,
    start_preparing,
)
from okryu.orders.tests.builders import (
    checkout,
    make_merchant,
    make_product,
    make_shopper,
    make_user_with_role,
)


def make_three_orders() -> dict[str, Any]:
    """Order 1 from two merchants, delivered; order 2 placed (held); order 3 delivered
    and then returned (refunded)."""
    shopper, card = make_shopper(balance_won=200_000)
    shop, shop_staff = make_merchant()
    factory, factory_staff = make_merchant(kind=MerchantKind.FACTORY)
    socks = make_product(shop, price_won=3_000, stock=20)
    tofu = make_product(factory, price_won=2_000, stock=20)
    staff = {shop.pk: shop_staff, factory.pk: factory_staff}
    operator = make_user_with_role(Role.OPERATOR)

    def order(key: str, lines: Any) -> Order:
        placed = place_order(
            shopper_id=shopper.pk, checkout=checkout(card, lines), idempotency_key=key
        )
        return Order.objects.get(pk=placed.order_id)

    def delivered(the_order: Order) -> None:
        for part in Fulfilment.objects.filter(order=the_order).order_by("pk"):
            person = staff[part.merchant_id].pk
            accept_fulfilment(staff_user_id=person, fulfilment_id=part.pk)
            start_preparing(staff_user_id=person, fulfilment_id=part.pk)
            mark_ready(staff_user_id=person, fulfilment_id=part.pk)
            send_out(actor_user_id=operator.pk, fulfilment_id=part.pk)
            deliver(actor_user_id=operator.pk, fulfilment_id=part.pk)

    first = order("first", [(socks, 1), (tofu, 2)])
    delivered(first)
    second = order("second", [(tofu, 1)])
    third = order("third", [(socks, 2)])
    delivered(third)
    returned = Fulfilment.objects.get(order=third)
    return_fulfilment(
        operator_user_id=operator.pk, fulfilment_id=returned.pk, reason="크기가 안 맞음"
    )
    return {
        "shopper": shopper,
        "card": card,
        "shop": shop,
        "factory": factory,
        "orders": (first, second, third),
    }
