"""The stock part of the invariant audit (DESIGN.md invariant 3), recomputed from the rows.

Each figure counts products that break one rule; on sound data all are zero. The audit is the
oracle of the stress and property tests and the body of ``GET /api/v1/ops/audit``: it reads
the live rows with one aggregate query and is never cached.
"""

from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from okryu.catalog.models import Product, WaitlistEntry, WaitlistStatus


@dataclass(frozen=True)
class StockAudit:
    """Numbers of products breaking each stock rule."""

    negative_on_hand: int
    reserved_over_on_hand: int
    unbalanced_products: int
    offered_over_received: int = 0

    @property
    def is_clean(self) -> bool:
        """Whether every rule holds."""
        return (
            self.negative_on_hand == 0
            and self.reserved_over_on_hand == 0
            and self.unbalanced_products == 0
            and self.offered_over_received == 0
        )


def audit_stock() -> StockAudit:
    """Count products (active or not) whose stock breaks a rule, in one aggregate query.

    - ``negative_on_hand``: ``stock_on_hand < 0``;
    - ``reserved_over_on_hand``: ``stock_reserved > stock_on_hand``;
    - ``unbalanced_products``: ``stock_received + stock_adjusted != stock_on_hand + stock_sold``;
    - ``offered_over_received``: units offered to waitlists that are not in stock beside the
      reserved ones (``stock_reserved + stock_offered > stock_on_hand``), or that differ from
      the offers its waitlist entries hold.

    The first two are also check constraints; counting them anyway catches a constraint
    dropped by a bad migration.
    """
    held_by_offers = (
        WaitlistEntry.objects.filter(
            product_id=OuterRef("pk"), status=WaitlistStatus.OFFERED
        )
        .values("product_id")
        .annotate(units=Sum("offered_quantity"))
        .values("units")
    )
    counts = Product.objects.alias(
        offers_held=Coalesce(Subquery(held_by_offers), Value(0)),
        imbalance=F("stock_received")
        + F("stock_adjusted")
        - F("stock_on_hand")
        - F("stock_sold"),
    ).aggregate(
        negative_on_hand=Count("pk", filter=Q(stock_on_hand__lt=0)),
        reserved_over_on_hand=Count(
            "pk", filter=Q(stock_reserved__gt=F("stock_on_hand"))
        ),
        unbalanced_products=Count("pk", filter=~Q(imbalance=0)),
        offered_over_received=Count(
            "pk",
            filter=Q(stock_on_hand__lt=F("stock_reserved") + F("stock_offered"))
            | ~Q(offers_held=F("stock_offered")),
        ),
    )
    return StockAudit(
        negative_on_hand=counts["negative_on_hand"],
        reserved_over_on_hand=counts["reserved_over_on_hand"],
        unbalanced_products=counts["unbalanced_products"],
        offered_over_received=counts["offered_over_received"],
    )
