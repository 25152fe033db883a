"""The bank counter's four eyes and cash drawers: approvals (supervisor) and drawers (teller).

A top-up over the approval threshold waits in a queue; a supervisor other than the teller
who took it approves (booked then, exactly once) or rejects it. A teller opens a drawer each
day, takes cash through it and closes it with the cash counted; the supervisor sees each
drawer's difference to what the ledger booked through it. POSTs accept an Idempotency-Key.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from okryu.accounts.models import Role, User
from okryu.accounts.queries import has_role
from okryu.api.v1.auth import bearer_auth, get_caller, require_role
from okryu.api.v1.idempotency import respond_once
from okryu.api.v1.schemas.counter import (
    ApprovedTopUpOut,
    CounterTopUpOut,
    DrawerCloseIn,
    DrawerOut,
    RejectIn,
)
from okryu.api.v1.schemas.problems import Problem
from okryu.core.errors import NotFound, PermissionDenied
from okryu.payments.counter import (
    DrawerView,
    get_card_account,
    get_top_up,
    list_drawers,
    list_pending_top_ups,
)
from okryu.payments.counter_services import (
    approve_top_up,
    close_drawer,
    get_open_drawer,
    open_drawer,
    reject_top_up,
)
from okryu.payments.models import CashDrawer

router = Router(tags=["teller"])

PROBLEMS: dict[int, Any] = {
    400: Problem,
    401: Problem,
    403: Problem,
    404: Problem,
    409: Problem,
    422: Problem,
}


def _teller_or_supervisor(request: HttpRequest) -> User:
    user = get_caller(request)
    if not (has_role(user, Role.TELLER) or has_role(user, Role.SUPERVISOR)):
        message = "This call needs the teller or supervisor role."
        raise PermissionDenied(message, role="teller")
    return user


def _drawer_body(drawer: CashDrawer) -> dict[str, Any]:
    view = list_drawers(day=drawer.day, teller_id=drawer.teller_id, limit=1)[0]
    return _drawer_out(view).model_dump(mode="json")


def _drawer_out(view: DrawerView) -> DrawerOut:
    return DrawerOut.from_drawer(
        view.drawer, ledger_won=view.ledger_won, pending=view.pending
    )


@router.get(
    "/teller/topups",
    auth=bearer_auth,
    response={200: list[CounterTopUpOut], 401: Problem, 403: Problem},
    summary="Top-ups awaiting a supervisor, oldest first (a teller sees their own)",
)
def list_pending_route(request: HttpRequest) -> list[CounterTopUpOut]:
    """A supervisor sees the whole queue; a teller the cash they took that still waits."""
    user = _teller_or_supervisor(request)
    teller_id = None if has_role(user, Role.SUPERVISOR) else user.pk
    return [
        CounterTopUpOut.from_top_up(top_up)
        for top_up in list_pending_top_ups(teller_id=teller_id)
    ]


@router.post(
    "/teller/topups/{top_up_id}/approve",
    auth=bearer_auth,
    response={200: ApprovedTopUpOut, **PROBLEMS},
    summary="Approve a top-up awaiting approval: it is booked now (supervisor)",
    description=(
        "Only a supervisor other than the teller who took the cash: the requester gets 403 "
        "`same_person`, a card the supervisor holds 403 `own_card`. A top-up approved or "
        "rejected already: 409 `already_decided` (with `status`); of any number of "
        "decisions at once exactly one takes effect and the ledger moves once."
    ),
)
def approve_route(request: HttpRequest, top_up_id: int) -> HttpResponse:
    """Book the top-up and answer the card's new balance."""
    supervisor = require_role(request, Role.SUPERVISOR)

    def approve() -> tuple[int, dict[str, Any]]:
        top_up = approve_top_up(supervisor=supervisor, top_up_id=top_up_id)
        assert top_up.transfer is not None
        account = get_card_account(card_id=top_up.card_id)
        body = ApprovedTopUpOut(
            id=top_up.pk,
            status=top_up.status,
            amount=top_up.amount_won,
            number=top_up.card.number,
            balance=account.balance_won,
            available=account.available_won,
            transfer=top_up.transfer.transfer_id,
        )
        return 200, body.model_dump(mode="json")

    return respond_once(
        request, route=f"counter.approve.{top_up_id}", action=approve, required=False
    )


@router.post(
    "/teller/topups/{top_up_id}/reject",
    auth=bearer_auth,
    response={200: CounterTopUpOut, **PROBLEMS},
    summary="Reject a top-up awaiting approval: nothing is booked (supervisor)",
    description=(
        "The teller hands the cash back, and it no longer counts to their day. The same "
        "refusals as approving: 403 `same_person`, 403 `own_card`, 409 `already_decided`."
    ),
)
def reject_route(
    request: HttpRequest, top_up_id: int, payload: RejectIn | None = None
) -> HttpResponse:
    """Reject the top-up and answer it."""
    supervisor = require_role(request, Role.SUPERVISOR)
    reason = payload.reason if payload is not None else ""

    def reject() -> tuple[int, dict[str, Any]]:
        reject_top_up(supervisor=supervisor, top_up_id=top_up_id, reason=reason)
        top_up = get_top_up(top_up_id=top_up_id)
        assert top_up is not None
        return 200, CounterTopUpOut.from_top_up(top_up).model_dump(mode="json")

    return respond_once(
        request, route=f"counter.reject.{top_up_id}", action=reject, required=False
    )


@router.get(
    "/teller/drawer",
    auth=bearer_auth,
    response={200: DrawerOut, 401: Problem, 403: Problem, 404: Problem},
    summary="The teller's open cash drawer of today (404 when none is open)",
)
def get_drawer_route(request: HttpRequest) -> DrawerOut:
    """Show the drawer cash is taken through now."""
    teller = require_role(request, Role.TELLER)
    drawer = get_open_drawer(teller=teller)
    if drawer is None:
        message = "No drawer is open today."
        raise NotFound(message)
    view = list_drawers(day=drawer.day, teller_id=teller.pk, limit=1)[0]
    return _drawer_out(view)


@router.post(
    "/teller/drawer/open",
    auth=bearer_auth,
    response={200: DrawerOut, **PROBLEMS},
    summary="Open the teller's cash drawer for today (teller)",
    description=(
        "Opening an open drawer again answers it. A drawer of an earlier day still open: "
        "409 `drawer_open`; today's drawer closed already: 409 `drawer_already_closed`."
    ),
)
def open_drawer_route(request: HttpRequest) -> HttpResponse:
    """Open today's drawer."""
    teller = require_role(request, Role.TELLER)

    def open_it() -> tuple[int, dict[str, Any]]:
        return 200, _drawer_body(open_drawer(teller=teller))

    return respond_once(
        request, route="counter.drawer.open", action=open_it, required=False
    )


@router.post(
    "/teller/drawer/close",
    auth=bearer_auth,
    response={200: DrawerOut, **PROBLEMS},
    summary="Count and close the teller's open drawer (teller)",
    description=(
        "Records the cash counted and its difference to what the ledger booked through "
        "the drawer; a difference needs a `note` (422 `invalid`, field `note`). Top-ups "
        "still awaiting approval: 409 `approvals_pending`; no open drawer: 409 "
        "`drawer_closed`."
    ),
)
def close_drawer_route(request: HttpRequest, payload: DrawerCloseIn) -> HttpResponse:
    """Close the drawer and answer it with its difference."""
    teller = require_role(request, Role.TELLER)

    def close_it() -> tuple[int, dict[str, Any]]:
        drawer = close_drawer(
            teller=teller, counted_won=payload.counted, note=payload.note
        )
        return 200, _drawer_body(drawer)

    return respond_once(
        request, route="counter.drawer.close", action=close_it, required=False
    )


@router.get(
    "/supervisor/drawers",
    auth=bearer_auth,
    response={200: list[DrawerOut], 401: Problem, 403: Problem, 422: Problem},
    summary="Every teller's drawers with their difference to the ledger (supervisor)",
)
def list_drawers_route(
    request: HttpRequest, day: dt.date | None = None
) -> list[DrawerOut]:
    """Open drawers first, then the newest; ``day`` narrows to one day."""
    require_role(request, Role.SUPERVISOR)
    return [_drawer_out(view) for view in list_drawers(day=day)]
