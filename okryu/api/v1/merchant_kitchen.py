"""Merchant staff's routes for a restaurant's dishes and a merchant's opening hours.

The same services as the pages (``okryu.catalog.dishes``, ``okryu.merchants.services``): a
dish's daily capacity, sold-out switch and preparation time, its option groups and options,
and the week of opening hours. Holders of other roles get 403 (``require_role``); staff of
another merchant find its dishes, groups, options and hours missing (404).
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from okryu.accounts.models import Role, User
from okryu.api.v1.auth import bearer_auth, require_role
from okryu.api.v1.idempotency import json_response, respond_once
from okryu.api.v1.schemas.catalog import OptionGroupOut, OptionOut, ProductDetailOut
from okryu.api.v1.schemas.merchant import (
    DishKitchenIn,
    MerchantDishOut,
    MerchantProductOut,
    OpeningHoursIn,
    OpeningHoursOut,
    OptionGroupIn,
    OptionIn,
    StaffMerchantOut,
)
from okryu.api.v1.schemas.problems import Problem
from okryu.catalog import portions
from okryu.catalog.dishes import (
    add_option,
    add_option_group,
    get_dish_id_of_option_for_staff,
    get_dish_id_of_option_group_for_staff,
    remove_option,
    remove_option_group,
    set_dish_kitchen,
)
from okryu.catalog.options import load_option_menus
from okryu.catalog.products import get_product_for_staff
from okryu.merchants.queries import (
    get_merchant_for_staff,
    list_merchants_for_staff,
    list_opening_periods,
)
from okryu.merchants.rules import OpeningPeriod
from okryu.merchants.services import set_opening_hours

router = Router(tags=["merchant"])

ERRORS = {401: Problem, 403: Problem, 404: Problem, 422: Problem}


def _dish_body(staff: User, product_id: int) -> dict[str, Any]:
    product = get_product_for_staff(staff_user_id=staff.pk, product_id=product_id)
    menu = load_option_menus([product.pk])[product.pk]
    taken = product.portions_taken if product.portions_day == portions.today() else 0
    return MerchantDishOut.model_validate(
        {
            **MerchantProductOut.from_merchant_product(product).model_dump(),
            **ProductDetailOut.from_product_detail(product, menu=menu).model_dump(),
            "own_preparation_minutes": product.preparation_minutes,
            "portions_taken_today": taken,
        }
    ).model_dump(mode="json")


@router.get(
    "/merchant/dishes/{product_id}",
    auth=bearer_auth,
    response={200: MerchantDishOut, **ERRORS},
    summary="One dish of the caller's restaurant, with its kitchen settings (staff)",
)
def get_dish_route(request: HttpRequest, product_id: int) -> HttpResponse:
    """Return the dish; another merchant's is 404."""
    staff = require_role(request, Role.MERCHANT)
    return json_response(200, _dish_body(staff, product_id))


@router.post(
    "/merchant/dishes/{product_id}/kitchen",
    auth=bearer_auth,
    response={200: MerchantDishOut, **ERRORS},
    summary="Set a dish's daily capacity, sold-out switch and preparation time (staff)",
    description=(
        "All three at once. A capacity below the portions already ordered today is 422 "
        "`invalid` (field `daily_capacity`); so is a product that is not made to order."
    ),
)
def set_kitchen_route(
    request: HttpRequest, product_id: int, payload: DishKitchenIn
) -> HttpResponse:
    """Save the dish's kitchen settings and answer the dish."""
    staff = require_role(request, Role.MERCHANT)

    def save() -> tuple[int, object]:
        set_dish_kitchen(
            staff_user_id=staff.pk,
            product_id=product_id,
            daily_capacity=payload.daily_capacity,
            is_sold_out=payload.sold_out,
            preparation_minutes=payload.preparation_minutes,
        )
        return 200, _dish_body(staff, product_id)

    return respond_once(request, route="merchant.kitchen", action=save, required=False)


@router.post(
    "/merchant/dishes/{product_id}/option-groups",
    auth=bearer_auth,
    response={201: OptionGroupOut, **ERRORS},
    summary="Add an option group to a dish (staff)",
)
def add_group_route(
    request: HttpRequest, product_id: int, payload: OptionGroupIn
) -> HttpResponse:
    """Add the group (shown last) and answer it, with no options yet."""
    staff = require_role(request, Role.MERCHANT)

    def add() -> tuple[int, object]:
        group = add_option_group(
            staff_user_id=staff.pk,
            product_id=product_id,
            name=payload.name,
            name_en=payload.name_en,
            choice=payload.choice,
        )
        body = {
            "id": group.pk,
            "name": group.name,
            "name_en": group.name_en,
            "choice": group.choice,
            "options": [],
        }
        return 201, OptionGroupOut.model_validate(body).model_dump(mode="json")

    return respond_once(request, route="merchant.group", action=add, required=False)


@router.post(
    "/merchant/option-groups/{group_id}/options",
    auth=bearer_auth,
    response={201: OptionOut, **ERRORS},
    summary="Add an option to a dish's option group (staff)",
)
def add_option_route(
    request: HttpRequest, group_id: int, payload: OptionIn
) -> HttpResponse:
    """Add the option (shown last in its group) and answer it."""
    staff = require_role(request, Role.MERCHANT)

    def add() -> tuple[int, object]:
        option = add_option(
            staff_user_id=staff.pk,
            group_id=group_id,
            name=payload.name,
            name_en=payload.name_en,
            price_change_won=payload.price_change,
        )
        body = {
            "id": option.pk,
            "name": option.name,
            "name_en": option.name_en,
            "price_change": option.price_change_won,
        }
        return 201, OptionOut.model_validate(body).model_dump(mode="json")

    return respond_once(request, route="merchant.option", action=add, required=False)


@router.post(
    "/merchant/option-groups/{group_id}/remove",
    auth=bearer_auth,
    response={200: MerchantDishOut, **ERRORS},
    summary="Remove an option group and its options from a dish (staff)",
    description="Orders already placed keep their options' text. Answers the dish.",
)
def remove_group_route(request: HttpRequest, group_id: int) -> HttpResponse:
    """Remove the group; a group already removed (or another merchant's) is 404."""
    staff = require_role(request, Role.MERCHANT)
    product_id = get_dish_id_of_option_group_for_staff(
        staff_user_id=staff.pk, group_id=group_id
    )
    remove_option_group(staff_user_id=staff.pk, group_id=group_id)
    return json_response(200, _dish_body(staff, product_id))


@router.post(
    "/merchant/options/{option_id}/remove",
    auth=bearer_auth,
    response={200: MerchantDishOut, **ERRORS},
    summary="Remove one option from a dish (staff)",
    description="Orders already placed keep their options' text. Answers the dish.",
)
def remove_option_route(request: HttpRequest, option_id: int) -> HttpResponse:
    """Remove the option; an option already removed (or another merchant's) is 404."""
    staff = require_role(request, Role.MERCHANT)
    product_id = get_dish_id_of_option_for_staff(
        staff_user_id=staff.pk, option_id=option_id
    )
    remove_option(staff_user_id=staff.pk, option_id=option_id)
    return json_response(200, _dish_body(staff, product_id))


@router.get(
    "/merchant/merchants",
    auth=bearer_auth,
    response={200: list[StaffMerchantOut], 401: Problem, 403: Problem},
    summary="The merchants the caller works for (staff)",
)
def list_merchants_route(request: HttpRequest) -> HttpResponse:
    """Return the caller's merchants, by name."""
    staff = require_role(request, Role.MERCHANT)
    return json_response(
        200,
        [
            {
                "id": merchant.pk,
                "name": merchant.name,
                "name_en": merchant.name_en,
                "kind": merchant.kind,
                "preparation_minutes": merchant.preparation_minutes,
            }
            for merchant in list_merchants_for_staff(user_id=staff.pk)
        ],
    )


def _hours_body(merchant_id: int, periods: list[OpeningPeriod]) -> dict[str, Any]:
    return {
        "merchant": merchant_id,
        "periods": [
            {
                "weekday": period.weekday,
                "opens_at": period.opens_at.strftime("%H:%M"),
                "closes_at": period.closes_at.strftime("%H:%M"),
            }
            for period in sorted(periods, key=lambda p: (p.weekday, p.opens_at))
        ],
    }


@router.get(
    "/merchant/merchants/{merchant_id}/hours",
    auth=bearer_auth,
    response={200: OpeningHoursOut, **ERRORS},
    summary="A merchant's week of opening hours (its staff)",
)
def get_hours_route(request: HttpRequest, merchant_id: int) -> HttpResponse:
    """Return the week, Monday first; another merchant's is 404."""
    staff = require_role(request, Role.MERCHANT)
    merchant = get_merchant_for_staff(user_id=staff.pk, merchant_id=merchant_id)
    return json_response(200, _hours_body(merchant.pk, list_opening_periods(merchant)))


@router.post(
    "/merchant/merchants/{merchant_id}/hours",
    auth=bearer_auth,
    response={200: OpeningHoursOut, **ERRORS},
    summary="Replace a merchant's week of opening hours (its staff)",
    description=(
        "The whole week at once; an empty list closes the merchant. Overlapping periods "
        "(also past midnight) or more than 4 on one day: 422 `invalid` (field `periods`)."
    ),
)
def set_hours_route(
    request: HttpRequest, merchant_id: int, payload: OpeningHoursIn
) -> HttpResponse:
    """Replace the week and answer it."""
    staff = require_role(request, Role.MERCHANT)
    periods = [
        OpeningPeriod(
            weekday=period.weekday,
            opens_at=dt.time.fromisoformat(period.opens_at),
            closes_at=dt.time.fromisoformat(period.closes_at),
        )
        for period in payload.periods
    ]

    def replace() -> tuple[int, object]:
        saved = set_opening_hours(
            staff_user_id=staff.pk, merchant_id=merchant_id, periods=periods
        )
        return 200, _hours_body(merchant_id, saved)

    return respond_once(request, route="merchant.hours", action=replace, required=False)
