"""The shopper's waitlist routes: ask to be told when a sold-out product returns.

Joining is idempotent by itself (a repeat answers the same entry with 200) and also honours
an ``Idempotency-Key``, like every state-changing route.
"""

from django.http import HttpRequest, HttpResponse
from ninja import Router

from okryu.accounts.models import Role
from okryu.api.v1.auth import bearer_auth, require_role
from okryu.api.v1.idempotency import json_response, respond_once
from okryu.api.v1.pagination import (
    Page,
    PageNumber,
    PageSize,
    page_body,
    read_page_request,
)
from okryu.api.v1.schemas.problems import Problem
from okryu.api.v1.schemas.waitlist import WaitlistEntryOut, WaitlistIn
from okryu.catalog.waitlist import (
    cancel_waitlist_entry,
    join_waitlist,
    list_waitlist_entries,
)

router = Router(tags=["waitlist"])

ERRORS = {401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem}


@router.post(
    "/products/{product_id}/waitlist",
    auth=bearer_auth,
    response={200: WaitlistEntryOut, 201: WaitlistEntryOut, **ERRORS},
    summary="Wait for a sold-out product (shopper)",
    description=(
        "201 with the new entry (`status` `waiting`, `position` 1 = next); a shopper who "
        "already waits for the product (or holds an offer) gets that entry with 200. 409 "
        "`in_stock` while the product can be ordered; 404 `not_found` for an unknown or "
        "withdrawn product; 422 `invalid` for a dish sold by daily portions; 409 "
        "`over_limit` (with `limit`) for more units than one shopper may buy of it (its daily "
        "or period limit); 403 `phone_not_verified` unless the account's phone was confirmed "
        "by an SMS code or the shopper holds a card (its phone is used). When stock "
        "arrives, entries are offered their units in the order they joined, held for "
        "`OKRYU_WAITLIST_HOLD_MINUTES` and announced by SMS; the shopper's next order of "
        "the product takes them."
    ),
)
def join_waitlist_route(
    request: HttpRequest, product_id: int, payload: WaitlistIn
) -> HttpResponse:
    """Join the product's waitlist once; answer the entry."""
    shopper = require_role(request, Role.SHOPPER)

    def join() -> tuple[int, object]:
        entry, created = join_waitlist(
            shopper_id=shopper.pk, product_id=product_id, quantity=payload.quantity
        )
        body = WaitlistEntryOut.from_entry(entry).model_dump(mode="json")
        return (201 if created else 200), body

    return respond_once(request, route="catalog.waitlist", action=join, required=False)


@router.get(
    "/waitlist",
    auth=bearer_auth,
    response={200: Page[WaitlistEntryOut], 401: Problem, 403: Problem, 422: Problem},
    summary="The caller's waitlist entries, newest first (shopper)",
)
def list_waitlist_route(
    request: HttpRequest, page: PageNumber = 1, page_size: PageSize = None
) -> HttpResponse:
    """Return one page of the caller's own entries."""
    shopper = require_role(request, Role.SHOPPER)
    page_request = read_page_request(page=page, page_size=page_size)
    entries, total = list_waitlist_entries(
        shopper_id=shopper.pk, limit=page_request.limit, offset=page_request.offset
    )
    items = [
        WaitlistEntryOut.from_entry(entry).model_dump(mode="json") for entry in entries
    ]
    return json_response(
        200, page_body(request, page_request, items=items, count=total)
    )


@router.post(
    "/waitlist/{entry_id}/cancel",
    auth=bearer_auth,
    response={200: WaitlistEntryOut, 401: Problem, 403: Problem, 404: Problem},
    summary="Leave a waitlist (shopper)",
    description=(
        "The entry becomes `cancelled`; units offered to it pass to the next waiting "
        "entries. An entry already closed is answered as it is; another shopper's is 404."
    ),
)
def cancel_waitlist_route(request: HttpRequest, entry_id: int) -> HttpResponse:
    """Cancel one of the caller's entries."""
    shopper = require_role(request, Role.SHOPPER)

    def cancel() -> tuple[int, object]:
        entry = cancel_waitlist_entry(shopper_id=shopper.pk, entry_id=entry_id)
        return 200, WaitlistEntryOut.from_entry(entry).model_dump(mode="json")

    return respond_once(request, route="waitlist.cancel", action=cancel, required=False)
