"""Waitlists: scarce goods go first to those who waited (API.md "Waitlists and insights").

A shopper joins the waitlist of a product that cannot be ordered. When stock is received,
``offer_waiting_units`` offers the free units to waiting entries in the order they joined, each
its whole quantity or what is left, and holds them (``Product.stock_offered``) for
``OKRYU_WAITLIST_HOLD_MINUTES``: they are not ``available`` to anyone else. The shopper's next
checkout takes the offer (``take_offer``); an offer not taken in time expires by a background
job and its units are offered to the next entries, once (the status change is conditional).

An entry holds units nobody has paid for, so it is bounded like an unpaid door order: no more
than the shopper may buy of the product (its daily and period limits, at joining and again at
the offer, since a merchant may set a limit meanwhile), and only for a shopper whose phone is
proved theirs (verified by an SMS code, or the phone of a card the bank issued them), which is
also the phone the offer's SMS goes to: an entry never sends SMS to a stranger's number.

Locks: every function that moves ``stock_offered`` locks the product row first and an entry
after it, the order checkout's reservation takes too, so none of them can deadlock another on
PostgreSQL; on SQLite the immediate transaction holds the only write lock.
"""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from okryu.accounts.models import Address, User
from okryu.accounts.phone_verification import PhoneNotVerified, is_phone_verified
from okryu.catalog.demand import record_unmet_demand
from okryu.catalog.errors import InStock, OverPurchaseLimit
from okryu.catalog.models import (
    ACTIVE_WAITLIST_STATUSES,
    Product,
    UnmetDemandKind,
    WaitlistEntry,
    WaitlistStatus,
)
from okryu.core import clock
from okryu.core.errors import InvalidInput, NotFound
from okryu.core.jobs import enqueue_job
from okryu.core.transactions import service_transaction
from okryu.notifications.outbox import queue_sms
from okryu.payments.models import Card

EXPIRE_OFFER_JOB = "catalog.expire_waitlist_offer"


def join_waitlist(
    *, shopper_id: int, product_id: int, quantity: int
) -> tuple[WaitlistEntry, bool]:
    """Put the shopper on the product's waitlist for ``quantity`` units.

    Returns the entry and whether it is new: a shopper with an active entry (waiting or
    offered) for the product gets that entry back unchanged. Refused with InStock while the
    product can be ordered, NotFound for an unknown or withdrawn product, InvalidInput for a
    dish sold by daily portions (they return by themselves each morning) or a quantity out of
    range, OverPurchaseLimit for more than one shopper may buy of it, and
    PhoneNotVerified for a shopper with no phone proved theirs.
    """
    quantity_max: int = settings.OKRYU_LINE_QUANTITY_MAX
    if type(quantity) is not int or not 1 <= quantity <= quantity_max:
        raise InvalidInput(
            f"수량은 1부터 {quantity_max}까지의 정수입니다.", field="quantity"
        )
    try:
        with transaction.atomic():
            return _join_waitlist(
                shopper_id=shopper_id, product_id=product_id, quantity=quantity
            )
    except IntegrityError:
        # A concurrent request of the same shopper made the entry first: answer it.
        entry = _active_entry(shopper_id=shopper_id, product_id=product_id)
        if entry is None:
            raise
        return entry, False


def _join_waitlist(
    *, shopper_id: int, product_id: int, quantity: int
) -> tuple[WaitlistEntry, bool]:
    # Locking the product orders this join after a receipt being offered right now.
    product = (
        Product.objects.select_for_update()
        .filter(pk=product_id, is_active=True, merchant__is_active=True)
        .first()
    )
    if product is None:
        raise NotFound("상품을 찾을 수 없습니다.")
    existing = _active_entry(shopper_id=shopper_id, product_id=product_id)
    if existing is not None:
        return existing, False
    if product.sells_portions:
        raise InvalidInput(
            "조리 음식은 입고 알림을 받을 수 없습니다. 내일 다시 주문하십시오.",
            field="product",
        )
    allowed = units_one_shopper_may_buy(product)
    if allowed is not None and quantity > allowed:
        raise OverPurchaseLimit(
            f"{product.name}은(는) 한 사람이 {allowed}개까지 살 수 있습니다. "
            f"{allowed}개 이하로 신청하십시오.",
            field="quantity",
            product=product.pk,
            limit=allowed,
        )
    if product.stock_available > 0:
        raise InStock(
            f"{product.name}은(는) 지금 주문할 수 있습니다.",
            product=product_id,
            available=product.stock_available,
        )
    phone = _phone_of(shopper_id)
    entry = WaitlistEntry.objects.create(
        product=product, shopper_id=shopper_id, quantity=quantity, phone=phone
    )
    record_unmet_demand(
        product_id=product_id,
        kind=UnmetDemandKind.WAITLISTED,
        quantity=quantity,
        district_id=_home_district_id(shopper_id),
    )
    return entry, True


def _active_entry(*, shopper_id: int, product_id: int) -> WaitlistEntry | None:
    return WaitlistEntry.objects.filter(
        shopper_id=shopper_id,
        product_id=product_id,
        status__in=ACTIVE_WAITLIST_STATUSES,
    ).first()


def units_one_shopper_may_buy(product: Product) -> int | None:
    """Return the most units one shopper may buy of ``product`` (its daily limit and its
    period limit, whichever is smaller), or None when neither is set."""
    limits = [
        limit
        for limit in (product.purchase_limit_per_day, product.purchase_limit_per_period)
        if limit is not None
    ]
    return min(limits) if limits else None


def _phone_of(shopper_id: int) -> str:
    """Return the phone the shopper's offers are announced to: their account's phone if a
    code verified it, else the phone of their newest card (the bank took it at the counter)."""
    phone = User.objects.filter(pk=shopper_id).values_list("phone", flat=True).first()
    if phone and is_phone_verified(shopper_id):
        return phone
    card_phone = (
        Card.objects.filter(holder_id=shopper_id)
        .exclude(phone="")
        .order_by("-id")
        .values_list("phone", flat=True)
        .first()
    )
    if card_phone:
        return card_phone
    raise PhoneNotVerified(
        "입고 알림은 확인된 전화번호로 보냅니다. "
        "내 정보에서 전화번호를 확인한 뒤에 신청하십시오.",
        field="phone",
    )


def _home_district_id(shopper_id: int) -> int | None:
    return (
        Address.objects.filter(user_id=shopper_id)
        .order_by("-is_default", "id")
        .values_list("district_id", flat=True)
        .first()
    )


def waiting_position(entry: WaitlistEntry) -> int | None:
    """Return the entry's place among the product's waiting entries (1 = next), else None."""
    if entry.status != WaitlistStatus.WAITING:
        return None
    ahead = WaitlistEntry.objects.filter(
        product_id=entry.product_id, status=WaitlistStatus.WAITING, pk__lt=entry.pk
    ).count()
    return ahead + 1


def offer_waiting_units(*, product_id: int, now: dt.datetime) -> list[WaitlistEntry]:
    """Offer the product's free units to its waiting entries, in order; return those offered.

    Runs in the caller's transaction (a receipt, an expiry, a cancellation). Each entry gets
    its whole quantity or what is left; the units are held until ``now`` plus
    ``OKRYU_WAITLIST_HOLD_MINUTES``, the shopper gets an SMS and an expiry job is queued.
    """
    assert transaction.get_connection().in_atomic_block, "offers move with their cause"
    product = Product.objects.select_for_update().filter(pk=product_id).first()
    if product is None or not product.is_active:
        return []
    free = product.stock_available
    if free <= 0:
        return []
    hold = dt.timedelta(minutes=settings.OKRYU_WAITLIST_HOLD_MINUTES)
    offered: list[WaitlistEntry] = []
    waiting = WaitlistEntry.objects.filter(
        product_id=product_id, status=WaitlistStatus.WAITING
    ).order_by("id")
    # A limit set after an entry joined bounds its offer too.
    allowed = units_one_shopper_may_buy(product)
    for entry in waiting.iterator(chunk_size=100):
        if free == 0:
            break
        units = min(entry.quantity, free, allowed or entry.quantity)
        changed = WaitlistEntry.objects.filter(
            pk=entry.pk, status=WaitlistStatus.WAITING
        ).update(
            status=WaitlistStatus.OFFERED,
            offered_quantity=units,
            offered_at=now,
            offered_until=now + hold,
        )
        if changed != 1:
            continue
        free -= units
        entry.status = WaitlistStatus.OFFERED
        entry.offered_quantity, entry.offered_at = units, now
        entry.offered_until = now + hold
        offered.append(entry)
    total = sum(entry.offered_quantity for entry in offered)
    if total == 0:
        return []
    held = Product.objects.filter(
        pk=product_id,
        stock_on_hand__gte=F("stock_reserved") + F("stock_offered") + total,
    ).update(stock_offered=F("stock_offered") + total)
    assert held == 1, "offered units were free under the product's lock"
    for entry in offered:
        _announce_offer(entry, product)
    return offered


def _announce_offer(entry: WaitlistEntry, product: Product) -> None:
    assert entry.offered_until is not None
    until = entry.offered_until.astimezone(clock.PYONGYANG).strftime("%m-%d %H:%M")
    queue_sms(
        phone=entry.phone,
        body=(
            f"[옥류] 입고 알림: {product.name} {entry.offered_quantity}개를 "
            f"{until}까지 주문하실 수 있습니다."
        ),
    )
    enqueue_job(
        kind=EXPIRE_OFFER_JOB,
        payload={"entry": entry.pk},
        run_at=entry.offered_until,
    )


def live_offers(
    *, shopper_id: int, product_ids: Iterable[int], now: dt.datetime
) -> dict[int, WaitlistEntry]:
    """Return the shopper's offers still held at ``now``, by product id."""
    return {
        entry.product_id: entry
        for entry in WaitlistEntry.objects.filter(
            shopper_id=shopper_id,
            product_id__in=list(product_ids),
            status=WaitlistStatus.OFFERED,
            offered_until__gt=now,
        )
    }


def take_offer(*, entry: WaitlistEntry, wanted: int, now: dt.datetime) -> int:
    """Reserve up to ``wanted`` of the entry's offered units for an order; return how many.

    In the checkout's transaction: the entry becomes ``ordered`` and its units move from
    offered to reserved; offered units the order does not need pass to the next entries.
    Returns 0 (taking nothing) when the offer ran out or was taken meanwhile.
    """
    assert transaction.get_connection().in_atomic_block, "offers move with their order"
    assert wanted > 0
    Product.objects.select_for_update().filter(pk=entry.product_id).first()
    changed = WaitlistEntry.objects.filter(
        pk=entry.pk, status=WaitlistStatus.OFFERED, offered_until__gt=now
    ).update(status=WaitlistStatus.ORDERED, closed_at=now)
    if changed != 1:
        return 0
    units = min(wanted, entry.offered_quantity)
    moved = Product.objects.filter(
        pk=entry.product_id, stock_offered__gte=entry.offered_quantity
    ).update(
        stock_offered=F("stock_offered") - entry.offered_quantity,
        stock_reserved=F("stock_reserved") + units,
    )
    assert moved == 1, "an offer's units are held until it closes"
    if units < entry.offered_quantity:
        offer_waiting_units(product_id=entry.product_id, now=now)
    return units


@service_transaction(durable=False)
def expire_offer(*, entry_id: int, now: dt.datetime) -> bool:
    """Close an offer whose time ran out and pass its units on; return whether it did.

    Idempotent: only the run that changes the entry from offered to expired releases and
    passes on the units, so a job run twice passes them on once.
    """
    entry = WaitlistEntry.objects.filter(pk=entry_id).first()
    if entry is None or entry.status != WaitlistStatus.OFFERED:
        return False
    Product.objects.select_for_update().filter(pk=entry.product_id).first()
    changed = WaitlistEntry.objects.filter(
        pk=entry_id, status=WaitlistStatus.OFFERED, offered_until__lte=now
    ).update(status=WaitlistStatus.EXPIRED, closed_at=now)
    if changed != 1:
        return False
    _release_offer(entry)
    offer_waiting_units(product_id=entry.product_id, now=now)
    return True


@service_transaction(durable=False)
def cancel_waitlist_entry(*, shopper_id: int, entry_id: int) -> WaitlistEntry:
    """Leave the waitlist (NotFound for another shopper's entry); offered units pass on.

    Cancelling an entry that is already closed changes nothing and returns it.
    """
    now = clock.now()
    entry = WaitlistEntry.objects.filter(pk=entry_id, shopper_id=shopper_id).first()
    if entry is None:
        raise NotFound("입고 알림 신청을 찾을 수 없습니다.")
    Product.objects.select_for_update().filter(pk=entry.product_id).first()
    entry.refresh_from_db()  # As it stands under the product's lock.
    if entry.status not in ACTIVE_WAITLIST_STATUSES:
        return entry
    was_offered = entry.status == WaitlistStatus.OFFERED
    changed = WaitlistEntry.objects.filter(pk=entry_id, status=entry.status).update(
        status=WaitlistStatus.CANCELLED, closed_at=now
    )
    if changed == 1 and was_offered:
        _release_offer(entry)
        offer_waiting_units(product_id=entry.product_id, now=now)
    entry.refresh_from_db()
    return entry


def _release_offer(entry: WaitlistEntry) -> None:
    released = Product.objects.filter(
        pk=entry.product_id, stock_offered__gte=entry.offered_quantity
    ).update(stock_offered=F("stock_offered") - entry.offered_quantity)
    assert released == 1, "an offer's units are held until it closes"


def list_waitlist_entries(
    *, shopper_id: int, limit: int, offset: int
) -> tuple[list[WaitlistEntry], int]:
    """Return one page of the shopper's entries, newest first, with their products."""
    entries = WaitlistEntry.objects.filter(shopper_id=shopper_id).select_related(
        "product"
    )
    return list(entries.order_by("-id")[offset : offset + limit]), entries.count()
