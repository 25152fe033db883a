"""Background-job handlers of the orders app (declared in ``OKRYU_JOB_HANDLERS``)."""

from typing import Any

from okryu.orders.services.door_rules import expire_door_order


def expire_door_order_job(payload: dict[str, Any]) -> None:
    """Cancel the door fulfilment named in the payload if no merchant accepted it in time.

    A fulfilment not yet accepted has no delivery job, so nothing of delivery's is closed.
    """
    expire_door_order(fulfilment_id=int(payload["fulfilment"]))
