"""Background-job handlers of the delivery app (declared in ``OKRYU_JOB_HANDLERS``)."""

from typing import Any

from okryu.delivery.services import dispatch


def dispatch_job(payload: dict[str, Any]) -> None:
    """Run one automatic dispatch round (the payload is empty; a round is idempotent)."""
    assert not payload, "a dispatch round takes no arguments"
    dispatch()
