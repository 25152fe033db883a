"""Background-job handlers of the delivery app (declared in ``OKRYU_JOB_HANDLERS``)."""

from typing import Any

from okryu.delivery.services import dispatch, expire_fulfilment_hold


def dispatch_job(payload: dict[str, Any]) -> None:
    """Run one automatic dispatch round (the payload is empty; a round is idempotent)."""
    assert not payload, "a dispatch round takes no arguments"
    dispatch()


def expire_fulfilment_hold_job(payload: dict[str, Any]) -> None:
    """Cancel the fulfilment named in the payload if its hold ran out before delivery, and
    close its delivery job in the same commit (the job kind is the orders app's,
    ``orders.expire_fulfilment_hold``; delivery handles it since the job is delivery's)."""
    expire_fulfilment_hold(fulfilment_id=int(payload["fulfilment"]))
