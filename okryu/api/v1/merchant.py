"""Merchant staff's routes: the order queue and the back office of their own products.

Only holders of the merchant role get past ``require_role`` (403 otherwise); which merchant's
fulfilments and products a person may touch is decided by the orders and catalog services
and queries, so another merchant's fulfilment or product is 404, as if it did not exist.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from ninja import P, QueryEx, Router

from okryu.accounts.models import Role, User
from okryu.api.v1.auth import bearer_auth, require_role
from okryu.api.v1.idempotency import json_response, respond_once
from okryu.api.v1.order_bodies import fulfilment_body
from okryu.api.v1.pagination import (
    Page,
    PageNumber,
    PageSize,
    page_body,
    read_page_request,
)
from okryu.api.v1.schemas.merchant import (
    FulfilmentQueueOut,
    MerchantProductOut,
    ProductIn,
    RejectIn,
    StockIn,
)
from okryu.api.v1.schemas.problems import Problem
from okryu.catalog.products import (
    count_stock_for_staff,
    create_product,
    get_product_for_staff,
    receive_stock_for_staff,
)
from okryu.core.errors import InvalidInput, NotFound
from okryu.delivery.services import mark_ready_for_pickup
from okryu.merchants.queries import list_merchant_ids_for_staff
from okryu.orders.queries import (
    get_fulfilment_for_staff,
    list_fulfilments_for_staff,
)
from okryu.orders.rules import FulfilmentStatus
from okryu.orders.services import (
    accept_fulfilment,
    reject_fulfilment,
    start_preparing,
)

router = Router(tags=["merchant"])

ERRORS_OF_A_MOVE = {
    401: Problem,
    403: Problem,
    404: Problem,
    409: Problem,
    422: Problem,
}


@router.get(
    "/merchant/fulfilments",
    auth=bearer_auth,
    response={200: Page[FulfilmentQueueOut], 401: Problem, 403: Problem, 422: Problem},
    summary="The order queue of the caller's merchants, oldest first (merchant staff)",
)
def list_fulfilments_route(
    request: HttpRequest,
    status: QueryEx[
        str | None,
        P(
            description="placed, accepted, preparing, ready, ... (default: every status)."
        ),
    ] = None,
    page: PageNumber = 1,
    page_size: PageSize = None,
) -> HttpResponse:
    """Return one page of the fulfilments of the merchants the caller works for."""
    staff = require_role(request, Role.MERCHANT)
    if status is not None and status not in {value.value for value in FulfilmentStatus}:
        raise InvalidInput(
            f"status must be one of {', '.join(FulfilmentStatus)}.", field="status"
        )
    page_request = read_page_request(page=page, page_size=page_size)
    fulfilments, total = list_fulfilments_for_staff(
        staff_user_id=staff.pk,
        status=status,
        limit=page_request.limit,
        offset=page_request.offset,
    )
    items = [
        fulfilment_body(fulfilment, tuple(fulfilment.lines.all()))
        for fulfilment in fulfilments
    ]
    # Answered as built: the schema documents the fields, the body keeps every one of them.
    return json_response(
        200, page_body(request, page_request, items=items, count=total)
    )


def _move(
    request: HttpRequest,
    *,
    route: str,
    fulfilment_id: int,
    move: Callable[[User], object],
) -> HttpResponse:
    """Make one move of a fulfilment once per Idempotency-Key; answer it as it now stands."""
    staff = require_role(request, Role.MERCHANT)

    def act() -> tuple[int, object]:
        move(staff)
        fulfilment = get_fulfilment_for_staff(
            staff_user_id=staff.pk, fulfilment_id=fulfilment_id
        )
        return 200, fulfilment_body(fulfilment, tuple(fulfilment.lines.all()))

    return respond_once(request, route=route, action=act, required=False)


@router.get(
    "/merchant/fulfilments/{fulfilment_id}",
    auth=bearer_auth,
    response={200: FulfilmentQueueOut, 401: Problem, 403: Problem, 404: Problem},
    summary="One fulfilment of the caller's merchants (merchant staff)",
)
def get_fulfilment_route(request: HttpRequest, fulfilment_id: int) -> HttpResponse:
    """Return one fulfilment; another merchant's is 404."""
    staff = require_role(request, Role.MERCHANT)
    fulfilment = get_fulfilment_for_staff(
        staff_user_id=staff.pk, fulfilment_id=fulfilment_id
    )
    return json_response(
        200, fulfilment_body(fulfilment, tuple(fulfilment.lines.all()))
    )


@router.post(
    "/merchant/fulfilments/{fulfilment_id}/accept",
    auth=bearer_auth,
    response={200: FulfilmentQueueOut, **ERRORS_OF_A_MOVE},
    summary="Accept a placed fulfilment (merchant staff)",
)
def accept_route(request: HttpRequest, fulfilment_id: int) -> HttpResponse:
    """Accept the fulfilment; a move the state machine refuses is 409."""
    return _move(
        request,
        route="merchant.accept",
        fulfilment_id=fulfilment_id,
        move=lambda staff: accept_fulfilment(
            staff_user_id=staff.pk, fulfilment_id=fulfilment_id
        ),
    )


@router.post(
    "/merchant/fulfilments/{fulfilment_id}/reject",
    auth=bearer_auth,
    response={200: FulfilmentQueueOut, **ERRORS_OF_A_MOVE},
    summary="Reject a fulfilment: its stock is released, its money voided (merchant staff)",
)
def reject_route(
    request: HttpRequest, fulfilment_id: int, payload: RejectIn
) -> HttpResponse:
    """Reject the fulfilment with a reason shown to the shopper."""
    return _move(
        request,
        route="merchant.reject",
        fulfilment_id=fulfilment_id,
        move=lambda staff: reject_fulfilment(
            staff_user_id=staff.pk, fulfilment_id=fulfilment_id, reason=payload.reason
        ),
    )


@router.post(
    "/merchant/fulfilments/{fulfilment_id}/preparing",
    auth=bearer_auth,
    response={200: FulfilmentQueueOut, **ERRORS_OF_A_MOVE},
    summary="Start preparing an accepted fulfilment (merchant staff)",
    description="From now on the shopper can no longer cancel (409 `too_late`).",
)
def preparing_route(request: HttpRequest, fulfilment_id: int) -> HttpResponse:
    """Move an accepted fulfilment to preparing."""
    return _move(
        request,
        route="merchant.preparing",
        fulfilment_id=fulfilment_id,
        move=lambda staff: start_preparing(
            staff_user_id=staff.pk, fulfilment_id=fulfilment_id
        ),
    )


@router.post(
    "/merchant/fulfilments/{fulfilment_id}/ready",
    auth=bearer_auth,
    response={200: FulfilmentQueueOut, **ERRORS_OF_A_MOVE},
    summary="Mark a fulfilment ready for pick-up (merchant staff)",
    description="From preparing; an accepted fulfilment goes through preparing first.",
)
def ready_route(request: HttpRequest, fulfilment_id: int) -> HttpResponse:
    """Mark the fulfilment ready; a delivery job follows."""

    def ready(staff: User) -> None:
        current = get_fulfilment_for_staff(
            staff_user_id=staff.pk, fulfilment_id=fulfilment_id
        )
        # The queue has one "ready" button: an accepted order is prepared on the spot.
        if current.status == FulfilmentStatus.ACCEPTED:
            start_preparing(staff_user_id=staff.pk, fulfilment_id=fulfilment_id)
        # Ready opens the delivery job in the same transaction.
        mark_ready_for_pickup(staff_user_id=staff.pk, fulfilment_id=fulfilment_id)

    return _move(
        request, route="merchant.ready", fulfilment_id=fulfilment_id, move=ready
    )


def _merchant_of(staff: User, asked: int | None) -> int:
    """Return the merchant a new product is for: the one asked, or the caller's only one."""
    if asked is not None:
        return asked  # create_product checks that the caller works for it (404 if not).
    merchant_ids = list_merchant_ids_for_staff(user=staff)
    if not merchant_ids:
        raise NotFound("This account works for no merchant.")
    if len(merchant_ids) > 1:
        raise InvalidInput(
            "This account works for several merchants: name one in merchant.",
            field="merchant",
        )
    return merchant_ids[0]


@router.post(
    "/merchant/products",
    auth=bearer_auth,
    response={
        201: MerchantProductOut,
        401: Problem,
        403: Problem,
        404: Problem,
        422: Problem,
    },
    summary="Create a product of the caller's merchant (merchant staff)",
    description=(
        "`merchant` is needed only by staff of several merchants. `stock` units are "
        "recorded as received with the product."
    ),
)
def create_product_route(request: HttpRequest, payload: ProductIn) -> HttpResponse:
    """Create the product with its first stock; answer it with its stock figures."""
    staff = require_role(request, Role.MERCHANT)
    merchant_id = _merchant_of(staff, payload.merchant)

    def create() -> tuple[int, object]:
        product = create_product(
            staff_user_id=staff.pk,
            merchant_id=merchant_id,
            name=payload.name,
            name_en=payload.name_en,
            category_id=payload.category,
            price_won=payload.price,
            unit=payload.unit,
            weight_grams=payload.weight_g,
            stock=payload.stock,
        )
        product = get_product_for_staff(staff_user_id=staff.pk, product_id=product.pk)
        return 201, MerchantProductOut.from_merchant_product(product).model_dump(
            mode="json"
        )

    return respond_once(
        request, route="merchant.product", action=create, required=False
    )


@router.post(
    "/merchant/products/{product_id}/stock",
    auth=bearer_auth,
    response={
        200: MerchantProductOut,
        401: Problem,
        403: Problem,
        404: Problem,
        409: Problem,
        422: Problem,
    },
    summary="Receive goods or record a stock count (merchant staff)",
    description=(
        'Exactly one of `{"receive": N}` (units received, added) or `{"count": N}` (units '
        "counted; on hand becomes N). A count below the units reserved for placed orders "
        "is 409 `out_of_stock`."
    ),
)
def stock_route(
    request: HttpRequest, product_id: int, payload: StockIn
) -> HttpResponse:
    """Receive or count the stock of one of the caller's products."""
    staff = require_role(request, Role.MERCHANT)
    if (payload.receive is None) == (payload.count is None):
        raise InvalidInput("Give exactly one of receive or count.", field="receive")

    def change() -> tuple[int, object]:
        # Both services check the membership: another merchant's product is 404.
        if payload.receive is not None:
            receive_stock_for_staff(
                staff_user_id=staff.pk, product_id=product_id, quantity=payload.receive
            )
        else:
            assert payload.count is not None
            count_stock_for_staff(
                staff_user_id=staff.pk, product_id=product_id, counted=payload.count
            )
        product = get_product_for_staff(staff_user_id=staff.pk, product_id=product_id)
        return 200, MerchantProductOut.from_merchant_product(product).model_dump(
            mode="json"
        )

    return respond_once(request, route="merchant.stock", action=change, required=False)
