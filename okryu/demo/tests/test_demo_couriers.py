"""The demo couriers: loaded with the rest of the demo data, once."""

from io import StringIO

import pytest
from django.core.management import call_command

from okryu.delivery.models import Courier


def load() -> None:
    call_command("load_demo_data", stdout=StringIO())


@pytest.mark.django_db
def test_the_five_demo_couriers_are_on_duty_with_motorbikes_and_vans_across_pyongyang():
    load()

    couriers = Courier.objects.select_related("user", "district").order_by(
        "user__username"
    )

    assert [
        (c.user.username, c.vehicle, c.is_on_duty, c.load_grams) for c in couriers
    ] == [
        ("courier1", "motorbike", True, 0),
        ("courier2", "motorbike", True, 0),
        ("courier3", "motorbike", True, 0),
        ("courier4", "van", True, 0),
        ("courier5", "van", True, 0),
    ]
    assert len({c.district_id for c in couriers}) == 5
    assert {c.district.city for c in couriers} == {"평양"}


@pytest.mark.django_db
def test_a_second_load_adds_no_courier():
    load()
    before = list(Courier.objects.values_list("pk", "user_id", "district_id"))

    load()

    assert list(Courier.objects.values_list("pk", "user_id", "district_id")) == before
