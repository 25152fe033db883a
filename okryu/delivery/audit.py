"""The delivery part of the invariant audit, from the rows; all zero on sound data.

- ``open_jobs_of_closed_fulfilments``: jobs still waiting for, or assigned to, a courier
  whose fulfilment was cancelled or rejected. A cancellation closes its job in the same
  commit (``services.cancelling``); a dispatch round's sweep is only the safety net.
- ``loads_not_matching_jobs``: couriers whose load differs from the weight of the jobs on
  their route.

Never cached: the operator's ``GET /api/v1/ops/audit`` and the tests recompute it.
"""

from dataclasses import dataclass

from django.db.models import F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from okryu.delivery.models import ACTIVE_JOB_STATUSES, Courier, DeliveryJob, JobStatus
from okryu.delivery.services.opening import CLOSED_FULFILMENT_STATUSES


@dataclass(frozen=True)
class DeliveryAudit:
    """Numbers of rows breaking each delivery rule."""

    open_jobs_of_closed_fulfilments: int
    loads_not_matching_jobs: int

    @property
    def violations(self) -> int:
        """Return how many rows break a rule, in all."""
        return self.open_jobs_of_closed_fulfilments + self.loads_not_matching_jobs

    @property
    def is_clean(self) -> bool:
        """Whether every rule holds."""
        return self.violations == 0


def audit_delivery() -> DeliveryAudit:
    """Recompute the delivery rules from the rows (two queries)."""
    open_jobs = DeliveryJob.objects.filter(
        status__in=(JobStatus.WAITING, *ACTIVE_JOB_STATUSES),
        fulfilment__status__in=CLOSED_FULFILMENT_STATUSES,
    ).exclude(status=JobStatus.PICKED_UP)
    carried = (
        DeliveryJob.objects.filter(
            courier=OuterRef("pk"), status__in=ACTIVE_JOB_STATUSES
        )
        .values("courier")
        .annotate(weight=Sum("weight_grams"))
        .values("weight")
    )
    loads = Courier.objects.annotate(
        carried=Coalesce(Subquery(carried), Value(0), output_field=IntegerField())
    ).filter(~Q(load_grams=F("carried")))
    return DeliveryAudit(
        open_jobs_of_closed_fulfilments=open_jobs.count(),
        loads_not_matching_jobs=loads.count(),
    )
