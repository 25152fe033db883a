"""A dish's portions per day, taken at checkout instead of stock: conditional UPDATEs.

A restaurant cooks to order, so a dish has no stock: it has a daily capacity (how many
portions the kitchen makes a day) and a sold-out switch. The day is the Pyongyang day,
turning at ``settings.OKRYU_PORTIONS_RESET_HOUR`` in the morning. The product row keeps the
portions taken on ``portions_day``; a later day starts from zero, so nothing has to run at
the reset.

Guarantees: ``take_portions`` never lets the portions of one day exceed the capacity, under
any concurrency on PostgreSQL and SQLite (one ``UPDATE … WHERE`` whose row count decides, and
the check constraint ``product_portions_within_capacity`` behind it); ``give_back_portions``
returns exactly what a line took, to the day it took it from.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Case, DateField, F, Q, Value, When

from okryu.catalog.errors import OutOfStock, ProductUnavailable
from okryu.catalog.models import Product
from okryu.core import clock


def portions_day_at(moment: dt.datetime) -> dt.date:
    """Return the capacity day of ``moment``: its Pyongyang date, turning at the reset hour.

    Before the reset hour (say 03:00 with a reset at 05:00) it is still the day before.
    """
    assert moment.tzinfo is not None, "aware datetimes only"
    reset_hour: int = settings.OKRYU_PORTIONS_RESET_HOUR
    assert 0 <= reset_hour < 24  # noqa: PLR2004  (hours of a day)
    local = moment.astimezone(clock.PYONGYANG)
    return (local - dt.timedelta(hours=reset_hour)).date()


def today() -> dt.date:
    """Return the capacity day now."""
    return portions_day_at(clock.now())


def available_units(product: Product) -> int:
    """Return what can be ordered of ``product`` now: a dish's portions left today, else stock.

    0 for a sold-out dish.
    """
    if product.sells_portions:
        return product.portions_left_on(today())
    if product.is_made_to_order and product.is_sold_out:
        return 0
    return max(product.stock_available, 0)


def take_portions(*, product_id: int, quantity: int, day: dt.date) -> None:
    """Take ``quantity`` portions of a dish for ``day`` from its daily capacity.

    Raises ProductUnavailable for a withdrawn, sold-out or unknown dish and OutOfStock
    (naming what is left) when fewer portions are left; changes nothing then.
    """
    _check_quantity(quantity)
    taken_today = Case(
        When(portions_day=day, then=F("portions_taken")), default=Value(0)
    )
    taken = (
        Product.objects.filter(
            pk=product_id,
            is_active=True,
            is_sold_out=False,
            is_made_to_order=True,
            daily_capacity__isnull=False,
        )
        .filter(
            Q(portions_day=day, portions_taken__lte=F("daily_capacity") - quantity)
            | (
                (~Q(portions_day=day) | Q(portions_day__isnull=True))
                & Q(daily_capacity__gte=quantity)
            )
        )
        .update(portions_taken=taken_today + quantity, portions_day=day)
    )
    if taken == 1:
        return
    _refuse_portions(product_id, day)


def _check_quantity(quantity: int) -> None:
    assert type(quantity) is int
    assert quantity > 0, "callers validate quantities"
    assert transaction.get_connection().in_atomic_block, "portions move with the order"


def _refuse_portions(product_id: int, day: dt.date) -> None:
    product = (
        Product.objects.filter(pk=product_id)
        .only(
            "name",
            "is_active",
            "is_sold_out",
            "is_made_to_order",
            "daily_capacity",
            "portions_day",
            "portions_taken",
        )
        .first()
    )
    if product is None or not product.is_active:
        raise ProductUnavailable(
            "판매하지 않는 상품입니다.", field="lines", product=product_id
        )
    if product.is_sold_out or not product.sells_portions:
        raise ProductUnavailable(
            f"{product.name}은(는) 오늘 다 팔렸습니다.",
            field="lines",
            product=product_id,
        )
    left = product.portions_left_on(day)
    raise OutOfStock(
        f"{product.name}: 오늘 주문할 수 있는 수량은 {left}인분입니다.",
        product=product_id,
        available=left,
    )


def give_back_portions(*, product_id: int, quantity: int, day: dt.date) -> None:
    """Give back ``quantity`` portions a line took for ``day`` (cancelled or rejected).

    When the dish's counter has moved on to a later day, ``day``'s portions are gone with
    it and nothing changes; otherwise the count goes down by exactly ``quantity``.
    """
    _check_quantity(quantity)
    given = Product.objects.filter(
        pk=product_id, portions_day=day, portions_taken__gte=quantity
    ).update(portions_taken=F("portions_taken") - quantity)
    if given == 0:
        assert not Product.objects.filter(pk=product_id, portions_day=day).exists(), (
            "portions given back were taken"
        )


def set_daily_capacity(
    *, product_id: int, daily_capacity: int | None, day: dt.date
) -> bool:
    """Set a dish's daily capacity; False (nothing changed) when below today's orders.

    A counter of an earlier day is cleared at the same time (that day is over: its
    portions are no longer given back), so the check constraint compares the new capacity
    with today's portions only.
    """
    assert daily_capacity is None or daily_capacity >= 0
    assert transaction.get_connection().in_atomic_block
    products = Product.objects.filter(pk=product_id)
    if daily_capacity is not None:
        products = products.filter(
            ~Q(portions_day=day)
            | Q(portions_day__isnull=True)
            | Q(portions_taken__lte=daily_capacity)
        )
    changed = products.update(
        daily_capacity=daily_capacity,
        portions_taken=Case(
            When(portions_day=day, then=F("portions_taken")), default=Value(0)
        ),
        portions_day=Case(
            When(portions_day=day, then=F("portions_day")),
            default=Value(None),
            output_field=DateField(),
        ),
    )
    return changed == 1
