"""The shopper's order routes: checkout, the order list, one order, cancellation.

Checkout is exactly-once by its ``Idempotency-Key`` (required): ``place_order`` keeps the key
with the order's id in the order's transaction, so a repeat with the same body answers the
same order (as it stands now, built from its rows like ``GET /orders/{id}``) and a repeat
with another body is 422 ``idempotency_key_reused``. It is not wrapped in ``respond_once``:
the service owns the key, the route only checks that one was sent.
"""

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from ninja import P, QueryEx, Router

from okryu.accounts.models import District, Role
from okryu.api.v1.auth import bearer_auth, require_role
from okryu.api.v1.deliveries import add_deliveries
from okryu.api.v1.idempotency import (
    IDEMPOTENCY_HEADER,
    REPLAY_HEADER,
    respond_once,
)
from okryu.api.v1.order_bodies import order_body
from okryu.api.v1.pagination import (
    Page,
    PageNumber,
    PageSize,
    page_body,
    read_page_request,
)
from okryu.api.v1.schemas.orders import OrderIn, OrderOut
from okryu.api.v1.schemas.problems import Problem
from okryu.core import rate_limits
from okryu.core.errors import IdempotencyKeyMissing, InvalidInput
from okryu.core.idempotency import validate_key
from okryu.delivery.services import cancel_order
from okryu.orders.queries import (
    find_order_for_shopper_by_checkout_key,
    get_order_rows_for_shopper,
    list_orders_for_shopper,
    rows_of_order,
)
from okryu.orders.services import CheckoutLine, CheckoutOrder, place_order

router = Router(tags=["orders"])

CheckoutKey = QueryEx[
    str | None,
    P(
        description=(
            "The `Idempotency-Key` of a checkout: answers only the order it placed, if any."
        ),
        max_length=255,
    ),
]

ERRORS_OF_CHECKOUT = {
    400: Problem,
    401: Problem,
    402: Problem,
    403: Problem,
    409: Problem,
    422: Problem,
}


def order_response(status: int, body: Any) -> HttpResponse:
    """Return ``body`` as JSON with its keys sorted, so every answer of an order reads alike."""
    content = json.dumps(
        body, ensure_ascii=False, sort_keys=True, cls=DjangoJSONEncoder
    )
    return HttpResponse(content, status=status, content_type="application/json")


def resolve_district_id(value: str | int, *, field: str = "address.district") -> int:
    """Return the id of the district named by ``value``: id, code, English or Korean name.

    The English name is matched case-insensitively; anything else unknown is 422 invalid on
    ``field`` (the body's name for it: ``address.district`` at checkout).
    """
    unknown = InvalidInput("No district has this name, code or id.", field=field)
    if isinstance(value, int) or value.strip().isdigit():
        found_id = (
            District.objects.filter(pk=int(value)).values_list("pk", flat=True).first()
        )
        if found_id is None:
            raise unknown
        return found_id
    text = value.strip()
    if not text:
        raise unknown
    matches = list(
        District.objects.filter(
            Q(code=text) | Q(name_en__iexact=text) | Q(name=text)
        ).values_list("pk", flat=True)[:2]
    )
    # A name shared by two cities' districts would be ambiguous: the code tells them apart.
    if len(matches) != 1:
        raise unknown
    return matches[0]


def checkout_order(payload: OrderIn) -> CheckoutOrder:
    """Return the orders app's checkout for the JSON body ``payload``.

    Paying by card needs ``card`` and ``pin`` (422 ``invalid`` naming the missing one);
    paying at the door needs neither, and any sent are not used.
    """
    is_door = payload.payment == "door"
    if not is_door:
        for field, value in (("card", payload.card), ("pin", payload.pin)):
            if not value:
                raise InvalidInput(f"Paying by card needs `{field}`.", field=field)
    return CheckoutOrder(
        lines=tuple(
            CheckoutLine(
                product_id=line.product,
                quantity=line.quantity,
                price_won_seen=line.price,
                option_ids=tuple(line.options),
            )
            for line in payload.lines
        ),
        district_id=resolve_district_id(payload.address.district),
        address_detail=payload.address.detail,
        slot_starts_at=payload.slot,
        card_number="" if is_door else payload.card,
        pin="" if is_door else payload.pin,
        payment_method=payload.payment,
    )


@router.post(
    "/orders",
    auth=bearer_auth,
    response={201: OrderOut, **ERRORS_OF_CHECKOUT},
    summary="Place an order: reserve the stock and hold the card amount (shopper)",
    description=(
        "Needs an `Idempotency-Key` header (400 `idempotency_key_required` without one). A "
        "repeat with the same key and body answers the same order (header "
        "`Idempotent-Replayed: true`); with another body it is 422 `idempotency_key_reused`. "
        "Refusals: 409 `out_of_stock`, 409 `over_limit`, 409 `price_changed`, 402 "
        "`insufficient_funds`, 403 `wrong_pin` (with `attempts_left`), 403 `card_locked`, "
        "403 `card_blocked`, 422 `invalid` (with `field`), 422 `over_door_limit`. With "
        '`"payment": "door"` nothing is held and the payment status is `due` until the '
        "courier's terminal takes it (`POST /terminal/payments`). A refused order reserves and "
        "holds nothing, and its key may be used again."
    ),
)
def place_order_route(request: HttpRequest, payload: OrderIn) -> HttpResponse:
    """Check the key, place the order once, and answer it with 201."""
    shopper = require_role(request, Role.SHOPPER)
    raw_key = request.headers.get(IDEMPOTENCY_HEADER)
    if raw_key is None:
        raise IdempotencyKeyMissing(
            f"Placing an order needs an {IDEMPOTENCY_HEADER} header."
        )
    key = validate_key(raw_key)
    rate_limits.hit_all(
        "sms",
        address=rate_limits.client_address(request.META),
        account_id=shopper.pk,
        card=payload.card or None,
    )
    placed = place_order(
        shopper_id=shopper.pk,
        checkout=checkout_order(payload),
        idempotency_key=key,
    )
    # Built from the order's rows: those just written, or, for a replay, as they are now.
    response = order_response(201, order_body(placed.rows))
    if placed.is_replay:
        response[REPLAY_HEADER] = "true"
    return response


@router.get(
    "/orders",
    auth=bearer_auth,
    response={200: Page[OrderOut], 401: Problem, 403: Problem, 422: Problem},
    summary="The caller's orders, newest first (shopper)",
    description=(
        "With `idempotency_key`, only the order placed by the caller's `POST /orders` with "
        "that `Idempotency-Key` (one item), or none (`count` 0): the checkout was refused or "
        "never arrived, and may be sent again with the same key. An app that lost the answer "
        "to its checkout asks this instead of sending again blindly."
    ),
)
def list_orders_route(
    request: HttpRequest,
    page: PageNumber = 1,
    page_size: PageSize = None,
    idempotency_key: CheckoutKey = None,
) -> HttpResponse:
    """Return one page of the caller's own orders, or the one placed with a key."""
    shopper = require_role(request, Role.SHOPPER)
    page_request = read_page_request(page=page, page_size=page_size)
    if idempotency_key is not None:
        found = find_order_for_shopper_by_checkout_key(
            shopper_id=shopper.pk, key=validate_key(idempotency_key)
        )
        total = 0 if found is None else 1
        orders = [found] if found is not None and page_request.offset == 0 else []
    else:
        orders, total = list_orders_for_shopper(
            shopper_id=shopper.pk, limit=page_request.limit, offset=page_request.offset
        )
    items = [order_body(rows_of_order(order)) for order in orders]
    add_deliveries(items)
    # Answered as built: the schema documents the fields, the body keeps every one of them.
    return order_response(
        200, page_body(request, page_request, items=items, count=total)
    )


@router.get(
    "/orders/{order_id}",
    auth=bearer_auth,
    response={200: OrderOut, 401: Problem, 403: Problem, 404: Problem},
    summary="One of the caller's orders (shopper)",
    description="Another shopper's order is 404, as if it did not exist.",
)
def get_order_route(request: HttpRequest, order_id: int) -> HttpResponse:
    """Return the caller's order with its fulfilments, deliveries and payment."""
    shopper = require_role(request, Role.SHOPPER)
    body = order_body(
        get_order_rows_for_shopper(shopper_id=shopper.pk, order_id=order_id)
    )
    add_deliveries([body])
    return order_response(200, body)


@router.post(
    "/orders/{order_id}/cancel",
    auth=bearer_auth,
    response={200: OrderOut, 401: Problem, 403: Problem, 404: Problem, 409: Problem},
    summary="Cancel an order not yet being prepared (shopper)",
    description=(
        "Voids the card hold and releases the stock. Once a fulfilment is being prepared "
        "the answer is 409 `too_late`. An `Idempotency-Key` is accepted."
    ),
)
def cancel_order_route(request: HttpRequest, order_id: int) -> HttpResponse:
    """Cancel the caller's order and answer it as it now stands."""
    shopper = require_role(request, Role.SHOPPER)
    rate_limits.hit_all(
        "sms", address=rate_limits.client_address(request.META), account_id=shopper.pk
    )

    def cancel() -> tuple[int, object]:
        cancel_order(shopper_id=shopper.pk, order_id=order_id)
        body = order_body(
            get_order_rows_for_shopper(shopper_id=shopper.pk, order_id=order_id)
        )
        add_deliveries([body])
        return 200, body

    return respond_once(request, route="orders.cancel", action=cancel, required=False)
