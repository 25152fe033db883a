"""Operator routes: the invariant audit."""

from django.http import HttpRequest, HttpResponse
from ninja import Router

from okryu.accounts.models import Role
from okryu.api.v1.auth import bearer_auth, require_role
from okryu.api.v1.idempotency import respond_once
from okryu.api.v1.schemas.courier import DispatchOut
from okryu.api.v1.schemas.ops import (
    AuditOut,
    CounterAuditOut,
    DeliveryAuditOut,
    LedgerAuditOut,
    OrdersAuditOut,
    StockAuditOut,
)
from okryu.api.v1.schemas.problems import Problem
from okryu.catalog.audit import audit_stock
from okryu.delivery.audit import audit_delivery
from okryu.delivery.services import dispatch
from okryu.orders.audit import audit_orders
from okryu.payments.audit import audit_ledger
from okryu.payments.counter_audit import audit_counter

router = Router(tags=["ops"])


@router.get(
    "/ops/audit",
    auth=bearer_auth,
    response={200: AuditOut, 401: Problem, 403: Problem},
    summary="Check every invariant against the data (operator)",
)
def get_audit(request: HttpRequest) -> AuditOut:
    """Recompute each audited part from the live rows and return the counts.

    A new part (orders) is one more field of ``AuditOut`` filled here
    from its app's ``audit_*`` function.
    """
    require_role(request, Role.OPERATOR)
    ledger = audit_ledger()
    stock = audit_stock()
    orders = audit_orders()
    delivery = audit_delivery()
    counter = audit_counter()
    return AuditOut(
        ledger=LedgerAuditOut(
            sum_of_balances=ledger.sum_of_balances,
            negative_shopper_accounts=ledger.negative_shopper_accounts,
            transfers=ledger.transfers,
            accounts=ledger.accounts,
            balance_mismatches=ledger.balance_mismatches,
            held_mismatches=ledger.held_mismatches,
            captures_over_hold=ledger.captures_over_hold,
            over_refunded_transfers=ledger.over_refunded_transfers,
        ),
        stock=StockAuditOut(
            negative_on_hand=stock.negative_on_hand,
            reserved_over_on_hand=stock.reserved_over_on_hand,
            unbalanced_products=stock.unbalanced_products,
            offered_over_received=stock.offered_over_received,
        ),
        orders=OrdersAuditOut(
            paid_not_equal_captured=orders.paid_not_equal_captured,
            refunded_not_equal_refunds=orders.refunded_not_equal_refunds,
            open_holds_of_closed_fulfilments=orders.open_holds_of_closed_fulfilments,
            missing_holds_of_open_fulfilments=orders.missing_holds_of_open_fulfilments,
            orders_not_summing=orders.orders_not_summing,
            reserved_not_matching_open_lines=orders.reserved_not_matching_open_lines,
            portions_not_matching_lines=orders.portions_not_matching_lines,
            door_payments_not_matching_ledger=orders.door_payments_not_matching_ledger,
            unpaid_door_handovers=orders.unpaid_door_handovers,
        ),
        delivery=DeliveryAuditOut(
            open_jobs_of_closed_fulfilments=delivery.open_jobs_of_closed_fulfilments,
            loads_not_matching_jobs=delivery.loads_not_matching_jobs,
        ),
        counter=CounterAuditOut(
            topups_over_threshold_without_approval=(
                counter.topups_over_threshold_without_approval
            ),
            drawers_not_matching_ledger=counter.drawers_not_matching_ledger,
            drawers_with_difference=counter.drawers_with_difference,
        ),
    )


@router.post(
    "/ops/dispatch",
    auth=bearer_auth,
    response={200: DispatchOut, 401: Problem, 403: Problem},
    summary="Run a dispatch round now and return what it assigned (operator)",
    description=(
        "Rounds also run by themselves whenever a job opens or a courier becomes free. "
        "The round opens the jobs of ready fulfilments that had none and closes those of "
        "cancelled ones first."
    ),
)
def dispatch_route(request: HttpRequest) -> HttpResponse:
    """Run one round (once per Idempotency-Key) and list its assignments."""
    operator = require_role(request, Role.OPERATOR)

    def run_round() -> tuple[int, object]:
        report = dispatch(operator_user_id=operator.pk)
        return 200, {
            "opened": report.opened,
            "cancelled": report.cancelled,
            "assigned": [
                {
                    "job": assigned.job_id,
                    "courier": assigned.courier_id,
                    "route_position": assigned.route_position,
                    "eta": assigned.estimated_handover_at.isoformat(),
                }
                for assigned in report.assigned
            ],
        }

    return respond_once(request, route="ops.dispatch", action=run_round, required=False)
