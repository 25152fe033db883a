"""Background-job handlers of the catalog app (declared in ``OKRYU_JOB_HANDLERS``)."""

from typing import Any

from okryu.catalog.waitlist import expire_offer
from okryu.core import clock


def expire_waitlist_offer_job(payload: dict[str, Any]) -> None:
    """Expire the waitlist offer named in the payload if its time ran out; pass units on."""
    expire_offer(entry_id=int(payload["entry"]), now=clock.now())
