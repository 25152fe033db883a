"""Placing an order: one durable transaction that reserves, records, holds and replies once.

Guarantees (DESIGN.md invariants 2, 3 and 5): the idempotency record, the stock reservations,
the order rows, the card holds, the expiry jobs and the SMS commit together or not at all;
a repeated key with the same request returns the first order; any refusal leaves stock,
money and rows as they were. Only the PIN attempt counter of a wrong PIN is kept, by the card
issuer's own check before the transaction, so wrong PINs cannot be retried for free.
"""

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Model, QuerySet

from okryu.accounts.models import District
from okryu.cart.owners import BasketOwner
from okryu.cart.queries import get_basket_summary
from okryu.catalog import portions
from okryu.catalog.models import Product
from okryu.catalog.options import (
    NO_OPTIONS,
    ChosenOptions,
    choose_options,
    load_option_menus,
    options_key,
)
from okryu.catalog.stock import reserve_stock_for_lines
from okryu.core import clock
from okryu.core.errors import InvalidInput
from okryu.core.idempotency import (
    StoredOutcome,
    find_outcome,
    fingerprint_request,
    lock_idempotency_key,
    store_outcome,
    validate_key,
)
from okryu.core.models import BackgroundJob
from okryu.core.transactions import retry_when_sqlite_is_busy
from okryu.core.won import format_won
from okryu.merchants.queries import is_merchant_open
from okryu.merchants.services import open_settlement_account
from okryu.notifications.outbox import queue_sms
from okryu.orders.errors import (
    BasketEmpty,
    CardNotFound,
    OverPurchaseLimit,
    PriceChanged,
    ProductUnavailable,
    SlotInPast,
)
from okryu.orders.hours import check_kitchens_open, merchant_closed
from okryu.orders.models import (
    DailyPurchase,
    Fulfilment,
    FulfilmentEvent,
    Order,
    OrderLine,
    PaymentMethodChoices,
)
from okryu.orders.queries import order_as_api_dict
from okryu.orders.requests import CheckoutLine, CheckoutRequest
from okryu.orders.rules import (
    SLOT_LENGTH,
    Actor,
    FulfilmentStatus,
    MerchantShare,
    PricedLine,
    PricedOrder,
    SlotRefusal,
    check_slot,
    split_by_merchant,
)
from okryu.orders.services.door import check_door_order_total, door_contact_phone
from okryu.orders.sms import placed_order_sms
from okryu.parcels.rules import (
    bulkiest_size_class,
    delivery_fee_won,
    road_distance_meters,
)
from okryu.parcels.thresholds import delivery_thresholds
from okryu.payments import ledger
from okryu.payments.cards import check_card_number, verify_pin
from okryu.payments.models import Card

PLACE_ORDER_SCOPE = "orders.place"
EXPIRE_FULFILMENT_HOLD_JOB = "orders.expire_fulfilment_hold"
NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
NUMBER_RANDOM_LENGTH = 8

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class PlacedOrder:
    """The outcome of ``place_order``: the order, whether this was a replay, the first body.

    ``body`` is the answer stored with the idempotency key (API.md's 201 body), identical
    for the first call and every replay.
    """

    order_id: int
    number: str
    is_replay: bool
    body: dict[str, Any]


@dataclass(frozen=True)
class MerchantQuote:
    """One merchant's part of a checkout: items, weight, distance, delivery fee, total."""

    merchant_id: int
    merchant_name: str
    merchant_name_en: str
    items_total_won: int
    weight_grams: int
    distance_meters: int
    delivery_fee_won: int

    @property
    def total_won(self) -> int:
        """Items and delivery fee of this merchant's part."""
        return self.items_total_won + self.delivery_fee_won


@dataclass(frozen=True)
class CheckoutQuote:
    """What the checkout will cost, per merchant and in all, at today's prices."""

    merchants: tuple[MerchantQuote, ...]
    items_total_won: int
    delivery_fee_won: int

    @property
    def total_won(self) -> int:
        """Everything the card will be held for."""
        return self.items_total_won + self.delivery_fee_won


def place_order(
    *, shopper_id: int, request: CheckoutRequest, idempotency_key: str
) -> PlacedOrder:
    """Place the shopper's order once for ``idempotency_key`` (STYLE.md section 16.1).

    Checks what needs no database first, the card's owner and PIN next (the attempt counts
    even when refused), then in one durable transaction: replays a stored outcome, snapshots
    prices (PriceChanged with both figures), refuses closed restaurants, counts the daily
    purchase limits, reserves stock in product order, writes the order, its fulfilments,
    lines and first events, holds the money per fulfilment, queues the expiry jobs and the
    SMS, and stores the idempotency record. Callers must not wrap it in a transaction.
    """
    key = validate_key(idempotency_key)
    scope = f"{PLACE_ORDER_SCOPE}:{shopper_id}"
    fingerprint = fingerprint_request(request.fingerprint_payload())
    stored = find_outcome(scope=scope, key=key, fingerprint=fingerprint)
    if stored is not None:
        return _placed_from_outcome(stored)
    _check_request_shape(request, now=clock.now())
    # A closed restaurant is refused before the PIN is asked about (no attempt counted).
    at = request.slot_starts_at or clock.now()
    check_kitchens_open((line.product_id for line in request.lines), at=at)
    card = (
        None  # Paid at the door: no card now, nothing held.
        if request.is_paid_at_door
        else _place_order_authorise_card(shopper_id=shopper_id, request=request)
    )

    def attempt() -> PlacedOrder:
        with transaction.atomic(durable=True):
            lock_idempotency_key(scope=scope, key=key)
            stored = find_outcome(scope=scope, key=key, fingerprint=fingerprint)
            if stored is not None:
                return _placed_from_outcome(stored)
            order = _place_order_write(
                shopper_id=shopper_id, request=request, card=card
            )
            body = order_as_api_dict(order)
            store_outcome(
                scope=scope,
                key=key,
                fingerprint=fingerprint,
                status_code=201,
                body=body,
            )
        return PlacedOrder(
            order_id=order.pk, number=order.number, is_replay=False, body=body
        )

    try:
        return retry_when_sqlite_is_busy(attempt)
    except IntegrityError:
        # A concurrent request with the same key committed first; its outcome is visible now.
        stored = find_outcome(scope=scope, key=key, fingerprint=fingerprint)
        if stored is not None:
            return _placed_from_outcome(stored)
        raise


def _placed_from_outcome(stored: StoredOutcome) -> PlacedOrder:
    body: dict[str, Any] = stored.body
    return PlacedOrder(
        order_id=int(body["id"]), number=str(body["number"]), is_replay=True, body=body
    )


def _check_request_shape(request: CheckoutRequest, *, now: dt.datetime) -> None:
    if not request.lines:
        raise BasketEmpty("장바구니가 비어 있습니다.")
    if len(request.lines) > settings.OKRYU_BASKET_LINES_MAX:
        raise InvalidInput(
            f"한 번에 {settings.OKRYU_BASKET_LINES_MAX}줄까지 주문할 수 있습니다.",
            field="lines",
        )
    for line in request.lines:
        _check_line_shape(line)
    # The same dish with other options is another line; the same choice twice is not.
    keys = [(line.product_id, options_key(line.option_ids)) for line in request.lines]
    if len(set(keys)) != len(keys):
        raise InvalidInput("같은 상품이 두 줄에 있습니다.", field="lines")
    detail = _stripped(request.address_detail)
    if not detail or len(detail) > Order.DETAIL_LENGTH_MAX:
        raise InvalidInput("상세 주소는 1자에서 200자까지입니다.", field="address")
    if request.slot_starts_at is not None:
        _check_slot(request.slot_starts_at, now=now)
    if request.payment_method not in PaymentMethodChoices.values:
        raise InvalidInput("결제 방법은 card 또는 door입니다.", field="payment")
    if not request.is_paid_at_door:
        check_card_number(request.card_number)


def _stripped(value: object) -> str:
    # Callers may pass what a form or JSON body held; anything but text is empty.
    return value.strip() if isinstance(value, str) else ""


def _check_line_shape(line: CheckoutLine) -> None:
    if type(line.product_id) is not int or line.product_id <= 0:
        raise InvalidInput("상품 번호가 올바르지 않습니다.", field="product")
    quantity_max = settings.OKRYU_LINE_QUANTITY_MAX
    # A bool is an int in Python, but never a quantity.
    if type(line.quantity) is not int or not 1 <= line.quantity <= quantity_max:
        raise InvalidInput(
            f"수량은 1부터 {quantity_max}까지의 정수입니다.", field="quantity"
        )
    seen = line.price_won_seen
    if seen is not None and (type(seen) is not int or seen <= 0):
        raise InvalidInput("본 가격이 올바르지 않습니다.", field="price")
    options = line.option_ids
    if (
        type(options) is not tuple
        or len(options) > settings.OKRYU_LINE_OPTIONS_MAX
        or any(type(option) is not int or option <= 0 for option in options)
    ):
        raise InvalidInput("선택 번호가 올바르지 않습니다.", field="options")


def _check_slot(starts_at: dt.datetime, *, now: dt.datetime) -> None:
    refusal = check_slot(starts_at, now=now, local_zone=clock.PYONGYANG)
    if refusal == SlotRefusal.IN_PAST:
        raise SlotInPast("이미 지난 배달 시간입니다.")
    if refusal is not None:
        raise InvalidInput("배달 시간은 오늘이나 내일 중에서 고르십시오.", field="slot")


def _place_order_authorise_card(*, shopper_id: int, request: CheckoutRequest) -> Card:
    # Another person's card is unknown to this shopper: no PIN attempt is counted on it.
    if not Card.objects.filter(
        number=request.card_number, holder_id=shopper_id
    ).exists():
        raise CardNotFound("카드를 찾을 수 없습니다.")
    # Checked once here and committed (a wrong PIN counts); the holds then pass pin=None.
    return verify_pin(card_number=request.card_number, pin=request.pin)


def _place_order_write(
    *, shopper_id: int, request: CheckoutRequest, card: Card | None
) -> Order:
    now = clock.now()
    district = District.objects.filter(pk=request.district_id).first()
    if district is None:
        raise InvalidInput("구역을 찾을 수 없습니다.", field="district")
    products = _place_order_load_products(request.lines)
    chosen = _place_order_choose_options(request.lines, products)
    priced = _place_order_snapshot_prices(request.lines, products, chosen)
    _place_order_check_opening_hours(products, at=request.slot_starts_at or now)
    _place_order_count_purchases(shopper_id, request.lines, products, now=now)
    _place_order_reserve_stock(request.lines, products, now=now)
    order = _place_order_create_rows(
        shopper_id=shopper_id,
        request=request,
        card=card,
        district=district,
        products=products,
        shares=_with_fees(priced, products, district),
        chosen=_chosen_by_line_key(request.lines, chosen),
        now=now,
    )
    if card is None:
        check_door_order_total(order)
    else:
        _place_order_hold_money(order, card, products)
    queue_sms(phone=order.contact_phone, body=placed_order_sms(order))
    assert order.total_won == sum(
        f.items_total_won + f.delivery_fee_won for f in order.fulfilments.all()
    )
    return order


def _place_order_load_products(lines: Sequence[CheckoutLine]) -> dict[int, Product]:
    products = Product.objects.select_related("merchant", "merchant__district").in_bulk(
        [line.product_id for line in lines]
    )
    for line in lines:
        product = products.get(line.product_id)
        if product is None or not product.is_active or not product.merchant.is_active:
            raise ProductUnavailable(
                "판매하지 않는 상품입니다.", field="lines", product=line.product_id
            )
        if product.is_made_to_order and product.is_sold_out:
            raise ProductUnavailable(
                f"{product.name}은(는) 오늘 다 팔렸습니다.",
                field="lines",
                product=line.product_id,
            )
    return products


def _place_order_choose_options(
    lines: Sequence[CheckoutLine], products: dict[int, Product]
) -> list[ChosenOptions]:
    # Only dishes have options: a basket of goods reads no option at all.
    dish_ids = [
        line.product_id for line in lines if products[line.product_id].is_made_to_order
    ]
    menus = load_option_menus(dish_ids) if dish_ids else {}
    chosen: list[ChosenOptions] = []
    for line in lines:
        menu = menus.get(line.product_id)
        if menu is None:
            if line.option_ids:
                raise InvalidInput(
                    "이 상품에서 고를 수 없는 선택입니다.", field="options"
                )
            chosen.append(NO_OPTIONS)
            continue
        choice = choose_options(menu, line.option_ids)
        if products[line.product_id].price_won + choice.price_change_won <= 0:
            raise InvalidInput("선택한 값의 가격이 0원 이하입니다.", field="options")
        chosen.append(choice)
    assert len(chosen) == len(lines)
    return chosen


def _chosen_by_line_key(
    lines: Sequence[CheckoutLine], chosen: Sequence[ChosenOptions]
) -> dict[tuple[int, str], ChosenOptions]:
    return {
        (line.product_id, choice.key): choice
        for line, choice in zip(lines, chosen, strict=True)
    }


def _place_order_snapshot_prices(
    lines: Sequence[CheckoutLine],
    products: dict[int, Product],
    chosen: Sequence[ChosenOptions],
) -> PricedOrder:
    for line, choice in zip(lines, chosen, strict=True):
        price_now = products[line.product_id].price_won + choice.price_change_won
        if line.price_won_seen is not None and line.price_won_seen != price_now:
            raise PriceChanged(
                f"{products[line.product_id].name}의 가격이 "
                f"{format_won(line.price_won_seen)}에서 {format_won(price_now)}으로 "
                "바뀌었습니다.",
                product=line.product_id,
                price_seen=line.price_won_seen,
                price_now=price_now,
            )
    return _price(lines, products, chosen)


def _price(
    lines: Sequence[CheckoutLine],
    products: dict[int, Product],
    chosen: Sequence[ChosenOptions],
) -> PricedOrder:
    return split_by_merchant(
        (
            PricedLine(
                product_id=line.product_id,
                merchant_id=products[line.product_id].merchant_id,
                quantity=line.quantity,
                unit_price_won=products[line.product_id].price_won
                + choice.price_change_won,
                options_key=choice.key,
            )
            for line, choice in zip(lines, chosen, strict=True)
        ),
        {pk: product.weight_grams for pk, product in products.items()},
    )


def _place_order_check_opening_hours(
    products: dict[int, Product], *, at: dt.datetime
) -> None:
    checked: set[int] = set()
    for product in products.values():
        if not product.is_made_to_order or product.merchant_id in checked:
            continue
        checked.add(product.merchant_id)
        if not is_merchant_open(product.merchant, at=at):
            raise merchant_closed(product.merchant, at=at)


def _place_order_count_purchases(
    shopper_id: int,
    lines: Sequence[CheckoutLine],
    products: dict[int, Product],
    *,
    now: dt.datetime,
) -> None:
    day = now.astimezone(clock.PYONGYANG).date()
    for line in sorted(lines, key=lambda line: line.product_id):
        limit = products[line.product_id].purchase_limit_per_day
        if limit is not None:
            _count_purchase(shopper_id, line.product_id, line.quantity, limit, day)


def _count_purchase(
    shopper_id: int, product_id: int, quantity: int, limit: int, day: dt.date
) -> None:
    # A conditional UPDATE, or the INSERT of the day's first row; a concurrent first INSERT
    # loses on the unique constraint and the UPDATE is tried again against the winner's row.
    for _attempt in range(2):
        counted = DailyPurchase.objects.filter(
            shopper_id=shopper_id,
            product_id=product_id,
            day=day,
            quantity__lte=limit - quantity,
        ).update(quantity=F("quantity") + quantity)
        if counted == 1:
            return
        existing = DailyPurchase.objects.filter(
            shopper_id=shopper_id, product_id=product_id, day=day
        ).first()
        if existing is not None or quantity > limit:
            bought = existing.quantity if existing is not None else 0
            raise OverPurchaseLimit(
                f"이 상품은 하루 {limit}개까지 살 수 있습니다 "
                f"(오늘 이미 {bought}개를 주문했습니다).",
                product=product_id,
                limit=limit,
                bought_today=bought,
            )
        try:
            with transaction.atomic():
                DailyPurchase.objects.create(
                    shopper_id=shopper_id,
                    product_id=product_id,
                    day=day,
                    quantity=quantity,
                )
        except IntegrityError:
            continue
        return
    message = "daily purchase counter kept losing to concurrent orders"
    raise RuntimeError(message)


def _place_order_reserve_stock(
    lines: Sequence[CheckoutLine], products: dict[int, Product], *, now: dt.datetime
) -> None:
    # Goods reserve stock, dishes with a daily capacity take portions of today's. Goods in
    # primary-key order (reserve_stock_for_lines sorts), then dishes in primary-key order:
    # two multi-line checkouts lock their products in the same order.
    goods: dict[int, int] = {}
    dishes: dict[int, int] = {}
    for line in lines:
        target = dishes if products[line.product_id].sells_portions else goods
        target[line.product_id] = target.get(line.product_id, 0) + line.quantity
    if goods:
        reserve_stock_for_lines(quantities=goods)
    day = portions.portions_day_at(now)
    for product_id in sorted(dishes):
        portions.take_portions(
            product_id=product_id, quantity=dishes[product_id], day=day
        )


@dataclass(frozen=True)
class _ShareWithFee:
    share: MerchantShare
    distance_meters: int
    delivery_fee_won: int


def _with_fees(
    priced: PricedOrder, products: dict[int, Product], district: District
) -> tuple[_ShareWithFee, ...]:
    merchants = {product.merchant_id: product.merchant for product in products.values()}
    thresholds = delivery_thresholds()
    shares = []
    for share in priced.shares:
        origin = merchants[share.merchant_id].district
        distance = road_distance_meters(
            (origin.latitude, origin.longitude), (district.latitude, district.longitude)
        )
        fee = delivery_fee_won(
            distance_meters=distance,
            weight_grams=share.weight_grams,
            size_class=bulkiest_size_class(
                products[line.product_id].size_class for line in share.lines
            ),
            thresholds=thresholds,
        )
        shares.append(
            _ShareWithFee(share=share, distance_meters=distance, delivery_fee_won=fee)
        )
    return tuple(shares)


def _new_order_number(now: dt.datetime) -> str:
    day = now.astimezone(clock.PYONGYANG).strftime("%Y%m%d")
    suffix = "".join(
        secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_RANDOM_LENGTH)
    )
    return f"OK-{day}-{suffix}"


def _place_order_create_rows(  # noqa: PLR0913  (all keyword-only, one per ingredient)
    *,
    shopper_id: int,
    request: CheckoutRequest,
    card: Card | None,
    district: District,
    products: dict[int, Product],
    shares: tuple[_ShareWithFee, ...],
    chosen: dict[tuple[int, str], ChosenOptions],
    now: dt.datetime,
) -> Order:
    items_total = sum(item.share.items_total_won for item in shares)
    fee_total = sum(item.delivery_fee_won for item in shares)
    slot = request.slot_starts_at
    order = Order.objects.create(
        number=_new_order_number(now),
        shopper_id=shopper_id,
        district=district,
        address_detail=request.address_detail.strip(),
        slot_starts_at=slot,
        slot_ends_at=slot + SLOT_LENGTH if slot is not None else None,
        items_total_won=items_total,
        delivery_fee_won=fee_total,
        total_won=items_total + fee_total,
        payment_method=request.payment_method,
        card_last4=card.number[-4:] if card else "",
        contact_phone=card.phone if card else door_contact_phone(shopper_id),
        placed_at=now,
        updated_at=now,
    )
    hold_expires_at = now + dt.timedelta(seconds=settings.OKRYU_HOLD_TIMEOUT_SECONDS)
    merchants = {product.merchant_id: product.merchant for product in products.values()}
    # One INSERT each for the fulfilments, their lines and their first events; the rows
    # written are kept as the order's prefetched details, so the reply re-reads nothing.
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
                    f"{order.number}/{item.share.merchant_id}/items" if card else ""
                ),
                fee_hold_transfer_id=(
                    f"{order.number}/{item.share.merchant_id}/fee"
                    if item.delivery_fee_won and card
                    else ""
                ),
                hold_expires_at=hold_expires_at if card else now,
                placed_at=now,
                status_changed_at=now,
            )
            for item in shares
        ]
    )
    assert all(fulfilment.pk is not None for fulfilment in fulfilments)
    lines_of: dict[int, list[OrderLine]] = {}
    day = portions.portions_day_at(now)
    for fulfilment, item in zip(fulfilments, shares, strict=True):
        lines_of[fulfilment.pk] = [
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
        ]
    OrderLine.objects.bulk_create(
        [line for lines in lines_of.values() for line in lines]
    )
    events = FulfilmentEvent.objects.bulk_create(
        [
            FulfilmentEvent(
                fulfilment=fulfilment,
                from_status="",
                to_status=FulfilmentStatus.PLACED,
                actor_id=shopper_id,
                actor_role=Actor.SHOPPER,
                created_at=now,
            )
            for fulfilment in fulfilments
        ]
    )
    for fulfilment, event in zip(fulfilments, events, strict=True):
        _remember(fulfilment, "lines", fulfilment.lines.all(), lines_of[fulfilment.pk])
        _remember(fulfilment, "events", fulfilment.events.all(), [event])
    _remember(order, "fulfilments", order.fulfilments.all(), fulfilments)
    return order


def _remember(
    instance: Model, related_name: str, queryset: QuerySet[M], rows: list[M]
) -> None:
    # What prefetch_related stores for a reverse relation (Django's prefetch_one_level):
    # the related manager's queryset, evaluated to ``rows``, in the instance's cache.
    queryset._result_cache = rows
    vars(queryset)["_prefetch_done"] = True
    vars(instance).setdefault("_prefetched_objects_cache", {})[related_name] = queryset


def _place_order_hold_money(
    order: Order, card: Card, products: dict[int, Product]
) -> None:
    fees_account_id = ledger.open_delivery_fees_account().pk
    merchants = {product.merchant_id: product.merchant for product in products.values()}
    parts: list[ledger.HoldPart] = []
    jobs = []
    for fulfilment in sorted(order.fulfilments.all(), key=lambda f: f.pk):
        # A merchant's settlement account, once linked, never changes: the one loaded with
        # the products is current; only a merchant's first order opens it.
        merchant_account_id = merchants[fulfilment.merchant_id].ledger_account_id
        if merchant_account_id is None:
            merchant_account_id = open_settlement_account(
                merchant_id=fulfilment.merchant_id
            )
        parts.append(
            ledger.HoldPart(
                amount_won=fulfilment.items_total_won,
                credit_account_id=merchant_account_id,
                transfer_id=fulfilment.items_hold_transfer_id,
            )
        )
        if fulfilment.delivery_fee_won:
            parts.append(
                ledger.HoldPart(
                    amount_won=fulfilment.delivery_fee_won,
                    credit_account_id=fees_account_id,
                    transfer_id=fulfilment.fee_hold_transfer_id,
                )
            )
        jobs.append(
            BackgroundJob(
                kind=EXPIRE_FULFILMENT_HOLD_JOB,
                payload={"fulfilment": fulfilment.pk},
                run_at=fulfilment.hold_expires_at,
            )
        )
    # Every hold of the order with one card lock, one UPDATE and one INSERT in the common
    # case; a refusal is the one the first refused hold would give.
    # The order's one SMS tells the holder what was held, not one per hold.
    holds = ledger.hold_funds_together(
        card_number=card.number, parts=parts, reference=order.number, tells_holder=False
    )
    held = sum(hold.amount_won for hold in holds)
    # What enqueue_job writes, for every fulfilment in one INSERT.
    assert EXPIRE_FULFILMENT_HOLD_JOB in settings.OKRYU_JOB_HANDLERS
    BackgroundJob.objects.bulk_create(jobs)
    assert held == order.total_won, "the card is held for exactly the order total"


def quote_checkout(*, lines: Sequence[CheckoutLine], district_id: int) -> CheckoutQuote:
    """Return what the lines will cost delivered to ``district_id``, at today's prices.

    For the checkout page's summary; refuses unknown or withdrawn products and an unknown
    district like ``place_order`` does, and changes nothing.
    """
    if not lines:
        raise BasketEmpty("장바구니가 비어 있습니다.")
    for line in lines:
        _check_line_shape(line)
    district = District.objects.filter(pk=district_id).first()
    if district is None:
        raise InvalidInput("구역을 찾을 수 없습니다.", field="district")
    products = _place_order_load_products(lines)
    chosen = _place_order_choose_options(lines, products)
    shares = _with_fees(_price(lines, products, chosen), products, district)
    merchants = {product.merchant_id: product.merchant for product in products.values()}
    quotes = tuple(
        MerchantQuote(
            merchant_id=item.share.merchant_id,
            merchant_name=merchants[item.share.merchant_id].name,
            merchant_name_en=merchants[item.share.merchant_id].name_en,
            items_total_won=item.share.items_total_won,
            weight_grams=item.share.weight_grams,
            distance_meters=item.distance_meters,
            delivery_fee_won=item.delivery_fee_won,
        )
        for item in shares
    )
    return CheckoutQuote(
        merchants=quotes,
        items_total_won=sum(quote.items_total_won for quote in quotes),
        delivery_fee_won=sum(quote.delivery_fee_won for quote in quotes),
    )


def checkout_request_from_basket(
    *,
    owner: BasketOwner,
    district_id: int,
    address_detail: str,
    slot_starts_at: dt.datetime | None,
    card_number: str,
    pin: str,
) -> CheckoutRequest:
    """Build the checkout request from the owner's basket, with the prices the shopper saw.

    Each line carries the price shown when it was put in the basket, so ``place_order``
    refuses with PriceChanged if it moved since.
    """
    summary = get_basket_summary(owner)
    return CheckoutRequest(
        lines=tuple(
            CheckoutLine(
                product_id=item.product_id,
                quantity=item.quantity,
                price_won_seen=item.price_won_seen,
                option_ids=item.option_ids,
            )
            for group in summary.groups
            for item in group.items
        ),
        district_id=district_id,
        address_detail=address_detail,
        slot_starts_at=slot_starts_at,
        card_number=card_number,
        pin=pin,
    )
