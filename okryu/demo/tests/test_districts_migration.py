import importlib

import pytest
from django.apps import apps

from okryu.accounts.models import District

districts_migration = importlib.import_module(
    "okryu.accounts.migrations.0002_add_districts"
)

PYONGYANG_DISTRICTS = [
    "중구역", "평천구역", "보통강구역", "모란봉구역", "서성구역", "선교구역", "동대원구역",
    "대동강구역", "사동구역", "대성구역", "만경대구역", "형제산구역", "룡성구역", "삼석구역",
    "력포구역", "락랑구역", "순안구역", "은정구역",
]  # fmt: skip


@pytest.mark.django_db
def test_the_migration_adds_all_eighteen_districts_of_pyongyang():
    names = set(District.objects.filter(city="평양").values_list("name", flat=True))

    assert names >= set(PYONGYANG_DISTRICTS)
    assert names - set(PYONGYANG_DISTRICTS) == {"강동군", "강남군"}


@pytest.mark.django_db
def test_the_central_district_is_found_by_its_english_name_central():
    district = District.objects.get(name_en="Central")

    assert (district.code, district.name, district.city_en) == (
        "central",
        "중구역",
        "Pyongyang",
    )


@pytest.mark.django_db
def test_other_cities_are_single_districts_with_english_names():
    others = dict(
        District.objects.exclude(city="평양")
        .values_list("name", "name_en")
        .order_by("code")
    )

    assert others == {
        "남포": "Nampho",
        "개성": "Kaesong",
        "함흥": "Hamhung",
        "원산": "Wonsan",
        "신의주": "Sinuiju",
        "평성": "Pyongsong",
    }


@pytest.mark.django_db
def test_pyongyang_districts_lie_around_the_city_centre_and_come_first():
    pyongyang = list(District.objects.filter(city="평양"))
    first_other = District.objects.exclude(city="평양").order_by("sort_order").first()

    assert all(38.85 < district.latitude < 39.25 for district in pyongyang)
    assert all(125.6 < district.longitude < 126.15 for district in pyongyang)
    assert first_other is not None
    assert max(district.sort_order for district in pyongyang) < first_other.sort_order
    assert len({(d.latitude, d.longitude) for d in pyongyang}) == len(pyongyang)


@pytest.mark.django_db
def test_the_migration_reverses_and_applies_again_without_duplicates():
    rows_before = sorted(District.objects.values_list("code", "name", "latitude"))

    districts_migration.remove_districts(apps, None)
    emptied = District.objects.count()
    districts_migration.add_districts(apps, None)
    districts_migration.add_districts(apps, None)

    assert emptied == 0
    assert (
        sorted(District.objects.values_list("code", "name", "latitude")) == rows_before
    )
    assert len(rows_before) == len(districts_migration.DISTRICTS) == 26
