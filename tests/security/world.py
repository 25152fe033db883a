"""A small marketplace in motion for the fuzz run and the authorization matrix.

Everything is made through the services (an order is placed, accepted, prepared, made ready
and dispatched to a courier), so every route has something real behind its identifiers: an
order, a fulfilment, a delivery job, a card, a QR request, a dish with options, a basket line.

The objects belong to ``shopper`` and to ``merchant_staff``'s shops. ``other_shopper`` and
``other_merchant_staff`` have their own, so a request of theirs naming the first ones' ids is
the object-level test: another person's order, another merchant's shop.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings

from okryu.accounts.models import Address, Role, RoleGrant, User
from okryu.accounts.tests.factories import AddressFactory, UserFactory
from okryu.api.tokens import issue_token
from okryu.cart.owners import BasketOwner
from okryu.cart.services import add_to_basket
from okryu.catalog.models import Category, Option, OptionGroup, Product
from okryu.catalog.tests.factories import CategoryFactory, add_noodle_options
from okryu.delivery.models import Courier, DeliveryJob
from okryu.delivery.services import dispatch, mark_ready_for_pickup
from okryu.delivery.tests.builders import make_courier
from okryu.merchants.models import Merchant, MerchantKind, MerchantStaff
from okryu.merchants.services import create_merchant_payment_request
from okryu.orders.models import Fulfilment
from okryu.orders.services import accept_fulfilment, place_order, start_preparing
from okryu.orders.tests.builders import (
    checkout,
    make_merchant,
    make_product,
    make_shopper,
    make_user_with_role,
    open_all_week,
)
from okryu.orders.tests.dish_builders import dish_checkout, make_dish
from okryu.orders.tests.door_support import door_checkout_request
from okryu.payments.chip import SoftwareCard, issuer_card_key
from okryu.payments.counter_services import open_drawer, take_top_up
from okryu.payments.models import Card, PaymentRequest

# Who asks, in the order of the matrix's columns.
ANONYMOUS = "anonymous"
SHOPPER = "shopper"
OTHER_SHOPPER = "other_shopper"
OTHER_MERCHANT_STAFF = "other_merchant_staff"
MERCHANT_STAFF = "merchant_staff"
COURIER = "courier"
TELLER = "teller"
SUPERVISOR = "supervisor"
OPERATOR = "operator"
ROLES = (
    ANONYMOUS,
    SHOPPER,
    OTHER_SHOPPER,
    OTHER_MERCHANT_STAFF,
    MERCHANT_STAFF,
    COURIER,
    TELLER,
    SUPERVISOR,
    OPERATOR,
)
SIGNED_IN = ROLES[1:]


@dataclass
class World:
    """The people (by role name), their tokens, and the ids the routes are called with."""

    people: dict[str, User]
    tokens: dict[str, str]
    shopper_card: Card
    other_card: Card
    merchant: Merchant
    restaurant: Merchant
    other_merchant: Merchant
    product: Product
    dish: Product
    option_group: OptionGroup
    option: Option
    category: Category
    order_id: int
    fulfilment: Fulfilment
    pending_order_id: int
    pending_fulfilment: Fulfilment
    dish_fulfilment: Fulfilment
    job: DeliveryJob
    courier: Courier
    door_fulfilment: Fulfilment
    chip: SoftwareCard
    qr: PaymentRequest
    address: Address
    basket_line_id: int
    top_up_id: int
    ids: dict[str, object] = field(default_factory=dict)


def _place(shopper: User, card: Card, product: Product, key: str) -> Fulfilment:
    placed = place_order(
        shopper_id=shopper.pk,
        checkout=checkout(card, [(product, 1)]),
        idempotency_key=key,
    )
    return Fulfilment.objects.get(order_id=placed.order_id)


def build_world() -> World:
    """Make the world: two shoppers, two merchants' staff, a courier, bank staff, an operator."""
    merchant, merchant_staff = make_merchant()
    open_all_week(merchant, dt.time(0, 0), dt.time(23, 59))
    other_merchant, other_staff = make_merchant()
    product = make_product(merchant, stock=50, price_won=2_000)
    make_product(other_merchant, stock=50, price_won=3_000)
    # The same staff member keeps a restaurant too, so the kitchen pages have someone.
    restaurant_merchant, _restaurant_owner = make_merchant(kind=MerchantKind.RESTAURANT)
    MerchantStaff.objects.create(merchant=restaurant_merchant, user=merchant_staff)
    open_all_week(restaurant_merchant, dt.time(0, 0), dt.time(23, 59))
    noodles = add_noodle_options(make_dish(restaurant_merchant, capacity=20))
    dish, group, option = noodles.dish, noodles.extras, noodles.egg

    shopper, shopper_card = make_shopper(balance_won=500_000)
    other_shopper, other_card = make_shopper(balance_won=500_000)
    courier = make_courier()
    teller = make_user_with_role(Role.TELLER)
    supervisor = make_user_with_role(Role.SUPERVISOR)
    operator = UserFactory(is_staff=True, is_superuser=True)
    RoleGrant.objects.create(user=operator, role=Role.OPERATOR)

    # An order out with the courier, one still waiting for the merchant, one of the other
    # shopper's (so neither shopper's list is empty).
    # Two parcels on the courier's route: one paid by card, one to pay at the door.
    fulfilment = _place(shopper, shopper_card, product, "world-1")
    placed_door = place_order(
        shopper_id=shopper.pk,
        checkout=door_checkout_request(shopper_card, [(product, 1)]),
        idempotency_key="world-door",
    )
    door_fulfilment = Fulfilment.objects.get(order_id=placed_door.order_id)
    for ready in (fulfilment, door_fulfilment):
        accept_fulfilment(staff_user_id=merchant_staff.pk, fulfilment_id=ready.pk)
        start_preparing(staff_user_id=merchant_staff.pk, fulfilment_id=ready.pk)
        mark_ready_for_pickup(staff_user_id=merchant_staff.pk, fulfilment_id=ready.pk)
    dispatch(operator_user_id=operator.pk)
    job = DeliveryJob.objects.get(fulfilment=fulfilment)
    assert job.courier_id == courier.pk, "the only courier on duty takes the jobs"
    assert DeliveryJob.objects.get(fulfilment=door_fulfilment).courier_id == courier.pk
    pending = _place(shopper, shopper_card, product, "world-2")
    _place(other_shopper, other_card, product, "world-3")
    placed_dish = place_order(
        shopper_id=shopper.pk,
        checkout=dish_checkout(shopper_card, [(dish, 1, (noodles.regular,), None)]),
        idempotency_key="world-4",
    )

    qr = create_merchant_payment_request(
        merchant_id=merchant.pk, amount_won=1_500, description="두부 2모"
    )
    # A large top-up the teller took, waiting for the supervisor.
    open_drawer(teller=teller)
    top_up = take_top_up(
        teller=teller,
        card_number=other_card.number,
        amount_won=settings.OKRYU_TOPUP_APPROVAL_WON + 1_000,
        transfer_id="world-large-top-up",
    )
    address = AddressFactory(user=shopper)
    line = add_to_basket(
        owner=BasketOwner(user_id=shopper.pk), product_id=product.pk, quantity=1
    )
    people: dict[str, User] = {
        "shopper": shopper,
        "other_shopper": other_shopper,
        "other_merchant_staff": other_staff,
        "merchant_staff": merchant_staff,
        "courier": courier.user,
        "teller": teller,
        "supervisor": supervisor,
        "operator": operator,
    }
    return World(
        people=people,
        tokens={role: issue_token(user=user).token for role, user in people.items()},
        shopper_card=shopper_card,
        other_card=other_card,
        merchant=merchant,
        restaurant=restaurant_merchant,
        other_merchant=other_merchant,
        product=product,
        dish=dish,
        option_group=group,
        option=option,
        category=CategoryFactory(),
        order_id=fulfilment.order_id,
        fulfilment=Fulfilment.objects.get(pk=fulfilment.pk),
        pending_order_id=pending.order_id,
        pending_fulfilment=pending,
        dish_fulfilment=Fulfilment.objects.get(order_id=placed_dish.order_id),
        job=DeliveryJob.objects.get(pk=job.pk),
        courier=courier,
        door_fulfilment=door_fulfilment,
        chip=SoftwareCard(
            number=shopper_card.number, key=issuer_card_key(shopper_card.number)
        ),
        qr=qr,
        address=address,
        basket_line_id=line.pk,
        top_up_id=top_up.pk,
    )
