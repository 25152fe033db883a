"""Background-job handlers of the orders app (declared in ``OKRYU_JOB_HANDLERS``)."""

from typing import Any

from okryu.orders.services import expire_fulfilment_hold


def expire_fulfilment_hold_job(payload: dict[str, Any]) -> None:
    """Cancel the fulfilment named in the payload if its hold ran out before delivery."""
    expire_fulfilment_hold(fulfilment_id=int(payload["fulfilment"]))
