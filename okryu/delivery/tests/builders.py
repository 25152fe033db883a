"""Builders of the delivery tests: couriers and ready fulfilments, made through the services.

An order is placed with ``place_order`` and moved by the merchant's own services, and the
job is opened by ``mark_ready_for_pickup``, so a test never starts from a state the
services could not have made.
"""

import dataclasses
from typing import Any

from okryu.accounts.models import District, Role
from okryu.accounts.tests.factories import DistrictFactory
from okryu.catalog.models import Product
from okryu.core.models import BackgroundJob
from okryu.delivery.models import Courier, DeliveryJob, DeliveryJobEvent
from okryu.delivery.services import mark_ready_for_pickup, register_courier, start_duty
from okryu.merchants.models import Merchant
from okryu.notifications.models import OutboxMessage
from okryu.orders.models import Fulfilment
from okryu.orders.services import accept_fulfilment, place_order, start_preparing
from okryu.orders.tests.builders import (
    central_district,
    checkout,
    make_merchant,
    make_product,
    make_shopper,
    make_user_with_role,
)
from okryu.payments.models import Card

MOTORBIKE_CAPACITY_GRAMS = 30_000
VAN_CAPACITY_GRAMS = 400_000


def far_district() -> District:
    """A district about 25 km from the centre: only a van goes so far."""
    return DistrictFactory(code="far", latitude=39.2392, longitude=125.7625)


def make_courier(
    *,
    vehicle: str = "motorbike",
    capacity_grams: int | None = None,
    district: District | None = None,
    on_duty: bool = True,
) -> Courier:
    """Return a courier (a person with the role and a courier row), on duty by default."""
    user = make_user_with_role(Role.COURIER)
    capacity = capacity_grams or (
        MOTORBIKE_CAPACITY_GRAMS if vehicle == "motorbike" else VAN_CAPACITY_GRAMS
    )
    register_courier(
        user_id=user.pk,
        vehicle=vehicle,
        capacity_grams=capacity,
        district_id=(district or central_district()).pk,
    )
    if on_duty:
        start_duty(courier_user_id=user.pk)
    return Courier.objects.select_related("user").get(user=user)


class Shop:
    """A merchant with a staff member and one product, and a funded shopper."""

    def __init__(self, *, weight_grams: int = 1_000, price_won: int = 2_000) -> None:
        self.merchant: Merchant
        self.merchant, self.staff = make_merchant()
        self.product: Product = make_product(
            self.merchant, stock=50, price_won=price_won, weight_grams=weight_grams
        )
        self.shopper, self.card = make_shopper(balance_won=500_000)

    def ready_job(
        self, quantity: int = 1, *, district: District | None = None
    ) -> DeliveryJob:
        """Place an order of ``quantity`` units, prepare it and mark it ready: its job."""
        fulfilment = self.prepared_fulfilment(quantity, district=district)
        mark_ready_for_pickup(staff_user_id=self.staff.pk, fulfilment_id=fulfilment.pk)
        return DeliveryJob.objects.get(fulfilment=fulfilment)

    def prepared_fulfilment(
        self, quantity: int = 1, *, district: District | None = None
    ) -> Fulfilment:
        """Place an order of ``quantity`` units (to ``district``) and bring it to preparing."""
        card: Card = self.card
        request = checkout(card, [(self.product, quantity)])
        if district is not None:
            request = dataclasses.replace(request, district_id=district.pk)
        placed = place_order(
            shopper_id=self.shopper.pk,
            checkout=request,
            idempotency_key=f"order-{Fulfilment.objects.count()}",
        )
        fulfilment = Fulfilment.objects.get(order_id=placed.order_id)
        accept_fulfilment(staff_user_id=self.staff.pk, fulfilment_id=fulfilment.pk)
        start_preparing(staff_user_id=self.staff.pk, fulfilment_id=fulfilment.pk)
        return fulfilment


def delivery_snapshot() -> dict[str, Any]:
    """Return what a refused delivery request must leave unchanged."""
    return {
        "jobs": list(
            DeliveryJob.objects.order_by("pk").values_list(
                "pk",
                "status",
                "courier_id",
                "route_position",
                "wrong_code_count",
                "is_locked",
                "attempts_count",
            )
        ),
        "couriers": list(
            Courier.objects.order_by("pk").values_list(
                "pk", "load_grams", "is_on_duty", "district_id"
            )
        ),
        "fulfilments": list(
            Fulfilment.objects.order_by("pk").values_list(
                "pk", "status", "captured_won"
            )
        ),
        "events": DeliveryJobEvent.objects.count(),
        "sms": OutboxMessage.objects.count(),
        "background_jobs": BackgroundJob.objects.count(),
    }
