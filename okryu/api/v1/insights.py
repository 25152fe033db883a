"""Insight routes: a product's demand and forecast for its merchant's staff, and the
country's top unmet demand for the operator (API.md "Waitlists and insights")."""

from django.http import HttpRequest, HttpResponse
from ninja import Router

from okryu.accounts.models import Role
from okryu.api.v1.auth import bearer_auth, require_role
from okryu.api.v1.idempotency import json_response
from okryu.api.v1.schemas.problems import Problem
from okryu.catalog.models import Product
from okryu.core import clock
from okryu.core.errors import InvalidInput
from okryu.insights.reports import country_unmet_demand, product_insight_for_staff

router = Router(tags=["insights"])

DEMAND_DAYS_MAX = 366
DEMAND_LIMIT_MAX = 200


@router.get(
    "/merchant/insights/products/{product_id}",
    auth=bearer_auth,
    response={200: dict, 401: Problem, 403: Problem, 404: Problem},
    summary="A product's demand, forecast and suggested quantity (its merchant's staff)",
    description=(
        "`sold_by_day` and `unmet_by_day` (out-of-stock refusals and waitlist entries) for "
        "the last 90 Pyongyang days up to yesterday; `by_district`; `waiting` (units of "
        "waiting entries); `forecast` of demand (sold + unmet) for 28 days from today with "
        "`low`/`high` of its `forecast_level` interval; `suggested` = forecast + waiting + "
        "`safety_margin` − `stock_available`, at least 0. Another merchant's product is 404."
    ),
)
def product_insight_route(request: HttpRequest, product_id: int) -> HttpResponse:
    """Answer the product's insight."""
    staff = require_role(request, Role.MERCHANT)
    insight = product_insight_for_staff(staff_user_id=staff.pk, product_id=product_id)
    return json_response(200, insight.as_api_dict())


@router.get(
    "/ops/insights/demand",
    auth=bearer_auth,
    response={200: dict, 401: Problem, 403: Problem, 422: Problem},
    summary="The country's top unmet demand by product and district (operator)",
    description=(
        "Rows `{product, name, name_en, merchant, district, district_name, "
        "district_name_en, unmet, sold}`, most unmet first, over the last `days` (default 28, "
        "today included); at most `limit` (default 50) rows."
    ),
)
def country_demand_route(
    request: HttpRequest, days: int = 28, limit: int = 50
) -> HttpResponse:
    """Answer the top unmet demand."""
    require_role(request, Role.OPERATOR)
    if not 1 <= days <= DEMAND_DAYS_MAX:
        raise InvalidInput(f"days is 1 to {DEMAND_DAYS_MAX}.", field="days")
    if not 1 <= limit <= DEMAND_LIMIT_MAX:
        raise InvalidInput(f"limit is 1 to {DEMAND_LIMIT_MAX}.", field="limit")
    rows = country_unmet_demand(today=clock.local_today(), days=days, limit=limit)
    products = Product.objects.select_related("merchant").in_bulk(
        {row.product_id for row in rows}
    )
    items = [
        {
            "product": row.product_id,
            "name": products[row.product_id].name,
            "name_en": products[row.product_id].name_en,
            "merchant": products[row.product_id].merchant.name,
            "district": row.district_id,
            "district_name": row.district_name,
            "district_name_en": row.district_name_en,
            "unmet": row.unmet,
            "sold": row.sold,
        }
        for row in rows
    ]
    return json_response(200, {"days": days, "items": items})
