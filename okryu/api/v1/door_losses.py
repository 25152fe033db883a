"""Losses at the door: the supervisor's list and the operator's clearing (ADR 0005).

An offline door record refused on upload is the logistics office's loss, booked to its door
losses account; the card is blocked and the debt recorded against the holder. Supervisors and
operators list them; an operator clears one, after which its shopper may order by door again.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from okryu.accounts.models import Role
from okryu.api.v1.auth import bearer_auth, get_caller, require_role
from okryu.api.v1.idempotency import json_response, respond_once
from okryu.api.v1.pagination import (
    Page,
    PageNumber,
    PageSize,
    page_body,
    read_page_request,
)
from okryu.api.v1.schemas.problems import Problem
from okryu.api.v1.schemas.text import Text
from okryu.orders.services.door_losses import (
    clear_door_loss,
    door_loss_as_api_dict,
    list_door_losses,
)

router = Router(tags=["door losses"])


class DoorLossOut(Schema):
    """One offline door record refused on upload."""

    model_config = ConfigDict(extra="allow")

    id: int
    order_number: str
    fulfilment: int
    merchant: str
    amount: int = Field(description="Won the card's holder owes.")
    booked_to_loss: int = Field(
        description="Won booked from the door losses account to the merchant (the items)."
    )
    refusal_code: str = Field(
        description="The issuer's refusal, e.g. insufficient_funds."
    )
    card: str = Field(description="The card's last four digits.")
    card_status: str
    holder: str
    shopper: str
    created_at: str
    cleared_at: str | None
    cleared_by: str | None
    clearing_note: str


class ClearIn(Schema):
    """Why the loss is cleared (the debt paid at the counter, written off, ...)."""

    model_config = ConfigDict(extra="forbid")

    note: Text = Field(min_length=1, max_length=200)


@router.get(
    "/supervisor/door-losses",
    auth=bearer_auth,
    response={200: Page[DoorLossOut], 401: Problem, 403: Problem, 422: Problem},
    summary="Offline door records refused on upload, newest first (supervisor, operator)",
    description="`open=true` lists only those no operator has cleared yet.",
)
def list_door_losses_route(
    request: HttpRequest,
    open: bool = False,  # noqa: FBT001, FBT002  (the query parameter)
    page: PageNumber = 1,
    page_size: PageSize = None,
) -> HttpResponse:
    """Answer one page of losses."""
    caller = get_caller(request)
    page_request = read_page_request(page=page, page_size=page_size)
    found = list_door_losses(
        actor_user_id=caller.pk,
        open_only=open,
        limit=page_request.limit,
        offset=page_request.offset,
    )
    body: dict[str, Any] = page_body(
        request, page_request, items=found.items, count=found.count
    )
    return json_response(200, body)


@router.post(
    "/ops/door-losses/{loss_id}/clear",
    auth=bearer_auth,
    response={
        200: DoorLossOut,
        401: Problem,
        403: Problem,
        404: Problem,
        422: Problem,
    },
    summary="Clear an unpaid door hand-over, so its shopper may order by door (operator)",
    description="Moves no money and does not unblock the card: once none of the card's "
    "losses is left, a teller may unblock it (before, 409 `door_debt_open`). An operator "
    "clearing a loss of their own (as shopper or card holder): 403 `own_door_loss`. A "
    "cleared loss is answered as it stands.",
)
def clear_door_loss_route(
    request: HttpRequest, loss_id: int, payload: ClearIn
) -> HttpResponse:
    """Clear the loss."""
    operator = require_role(request, Role.OPERATOR)

    def clear() -> tuple[int, object]:
        loss = clear_door_loss(
            operator_user_id=operator.pk, loss_id=loss_id, note=payload.note
        )
        return 200, door_loss_as_api_dict(loss)

    return respond_once(
        request, route="ops.door_loss.clear", action=clear, required=False
    )
