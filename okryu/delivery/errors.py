"""Refusals of delivery, each with a stable code (API.md).

A job that cannot move from its status is the orders app's ``TransitionNotAllowed``
(``transition_not_allowed``, with the job's ``status``), re-exported here, so that a client
handles one code for both; unknown or someone else's jobs are ``NotFound``; bad input is
``InvalidInput``; a person without the role is ``PermissionDenied``.
"""

from okryu.core.errors import DomainError
from okryu.orders.errors import TransitionNotAllowed

__all__ = [
    "CourierOffDuty",
    "CourierStillCarrying",
    "JobLocked",
    "OverCapacity",
    "TransitionNotAllowed",
    "VehicleTooSmall",
    "WrongConfirmationCode",
]


class WrongConfirmationCode(DomainError):
    """The code given at the door is not the job's; ``attempts_left`` before the lock."""

    code = "wrong_code"
    status = 422
    title = "Wrong confirmation code"

    def __init__(self, detail: str, *, attempts_left: int) -> None:
        super().__init__(detail, attempts_left=attempts_left)
        self.attempts_left = attempts_left


class JobLocked(DomainError):
    """Too many wrong codes: the job waits for an operator to unlock it."""

    code = "job_locked"
    status = 409
    title = "Delivery job locked"


class VehicleTooSmall(DomainError):
    """The courier's vehicle may not carry this job (a van is needed)."""

    code = "vehicle_too_small"
    status = 409
    title = "Vehicle too small"


class OverCapacity(DomainError):
    """The courier's load plus the job's weight would pass their capacity."""

    code = "over_capacity"
    status = 409
    title = "Over the courier's capacity"


class CourierOffDuty(DomainError):
    """The courier is not on duty."""

    code = "courier_off_duty"
    status = 409
    title = "Courier off duty"


class CourierStillCarrying(DomainError):
    """The courier still carries picked-up goods and cannot go off duty."""

    code = "courier_still_carrying"
    status = 409
    title = "Courier still carrying goods"
