"""The orders part of the invariant audit (DESIGN.md invariants 3 and 5), from the rows.

Each figure counts rows that break one rule; on sound data all are zero. It joins the orders'
recorded amounts to the ledger's immutable transfers by their transfer ids, and the stock
reserved on products to the lines of open fulfilments. Never cached.
"""

from dataclasses import dataclass

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from okryu.catalog.models import Product
from okryu.orders.models import Fulfilment, Order, OrderLine
from okryu.orders.queries import OPEN_STATUSES
from okryu.orders.rules import FINAL_STATUSES
from okryu.payments.models import HOLD_RESOLVING_KINDS, Transfer, TransferKind


@dataclass(frozen=True)
class OrdersAudit:
    """Numbers of rows breaking each orders rule; all zero on sound data."""

    paid_not_equal_captured: int
    refunded_not_equal_refunds: int
    open_holds_of_closed_fulfilments: int
    missing_holds_of_open_fulfilments: int
    orders_not_summing: int
    reserved_not_matching_open_lines: int

    @property
    def violations(self) -> int:
        """Return how many rows break a rule, in all."""
        return (
            self.paid_not_equal_captured
            + self.refunded_not_equal_refunds
            + self.open_holds_of_closed_fulfilments
            + self.missing_holds_of_open_fulfilments
            + self.orders_not_summing
            + self.reserved_not_matching_open_lines
        )

    @property
    def is_clean(self) -> bool:
        """Whether every rule holds."""
        return self.violations == 0


def _sum_of(transfers: QuerySet[Transfer]) -> Coalesce:
    total = transfers.values(group=Value(1)).annotate(total=Sum("amount_won"))
    return Coalesce(
        Subquery(total.values("total")[:1], output_field=IntegerField()), Value(0)
    )


def _captured(hold_field: str) -> Coalesce:
    return _sum_of(
        Transfer.objects.filter(
            kind=TransferKind.CAPTURE, pending__transfer_id=OuterRef(hold_field)
        )
    )


def _refunded(hold_field: str) -> Coalesce:
    return _sum_of(
        Transfer.objects.filter(
            kind=TransferKind.REFUND,
            refund_of__pending__transfer_id=OuterRef(hold_field),
        )
    )


def _is_open_hold(hold_field: str) -> Exists:
    resolved = Transfer.objects.filter(
        kind__in=HOLD_RESOLVING_KINDS, pending=OuterRef("pk")
    )
    return Exists(
        Transfer.objects.filter(
            ~Exists(resolved), kind=TransferKind.HOLD, transfer_id=OuterRef(hold_field)
        )
    )


def _hold_exists(hold_field: str) -> Exists:
    return Exists(
        Transfer.objects.filter(
            kind=TransferKind.HOLD, transfer_id=OuterRef(hold_field)
        )
    )


def audit_orders() -> OrdersAudit:
    """Count fulfilments, orders and products breaking a rule of orders and payment.

    - ``paid_not_equal_captured``: a fulfilment's ``captured_won`` differs from the sum of
      the capture transfers of its two holds;
    - ``refunded_not_equal_refunds``: its ``refunded_won`` differs from their refunds;
    - ``open_holds_of_closed_fulfilments``: a final fulfilment whose hold is still pending;
    - ``missing_holds_of_open_fulfilments``: an open fulfilment without its items hold;
    - ``orders_not_summing``: an order whose total differs from its fulfilments' amounts;
    - ``reserved_not_matching_open_lines``: a product whose reserved stock differs from the
      quantities of the lines of open fulfilments (only orders reserve stock).
    """
    fulfilments = Fulfilment.objects.annotate(
        ledger_captured=_captured("items_hold_transfer_id")
        + _captured("fee_hold_transfer_id"),
        ledger_refunded=_refunded("items_hold_transfer_id")
        + _refunded("fee_hold_transfer_id"),
        items_open=_is_open_hold("items_hold_transfer_id"),
        fee_open=_is_open_hold("fee_hold_transfer_id"),
        items_held=_hold_exists("items_hold_transfer_id"),
    )
    # Sums over no fulfilment at all are NULL, hence the ``or 0`` below.
    counts = fulfilments.aggregate(
        paid=_count(~Q(captured_won=F("ledger_captured"))),
        refunded=_count(~Q(refunded_won=F("ledger_refunded"))),
        open_closed=_count(
            Q(status__in=FINAL_STATUSES) & (Q(items_open=True) | Q(fee_open=True))
        ),
        missing=_count(Q(status__in=OPEN_STATUSES) & Q(items_held=False)),
    )
    return OrdersAudit(
        paid_not_equal_captured=counts["paid"] or 0,
        refunded_not_equal_refunds=counts["refunded"] or 0,
        open_holds_of_closed_fulfilments=counts["open_closed"] or 0,
        missing_holds_of_open_fulfilments=counts["missing"] or 0,
        orders_not_summing=_count_orders_not_summing(),
        reserved_not_matching_open_lines=_count_reserved_mismatches(),
    )


def _count(condition: Q) -> Sum:
    return Sum(Case(When(condition, then=Value(1)), default=Value(0)))


def _count_orders_not_summing() -> int:
    parts = (
        Fulfilment.objects.filter(order=OuterRef("pk"))
        .values("order")
        .annotate(total=Sum(F("items_total_won") + F("delivery_fee_won")))
        .values("total")[:1]
    )
    return (
        Order.objects.annotate(
            parts_won=Coalesce(Subquery(parts, output_field=IntegerField()), Value(0))
        )
        .exclude(total_won=F("parts_won"))
        .count()
    )


def _count_reserved_mismatches() -> int:
    open_lines = (
        OrderLine.objects.filter(
            product=OuterRef("pk"),
            fulfilment__status__in=[status.value for status in OPEN_STATUSES],
        )
        .values("product")
        .annotate(total=Sum("quantity"))
        .values("total")[:1]
    )
    return (
        Product.objects.annotate(
            open_quantity=Coalesce(
                Subquery(open_lines, output_field=IntegerField()), Value(0)
            )
        )
        .exclude(stock_reserved=F("open_quantity"))
        .count()
    )
