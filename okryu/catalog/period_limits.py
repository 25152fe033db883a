"""Fair shares of scarce goods: a per-shopper limit over a period, set on a product.

Besides the daily limit, a merchant's staff or an operator may allow each shopper at most
``units`` of a product over the last ``days`` Pyongyang days (today included), e.g. 2 a week.
Checkout enforces it (``okryu.orders.period_limits``).
"""

from okryu.accounts.models import Role, User
from okryu.accounts.queries import has_role
from okryu.catalog.models import Product
from okryu.catalog.products import get_product_for_staff
from okryu.core.errors import InvalidInput, NotFound
from okryu.core.transactions import service_transaction

PERIOD_UNITS_MAX = 1_000_000
PERIOD_DAYS_MAX = 366


@service_transaction(durable=False)
def set_period_limit(
    *, changed_by: User, product_id: int, units: int | None, days: int | None
) -> Product:
    """Set (both given) or clear (both None) the product's per-shopper limit over a period.

    Staff may set it on their own merchants' products only (NotFound otherwise, as if the
    product did not exist); an operator on any product. InvalidInput names a bad field.
    """
    if (units is None) != (days is None):
        raise InvalidInput(
            "기간 구매 한도는 수량과 기간(일)을 함께 정합니다.",
            field="units" if units is None else "days",
        )
    if units is not None and (
        type(units) is not int or not 1 <= units <= PERIOD_UNITS_MAX
    ):
        raise InvalidInput(
            f"수량은 1부터 {PERIOD_UNITS_MAX:,}까지입니다.", field="units"
        )
    if days is not None and (type(days) is not int or not 1 <= days <= PERIOD_DAYS_MAX):
        raise InvalidInput(
            f"기간은 1일부터 {PERIOD_DAYS_MAX}일까지입니다.", field="days"
        )
    if has_role(changed_by, Role.OPERATOR):
        product = Product.objects.filter(pk=product_id).first()
        if product is None:
            raise NotFound("상품을 찾을 수 없습니다.")
    else:
        product = get_product_for_staff(
            staff_user_id=changed_by.pk, product_id=product_id
        )
    product.purchase_limit_per_period = units
    product.purchase_limit_period_days = days
    product.save(
        update_fields=[
            "purchase_limit_per_period",
            "purchase_limit_period_days",
            "updated_at",
        ]
    )
    return product
