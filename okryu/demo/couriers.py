"""The demo couriers: three motorbikes and two vans, on duty in different Pyongyang districts."""

from dataclasses import dataclass

from okryu.accounts.models import District, User
from okryu.delivery.models import Courier
from okryu.delivery.services import register_courier, start_duty


@dataclass(frozen=True)
class CourierSpec:
    """A demo courier login's vehicle, capacity and starting district."""

    username: str
    vehicle: str
    capacity_grams: int
    district: str


DEMO_COURIERS = (
    CourierSpec("courier1", "motorbike", 40_000, "central"),
    CourierSpec("courier2", "motorbike", 40_000, "moranbong"),
    CourierSpec("courier3", "motorbike", 40_000, "mangyongdae"),
    CourierSpec("courier4", "van", 800_000, "potonggang"),
    CourierSpec("courier5", "van", 800_000, "taedonggang"),
)


def load_couriers(
    *, users: dict[str, User], districts: dict[str, District]
) -> list[Courier]:
    """Register the demo couriers and put them on duty (idempotent: the services are)."""
    couriers = []
    for spec in DEMO_COURIERS:
        user = users[spec.username]
        register_courier(
            user_id=user.pk,
            vehicle=spec.vehicle,
            capacity_grams=spec.capacity_grams,
            district_id=districts[spec.district].pk,
        )
        couriers.append(start_duty(courier_user_id=user.pk))
    return couriers
