# Reference data: the districts addresses and merchants point to, needed in production too.

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

# (code, name, name_en, city, city_en, latitude, longitude). The 18 구역 and the 2 군 of
# Pyongyang, then cities elsewhere as one district each. Coordinates are the districts' centres,
# close enough for the delivery rules' distances. 중구역 is "Central" in English, the name the
# public API's examples use.
PYONGYANG = ("평양", "Pyongyang")
DISTRICTS = [
    ("central", "중구역", "Central", *PYONGYANG, 39.0194, 125.7533),
    ("pyongchon", "평천구역", "Pyongchon", *PYONGYANG, 39.0000, 125.7300),
    ("potonggang", "보통강구역", "Potonggang", *PYONGYANG, 39.0350, 125.7280),
    ("moranbong", "모란봉구역", "Moranbong", *PYONGYANG, 39.0450, 125.7600),
    ("sosong", "서성구역", "Sosong", *PYONGYANG, 39.0580, 125.7350),
    ("sonkyo", "선교구역", "Sonkyo", *PYONGYANG, 39.0000, 125.7720),
    ("tongdaewon", "동대원구역", "Tongdaewon", *PYONGYANG, 39.0230, 125.7880),
    ("taedonggang", "대동강구역", "Taedonggang", *PYONGYANG, 39.0380, 125.7760),
    ("sadong", "사동구역", "Sadong", *PYONGYANG, 39.0150, 125.8350),
    ("taesong", "대성구역", "Taesong", *PYONGYANG, 39.0680, 125.7950),
    ("mangyongdae", "만경대구역", "Mangyongdae", *PYONGYANG, 38.9980, 125.6650),
    ("hyongjesan", "형제산구역", "Hyongjesan", *PYONGYANG, 39.0830, 125.6700),
    ("ryongsong", "룡성구역", "Ryongsong", *PYONGYANG, 39.1150, 125.7850),
    ("samsok", "삼석구역", "Samsok", *PYONGYANG, 39.0850, 125.8750),
    ("ryokpo", "력포구역", "Ryokpo", *PYONGYANG, 38.9550, 125.8500),
    ("rangnang", "락랑구역", "Rangnang", *PYONGYANG, 38.9700, 125.7450),
    ("sunan", "순안구역", "Sunan", *PYONGYANG, 39.2000, 125.6900),
    ("unjong", "은정구역", "Unjong", *PYONGYANG, 39.1400, 125.6500),
    ("kangdong", "강동군", "Kangdong County", *PYONGYANG, 39.1420, 126.0960),
    ("kangnam", "강남군", "Kangnam County", *PYONGYANG, 38.8800, 125.6900),
    ("nampho", "남포", "Nampho", "남포", "Nampho", 38.7375, 125.4078),
    ("kaesong", "개성", "Kaesong", "개성", "Kaesong", 37.9708, 126.5544),
    ("hamhung", "함흥", "Hamhung", "함흥", "Hamhung", 39.9183, 127.5364),
    ("wonsan", "원산", "Wonsan", "원산", "Wonsan", 39.1528, 127.4436),
    ("sinuiju", "신의주", "Sinuiju", "신의주", "Sinuiju", 40.1006, 124.3981),
    ("pyongsong", "평성", "Pyongsong", "평성", "Pyongsong", 39.2464, 125.8719),
]
OTHER_CITIES_SORT_ORDER_START = 100


def add_districts(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    District = apps.get_model("accounts", "District")
    existing_codes = set(District.objects.values_list("code", flat=True))
    rows = []
    for index, (code, name, name_en, city, city_en, latitude, longitude) in enumerate(
        DISTRICTS, start=1
    ):
        if code in existing_codes:
            continue
        in_pyongyang = city == PYONGYANG[0]
        rows.append(
            District(
                code=code,
                name=name,
                name_en=name_en,
                city=city,
                city_en=city_en,
                latitude=latitude,
                longitude=longitude,
                sort_order=index
                if in_pyongyang
                else OTHER_CITIES_SORT_ORDER_START + index,
            )
        )
    District.objects.bulk_create(rows)


def remove_districts(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    District = apps.get_model("accounts", "District")
    District.objects.filter(code__in=[row[0] for row in DISTRICTS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(add_districts, remove_districts),
    ]
