"""The rows of a placed order: the order, a fulfilment per merchant, their lines and events.

``new_order`` builds the order row in memory (its totals, contact and payment fields), so
what depends on the total (the door's limit) is checked before anything is written;
``insert_order_rows`` writes it with its fulfilments, lines and first events and returns
them as ``OrderRows``, from which the replies are built without reading them again.
"""

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings

from okryu.catalog import portions
from okryu.catalog.models import Product
from okryu.catalog.options import ChosenOptions
from okryu.core import clock
from okryu.merchants.models import Merchant
from okryu.orders.models import Fulfilment, FulfilmentEvent, Order, OrderLine
from okryu.orders.queries import FulfilmentRows, OrderRows
from okryu.orders.rules import SLOT_LENGTH, Actor, FulfilmentStatus
from okryu.orders.services.checkout.pricing import PricedShare
from okryu.orders.services.checkout.shape import CheckoutOrder, stripped

NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
NUMBER_RANDOM_LENGTH = 8


@dataclass(frozen=True)
class Payer:
    """Who pays and is told: the card's last digits and phone, or the door's contact phone."""

    card_number: str
    phone: str

    @property
    def holds_now(self) -> bool:
        """Whether the money is held now (a card), not taken at the door."""
        return bool(self.card_number)


def new_order_number(now: dt.datetime) -> str:
    """Return a new public order number: the local day and 8 random characters."""
    day = now.astimezone(clock.PYONGYANG).strftime("%Y%m%d")
    suffix = "".join(
        secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_RANDOM_LENGTH)
    )
    return f"OK-{day}-{suffix}"


def new_order(
    *,
    shopper_id: int,
    checkout: CheckoutOrder,
    district_id: int,
    shares: tuple[PricedShare, ...],
    payer: Payer,
    now: dt.datetime,
) -> Order:
    """Return the order row, not yet saved, with its totals for ``shares``."""
    items_total = sum(item.share.items_total_won for item in shares)
    fee_total = sum(item.delivery_fee_won for item in shares)
    slot = checkout.slot_starts_at
    return Order(
        number=new_order_number(now),
        shopper_id=shopper_id,
        district_id=district_id,
        address_detail=stripped(checkout.address_detail),
        slot_starts_at=slot,
        slot_ends_at=slot + SLOT_LENGTH if slot is not None else None,
        items_total_won=items_total,
        delivery_fee_won=fee_total,
        total_won=items_total + fee_total,
        payment_method=checkout.payment_method,
        card_last4=payer.card_number[-4:],
        contact_phone=payer.phone,
        placed_at=now,
        updated_at=now,
    )


def insert_order_rows(
    *,
    order: Order,
    shares: tuple[PricedShare, ...],
    products: dict[int, Product],
    merchants: dict[int, Merchant],
    chosen: dict[tuple[int, str], ChosenOptions],
    payer: Payer,
) -> OrderRows:
    """Write ``order`` with a fulfilment per share, its lines and first events."""
    now = order.placed_at
    order.save(force_insert=True)
    hold_expires_at = now + dt.timedelta(seconds=settings.OKRYU_HOLD_TIMEOUT_SECONDS)
    holds = payer.holds_now
    fulfilments = Fulfilment.objects.bulk_create(
        [
            Fulfilment(
                order=order,
                merchant=merchants[item.share.merchant_id],
                items_total_won=item.share.items_total_won,
                delivery_fee_won=item.delivery_fee_won,
                weight_grams=item.share.weight_grams,
                distance_meters=item.distance_meters,
                # No hold, and nothing to expire, for an order paid at the door.
                items_hold_transfer_id=(
                    f"{order.number}/{item.share.merchant_id}/items" if holds else ""
                ),
                fee_hold_transfer_id=(
                    f"{order.number}/{item.share.merchant_id}/fee"
                    if item.delivery_fee_won and holds
                    else ""
                ),
                hold_expires_at=hold_expires_at if holds else now,
                placed_at=now,
                status_changed_at=now,
            )
            for item in shares
        ]
    )
    day = portions.portions_day_at(now)
    parts = []
    for fulfilment, item in zip(fulfilments, shares, strict=True):
        assert fulfilment.pk is not None
        lines = tuple(
            OrderLine(
                fulfilment=fulfilment,
                product_id=line.product_id,
                name=products[line.product_id].name,
                name_en=products[line.product_id].name_en,
                unit_price_won=line.unit_price_won,
                quantity=line.quantity,
                total_won=line.total_won,
                options_text=chosen[line.product_id, line.options_key].text,
                options_text_en=chosen[line.product_id, line.options_key].text_en,
                options_key=line.options_key,
                portions_day=day if products[line.product_id].sells_portions else None,
            )
            for line in item.share.lines
        )
        parts.append(FulfilmentRows(fulfilment=fulfilment, lines=lines))
    OrderLine.objects.bulk_create([line for part in parts for line in part.lines])
    FulfilmentEvent.objects.bulk_create(
        [
            FulfilmentEvent(
                fulfilment=fulfilment,
                from_status="",
                to_status=FulfilmentStatus.PLACED,
                actor_id=order.shopper_id,
                actor_role=Actor.SHOPPER,
                created_at=now,
            )
            for fulfilment in fulfilments
        ]
    )
    return OrderRows(order=order, fulfilments=tuple(parts))
