"""Background-job handlers of the payments app (declared in ``OKRYU_JOB_HANDLERS``)."""

from typing import Any

from okryu.core import clock
from okryu.payments.ledger import expire_hold


def expire_hold_job(payload: dict[str, Any]) -> None:
    """Expire the hold named in the payload if it is still pending at its timeout."""
    expire_hold(hold_transfer_id=str(payload["hold"]), now=clock.now())
