"""The hand-over form, acting at most once per form although the service counts wrong codes.

``hand_over_job`` must commit a wrong code although it refuses the call, so it runs in its
own durable transaction and cannot run inside ``submit_once``'s. The form's key is therefore
claimed first, in a transaction of its own: a resubmitted form (the browser's "send again"
after a dropped connection, a double tap) finds the key claimed and never calls the service
again, so a wrong code is never counted twice. The outcome, refusals included, is stored
under the key afterwards and told again to a resubmission; a resubmission that arrives
before the outcome is stored (or after a crash in between) is told to look at the job.
"""

from dataclasses import dataclass, field
from typing import Any

from okryu.core.errors import DomainError
from okryu.core.idempotency import find_outcome, fingerprint_request
from okryu.delivery.services import hand_over_job
from okryu.web.idempotency import submit_once

DELIVERED = 200
# Stored as the claim's outcome: the hand-over was asked, its own outcome comes next.
CLAIMED = 202


@dataclass(frozen=True)
class HandOverOutcome:
    """What a hand-over form did: delivered, refused (with the code), or not yet known."""

    status: int
    code: str = ""
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    is_pending: bool = False

    @property
    def is_delivered(self) -> bool:
        """Whether the goods were handed over (now, or by the first of two submissions)."""
        return self.status == DELIVERED


def _from_body(status: int, body: dict[str, Any]) -> HandOverOutcome:
    extra = {k: v for k, v in body.items() if k not in {"code", "detail"}}
    return HandOverOutcome(
        status=status,
        code=str(body.get("code", "")),
        detail=str(body.get("detail", "")),
        extra=extra,
    )


def hand_over_once(
    *, courier_user_id: int, job_id: int, code: str, key: str
) -> HandOverOutcome:
    """Hand the job over with ``code`` once for the form's ``key``; return what happened.

    Raises InvalidInput (a missing or malformed key) and IdempotencyKeyReused (the key came
    with another job or code) before anything is asked of the delivery service.
    """
    fields = {"job": job_id, "code": code}
    claim = submit_once(
        scope=f"web:courier-hand-over-claim:{courier_user_id}",
        key=key,
        fields=fields,
        action=lambda: (CLAIMED, {}),
    )
    scope = f"web:courier-hand-over:{courier_user_id}"
    if claim.is_replay:
        stored = find_outcome(
            scope=scope, key=key.strip(), fingerprint=fingerprint_request(fields)
        )
        if stored is None:
            return HandOverOutcome(status=CLAIMED, is_pending=True)
        return _from_body(stored.status_code, stored.body)
    try:
        hand_over_job(courier_user_id=courier_user_id, job_id=job_id, code=code)
        status, body = DELIVERED, {}
    except DomainError as error:
        status = error.status
        body = {"code": error.code, "detail": error.detail, **error.extra}
    submit_once(scope=scope, key=key, fields=fields, action=lambda: (status, body))
    return _from_body(status, body)
