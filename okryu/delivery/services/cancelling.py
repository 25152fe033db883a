"""Cancelling fulfilments that may have a delivery job: the job closes in the same commit.

A fulfilment's job belongs to delivery, above orders, so orders cannot close it. These
services are the ways in for a cancellation (the shopper's, or a hold that ran out): each
runs the orders service and closes the jobs of the fulfilments it cancelled in one
transaction, so no courier is sent for an order that no longer exists, not even until the
next dispatch round. A courier who had the job gets their room back, and a round is queued.
"""

from okryu.core.transactions import service_transaction
from okryu.delivery.models import DeliveryJob
from okryu.delivery.services.opening import cancel_closed_jobs
from okryu.delivery.services.transactions import enqueue_dispatch
from okryu.orders import services as orders
from okryu.orders.models import Fulfilment, Order


def _close_jobs_of(fulfilment_ids: list[int]) -> int:
    had_courier = DeliveryJob.objects.filter(
        fulfilment_id__in=fulfilment_ids, courier__isnull=False
    ).exists()
    closed = cancel_closed_jobs(fulfilment_ids=fulfilment_ids)
    if closed and had_courier:
        enqueue_dispatch()
    return closed


@service_transaction(durable=False)
def cancel_order(*, shopper_id: int, order_id: int) -> Order:
    """Cancel the shopper's order (``orders.services.cancel_order``: the same refusals) and
    close its fulfilments' delivery jobs in the same transaction."""
    order = orders.cancel_order(shopper_id=shopper_id, order_id=order_id)
    _close_jobs_of(
        list(Fulfilment.objects.filter(order_id=order.pk).values_list("pk", flat=True))
    )
    return order


@service_transaction(durable=False)
def expire_fulfilment_hold(*, fulfilment_id: int) -> Fulfilment | None:
    """Cancel a fulfilment whose hold ran out (``orders.services.expire_fulfilment_hold``)
    and close its delivery job in the same transaction; None when nothing was due."""
    cancelled = orders.expire_fulfilment_hold(fulfilment_id=fulfilment_id)
    if cancelled is not None:
        _close_jobs_of([fulfilment_id])
    return cancelled
