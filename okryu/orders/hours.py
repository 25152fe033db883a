"""Opening hours at checkout: a restaurant closed at the chosen time refuses the order.

Checked once before the card's PIN (so a closed restaurant never costs a PIN attempt) and
again inside the checkout's transaction (hours may change in between). Goods are not cooked:
only made-to-order dishes follow their restaurant's hours (``catalog.availability``).
"""

import datetime as dt
from collections.abc import Iterable

from okryu.catalog.availability import closed_kitchens, kitchen_hours
from okryu.core import clock
from okryu.merchants.models import Merchant
from okryu.merchants.queries import merchant_opens_at
from okryu.orders.errors import MerchantClosed


def merchant_closed(merchant: Merchant, *, at: dt.datetime) -> MerchantClosed:
    """Return the refusal for ``merchant`` being closed at ``at``, naming its next opening."""
    return _closed(merchant, merchant_opens_at(merchant, at=at))


def check_kitchens_open(product_ids: Iterable[int], *, at: dt.datetime) -> None:
    """Raise MerchantClosed for the first restaurant (by id) of ``product_ids`` closed at
    ``at``; return when every one is open (or none cooks)."""
    closed = closed_kitchens(kitchen_hours(product_ids), at=at)
    if not closed:
        return
    merchant_id = min(closed)
    merchant = Merchant.objects.get(pk=merchant_id)
    raise _closed(merchant, closed[merchant_id])


def _closed(merchant: Merchant, opens_at: dt.datetime | None) -> MerchantClosed:
    if opens_at is None:
        detail = f"{merchant.name}은(는) 지금 문을 닫았습니다."
    else:
        local = opens_at.astimezone(clock.PYONGYANG)
        detail = (
            f"{merchant.name}은(는) {local:%m-%d %H:%M}에 엽니다. "
            "영업 시간 안의 배달 시간을 고르십시오."
        )
    return MerchantClosed(
        detail,
        merchant=merchant.pk,
        merchant_name=merchant.name,
        merchant_name_en=merchant.name_en,
        opens_at=opens_at.isoformat() if opens_at is not None else None,
    )
