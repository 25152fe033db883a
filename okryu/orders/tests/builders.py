"""Builders shared by the orders tests (and the stress suites): state set up by the services.

Stock arrives through ``receive_stock`` and money through ``ledger.top_up``, so a test never
starts from a state the services could not have made.
"""

import datetime as dt
import itertools
from typing import Any

from okryu.accounts.models import District, Role, RoleGrant, User
from okryu.accounts.phone_verification import record_verified_phone
from okryu.accounts.tests.factories import DistrictFactory, UserFactory
from okryu.catalog.models import Product
from okryu.catalog.services import receive_stock
from okryu.catalog.tests.factories import ProductFactory
from okryu.core.models import BackgroundJob, IdempotencyRecord
from okryu.merchants.models import Merchant, MerchantKind, MerchantStaff, OpeningHours
from okryu.merchants.tests.factories import MerchantFactory
from okryu.notifications.models import OutboxMessage
from okryu.orders.models import (
    DailyPurchase,
    Fulfilment,
    FulfilmentEvent,
    Order,
    OrderLine,
)
from okryu.orders.services.checkout import CheckoutLine, CheckoutOrder
from okryu.payments import ledger
from okryu.payments.cards import issue_card
from okryu.payments.models import Card, LedgerAccount, Transfer

TEST_PIN = "4831"
_ids = itertools.count(1)


def make_shopper(
    *, balance_won: int = 100_000, phone_verified: bool = True
) -> tuple[User, Card]:
    """Return a shopper with a card holding ``balance_won`` (PIN ``TEST_PIN``), whose phone
    was verified by an SMS code unless told otherwise."""
    shopper = UserFactory()
    RoleGrant.objects.create(user=shopper, role=Role.SHOPPER)
    if phone_verified and shopper.phone:
        record_verified_phone(user_id=shopper.pk)
    card = issue_card(holder=shopper, phone="010-2222-3333", pin=TEST_PIN)
    if balance_won:
        ledger.top_up(
            card_number=card.number,
            amount_won=balance_won,
            transfer_id=f"orders-test-topup-{next(_ids)}-{card.number}",
        )
    return shopper, card


def make_user_with_role(role: Role) -> User:
    """Return a person holding ``role`` (an operator, a courier)."""
    user = UserFactory()
    RoleGrant.objects.create(user=user, role=role)
    return user


def make_merchant(*, kind: str = MerchantKind.STORE) -> tuple[Merchant, User]:
    """Return an active merchant in the central district and one staff member of it."""
    merchant = MerchantFactory(kind=kind, district=central_district())
    staff = UserFactory()
    RoleGrant.objects.create(user=staff, role=Role.MERCHANT)
    MerchantStaff.objects.create(merchant=merchant, user=staff)
    return merchant, staff


def open_all_week(merchant: Merchant, opens_at: dt.time, closes_at: dt.time) -> None:
    """Give the merchant the same opening period every day."""
    for weekday in range(7):
        OpeningHours.objects.create(
            merchant=merchant, weekday=weekday, opens_at=opens_at, closes_at=closes_at
        )


def make_product(
    merchant: Merchant, *, stock: int = 10, price_won: int = 1_000, **fields: Any
) -> Product:
    """Return a product of ``merchant`` with ``stock`` units received."""
    product = ProductFactory(merchant=merchant, price_won=price_won, **fields)
    if stock:
        receive_stock(product_id=product.pk, quantity=stock, changed_by=None)
    product.refresh_from_db()
    return product


def central_district() -> District:
    """The district of every test merchant (centre of Pyongyang)."""
    return DistrictFactory(code="central", latitude=39.0392, longitude=125.7625)


def near_district() -> District:
    """A district about 1.2 km from the centre (base delivery fee)."""
    return DistrictFactory(code="near", latitude=39.0392, longitude=125.7525)


def checkout(
    card: Card,
    lines: list[tuple[Product, int]],
    *,
    slot_starts_at: dt.datetime | None = None,
    pin: str = TEST_PIN,
    seen: dict[int, int] | None = None,
) -> CheckoutOrder:
    """Return a checkout request of ``lines`` delivered to the near district."""
    seen = seen or {}
    return CheckoutOrder(
        lines=tuple(
            CheckoutLine(
                product_id=product.pk,
                quantity=quantity,
                price_won_seen=seen.get(product.pk, product.price_won),
            )
            for product, quantity in lines
        ),
        district_id=near_district().pk,
        address_detail="3-201호",
        slot_starts_at=slot_starts_at,
        card_number=card.number,
        pin=pin,
    )


def snapshot() -> dict[str, Any]:
    """Return everything a refused request must leave unchanged."""
    return {
        "stock": list(
            Product.objects.order_by("pk").values_list(
                "pk", "stock_on_hand", "stock_reserved", "stock_sold"
            )
        ),
        "accounts": list(
            LedgerAccount.objects.order_by("pk").values_list(
                "pk", "balance_won", "held_won"
            )
        ),
        "transfers": Transfer.objects.count(),
        "orders": Order.objects.count(),
        "fulfilments": list(
            Fulfilment.objects.order_by("pk").values_list(
                "pk", "status", "captured_won", "refunded_won"
            )
        ),
        "lines": OrderLine.objects.count(),
        "events": FulfilmentEvent.objects.count(),
        "sms": OutboxMessage.objects.count(),
        "jobs": BackgroundJob.objects.count(),
        "idempotency": IdempotencyRecord.objects.count(),
        "purchases": list(DailyPurchase.objects.values_list("pk", "quantity")),
    }


def stock_of(product: Product) -> tuple[int, int, int]:
    """Return the product's (on hand, reserved, sold) as stored now."""
    row = Product.objects.filter(pk=product.pk).values_list(
        "stock_on_hand", "stock_reserved", "stock_sold"
    )
    return row.get()


def account_of(account_id: int) -> tuple[int, int]:
    """Return a ledger account's (balance, held) as stored now."""
    return (
        LedgerAccount.objects.filter(pk=account_id)
        .values_list("balance_won", "held_won")
        .get()
    )
