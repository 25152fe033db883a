"""State changes of merchants: their settlement account and their opening hours."""

from collections.abc import Sequence

from okryu.core.errors import InvalidInput, NotFound
from okryu.core.transactions import service_transaction
from okryu.merchants.models import Merchant, MerchantStaff, OpeningHours
from okryu.merchants.rules import PERIODS_PER_DAY_MAX, OpeningPeriod, find_hours_problem
from okryu.payments import ledger
from okryu.payments.models import LedgerAccountKind, PaymentRequest
from okryu.payments.qr import create_payment_request


def settlement_owner_reference(merchant_id: int) -> str:
    """Return the ledger ``owner_reference`` of a merchant's settlement account."""
    return f"merchant:{merchant_id}"


@service_transaction(durable=False)
def open_settlement_account(*, merchant_id: int) -> int:
    """Open the merchant's ledger account if it has none and return the account id.

    Idempotent: a second call (or a concurrent one) returns the same account, because the
    ledger account is unique per owner reference and the merchant row is locked while linked.
    """
    merchant = (
        Merchant.objects.select_for_update()
        .only("pk", "ledger_account")
        .get(pk=merchant_id)
    )
    if merchant.ledger_account_id is not None:
        return merchant.ledger_account_id
    account = ledger.open_ledger_account(
        kind=LedgerAccountKind.MERCHANT,
        owner_reference=settlement_owner_reference(merchant_id),
    )
    Merchant.objects.filter(pk=merchant_id).update(ledger_account=account)
    return account.pk


def create_merchant_payment_request(
    *, merchant_id: int, amount_won: int, description: str = ""
) -> PaymentRequest:
    """Create a single-use QR payment request into the merchant's settlement account."""
    account_id = open_settlement_account(merchant_id=merchant_id)
    return create_payment_request(
        credit_account_id=account_id, amount_won=amount_won, description=description
    )


_HOURS_PROBLEMS = {
    "weekday": "요일은 0(월요일)부터 6(일요일)까지입니다.",
    "minutes": "시각은 분 단위로 씁니다 (예: 11:00).",
    "too_many": f"하루에 문을 여는 때는 {PERIODS_PER_DAY_MAX}번까지입니다.",
    "overlap": "영업 시간이 서로 겹칩니다.",
}


@service_transaction(durable=False)
def set_opening_hours(
    *, staff_user_id: int, merchant_id: int, periods: Sequence[OpeningPeriod]
) -> list[OpeningPeriod]:
    """Replace the merchant's week of opening hours with ``periods``; return them in order.

    Only its staff may: anyone else gets NotFound (the merchant does not exist for them).
    Refused with InvalidInput (``field="periods"``), changing nothing, when the periods
    overlap (also past midnight), name a weekday outside 0–6 or seconds, or more than
    ``PERIODS_PER_DAY_MAX`` a day. An empty week closes the merchant.
    """
    problem = find_hours_problem(periods)
    if problem is not None:
        raise InvalidInput(_HOURS_PROBLEMS[problem], field="periods")
    if not MerchantStaff.objects.filter(
        merchant_id=merchant_id, user_id=staff_user_id, merchant__is_active=True
    ).exists():
        raise NotFound("판매자를 찾을 수 없습니다.")
    OpeningHours.objects.filter(merchant_id=merchant_id).delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(
            merchant_id=merchant_id,
            weekday=period.weekday,
            opens_at=period.opens_at,
            closes_at=period.closes_at,
        )
        for period in periods
    )
    saved = [
        OpeningPeriod(
            weekday=row.weekday, opens_at=row.opens_at, closes_at=row.closes_at
        )
        for row in OpeningHours.objects.filter(merchant_id=merchant_id).order_by(
            "weekday", "opens_at"
        )
    ]
    assert len(saved) == len(periods)
    return saved
