"""Placing an order: one durable transaction that reserves, records, holds and replies once.

Guarantees (DESIGN.md invariants 2, 3 and 5): the idempotency record, the stock reservations,
the order rows, the card holds, the expiry jobs and the SMS commit together or not at all;
a repeated key with the same checkout returns the first order; any refusal leaves stock,
money and rows as they were. Only the PIN attempt counter of a wrong PIN is kept: the PIN is
checked before anything else is written, and that transaction commits the counted attempt
alone before WrongPin is raised, so wrong PINs cannot be retried for free.

``place_order`` reads from top to bottom as the checkout happens; each step is one call into
the module that does that job (shape, pricing, stock, holds, rows, reply).
"""

from django.db import IntegrityError

from okryu.core import clock
from okryu.core.idempotency import (
    find_outcome,
    fingerprint_request,
    lock_idempotency_key,
    validate_key,
)
from okryu.core.transactions import raise_if_refused, service_transaction
from okryu.orders.hours import check_kitchens_open
from okryu.orders.period_limits import count_period_purchases
from okryu.orders.services.checkout import holds, pricing, reply, rows, shape, stock
from okryu.orders.services.checkout.reply import PlacedOrder
from okryu.orders.services.checkout.shape import CheckoutOrder
from okryu.orders.services.door import door_contact_phone
from okryu.orders.services.door_rules import admit_door_order
from okryu.orders.unmet_demand import records_out_of_stock
from okryu.payments.errors import WrongPin


@records_out_of_stock
def place_order(
    *, shopper_id: int, checkout: CheckoutOrder, idempotency_key: str
) -> PlacedOrder:
    """Place the shopper's order once for ``idempotency_key`` (STYLE.md section 16.1).

    Replays a stored outcome first; then checks the checkout's shape, the card's owner and
    PIN (a wrong PIN is committed as a counted attempt, then raised), snapshots prices
    (PriceChanged with both figures), refuses closed restaurants, counts the daily purchase
    limits, reserves stock in product order, writes the order, its fulfilments, lines and
    first events, holds the money per fulfilment, queues the expiry jobs and the SMS, and
    stores the order's id with the key. Callers must not wrap it in a transaction.
    """
    key = validate_key(idempotency_key)
    fingerprint = fingerprint_request(checkout.fingerprint_payload())
    try:
        outcome = _place_once(shopper_id, checkout, key=key, fingerprint=fingerprint)
    except IntegrityError:
        # A concurrent checkout with the same key committed first; its outcome is visible.
        stored = find_outcome(
            scope=reply.idempotency_scope(shopper_id), key=key, fingerprint=fingerprint
        )
        if stored is None:
            raise
        return reply.replay(stored, shopper_id=shopper_id)
    # A wrong PIN comes back from the transaction, so its counted attempt commits first.
    return raise_if_refused(outcome)


@service_transaction(durable=True)
def _place_once(
    shopper_id: int, checkout: CheckoutOrder, *, key: str, fingerprint: str
) -> PlacedOrder | WrongPin:
    scope = reply.idempotency_scope(shopper_id)
    lock_idempotency_key(scope=scope, key=key)
    stored = find_outcome(scope=scope, key=key, fingerprint=fingerprint)
    if stored is not None:
        return reply.replay(stored, shopper_id=shopper_id)
    now = clock.now()
    shape.check_order_shape(checkout, now=now)
    lines = checkout.lines
    # What is sold, and whether its kitchens are open, before the PIN is asked about: a
    # refusal here counts no attempt. Only dishes have kitchens to read the hours of.
    catalogue = pricing.load_catalogue(lines, district_id=checkout.district_id)
    at = checkout.slot_starts_at or now
    dishes = [
        pk for pk, product in catalogue.products.items() if product.is_made_to_order
    ]
    if dishes:
        check_kitchens_open(dishes, at=at)
    if checkout.is_paid_at_door:
        card = None  # Paid at the door: no card now, nothing held.
        payer = rows.Payer(card_number="", phone=door_contact_phone(shopper_id))
    else:
        try:
            card = holds.authorise_card(
                shopper_id=shopper_id,
                card_number=checkout.card_number,
                pin=checkout.pin,
            )
        except WrongPin as refusal:
            # Nothing was written before it: the counted attempt commits alone.
            return refusal
        payer = rows.Payer(card_number=card.number, phone=card.phone)
    chosen = pricing.choose_all_options(lines, catalogue)
    pricing.check_prices_seen(lines, catalogue, chosen)
    shares = pricing.price_shares(lines, catalogue, chosen)
    products = catalogue.products
    stock.check_restaurants_open(products, at=at)
    stock.count_purchases(shopper_id, lines, products, now=now)
    count_period_purchases(shopper_id, lines, products, now=now)
    stock.reserve_stock(lines, products, now=now, shopper_id=shopper_id)
    order = rows.new_order(
        shopper_id=shopper_id,
        checkout=checkout,
        district_id=catalogue.district_id,
        shares=shares,
        payer=payer,
        now=now,
    )
    placed_rows = rows.insert_order_rows(
        order=order,
        shares=shares,
        products=products,
        merchants=catalogue.merchants,
        chosen={
            (line.product_id, choice.key): choice
            for line, choice in zip(lines, chosen, strict=True)
        },
        payer=payer,
    )
    if card is None:
        # On the written order: the shopper's door orders are counted with it, and a refusal
        # rolls its rows back with the transaction.
        admit_door_order(placed_rows.order)
    expiry_jobs = (
        []  # Nothing held at the door, nothing to expire.
        if card is None
        else holds.hold_money(
            placed_rows,
            card,
            merchants=catalogue.merchants,
            fees_account_id=catalogue.fees_account_id,
        )
    )
    return reply.finish_checkout(
        placed_rows, expiry_jobs=expiry_jobs, key=key, fingerprint=fingerprint
    )
