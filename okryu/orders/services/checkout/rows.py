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
from django.db import connection

from okryu.catalog import portions
from okryu.catalog.models import Product
from okryu.catalog.options import ChosenOptions
from okryu.core import clock
from okryu.core.inserts import column_list, insert_fields, typed_values
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
    """Write ``order`` with a fulfilment per share, its lines and first events.

    One statement on PostgreSQL (``insert_rows_postgresql``), four on SQLite
    (``insert_rows_sqlite``); the same rows and primary keys either way.
    """
    rows = _unsaved_rows(
        order=order,
        shares=shares,
        products=products,
        merchants=merchants,
        chosen=chosen,
        payer=payer,
    )
    if connection.vendor == "postgresql":
        insert_rows_postgresql(rows)
    else:
        insert_rows_sqlite(rows)
    return rows


def _unsaved_rows(
    *,
    order: Order,
    shares: tuple[PricedShare, ...],
    products: dict[int, Product],
    merchants: dict[int, Merchant],
    chosen: dict[tuple[int, str], ChosenOptions],
    payer: Payer,
) -> OrderRows:
    now = order.placed_at
    hold_expires_at = now + dt.timedelta(seconds=settings.OKRYU_HOLD_TIMEOUT_SECONDS)
    holds = payer.holds_now
    day = portions.portions_day_at(now)
    parts = []
    for item in shares:
        merchant_id = item.share.merchant_id
        fulfilment = Fulfilment(
            order=order,
            merchant=merchants[merchant_id],
            items_total_won=item.share.items_total_won,
            delivery_fee_won=item.delivery_fee_won,
            weight_grams=item.share.weight_grams,
            distance_meters=item.distance_meters,
            # No hold, and nothing to expire, for an order paid at the door.
            items_hold_transfer_id=(
                f"{order.number}/{merchant_id}/items" if holds else ""
            ),
            fee_hold_transfer_id=(
                f"{order.number}/{merchant_id}/fee"
                if item.delivery_fee_won and holds
                else ""
            ),
            hold_expires_at=hold_expires_at if holds else now,
            placed_at=now,
            status_changed_at=now,
        )
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
    return OrderRows(order=order, fulfilments=tuple(parts))


def _first_event(fulfilment: Fulfilment, order: Order) -> FulfilmentEvent:
    return FulfilmentEvent(
        fulfilment=fulfilment,
        from_status="",
        to_status=FulfilmentStatus.PLACED,
        actor_id=order.shopper_id,
        actor_role=Actor.SHOPPER,
        created_at=order.placed_at,
    )


def insert_rows_sqlite(rows: OrderRows) -> None:
    """Insert the rows with Django's bulk inserts: the order, then each kind in one INSERT."""
    order = rows.order
    order.save(force_insert=True)
    fulfilments = Fulfilment.objects.bulk_create(rows.fulfilment_rows)
    OrderLine.objects.bulk_create(
        [line for part in rows.fulfilments for line in part.lines]
    )
    FulfilmentEvent.objects.bulk_create([_first_event(f, order) for f in fulfilments])


def insert_rows_postgresql(rows: OrderRows) -> None:
    """Insert the rows in one statement (data-modifying CTEs) and set their primary keys.

    The order's id flows into its fulfilments, each fulfilment's into its lines (joined on
    the merchant) and its first event; the statement returns every id it made.
    """
    order = rows.order
    fulfilments = rows.fulfilment_rows
    lines = [
        (part.fulfilment, line) for part in rows.fulfilments for line in part.lines
    ]
    order_fields = insert_fields(Order)
    fulfilment_fields = insert_fields(Fulfilment, exclude=frozenset({"order_id"}))
    line_fields = insert_fields(OrderLine, exclude=frozenset({"fulfilment_id"}))
    event_fields = insert_fields(FulfilmentEvent, exclude=frozenset({"fulfilment_id"}))
    order_values, order_params = typed_values(order_fields, [order])
    fulfilment_values, fulfilment_params = typed_values(
        fulfilment_fields,
        fulfilments,
        leading=[(f.merchant_id, index) for index, f in enumerate(fulfilments)],
    )
    line_values, line_params = typed_values(
        line_fields,
        [line for _fulfilment, line in lines],
        leading=[(f.merchant_id, index) for index, (f, _line) in enumerate(lines)],
    )
    event_values, event_params = typed_values(
        event_fields, [_first_event(fulfilments[0], order)]
    )
    f_columns = column_list(fulfilment_fields)
    l_columns = column_list(line_fields)
    e_columns = column_list(event_fields)
    sql = f"""
        WITH o AS (
            INSERT INTO orders_order ({column_list(order_fields)})
            VALUES {order_values} RETURNING id
        ), f AS (
            INSERT INTO orders_fulfilment (order_id, {f_columns})
            SELECT o.id, {column_list(fulfilment_fields, alias="v")}
            FROM o, (VALUES {fulfilment_values}) AS v(merchant, ordinal, {f_columns})
            ORDER BY v.ordinal
            RETURNING id, merchant_id
        ), l AS (
            INSERT INTO orders_orderline (fulfilment_id, {l_columns})
            SELECT f.id, {column_list(line_fields, alias="v")}
            FROM f JOIN (VALUES {line_values}) AS v(merchant, ordinal, {l_columns})
                ON v.merchant = f.merchant_id
            ORDER BY v.ordinal
            RETURNING id, product_id, options_key
        ), e AS (
            INSERT INTO orders_fulfilmentevent (fulfilment_id, {e_columns})
            SELECT f.id, {column_list(event_fields, alias="v")}
            FROM f, (VALUES {event_values}) AS v({e_columns})
            ORDER BY f.id
        )
        SELECT 'order', id, 0, '' FROM o
        UNION ALL SELECT 'fulfilment', id, merchant_id, '' FROM f
        UNION ALL SELECT 'line', id, product_id, options_key FROM l
    """  # noqa: S608  (names from the models, values as parameters)
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [*order_params, *fulfilment_params, *line_params, *event_params]
        )
        made = cursor.fetchall()
    ids = {(kind, key, options): pk for kind, pk, key, options in made}
    order.pk = ids["order", 0, ""]
    # Assigned again now that the ids are known: each sets the foreign key's id column.
    for fulfilment in fulfilments:
        fulfilment.pk = ids["fulfilment", fulfilment.merchant_id, ""]
        fulfilment.order = order
    for fulfilment, line in lines:
        line.pk = ids["line", line.product_id, line.options_key]
        line.fulfilment = fulfilment
    # What Django sets on the instances it saves: saving one again updates it.
    for instance in [order, *fulfilments, *(line for _f, line in lines)]:
        instance._state.adding = False
