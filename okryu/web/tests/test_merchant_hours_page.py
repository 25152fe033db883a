"""The merchant's hours page: the week shown, replaced, refused as typed, for its staff only."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from okryu.accounts.tests.factories import ShopperFactory
from okryu.merchants.models import OpeningHours
from okryu.merchants.tests.factories import MerchantFactory
from okryu.web.tests.test_merchant_pages import staff_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def house():
    merchant = MerchantFactory.create(name="옥류관")
    OpeningHours.objects.create(
        merchant=merchant, weekday=0, opens_at=dt.time(11), closes_at=dt.time(21)
    )
    return merchant


def week_of(merchant) -> list[tuple[int, str, str]]:
    return [
        (row.weekday, row.opens_at.strftime("%H:%M"), row.closes_at.strftime("%H:%M"))
        for row in OpeningHours.objects.filter(merchant=merchant).order_by(
            "weekday", "opens_at"
        )
    ]


def test_the_page_shows_the_week_in_its_boxes(client: Client, house):
    client.force_login(staff_of(house))

    page = client.get(reverse("merchant-hours")).content.decode()

    assert 'name="d0_0_opens" value="11:00"' in page
    assert 'name="d0_0_closes" value="21:00"' in page
    assert 'name="d1_0_opens"' in page
    assert 'name="d6_1_closes"' in page


def test_staff_replace_the_week_lunch_dinner_and_a_late_night(client: Client, house):
    client.force_login(staff_of(house))

    response = client.post(
        reverse("merchant-hours"),
        {
            "d1_0_opens": "11:00",
            "d1_0_closes": "14:30",
            "d1_1_opens": "17:00",
            "d1_1_closes": "21:30",
            "d5_0_opens": "22:00",
            "d5_0_closes": "02:00",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("merchant-hours-of", args=[house.pk])
    assert week_of(house) == [
        (1, "11:00", "14:30"),
        (1, "17:00", "21:30"),
        (5, "22:00", "02:00"),
    ]


def test_an_overlapping_week_is_shown_again_as_typed_and_changes_nothing(
    client: Client, house
):
    client.force_login(staff_of(house))

    response = client.post(
        reverse("merchant-hours"),
        {
            "d2_0_opens": "10:00",
            "d2_0_closes": "15:00",
            "d2_1_opens": "14:00",
            "d2_1_closes": "20:00",
        },
    )

    page = response.content.decode()
    assert response.status_code == 422
    assert "영업 시간이 서로 겹칩니다." in page
    assert 'name="d2_1_opens" value="14:00"' in page
    assert week_of(house) == [(0, "11:00", "21:00")]


def test_a_period_with_one_time_is_refused(client: Client, house):
    client.force_login(staff_of(house))

    response = client.post(reverse("merchant-hours"), {"d3_0_opens": "09:00"})

    assert response.status_code == 422
    assert "목요일: 여는 시각과 닫는 시각을 함께 쓰십시오." in response.content.decode()
    assert week_of(house) == [(0, "11:00", "21:00")]


def test_another_merchants_hours_are_not_found(client: Client, house):
    other = MerchantFactory.create()
    client.force_login(staff_of(other))

    shown = client.get(reverse("merchant-hours-of", args=[house.pk]))
    changed = client.post(reverse("merchant-hours-of", args=[house.pk]), {})

    assert (shown.status_code, changed.status_code) == (404, 404)
    assert week_of(house) == [(0, "11:00", "21:00")]


def test_people_who_are_not_merchant_staff_are_forbidden(client: Client, house):
    client.force_login(ShopperFactory.create())

    assert client.get(reverse("merchant-hours")).status_code == 403
