"""Builders of the pay-at-the-door tests (service, API and stress): orders placed through
``place_order`` and moved by the lifecycle services, chip records signed by software cards."""

import dataclasses
from dataclasses import dataclass

from okryu.accounts.models import Role, User
from okryu.catalog.models import Product
from okryu.merchants.models import Merchant
from okryu.orders.models import Fulfilment
from okryu.orders.services import (
    accept_fulfilment,
    mark_ready,
    place_order,
    send_out,
    start_preparing,
)
from okryu.orders.services.checkout import CheckoutOrder
from okryu.orders.services.door import (
    DoorRecord,
    door_challenge,
    door_payee_account_id,
)
from okryu.orders.tests.builders import (
    checkout,
    make_merchant,
    make_product,
    make_shopper,
    make_user_with_role,
)
from okryu.payments.chip import SoftwareCard, SoftwareTerminal, issuer_card_key
from okryu.payments.models import Card
from okryu.payments.rules import ChipRecord

PRICE_WON = 2_000
FEE_WON = 1_000
QUANTITY = 2
DUE_WON = QUANTITY * PRICE_WON + FEE_WON


@dataclass
class DoorWorld:
    """A door order out for delivery, its people and the shopper's chip card."""

    shopper: User
    card: Card
    chip: SoftwareCard
    terminal: SoftwareTerminal
    merchant: Merchant
    staff: User
    courier: User
    product: Product
    order_id: int
    fulfilment: Fulfilment


def door_checkout_request(
    card: Card, lines: list[tuple[Product, int]]
) -> CheckoutOrder:
    """Return a checkout of ``lines`` paid at the door (no card number, no PIN)."""
    return dataclasses.replace(
        checkout(card, lines), card_number="", pin="", payment_method="door"
    )


def make_door_world(*, balance_won: int = 20_000, send: bool = True) -> DoorWorld:
    """Place a door order of 2 × 2,000 won (fee 1,000) and bring it ready (or out)."""
    shopper, card = make_shopper(balance_won=balance_won)
    merchant, staff = make_merchant()
    product = make_product(merchant, stock=5, price_won=PRICE_WON)
    placed = place_order(
        shopper_id=shopper.pk,
        checkout=door_checkout_request(card, [(product, QUANTITY)]),
        idempotency_key="door-order",
    )
    fulfilment = Fulfilment.objects.get(order_id=placed.order_id)
    courier = make_user_with_role(Role.COURIER)
    for move in (accept_fulfilment, start_preparing, mark_ready):
        move(staff_user_id=staff.pk, fulfilment_id=fulfilment.pk)
    if send:
        send_out(actor_user_id=courier.pk, fulfilment_id=fulfilment.pk)
    return DoorWorld(
        shopper=shopper,
        card=card,
        chip=SoftwareCard(number=card.number, key=issuer_card_key(card.number)),
        terminal=SoftwareTerminal(
            merchant_account_id=door_payee_account_id(fulfilment.pk)
        ),
        merchant=merchant,
        staff=staff,
        courier=courier,
        product=product,
        order_id=placed.order_id,
        fulfilment=Fulfilment.objects.get(pk=fulfilment.pk),
    )


def challenge_of(fulfilment_id: int) -> str:
    """Return the challenge the issuer minted for the fulfilment (as the terminal reads it)."""
    return door_challenge(fulfilment_id=fulfilment_id).challenge


def signed_record(
    chip: SoftwareCard,
    *,
    fulfilment_id: int,
    amount_won: int = DUE_WON,
    payee_account_id: int | None = None,
    challenge: str | None = None,
) -> ChipRecord:
    """Return a record the card signs over the fulfilment's challenge (its counter rises)."""
    return chip.answer(
        challenge=challenge or challenge_of(fulfilment_id),
        amount_won=amount_won,
        merchant_account_id=payee_account_id or door_payee_account_id(fulfilment_id),
    )


def door_record(record: ChipRecord, *, offline: bool = False) -> DoorRecord:
    """Return the record as the terminal sends it to Okryu."""
    return DoorRecord(
        card_number=record.card_number,
        amount_won=record.amount_won,
        counter=record.counter,
        challenge=record.challenge,
        mac=record.mac,
        is_offline=offline,
    )
