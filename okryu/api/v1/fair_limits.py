"""Fair shares of scarce goods: a product's per-shopper limit over a period."""

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from okryu.accounts.models import Role
from okryu.accounts.queries import has_role
from okryu.api.v1.auth import bearer_auth, get_caller
from okryu.api.v1.idempotency import respond_once
from okryu.api.v1.schemas.problems import Problem
from okryu.api.v1.schemas.text import Integer
from okryu.catalog.period_limits import set_period_limit
from okryu.core.errors import PermissionDenied

router = Router(tags=["merchant"])


class PeriodLimitIn(Schema):
    """At most ``units`` per shopper over the last ``days`` days; both null clear it."""

    model_config = ConfigDict(extra="forbid")

    units: Integer | None = Field(description="Units per shopper, or null to clear.")
    days: Integer | None = Field(
        description="Days of the period (1 to 366, today included), or null to clear."
    )


class PeriodLimitOut(Schema):
    """The product's limit over a period as it now stands."""

    product: int
    units: int | None
    days: int | None


@router.post(
    "/merchant/products/{product_id}/period-limit",
    auth=bearer_auth,
    response={
        200: PeriodLimitOut,
        401: Problem,
        403: Problem,
        404: Problem,
        422: Problem,
    },
    summary="Limit what one shopper may buy of a product over a period (staff, operator)",
    description=(
        '`{"units": 2, "days": 7}`: each shopper may order at most 2 units over the last 7 '
        "Pyongyang days, today included, besides the daily limit; both null clear it. A "
        "checkout going over is 422 `period_limit` (with `limit`, `days`, `bought`). "
        "Merchant staff set it on their own merchants' products (another's is 404); an "
        "operator on any product."
    ),
)
def set_period_limit_route(
    request: HttpRequest, product_id: int, payload: PeriodLimitIn
) -> HttpResponse:
    """Set or clear the limit and answer it."""
    caller = get_caller(request)
    if not (has_role(caller, Role.MERCHANT) or has_role(caller, Role.OPERATOR)):
        raise PermissionDenied("This call needs the merchant or operator role.")

    def change() -> tuple[int, object]:
        product = set_period_limit(
            changed_by=caller,
            product_id=product_id,
            units=payload.units,
            days=payload.days,
        )
        return 200, {
            "product": product.pk,
            "units": product.purchase_limit_per_period,
            "days": product.purchase_limit_period_days,
        }

    return respond_once(
        request, route="merchant.period_limit", action=change, required=False
    )
