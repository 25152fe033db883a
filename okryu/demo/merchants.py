"""The demo merchants: restaurants, factories, shops and pharmacies, with what they sell.

Districts are given by the codes of the accounts migration that creates them.
"""

import datetime as dt
from dataclasses import dataclass

from okryu.demo.assortment import (
    ALL_FOOD,
    ALL_GOODS,
    ALL_MEDICINE,
    CLOTHES,
    COSMETICS,
    FOOTWEAR,
    FURNITURE,
    HOUSEHOLD,
    KORYO_MEDICINE,
    SNACKS_AND_DRINKS,
    STAPLES,
    keys_in,
)
from okryu.merchants.models import MerchantKind

RESTAURANT = MerchantKind.RESTAURANT
FACTORY = MerchantKind.FACTORY
STORE = MerchantKind.STORE
PHARMACY = MerchantKind.PHARMACY

MONDAY, SUNDAY = 0, 6
EVERY_DAY = range(7)


@dataclass(frozen=True)
class Period:
    """One opening period on one weekday (0 is Monday)."""

    weekday: int
    opens_at: dt.time
    closes_at: dt.time


def weekly(
    *hours: tuple[str, str],
    closed_on: tuple[int, ...] = (),
    sunday: tuple[str, str] = ("", ""),
) -> tuple[Period, ...]:
    """Return the same periods every weekday except ``closed_on``; ``sunday`` overrides Sunday.

    A period whose closing time is at or before its opening time runs past midnight, so
    ``("00:00", "00:00")`` is open round the clock.
    """
    periods: list[Period] = []
    for weekday in EVERY_DAY:
        if weekday in closed_on:
            continue
        todays = (sunday,) if weekday == SUNDAY and sunday[0] else hours
        periods.extend(
            Period(weekday, dt.time.fromisoformat(opens), dt.time.fromisoformat(closes))
            for opens, closes in todays
        )
    return tuple(periods)


RESTAURANT_HOURS = weekly(("11:00", "21:00"))
RESTAURANT_LUNCH_AND_DINNER = weekly(
    ("11:00", "14:30"), ("17:00", "21:30"), closed_on=(MONDAY,)
)
LATE_RESTAURANT_HOURS = weekly(("10:00", "01:00"))
STORE_HOURS = weekly(("09:00", "20:00"), sunday=("10:00", "18:00"))
STORE_CLOSED_MONDAY = weekly(("09:00", "20:00"), closed_on=(MONDAY,))
FACTORY_SHOP_HOURS = weekly(("08:00", "18:00"), closed_on=(SUNDAY,))
PHARMACY_HOURS = weekly(("08:00", "22:00"))
PHARMACY_LATE_HOURS = weekly(("08:00", "23:30"), sunday=("09:00", "18:00"))
ROUND_THE_CLOCK = weekly(("00:00", "00:00"))


@dataclass(frozen=True)
class MerchantSpec:
    """One demo merchant, the items it sells and its prices relative to the base prices."""

    slug: str
    kind: MerchantKind
    name: str
    name_en: str
    district: str
    address: str
    phone: str
    description: str
    description_en: str
    hours: tuple[Period, ...]
    items: tuple[str, ...]
    preparation_minutes: int = 0
    price_percent: int = 100


# fmt: off
RESTAURANTS = (
    MerchantSpec("okryu-gwan", RESTAURANT, "옥류관", "Okryu Restaurant", "central",
                 "평양시 중구역 옥류동", "02-381-2001",
                 "대동강가에 선 평양랭면의 본고장입니다.",
                 "The home of Pyongyang cold noodles, on the bank of the Taedong.",
                 RESTAURANT_HOURS,
                 ("pyongyang-naengmyon", "tray-noodles", "mung-bean-pancake",
                  "pyongyang-onban", "bibim-naengmyon", "warm-noodles", "mullet-soup"),
                 preparation_minutes=20),
    MerchantSpec("chongryu-gwan", RESTAURANT, "청류관", "Chongryu Restaurant", "potonggang",
                 "평양시 보통강구역 보통강동", "02-381-2002",
                 "보통강가의 이름난 식당으로 자라료리와 랭면을 냅니다.",
                 "A renowned riverside restaurant serving turtle dishes and cold noodles.",
                 RESTAURANT_LUNCH_AND_DINNER,
                 ("pyongyang-naengmyon", "turtle-dish", "turtle-soup", "mung-bean-pancake",
                  "sinsollo"),
                 preparation_minutes=30),
    MerchantSpec("pyongyang-myonok", RESTAURANT, "평양면옥", "Pyongyang Myonok", "pyongchon",
                 "평양시 평천구역 해운동", "02-381-2003",
                 "메밀국수를 직접 뽑는 랭면집입니다.",
                 "A noodle house that presses its own noodles.",
                 RESTAURANT_HOURS,
                 ("pyongyang-naengmyon", "bibim-naengmyon", "warm-noodles", "dumplings",
                  "beef-rice-soup"),
                 preparation_minutes=15),
    MerchantSpec("haedanghwa", RESTAURANT, "해당화관", "Haedanghwa Service Complex",
                 "taedonggang", "평양시 대동강구역 옥류2동", "02-381-2004",
                 "조개구이와 불고기를 늦게까지 파는 봉사종합기지입니다.",
                 "A service complex grilling clams and bulgogi until late.",
                 LATE_RESTAURANT_HOURS,
                 ("petrol-clams", "grilled-clams", "grilled-trout", "beef-bulgogi",
                  "pork-bulgogi", "kimchi-pancake", "pyongyang-naengmyon"),
                 preparation_minutes=35),
    MerchantSpec("sadong-bulgogi", RESTAURANT, "사동불고기집", "Sadong Bulgogi House", "sadong",
                 "평양시 사동구역 송신동", "02-381-2005",
                 "숯불에 굽는 불고기집입니다.", "A charcoal grill house.",
                 RESTAURANT_LUNCH_AND_DINNER,
                 ("beef-bulgogi", "pork-bulgogi", "roast-chicken", "soybean-paste-soup",
                  "bibimbap"),
                 preparation_minutes=30),
    MerchantSpec("mangyongdae-noodles", RESTAURANT, "만경대국수집", "Mangyongdae Noodle House",
                 "mangyongdae", "평양시 만경대구역 광복1동", "02-381-2006",
                 "강냉이국수와 감자농마국수를 파는 국수집입니다.",
                 "Corn noodles and potato starch noodles.",
                 RESTAURANT_HOURS,
                 ("cold-corn-noodles", "knife-cut-noodles", "potato-starch-noodles", "kimbap",
                  "tofu-rice"),
                 preparation_minutes=15),
    MerchantSpec("ryomyong-pancakes", RESTAURANT, "려명거리지짐집", "Ryomyong Street Pancakes",
                 "taesong", "평양시 대성구역 려명거리", "02-381-2007",
                 "록두지짐과 두부밥을 파는 작은 식당입니다.",
                 "A small eatery for mung bean pancakes and tofu rice.",
                 RESTAURANT_HOURS,
                 ("mung-bean-pancake", "potato-pancake", "kimchi-pancake", "tofu-rice",
                  "kimbap", "dumplings"),
                 preparation_minutes=15),
    MerchantSpec("sinhung-gwan", RESTAURANT, "신흥관", "Sinhung Restaurant", "hamhung",
                 "함흥시 성천강구역", "053-22-2008",
                 "함흥농마국수의 본고장입니다.", "The home of Hamhung starch noodles.",
                 RESTAURANT_HOURS,
                 ("hamhung-nongma", "raw-fish-noodles", "flatfish-sikhae", "beef-rice-soup"),
                 preparation_minutes=20),
    MerchantSpec("janamsan-restaurant", RESTAURANT, "자남산려관 식당",
                 "Janamsan Hotel Restaurant", "kaesong", "개성시 자남동", "049-33-2009",
                 "개성의 민속음식을 차려내는 려관 식당입니다.",
                 "A hotel restaurant serving Kaesong's traditional dishes.",
                 RESTAURANT_LUNCH_AND_DINNER,
                 ("kaesong-pyonsu", "kaesong-yakbap", "sinsollo", "loach-soup", "bibimbap"),
                 preparation_minutes=25),
)

FACTORIES = (
    MerchantSpec("pyongyang-soy-sauce", FACTORY, "평양간장공장", "Pyongyang Soy Sauce Factory",
                 "sonkyo", "평양시 선교구역 장충동", "02-381-3001",
                 "간장과 된장, 고추장을 만드는 장공장입니다.",
                 "Brews soy sauce and makes soybean and red pepper paste.",
                 FACTORY_SHOP_HOURS,
                 ("soy-sauce", "cooking-soy-sauce", "doenjang", "gochujang", "seasoning",
                  "vinegar", "chili-powder"),
                 price_percent=90),
    MerchantSpec("kumkop", FACTORY, "금컵체육인종합식료공장",
                 "Kumkop Sportspersons' Foodstuff Factory", "mangyongdae",
                 "평양시 만경대구역 팔골동", "02-381-3002",
                 "과자와 단물, 즉석국수를 만드는 종합식료공장입니다.",
                 "Makes biscuits, soft drinks and instant noodles.",
                 FACTORY_SHOP_HOURS,
                 ("biscuits", "candy", "chocolate", "choco-sponge", "kangjong", "apple-soda",
                  "pear-soda", "strawberry-soda", "peach-soda", "instant-noodles",
                  "instant-noodles-box", "soy-milk"),
                 price_percent=90),
    MerchantSpec("sonhung-foodstuff", FACTORY, "선흥식료공장", "Sonhung Foodstuff Factory",
                 "tongdaewon", "평양시 동대원구역 신리동", "02-381-3003",
                 "빵과 사탕, 크바스를 만드는 식료공장입니다.",
                 "Bakes bread and makes sweets and kvass.",
                 FACTORY_SHOP_HOURS,
                 ("milk-candy", "twisted-sweets", "cream-bun", "chewing-gum", "biscuits",
                  "kvass"),
                 price_percent=90),
    MerchantSpec("taedonggang-brewery", FACTORY, "대동강맥주공장", "Taedonggang Brewery",
                 "sadong", "평양시 사동구역 리현동", "02-381-3004",
                 "대동강맥주를 빚는 맥주공장입니다.", "Brews Taedonggang beer.",
                 FACTORY_SHOP_HOURS, ("taedonggang-beer", "taedonggang-beer-box"),
                 price_percent=90),
    MerchantSpec("ryongsong-brewery", FACTORY, "룡성맥주공장", "Ryongsong Brewery",
                 "ryongsong", "평양시 룡성구역 룡성동", "02-381-3005",
                 "룡성맥주와 과일단물을 만드는 공장입니다.",
                 "Brews Ryongsong beer and bottles fruit sodas.",
                 FACTORY_SHOP_HOURS, ("ryongsong-beer", "apple-soda", "pear-soda"),
                 price_percent=90),
    MerchantSpec("kangso-mineral-water", FACTORY, "강서약수공장", "Kangso Mineral Water Factory",
                 "nampho", "남포시 강서구역 약수리", "039-55-3006",
                 "강서 천연약수를 병에 담는 공장입니다.", "Bottles Kangso natural mineral water.",
                 FACTORY_SHOP_HOURS, ("kangso-water",), price_percent=90),
    MerchantSpec("pyongyang-noodles", FACTORY, "평양국수공장", "Pyongyang Noodle Factory",
                 "pyongchon", "평양시 평천구역 봉남동", "02-381-3007",
                 "마른국수와 즉석 평양랭면을 만드는 공장입니다.",
                 "Makes dried noodles and instant Pyongyang cold noodles.",
                 FACTORY_SHOP_HOURS,
                 (*keys_in("noodles"), "potato-starch"),
                 price_percent=90),
    MerchantSpec("taedonggang-bean-products", FACTORY, "대동강콩제품공장",
                 "Taedonggang Bean Products Factory", "taedonggang",
                 "평양시 대동강구역 문수동", "02-381-3008",
                 "두부와 콩우유, 콩기름을 만드는 공장입니다.",
                 "Makes tofu, soy milk and soybean oil.",
                 FACTORY_SHOP_HOURS, (*keys_in("bean-products"), "soybean-oil"),
                 price_percent=90),
    MerchantSpec("ryuwon-shoes", FACTORY, "류원신발공장", "Ryuwon Shoe Factory", "sosong",
                 "평양시 서성구역 서장동", "02-381-3009",
                 "운동신발과 구두, 로동화를 만드는 신발공장입니다.",
                 "Makes trainers, leather shoes and work shoes.",
                 FACTORY_SHOP_HOURS, keys_in("shoes"), price_percent=90),
    MerchantSpec("pyongyang-socks", FACTORY, "평양양말공장", "Pyongyang Sock Factory",
                 "hyongjesan", "평양시 형제산구역 서포동", "02-381-3010",
                 "남자양말, 녀자양말과 로동장갑을 짜는 공장입니다.",
                 "Knits men's and women's socks and work gloves.",
                 FACTORY_SHOP_HOURS, (*keys_in("socks"), "work-gloves"), price_percent=90),
    MerchantSpec("pyongyang-garments", FACTORY, "평양피복공장", "Pyongyang Garment Factory",
                 "potonggang", "평양시 보통강구역 신원동", "02-381-3011",
                 "와이샤쯔부터 솜동복까지 옷을 짓는 공장입니다.",
                 "Sews everything from dress shirts to padded coats.",
                 FACTORY_SHOP_HOURS, CLOTHES, price_percent=90),
    MerchantSpec("sinuiju-cosmetics", FACTORY, "신의주화장품공장", "Sinuiju Cosmetics Factory",
                 "sinuiju", "신의주시 본부동", "061-44-3012",
                 "봄향기 화장품을 만드는 공장입니다.", "Maker of Pomhyanggi cosmetics.",
                 FACTORY_SHOP_HOURS,
                 tuple(key for key in COSMETICS if key.startswith("pomhyanggi-")),
                 price_percent=90),
    MerchantSpec("pyongyang-cosmetics", FACTORY, "평양화장품공장", "Pyongyang Cosmetics Factory",
                 "moranbong", "평양시 모란봉구역 전승동", "02-381-3013",
                 "은하수 화장품을 만드는 공장입니다.", "Maker of Unhasu cosmetics.",
                 FACTORY_SHOP_HOURS,
                 tuple(key for key in COSMETICS if key.startswith("unhasu-")),
                 price_percent=90),
    MerchantSpec("kaesong-insam", FACTORY, "개성고려인삼가공공장",
                 "Kaesong Koryo Insam Processing Factory", "kaesong", "개성시 남산동",
                 "049-33-3014", "개성고려인삼으로 홍삼과 인삼제품을 만드는 공장입니다.",
                 "Processes Kaesong Koryo ginseng into red ginseng and tonics.",
                 FACTORY_SHOP_HOURS,
                 ("kaesong-insam", "red-ginseng", "insam-tea", "insam-tablets",
                  "ginseng-honey", "insam-liquor"),
                 price_percent=90),
    MerchantSpec("ryugyong-kimchi", FACTORY, "류경김치공장", "Ryugyong Kimchi Factory",
                 "rangnang", "평양시 락랑구역 정백동", "02-381-3015",
                 "배추김치와 개성보쌈김치를 담그는 공장입니다.",
                 "Makes cabbage kimchi and Kaesong wrapped kimchi.",
                 FACTORY_SHOP_HOURS, keys_in("kimchi"), price_percent=90),
    MerchantSpec("pyongyang-furniture", FACTORY, "평양가구공장", "Pyongyang Furniture Factory",
                 "ryokpo", "평양시 력포구역 대현동", "02-381-3016",
                 "책상과 옷장, 침대를 만드는 가구공장입니다.",
                 "Makes desks, wardrobes and beds.",
                 FACTORY_SHOP_HOURS, FURNITURE, price_percent=90),
)

STORES = (
    MerchantSpec("pyongyang-department-store-1", STORE, "평양제1백화점",
                 "Pyongyang Department Store No. 1", "central", "평양시 중구역 대동문동",
                 "02-381-4001", "나라에서 가장 큰 백화점입니다.",
                 "The country's largest department store.",
                 STORE_HOURS, ALL_GOODS + SNACKS_AND_DRINKS),
    MerchantSpec("kwangbok-shopping-centre", STORE, "광복지구상업중심",
                 "Kwangbok Area Shopping Centre", "mangyongdae", "평양시 만경대구역 광복거리",
                 "02-381-4002", "식료품부터 옷까지 다 있는 큰 상업중심입니다.",
                 "A large shopping centre with everything from groceries to clothes.",
                 STORE_HOURS, ALL_FOOD + FOOTWEAR + CLOTHES + HOUSEHOLD + COSMETICS,
                 price_percent=98),
    MerchantSpec("pyongyang-department-store-2", STORE, "평양제2백화점",
                 "Pyongyang Department Store No. 2", "central", "평양시 중구역 련화동",
                 "02-381-4003", "옷과 신발, 화장품을 파는 백화점입니다.",
                 "A department store for clothes, shoes and cosmetics.",
                 STORE_CLOSED_MONDAY, FOOTWEAR + CLOTHES + COSMETICS + keys_in("bags"),
                 price_percent=102),
    MerchantSpec("taesong-department-store", STORE, "대성백화점", "Taesong Department Store",
                 "taesong", "평양시 대성구역 대성동", "02-381-4004",
                 "생활용품과 식료품을 파는 백화점입니다.",
                 "Household goods and groceries.",
                 STORE_HOURS, HOUSEHOLD + FURNITURE + keys_in("rice-grains", "sauces-seasonings")),
    MerchantSpec("rakwon-department-store", STORE, "락원백화점", "Rakwon Department Store",
                 "potonggang", "평양시 보통강구역 류경동", "02-381-4005",
                 "화장품과 옷, 과자와 술을 파는 백화점입니다.",
                 "Cosmetics, clothes, sweets and drinks.",
                 STORE_HOURS, COSMETICS + CLOTHES + SNACKS_AND_DRINKS, price_percent=105),
    MerchantSpec("ryomyong-grocery", STORE, "려명거리식료품상점", "Ryomyong Street Grocery",
                 "taesong", "평양시 대성구역 려명거리", "02-381-4006",
                 "려명거리 주민들의 식료품상점입니다.", "The grocery of Ryomyong Street.",
                 STORE_HOURS, ALL_FOOD, price_percent=101),
    MerchantSpec("moranbong-grocery", STORE, "모란봉식료품상점", "Moranbong Grocery",
                 "moranbong", "평양시 모란봉구역 개선동", "02-381-4007",
                 "쌀과 장, 두부를 파는 동네 식료품상점입니다.",
                 "A neighbourhood grocery for rice, sauces and tofu.",
                 STORE_CLOSED_MONDAY, STAPLES, price_percent=97),
    MerchantSpec("thongil-grocery", STORE, "통일거리식료품상점", "Thongil Street Grocery",
                 "rangnang", "평양시 락랑구역 통일거리", "02-381-4008",
                 "통일거리의 큰 식료품상점입니다.", "A large grocery on Thongil Street.",
                 STORE_HOURS, ALL_FOOD, price_percent=95),
    MerchantSpec("sunan-general-store", STORE, "순안종합상점", "Sunan General Store", "sunan",
                 "평양시 순안구역 순안동", "02-381-4009",
                 "식료품과 생활용품을 파는 종합상점입니다.", "Groceries and household goods.",
                 STORE_HOURS,
                 keys_in("rice-grains", "sauces-seasonings", "soap-detergents", "socks"),
                 price_percent=96),
    MerchantSpec("nampho-department-store", STORE, "남포백화점", "Nampho Department Store",
                 "nampho", "남포시 항구구역", "039-55-4010",
                 "남포의 백화점입니다.", "Nampho's department store.",
                 STORE_HOURS,
                 keys_in("rice-grains", "sauces-seasonings") + FOOTWEAR + HOUSEHOLD,
                 price_percent=95),
    MerchantSpec("wonsan-department-store", STORE, "원산백화점", "Wonsan Department Store",
                 "wonsan", "원산시 해안동", "057-66-4011",
                 "원산의 백화점입니다.", "Wonsan's department store.",
                 STORE_CLOSED_MONDAY,
                 keys_in("rice-grains", "sauces-seasonings", "drinks", "socks") + CLOTHES,
                 price_percent=94),
    MerchantSpec("pyongsong-department-store", STORE, "평성백화점",
                 "Pyongsong Department Store", "pyongsong", "평성시 중앙동", "031-77-4012",
                 "평성의 백화점입니다.", "Pyongsong's department store.",
                 STORE_HOURS,
                 keys_in("rice-grains", "noodles", "sauces-seasonings", "shoes") + HOUSEHOLD,
                 price_percent=93),
)

PHARMACIES = (
    MerchantSpec("pyongyang-pharmacy-1", PHARMACY, "평양제1약국", "Pyongyang Pharmacy No. 1",
                 "central", "평양시 중구역 경림동", "02-381-5001",
                 "밤낮없이 문을 여는 중앙의 약국입니다.",
                 "The central pharmacy, open day and night.",
                 ROUND_THE_CLOCK, ALL_MEDICINE),
    MerchantSpec("potonggang-pharmacy", PHARMACY, "보통강약국", "Potonggang Pharmacy",
                 "potonggang", "평양시 보통강구역 붉은거리", "02-381-5002",
                 "고려약과 신약을 함께 파는 약국입니다.", "Koryo and western medicines.",
                 PHARMACY_HOURS, ALL_MEDICINE, price_percent=102),
    MerchantSpec("tongdaewon-pharmacy", PHARMACY, "동대원약국", "Tongdaewon Pharmacy",
                 "tongdaewon", "평양시 동대원구역 동대원동", "02-381-5003",
                 "밤늦게까지 여는 약국입니다.", "Open until late.",
                 PHARMACY_LATE_HOURS, ALL_MEDICINE),
    MerchantSpec("mangyongdae-pharmacy", PHARMACY, "만경대약국", "Mangyongdae Pharmacy",
                 "mangyongdae", "평양시 만경대구역 광복2동", "02-381-5004",
                 "24시간 여는 약국입니다.", "Open 24 hours.",
                 ROUND_THE_CLOCK, ALL_MEDICINE, price_percent=98),
    MerchantSpec("sonkyo-koryo-medicine", PHARMACY, "선교고려약상점",
                 "Sonkyo Koryo Medicine Shop", "sonkyo", "평양시 선교구역 선교동",
                 "02-381-5005", "고려약만 전문으로 파는 상점입니다.",
                 "A shop for Koryo (traditional) medicine only.",
                 weekly(("09:00", "19:00"), closed_on=(SUNDAY,)), KORYO_MEDICINE,
                 price_percent=97),
    MerchantSpec("hyongjesan-pharmacy", PHARMACY, "형제산약국", "Hyongjesan Pharmacy",
                 "hyongjesan", "평양시 형제산구역 형산동", "02-381-5006",
                 "동네 약국입니다.", "A neighbourhood pharmacy.",
                 PHARMACY_HOURS, ALL_MEDICINE),
    MerchantSpec("unjong-pharmacy", PHARMACY, "은정약국", "Unjong Pharmacy", "unjong",
                 "평양시 은정구역 과학1동", "02-381-5007",
                 "과학자거리의 약국입니다.", "The pharmacy of the scientists' quarter.",
                 PHARMACY_HOURS, ALL_MEDICINE, price_percent=101),
    MerchantSpec("pyongsong-pharmacy", PHARMACY, "평성약국", "Pyongsong Pharmacy",
                 "pyongsong", "평성시 역전동", "031-77-5008",
                 "평성역 앞의 약국입니다.", "Opposite Pyongsong station.",
                 PHARMACY_LATE_HOURS, ALL_MEDICINE, price_percent=95),
)
# fmt: on

MERCHANTS = RESTAURANTS + FACTORIES + STORES + PHARMACIES

# Goods a merchant has run out of: loaded with no stock, so the pages show "품절".
SOLD_OUT = frozenset(
    {
        ("pyongyang-department-store-1", "padded-coat"),
        ("kwangbok-shopping-centre", "taedonggang-beer-box"),
        ("potonggang-pharmacy", "angung-uhwang"),
        ("mangyongdae-pharmacy", "amoxicillin"),
        ("chongryu-gwan", "turtle-soup"),
        ("ryomyong-grocery", "kaesong-wrapped-kimchi"),
        ("pyongyang-department-store-2", "pomhyanggi-ginseng-cream"),
    }
)
