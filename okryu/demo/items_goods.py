"""Everyday goods: shoes, socks, clothes, household goods, furniture and cosmetics."""

from dataclasses import replace

from okryu.demo.items import (
    BAG,
    BOTTLE,
    BULKY,
    BUNDLE,
    LARGE,
    MACHINE,
    MEDIUM,
    PAIR,
    PIECE,
    SUIT,
    TUB,
    Item,
    labelled,
    letter_sizes,
    one,
    sized,
    sizes,
)

# fmt: off
SHOE_ITEMS = (
    Item("sports-shoes", "shoes", "운동신발", "Sports shoes", PAIR,
         "가볍고 질긴 천운동신발입니다.", "Light, hard-wearing canvas trainers.",
         sizes("230mm 240mm 250mm 260mm 270mm 280mm", 40_000, 800)),
    Item("work-shoes", "shoes", "로동화", "Work shoes", PAIR,
         "공장과 건설장에서 신는 튼튼한 로동화입니다.",
         "Sturdy work shoes for factories and building sites.",
         sizes("240mm 250mm 260mm 270mm 280mm", 25_000, 900)),
    Item("womens-shoes", "shoes", "녀자구두", "Women's shoes", PAIR,
         "굽이 낮은 가죽 녀자구두입니다.", "Low-heeled leather shoes for women.",
         sizes("225mm 230mm 235mm 240mm 245mm 250mm", 65_000, 700)),
    Item("mens-shoes", "shoes", "남자구두", "Men's leather shoes", PAIR,
         "소가죽으로 만든 남자구두입니다.", "Men's shoes of cowhide.",
         sizes("250mm 260mm 270mm 280mm", 85_000, 1_000)),
    Item("childrens-shoes", "shoes", "아동신발", "Children's shoes", PAIR,
         "찍찍이로 신고 벗기 쉬운 아동신발입니다.", "Children's shoes with easy straps.",
         sizes("160mm 170mm 180mm 190mm 200mm 210mm", 20_000, 400)),
    Item("padded-boots", "shoes", "솜신", "Padded winter boots", PAIR,
         "안에 솜을 둔 따뜻한 겨울 솜신입니다.", "Warm boots lined with cotton padding.",
         sizes("240mm 250mm 260mm 270mm 280mm", 55_000, 1_300, MEDIUM)),
    Item("slippers", "shoes", "끌신", "Slippers", PAIR,
         "집에서 신는 가벼운 끌신입니다.", "Light slippers for the home.",
         letter_sizes("소 중 대", 6_000, 300)),
)

SOCK_ITEMS = (
    Item("mens-socks", "socks", "남자양말", "Men's socks", PAIR,
         "무명실로 짠 남자양말입니다.", "Men's cotton socks.",
         one(1_500, 50)),
    Item("mens-socks-bundle", "socks", "남자양말 5켤레", "Men's socks, 5 pairs", BUNDLE,
         "남자양말 다섯 켤레 묶음입니다.", "Five pairs of men's cotton socks.",
         one(7_000, 250)),
    Item("womens-socks", "socks", "녀자양말", "Women's socks", PAIR,
         "얇고 부드러운 녀자양말입니다.", "Thin, soft socks for women.",
         one(1_300, 40)),
    Item("womens-stockings", "socks", "녀자긴양말", "Women's stockings", PAIR,
         "치마에 받쳐 신는 녀자긴양말입니다.", "Women's long stockings to wear with a skirt.",
         one(2_500, 40)),
    Item("childrens-socks", "socks", "아동양말", "Children's socks", PAIR,
         "무늬를 넣은 아동양말입니다.", "Patterned socks for children.",
         one(1_000, 30)),
    Item("wool-socks", "socks", "털양말", "Wool socks", PAIR,
         "겨울에 신는 두툼한 털양말입니다.", "Thick wool socks for winter.",
         one(3_500, 90)),
)

CLOTHES_ITEMS = (
    Item("dress-shirt", "clothes", "남자 와이샤쯔", "Men's dress shirt", SUIT,
         "구김이 덜 가는 흰 와이샤쯔입니다.", "A white, crease-resistant dress shirt.",
         sizes("90 95 100 105", 35_000, 300)),
    Item("blouse", "clothes", "녀자 블라우스", "Women's blouse", SUIT,
         "사무실에서 입는 녀자 블라우스입니다.", "A blouse for office wear.",
         sizes("85 90 95 100", 38_000, 250)),
    Item("skirt", "clothes", "녀자 치마", "Women's skirt", SUIT,
         "무릎을 덮는 녀자 치마입니다.", "A knee-length skirt.",
         letter_sizes("소 중 대", 42_000, 300)),
    Item("padded-coat", "clothes", "솜동복", "Padded winter coat", SUIT,
         "솜을 두어 누빈 겨울 솜동복입니다.", "A quilted, cotton-padded winter coat.",
         sizes("95 100 105 110", 120_000, 1_500, MEDIUM)),
    Item("work-clothes", "clothes", "로동복", "Work clothes", SUIT,
         "질긴 천으로 만든 로동복 한 벌입니다.", "A suit of work clothes in tough cloth.",
         sizes("95 100 105", 45_000, 900)),
    Item("work-gloves", "clothes", "로동장갑", "Work gloves", PAIR,
         "실로 짠 로동장갑입니다.", "Knitted cotton work gloves.",
         one(2_000, 80)),
    Item("tracksuit", "clothes", "체육복", "Tracksuit", SUIT,
         "운동과 산책에 입는 체육복입니다.", "A tracksuit for sport and walks.",
         sizes("90 95 100 105", 52_000, 700)),
    Item("pyjamas", "clothes", "잠옷", "Pyjamas", SUIT,
         "무명천 잠옷입니다.", "Cotton pyjamas.",
         letter_sizes("소 중 대", 28_000, 450)),
    Item("childrens-clothes", "clothes", "아동옷", "Children's clothes", SUIT,
         "웃옷과 바지 한 벌 아동옷입니다.", "A top and trousers for children.",
         sizes("110 120 130", 30_000, 400)),
    Item("underwear", "clothes", "속옷", "Cotton underwear", SUIT,
         "무명 속옷 한 벌입니다.", "A set of cotton underwear.",
         letter_sizes("중 대", 9_000, 150)),
    Item("choson-ot", "clothes", "조선옷", "Choson-ot (traditional dress)", SUIT,
         "명절과 잔치에 입는 비단 조선옷입니다.",
         "A silk traditional dress for holidays and weddings.",
         letter_sizes("중 대", 250_000, 900, MEDIUM)),
)

HOUSEHOLD_ITEMS = (
    Item("toilet-soap", "soap-detergents", "세수비누", "Toilet soap", PIECE,
         "향기로운 세수비누입니다.", "A scented bar of toilet soap.",
         sized(("100g", 1_800, 110))),
    Item("laundry-soap", "soap-detergents", "빨래비누", "Laundry soap", PIECE,
         "때가 잘 빠지는 빨래비누입니다.", "A bar of laundry soap.",
         sized(("250g", 1_500, 260))),
    Item("washing-powder", "soap-detergents", "가루비누", "Washing powder", BAG,
         "세탁기와 손빨래에 쓰는 가루비누입니다.", "For machine and hand washing.",
         sized(("1kg", 6_000, 1_000), ("3kg", 17_000, 3_000, MEDIUM))),
    Item("toothpaste", "soap-detergents", "치약", "Toothpaste", PIECE,
         "박하향 치약입니다.", "Mint toothpaste.",
         sized(("150g", 3_500, 180))),
    Item("toothbrush", "soap-detergents", "칫솔", "Toothbrush", PIECE,
         "솔이 부드러운 칫솔입니다.", "A soft toothbrush.",
         one(1_200, 20)),
    Item("dish-detergent", "soap-detergents", "그릇세척제", "Dish detergent", BOTTLE,
         "기름기를 잘 씻어내는 그릇세척제입니다.", "Cuts through grease on dishes.",
         sized(("500ml", 3_000, 560))),
    Item("cooking-pot", "kitchenware", "남비", "Cooking pot", PIECE,
         "스텐으로 만든 남비입니다.", "A stainless steel cooking pot.",
         sized(("20cm", 22_000, 900), ("24cm", 28_000, 1_200), ("28cm", 35_000, 1_600, MEDIUM))),
    Item("rice-cooker", "kitchenware", "전기밥가마", "Electric rice cooker", MACHINE,
         "밥과 죽을 짓는 전기밥가마입니다.", "Cooks rice and porridge.",
         sized(("1.8L", 180_000, 3_500, MEDIUM))),
    Item("vacuum-flask", "kitchenware", "보온병", "Vacuum flask", PIECE,
         "더운물을 오래 보관하는 보온병입니다.", "Keeps water hot for hours.",
         sized(("1L", 22_000, 700))),
    Item("spoon-chopsticks", "kitchenware", "수저", "Spoon and chopsticks", SUIT,
         "스텐 숟가락과 젓가락 한 벌입니다.", "A stainless steel spoon and chopsticks.",
         one(8_000, 150)),
    Item("kitchen-knife", "kitchenware", "식칼", "Kitchen knife", PIECE,
         "잘 드는 식칼입니다.", "A sharp kitchen knife.",
         one(12_000, 250)),
    Item("porcelain-bowls", "kitchenware", "사기그릇 5개", "Porcelain bowls, 5 pieces",
         BUNDLE, "밥그릇과 국그릇으로 쓰는 사기그릇 묶음입니다.",
         "Porcelain bowls for rice and soup.",
         one(15_000, 1_500)),
    Item("cutting-board", "kitchenware", "도마", "Cutting board", PIECE,
         "피나무로 만든 도마입니다.", "A lime-wood cutting board.",
         one(9_000, 1_200)),
    Item("school-bag", "bags", "책가방", "School bag", PIECE,
         "학생들이 메는 책가방입니다.", "A school backpack.",
         one(35_000, 700)),
    Item("handbag", "bags", "녀자 손가방", "Women's handbag", PIECE,
         "가죽으로 만든 녀자 손가방입니다.", "A leather handbag.",
         one(60_000, 600)),
    Item("travel-bag", "bags", "려행가방", "Travel bag", PIECE,
         "바퀴가 달린 려행가방입니다.", "A wheeled travel bag.",
         labelled(("중", "medium", 95_000, 2_500, MEDIUM), ("대", "large", 125_000, 3_200, LARGE))),
    Item("rucksack", "bags", "배낭", "Rucksack", PIECE,
         "등산과 려행에 메는 배낭입니다.", "A rucksack for hiking and travel.",
         one(45_000, 900)),
    Item("folding-table", "furniture-bedding", "접이식 밥상", "Folding dining table", PIECE,
         "다리를 접을 수 있는 밥상입니다.", "A low dining table with folding legs.",
         one(45_000, 6_000, LARGE)),
    Item("chair", "furniture-bedding", "나무의자", "Wooden chair", PIECE,
         "참나무로 만든 의자입니다.", "An oak chair.",
         one(38_000, 5_000, LARGE)),
    Item("desk", "furniture-bedding", "책상", "Desk", PIECE,
         "서랍이 달린 책상입니다.", "A desk with drawers.",
         one(180_000, 25_000, BULKY)),
    Item("wardrobe", "furniture-bedding", "옷장", "Wardrobe", PIECE,
         "문이 두 짝인 옷장입니다.", "A two-door wardrobe.",
         one(650_000, 60_000, BULKY)),
    Item("single-bed", "furniture-bedding", "1인용 침대", "Single bed", PIECE,
         "나무틀 1인용 침대입니다.", "A single bed with a wooden frame.",
         one(420_000, 45_000, BULKY)),
    Item("quilt", "furniture-bedding", "솜이불", "Cotton quilt", PIECE,
         "목화솜을 둔 솜이불입니다.", "A quilt filled with cotton wool.",
         one(85_000, 3_000, LARGE)),
)
# fmt: on

# The two national cosmetics brands, each with the same line of goods at its own prices.
COSMETICS_BRANDS = (
    ("pomhyanggi", "봄향기", "Pomhyanggi", 100),
    ("unhasu", "은하수", "Unhasu", 90),
)

# fmt: off
COSMETICS_LINE = (
    # Each row: key, leaf category, name and English name after the brand, unit,
    # descriptions in both languages, variants and the purchase limit per day.
    ("toner", "skincare", "살결물", "toner", BOTTLE,
     "피부를 촉촉하게 하는 살결물입니다.", "A toner that keeps the skin moist.",
     sized(("120ml", 18_000, 250)), None),
    ("lotion", "skincare", "물크림", "lotion", BOTTLE,
     "가볍게 발리는 물크림입니다.", "A light lotion.",
     sized(("120ml", 20_000, 250)), None),
    ("nourishing-cream", "skincare", "영양크림", "nourishing cream", TUB,
     "밤에 바르는 영양크림입니다.", "A rich night cream.",
     sized(("50g", 25_000, 150)), None),
    ("ginseng-cream", "skincare", "인삼크림", "ginseng cream", TUB,
     "개성고려인삼 추출물을 넣은 크림입니다.", "A cream with Kaesong Koryo ginseng extract.",
     sized(("50g", 45_000, 150)), 2),
    ("foundation", "makeup", "분크림", "foundation", BOTTLE,
     "피부색을 고르게 하는 분크림입니다.", "A foundation that evens the skin tone.",
     sized(("30ml", 22_000, 100)), None),
    ("lipstick", "makeup", "입술연지", "lipstick", PIECE,
     "오래 가는 입술연지입니다.", "A long-lasting lipstick.",
     labelled(("빨간색", "red", 15_000, 30), ("분홍색", "pink", 15_000, 30),
              ("밤색", "brown", 15_000, 30)), None),
    ("eyebrow-pencil", "makeup", "눈썹연필", "eyebrow pencil", PIECE,
     "또렷한 눈썹을 그리는 연필입니다.", "Draws clear eyebrows.",
     one(6_000, 10), None),
    ("shampoo", "hair-care", "머리물비누", "shampoo", BOTTLE,
     "머리카락을 부드럽게 하는 머리물비누입니다.", "A shampoo that leaves hair soft.",
     sized(("400ml", 12_000, 450)), None),
    ("hair-oil", "hair-care", "머리기름", "hair oil", BOTTLE,
     "윤기를 더하는 머리기름입니다.", "Adds shine to the hair.",
     sized(("100ml", 8_000, 130)), None),
)
# fmt: on


def _cosmetics_items() -> tuple[Item, ...]:
    items = []
    for brand_key, brand, brand_en, price_percent in COSMETICS_BRANDS:
        for (
            key,
            category,
            name,
            name_en,
            unit,
            text,
            text_en,
            variants,
            limit,
        ) in COSMETICS_LINE:
            priced = tuple(
                replace(variant, price_won=variant.price_won * price_percent // 100)
                for variant in variants
            )
            items.append(
                Item(
                    f"{brand_key}-{key}",
                    category,
                    f"{brand} {name}",
                    f"{brand_en} {name_en}",
                    unit,
                    text,
                    text_en,
                    priced,
                    limit,
                )
            )
    return tuple(items)


COSMETICS_ITEMS = _cosmetics_items()

GOODS_ITEMS = (
    SHOE_ITEMS + SOCK_ITEMS + CLOTHES_ITEMS + HOUSEHOLD_ITEMS + COSMETICS_ITEMS
)
