"""Card routes (the holder or a teller): the card with its balance, its statement and its
journal (which supervisors read too).

Another person's card does not exist for the caller: 404 ``not_found``, the same answer as for
a number nobody holds.
"""

from django.http import HttpRequest
from ninja import Router

from okryu.api.v1.auth import bearer_auth, get_caller
from okryu.api.v1.pagination import (
    Page,
    PageNumber,
    PageSize,
    page_body,
    read_page_request,
)
from okryu.api.v1.schemas.cards import CardEventOut, CardOut, StatementLineOut
from okryu.api.v1.schemas.problems import Problem
from okryu.core.errors import NotFound
from okryu.orders.statements import card_statement
from okryu.payments.errors import CardNotFound
from okryu.payments.models import Card
from okryu.payments.queries import (
    get_card_for_holder_or_bank_staff,
    get_card_for_holder_or_teller,
    list_card_events_page,
)

router = Router(tags=["cards"])


def _visible_card(request: HttpRequest, number: str) -> Card:
    try:
        return get_card_for_holder_or_teller(
            card_number=number, user=get_caller(request)
        )
    except CardNotFound as error:
        raise NotFound(error.detail) from error


@router.get(
    "/cards/{number}",
    auth=bearer_auth,
    response={200: CardOut, 401: Problem, 404: Problem},
    summary="A card with its balance and available amount (holder or teller)",
)
def get_card_route(request: HttpRequest, number: str) -> CardOut:
    """Return the card; ``available`` is the balance less pending holds."""
    return CardOut.from_card(_visible_card(request, number))


@router.get(
    "/cards/{number}/statement",
    auth=bearer_auth,
    response={200: Page[StatementLineOut], 401: Problem, 404: Problem, 422: Problem},
    summary="A card's transfers, newest first (holder or teller)",
)
def get_statement_route(
    request: HttpRequest, number: str, page: PageNumber = 1, page_size: PageSize = None
) -> dict[str, object]:
    """Return one page of the card's transfers, newest first."""
    card = _visible_card(request, number)
    page_request = read_page_request(page=page, page_size=page_size)
    statement = card_statement(card=card)
    lines = sorted(
        (*statement.pending, *statement.lines),
        key=lambda line: (line.created_at, line.id),
        reverse=True,
    )
    shown = lines[page_request.offset : page_request.offset + page_request.limit]
    items = [StatementLineOut.from_line(line) for line in shown]
    return page_body(request, page_request, items=items, count=len(lines))


@router.get(
    "/cards/{number}/events",
    auth=bearer_auth,
    response={200: Page[CardEventOut], 401: Problem, 404: Problem, 422: Problem},
    summary="A card's journal: issued, blocked, unblocked, PIN reset, and by whom, "
    "newest first (holder, teller or supervisor)",
)
def list_card_events_route(
    request: HttpRequest, number: str, page: PageNumber = 1, page_size: PageSize = None
) -> dict[str, object]:
    """Return one page of the card's journal, newest first."""
    try:
        card = get_card_for_holder_or_bank_staff(
            card_number=number, user=get_caller(request)
        )
    except CardNotFound as error:
        raise NotFound(error.detail) from error
    page_request = read_page_request(page=page, page_size=page_size)
    events, count = list_card_events_page(
        card=card, offset=page_request.offset, limit=page_request.limit
    )
    items = [CardEventOut.from_event(event) for event in events]
    return page_body(request, page_request, items=items, count=count)
