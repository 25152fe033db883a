"""Use cases that change delivery: opening jobs, dispatch, the courier's moves, the office's.

Public services are re-exported here: ``from okryu.delivery import services``.
"""

from okryu.delivery.services.cancelling import cancel_order, expire_fulfilment_hold
from okryu.delivery.services.courier import (
    check_code_shape,
    end_duty,
    fail_delivery,
    hand_over_job,
    pick_up_job,
    register_courier,
    report_district,
    start_duty,
    unlock_job,
)
from okryu.delivery.services.dispatch import (
    AssignedJob,
    DispatchReport,
    assign_job,
    dispatch,
    unassign_job,
)
from okryu.delivery.services.opening import (
    mark_ready_for_pickup,
    open_job,
    open_missing_jobs,
)

__all__ = [
    "AssignedJob",
    "DispatchReport",
    "assign_job",
    "cancel_order",
    "check_code_shape",
    "dispatch",
    "end_duty",
    "expire_fulfilment_hold",
    "fail_delivery",
    "hand_over_job",
    "mark_ready_for_pickup",
    "open_job",
    "open_missing_jobs",
    "pick_up_job",
    "register_courier",
    "report_district",
    "start_duty",
    "unassign_job",
    "unlock_job",
]
