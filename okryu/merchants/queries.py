"""Reads of merchants for pages and the API."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from okryu.accounts.models import User
from okryu.core import clock
from okryu.core.errors import NotFound
from okryu.merchants.models import (
    Merchant,
    MerchantKind,
    MerchantStaff,
    OpeningHours,
)
from okryu.merchants.rules import OpeningPeriod, is_open_at, next_opening
from okryu.payments.qr import find_payment_request_account

MERCHANTS_LIST_MAX = 500


def list_merchants(
    *, kind: str | None = None, limit: int = MERCHANTS_LIST_MAX, language: str = "ko"
) -> list[Merchant]:
    """Return active merchants (of one kind, if given) with district and opening hours loaded.

    In the order of their names in ``language`` (English names for "en", else Korean), so a
    list reads alphabetically to whoever reads it.
    """
    assert 0 < limit <= MERCHANTS_LIST_MAX
    merchants: QuerySet[Merchant] = Merchant.objects.filter(is_active=True)
    if kind is not None:
        assert kind in MerchantKind.values, "callers validate the kind"
        merchants = merchants.filter(kind=kind)
    return list(
        merchants.select_related("district")
        .prefetch_related("opening_hours")
        .order_by("name_en" if language == "en" else "name", "pk")[:limit]
    )


def get_merchant(*, merchant_id: int) -> Merchant:
    """Return one active merchant with district and opening hours, or raise NotFound."""
    merchant = (
        Merchant.objects.filter(pk=merchant_id, is_active=True)
        .select_related("district")
        .prefetch_related("opening_hours")
        .first()
    )
    if merchant is None:
        raise NotFound("판매자를 찾을 수 없습니다.")
    return merchant


def list_opening_periods(merchant: Merchant) -> list[OpeningPeriod]:
    """Return the merchant's opening periods (uses prefetched hours when present)."""
    return [
        OpeningPeriod(
            weekday=hours.weekday, opens_at=hours.opens_at, closes_at=hours.closes_at
        )
        for hours in merchant.opening_hours.all()
    ]


def is_merchant_open(merchant: Merchant, *, at: dt.datetime | None = None) -> bool:
    """Return whether the merchant is open at ``at`` (default: now), in Pyongyang time."""
    moment = (at or clock.now()).astimezone(clock.PYONGYANG)
    return is_open_at(list_opening_periods(merchant), moment)


def merchant_opens_at(
    merchant: Merchant, *, at: dt.datetime | None = None
) -> dt.datetime | None:
    """Return when the merchant next opens after ``at`` (default: now), in Pyongyang time.

    None when it is open then, or has no hours in the week ahead.
    """
    moment = (at or clock.now()).astimezone(clock.PYONGYANG)
    return next_opening(list_opening_periods(merchant), moment)


def opening_periods_by_merchant(
    merchant_ids: Iterable[int],
) -> dict[int, list[OpeningPeriod]]:
    """Return the opening periods of each of ``merchant_ids`` in one query (empty: closed)."""
    ids = sorted(set(merchant_ids))
    periods: dict[int, list[OpeningPeriod]] = {pk: [] for pk in ids}
    if not ids:
        return periods
    for row in OpeningHours.objects.filter(merchant_id__in=ids).order_by(
        "merchant_id", "weekday", "opens_at"
    ):
        periods[row.merchant_id].append(
            OpeningPeriod(
                weekday=row.weekday, opens_at=row.opens_at, closes_at=row.closes_at
            )
        )
    return periods


def list_merchant_ids_for_staff(
    *, user: User | AnonymousUser, kind: str | None = None
) -> Sequence[int]:
    """Return the ids of the merchants ``user`` works for (of one kind, if given)."""
    if not user.is_authenticated:
        return []
    memberships = MerchantStaff.objects.filter(user=user, merchant__is_active=True)
    if kind is not None:
        assert kind in MerchantKind.values, "callers pass a known kind"
        memberships = memberships.filter(merchant__kind=kind)
    return list(memberships.values_list("merchant_id", flat=True))


@dataclass(frozen=True)
class MerchantPage:
    """One page of the merchant list and the number of merchants in the whole list."""

    merchants: list[Merchant]
    total: int


def list_merchants_page(
    *, kind: str | None = None, limit: int, offset: int = 0
) -> MerchantPage:
    """Return one page of active merchants (of one kind, if given), by name, and the total."""
    assert 0 < limit <= MERCHANTS_LIST_MAX
    assert offset >= 0
    merchants: QuerySet[Merchant] = Merchant.objects.filter(is_active=True)
    if kind is not None:
        assert kind in MerchantKind.values, "callers validate the kind"
        merchants = merchants.filter(kind=kind)
    page = list(
        merchants.select_related("district")
        .prefetch_related("opening_hours")
        .order_by("name", "id")[offset : offset + limit]
    )
    return MerchantPage(merchants=page, total=merchants.count())


def find_merchant_by_ledger_account(*, account_id: int) -> Merchant | None:
    """Return the merchant whose settlement account this is, or None (a courier, the bank)."""
    return Merchant.objects.filter(ledger_account_id=account_id).first()


def payee_of_request(token: str) -> str:
    """Return the name of the merchant a QR request pays, or "" (unknown, not a merchant)."""
    account_id = find_payment_request_account(token=token)
    if account_id is None:
        return ""
    name = (
        Merchant.objects.filter(ledger_account_id=account_id)
        .values_list("name", flat=True)
        .first()
    )
    return name or ""


def list_merchants_for_staff(*, user_id: int) -> list[Merchant]:
    """Return the active merchants the user works for, by name, with their hours loaded."""
    return list(
        Merchant.objects.filter(staff__user_id=user_id, is_active=True)
        .prefetch_related("opening_hours")
        .order_by("name", "pk")[:MERCHANTS_LIST_MAX]
    )


def get_merchant_for_staff(*, user_id: int, merchant_id: int) -> Merchant:
    """Return one active merchant the user works for, with its hours; NotFound for any other
    (it does not exist for them)."""
    merchant = (
        Merchant.objects.filter(pk=merchant_id, staff__user_id=user_id, is_active=True)
        .prefetch_related("opening_hours")
        .first()
    )
    if merchant is None:
        raise NotFound("판매자를 찾을 수 없습니다.")
    return merchant
