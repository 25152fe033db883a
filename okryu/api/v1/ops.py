"""Operator routes: the invariant audit."""

from django.http import HttpRequest
from ninja import Router

from okryu.accounts.models import Role
from okryu.api.v1.auth import bearer_auth, require_role
from okryu.api.v1.schemas.ops import (
    AuditOut,
    LedgerAuditOut,
    OrdersAuditOut,
    StockAuditOut,
)
from okryu.api.v1.schemas.problems import Problem
from okryu.catalog.audit import audit_stock
from okryu.orders.audit import audit_orders
from okryu.payments.audit import audit_ledger

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
        ),
        orders=OrdersAuditOut(
            paid_not_equal_captured=orders.paid_not_equal_captured,
            refunded_not_equal_refunds=orders.refunded_not_equal_refunds,
            open_holds_of_closed_fulfilments=orders.open_holds_of_closed_fulfilments,
            missing_holds_of_open_fulfilments=orders.missing_holds_of_open_fulfilments,
            orders_not_summing=orders.orders_not_summing,
            reserved_not_matching_open_lines=orders.reserved_not_matching_open_lines,
        ),
    )
