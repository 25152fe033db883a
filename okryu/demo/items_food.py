"""Food items: grains, noodles, sauces, bean products, kimchi, sweets and drinks.

Prices are in won at the level of Pyongyang shops today: rice about 6,500원 a kilogram, a
640 ml bottle of beer 4,000원, a kilogram of soybean paste 5,000원.
"""

from okryu.demo.items import (
    BAG,
    BLOCK,
    BOTTLE,
    BOX,
    KILOGRAM,
    LARGE,
    MEDIUM,
    PACK,
    PIECE,
    SACK,
    TUB,
    Item,
    labelled,
    one,
    sized,
)

# fmt: off
GRAIN_ITEMS = (
    Item("white-rice", "rice-grains", "흰쌀", "White rice", KILOGRAM,
         "황해남도 벌방에서 거둔 햅쌀입니다. 1kg씩 팝니다.",
         "New-crop rice from the South Hwanghae plains, sold by the kilogram.",
         one(6_500, 1_000)),
    Item("white-rice-sack", "rice-grains", "흰쌀", "White rice", SACK,
         "집에 두고 먹기 좋은 포대 흰쌀입니다.",
         "White rice in sacks for the household store.",
         sized(("5kg", 31_500, 5_000, MEDIUM), ("10kg", 62_000, 10_000, LARGE),
               ("20kg", 122_000, 20_000, LARGE))),
    Item("glutinous-rice", "rice-grains", "찹쌀", "Glutinous rice", KILOGRAM,
         "떡과 약밥을 만드는 찹쌀입니다.", "Sticky rice for rice cakes and yakbap.",
         one(8_000, 1_000)),
    Item("corn-rice", "rice-grains", "강냉이쌀", "Corn grits", KILOGRAM,
         "흰쌀에 섞어 밥을 짓는 강냉이쌀입니다.", "Ground corn cooked with rice.",
         one(3_200, 1_000)),
    Item("corn-rice-sack", "rice-grains", "강냉이쌀", "Corn grits", SACK,
         "포대에 담은 강냉이쌀입니다.", "Corn grits in a sack.",
         sized(("10kg", 31_000, 10_000, LARGE))),
    Item("flour", "rice-grains", "밀가루", "Wheat flour", BAG,
         "국수와 빵, 지짐에 쓰는 밀가루입니다.", "Flour for noodles, bread and pancakes.",
         sized(("1kg", 4_500, 1_000), ("5kg", 21_500, 5_000, MEDIUM))),
    Item("soybeans", "rice-grains", "콩", "Soybeans", KILOGRAM,
         "두부와 콩우유를 만드는 노란콩입니다.", "Yellow soybeans for tofu and soy milk.",
         one(7_000, 1_000)),
    Item("red-beans", "rice-grains", "팥", "Red beans", KILOGRAM,
         "팥죽과 떡고물에 쓰는 팥입니다.", "Adzuki beans for porridge and rice cakes.",
         one(8_500, 1_000)),
    Item("mung-beans", "rice-grains", "록두", "Mung beans", KILOGRAM,
         "록두지짐과 숙주를 만드는 록두입니다.", "Mung beans for pancakes and sprouts.",
         one(9_000, 1_000)),
    Item("millet", "rice-grains", "조", "Foxtail millet", KILOGRAM,
         "밥에 섞어 먹는 차조입니다.", "Foxtail millet to cook with rice.",
         one(5_500, 1_000)),
    Item("potato-starch", "rice-grains", "감자농마", "Potato starch", BAG,
         "농마국수와 지짐에 쓰는 감자농마입니다.", "Potato starch for noodles and pancakes.",
         sized(("500g", 4_000, 500), ("1kg", 7_500, 1_000))),
)

NOODLE_ITEMS = (
    Item("dried-noodles", "noodles", "마른국수", "Dried wheat noodles", BAG,
         "삶기만 하면 되는 밀마른국수입니다.", "Dried wheat noodles, ready to boil.",
         sized(("500g", 2_800, 500), ("1kg", 5_300, 1_000))),
    Item("potato-noodles", "noodles", "감자국수", "Potato noodles", BAG,
         "량강도 감자로 만든 쫄깃한 국수입니다.",
         "Chewy noodles made from Ryanggang potatoes.",
         sized(("500g", 4_000, 500))),
    Item("corn-noodles", "noodles", "강냉이국수", "Corn noodles", BAG,
         "구수한 강냉이국수 사리입니다.", "Nutty corn noodles.",
         sized(("1kg", 4_200, 1_000))),
    Item("buckwheat-noodles", "noodles", "메밀국수", "Buckwheat noodles", BAG,
         "랭면을 만드는 메밀국수 사리입니다.", "Buckwheat noodles for cold noodles at home.",
         sized(("500g", 4_800, 500))),
    Item("instant-naengmyon", "noodles", "즉석 평양랭면", "Instant Pyongyang cold noodles",
         BAG, "국수사리와 랭면육수가 함께 든 즉석 평양랭면입니다.",
         "Buckwheat noodles with cold broth concentrate for Pyongyang naengmyon at home.",
         labelled(("2인분", "2 servings", 5_500, 600), ("4인분", "4 servings", 10_500, 1_150))),
    Item("instant-noodles", "noodles", "즉석국수", "Instant noodles", BAG,
         "끓는 물에 3분이면 되는 즉석국수입니다.", "Ready in three minutes in boiling water.",
         one(1_200, 120)),
    Item("instant-noodles-box", "noodles", "즉석국수 20봉지", "Instant noodles, 20 bags", BOX,
         "즉석국수 20봉지가 든 상자입니다.", "A box of twenty bags of instant noodles.",
         one(22_000, 2_600, MEDIUM)),
    Item("starch-noodles", "noodles", "농마국수 사리", "Starch noodles", BAG,
         "함흥식 농마국수를 만드는 마른 사리입니다.",
         "Dried starch noodles for Hamhung-style nongma guksu.",
         sized(("500g", 4_500, 500))),
)

SAUCE_ITEMS = (
    Item("soy-sauce", "sauces-seasonings", "간장", "Soy sauce", BOTTLE,
         "콩을 발효시켜 만든 진간장입니다.", "Naturally brewed soy sauce.",
         sized(("500ml", 2_500, 600), ("1L", 4_500, 1_150), ("1.8L", 7_500, 2_000))),
    Item("cooking-soy-sauce", "sauces-seasonings", "료리용 간장", "Cooking soy sauce",
         BOTTLE, "볶음과 조림에 알맞게 맛을 낸 료리용 간장입니다.",
         "Seasoned soy sauce for stir-fries and braises.",
         sized(("900ml", 4_000, 1_050))),
    Item("doenjang", "sauces-seasonings", "된장", "Soybean paste", TUB,
         "오래 띄운 메주로 담근 된장입니다.", "Soybean paste from long-fermented meju.",
         sized(("500g", 3_000, 550), ("1kg", 5_000, 1_100))),
    Item("gochujang", "sauces-seasonings", "고추장", "Red pepper paste", TUB,
         "찹쌀과 고추가루로 담근 고추장입니다.", "Red pepper paste with glutinous rice.",
         sized(("500g", 4_500, 550), ("1kg", 8_500, 1_100))),
    Item("seasoning", "sauces-seasonings", "맛내기", "Seasoning (MSG)", BAG,
         "국과 반찬의 맛을 돋구는 맛내기입니다.", "Flavour enhancer for soups and side dishes.",
         sized(("100g", 1_500, 100), ("500g", 6_500, 500))),
    Item("salt", "sauces-seasonings", "소금", "Salt", BAG,
         "서해안 염전에서 난 소금입니다.", "Sea salt from the west coast salt fields.",
         sized(("1kg", 1_500, 1_000))),
    Item("sugar", "sauces-seasonings", "사탕가루", "Sugar", BAG,
         "흰 사탕가루입니다.", "White sugar.",
         sized(("1kg", 7_500, 1_000))),
    Item("vinegar", "sauces-seasonings", "식초", "Vinegar", BOTTLE,
         "랭면과 랭채에 치는 식초입니다.", "Vinegar for cold noodles and salads.",
         sized(("500ml", 1_800, 560))),
    Item("soybean-oil", "sauces-seasonings", "콩기름", "Soybean oil", BOTTLE,
         "볶음과 지짐에 쓰는 콩기름입니다.", "Soybean oil for frying.",
         sized(("1L", 12_000, 950), ("1.8L", 21_000, 1_700))),
    Item("sesame-oil", "sauces-seasonings", "참기름", "Sesame oil", BOTTLE,
         "볶은 참깨를 짠 고소한 참기름입니다.", "Pressed from roasted sesame seeds.",
         sized(("300ml", 9_500, 330))),
    Item("chili-powder", "sauces-seasonings", "고추가루", "Chili powder", BAG,
         "김치와 고추장에 쓰는 고추가루입니다.", "Red chili powder for kimchi.",
         sized(("200g", 4_500, 200))),
)

BEAN_ITEMS = (
    Item("tofu", "bean-products", "두부", "Tofu", BLOCK,
         "아침마다 만드는 신선한 두부입니다.", "Fresh tofu, made every morning.",
         one(2_500, 500)),
    Item("soft-tofu", "bean-products", "순두부", "Soft tofu", BAG,
         "부드러운 순두부입니다.", "Silken soft tofu.",
         sized(("400g", 2_000, 420))),
    Item("soy-milk", "bean-products", "콩우유", "Soy milk", BOTTLE,
         "아이들이 즐겨 마시는 콩우유입니다.", "Soy milk children love.",
         sized(("500ml", 1_800, 540), ("1L", 3_200, 1_060))),
    Item("bean-sprouts", "bean-products", "콩나물", "Soybean sprouts", BAG,
         "국과 무침에 쓰는 콩나물입니다.", "Sprouts for soups and side dishes.",
         sized(("500g", 1_500, 500))),
    Item("fried-tofu", "bean-products", "튀긴두부", "Fried tofu", BAG,
         "두부밥을 만드는 튀긴두부입니다.", "Fried tofu pockets for tofu rice.",
         sized(("300g", 2_800, 300))),
)

KIMCHI_ITEMS = (
    Item("cabbage-kimchi", "kimchi", "배추김치", "Cabbage kimchi", TUB,
         "평양식으로 시원하게 담근 배추김치입니다.", "Mild, refreshing Pyongyang-style kimchi.",
         sized(("1kg", 6_000, 1_100), ("3kg", 17_000, 3_200, MEDIUM))),
    Item("radish-kimchi", "kimchi", "깍두기", "Radish kimchi", TUB,
         "무를 깍둑깍둑 썰어 담근 깍두기입니다.", "Cubed radish kimchi.",
         sized(("1kg", 5_500, 1_100))),
    Item("white-kimchi", "kimchi", "백김치", "White kimchi", TUB,
         "고추가루를 넣지 않고 담근 백김치입니다.", "Kimchi without chili, in a clear brine.",
         sized(("1kg", 6_500, 1_100))),
    Item("kaesong-wrapped-kimchi", "kimchi", "개성보쌈김치", "Kaesong wrapped kimchi", TUB,
         "배추잎에 해물과 과일을 싸서 담근 개성의 보쌈김치입니다.",
         "Kaesong's kimchi of seafood and fruit wrapped in cabbage leaves.",
         sized(("1kg", 15_000, 1_100)), 2),
    Item("pickled-radish", "kimchi", "무절임", "Pickled radish", BAG,
         "새콤달콤한 무절임입니다.", "Sweet and sour pickled radish.",
         sized(("500g", 2_500, 520))),
)

CONFECTIONERY_ITEMS = (
    Item("biscuits", "confectionery", "단과자", "Sweet biscuits", BAG,
         "우유와 닭알을 넣어 구운 단과자입니다.", "Biscuits baked with milk and eggs.",
         sized(("200g", 3_000, 200), ("500g", 7_000, 500))),
    Item("candy", "confectionery", "사탕", "Boiled sweets", BAG,
         "과일맛 알사탕입니다.", "Fruit-flavoured boiled sweets.",
         sized(("300g", 4_000, 300))),
    Item("milk-candy", "confectionery", "우유사탕", "Milk candies", BAG,
         "부드러운 우유사탕입니다.", "Soft milk candies.",
         sized(("250g", 3_800, 250))),
    Item("chocolate", "confectionery", "초콜레트", "Chocolate", PIECE,
         "카카오를 넣은 판초콜레트입니다.", "A bar of milk chocolate.",
         sized(("100g", 6_000, 100))),
    Item("choco-sponge", "confectionery", "초코단설기", "Chocolate sponge cakes", BOX,
         "초콜레트를 씌운 단설기 12개입니다.", "Twelve chocolate-coated sponge cakes.",
         labelled(("12개", "12 pieces", 9_000, 420))),
    Item("kangjong", "confectionery", "강정", "Puffed-rice crackers", BAG,
         "튀긴 쌀을 엿으로 뭉친 강정입니다.", "Puffed rice held together with syrup.",
         sized(("300g", 3_500, 300))),
    Item("twisted-sweets", "confectionery", "꽈배기과자", "Twisted dough sweets", BAG,
         "바삭한 꽈배기과자입니다.", "Crisp twisted dough sweets.",
         sized(("250g", 3_000, 250))),
    Item("cream-bun", "confectionery", "크림빵", "Cream bun", PIECE,
         "우유크림을 넣은 빵입니다.", "A soft bun filled with milk cream.",
         one(800, 80)),
    Item("chewing-gum", "confectionery", "껌", "Chewing gum", PACK,
         "박하맛 껌입니다.", "Mint chewing gum.",
         one(700, 15)),
)

TAEDONGGANG_BEER_VARIANTS = labelled(
    ("1번 640ml", "No. 1, 640 ml", 4_000, 1_100),
    ("2번 640ml", "No. 2, 640 ml", 4_000, 1_100),
    ("3번 640ml", "No. 3, 640 ml", 3_800, 1_100),
    ("4번 640ml", "No. 4, 640 ml", 3_800, 1_100),
    ("5번 640ml", "No. 5, 640 ml", 3_800, 1_100),
)

DRINK_ITEMS = (
    Item("taedonggang-beer", "drinks", "대동강맥주", "Taedonggang beer", BOTTLE,
         "보리길금과 흰쌀의 비률에 따라 1번부터 5번까지 있는 대동강맥주입니다.",
         "Taedonggang beer, numbered 1 to 5 by its ratio of barley malt to rice.",
         TAEDONGGANG_BEER_VARIANTS),
    Item("taedonggang-beer-box", "drinks", "대동강맥주 20병", "Taedonggang beer, 20 bottles",
         BOX, "대동강맥주 1번 20병 상자입니다.", "A crate of twenty bottles of No. 1.",
         one(76_000, 23_000, LARGE)),
    Item("ryongsong-beer", "drinks", "룡성맥주", "Ryongsong beer", BOTTLE,
         "룡성맥주공장에서 만든 맥주입니다.", "Lager from the Ryongsong brewery.",
         sized(("640ml", 3_800, 1_100))),
    Item("kangso-water", "drinks", "강서약수", "Kangso mineral water", BOTTLE,
         "탄산이 든 강서 천연약수입니다.", "Naturally sparkling mineral water from Kangso.",
         sized(("500ml", 1_500, 560), ("1.5L", 3_000, 1_600))),
    Item("ryongak-water", "drinks", "룡악산샘물", "Ryongaksan spring water", BOTTLE,
         "룡악산에서 솟는 샘물입니다.", "Still spring water from Mount Ryongak.",
         sized(("1.5L", 2_500, 1_600))),
    Item("kvass", "drinks", "크바스", "Kvass", BOTTLE,
         "빵을 발효시켜 만든 시원한 크바스입니다.", "A cool drink fermented from bread.",
         sized(("1L", 2_500, 1_100))),
    Item("pyongyang-soju", "drinks", "평양소주", "Pyongyang soju", BOTTLE,
         "흰쌀로 빚은 평양소주입니다.", "Rice soju from Pyongyang.",
         sized(("360ml", 6_000, 550))),
    Item("insam-liquor", "drinks", "인삼술", "Ginseng liquor", BOTTLE,
         "개성고려인삼 한 뿌리를 통째로 담근 인삼술입니다.",
         "Liquor with a whole root of Kaesong Koryo ginseng in the bottle.",
         sized(("700ml", 35_000, 1_300)), 2),
)

FRUIT_SODA_FLAVOURS = (
    ("apple", "사과", "Apple"), ("pear", "배", "Pear"),
    ("strawberry", "딸기", "Strawberry"), ("peach", "복숭아", "Peach"),
)
# fmt: on

FRUIT_SODA_ITEMS = tuple(
    Item(
        f"{key}-soda",
        "drinks",
        f"{fruit}단물",
        f"{fruit_en} soda",
        BOTTLE,
        f"{fruit}즙을 넣은 탄산단물입니다.",
        f"A sparkling soft drink with {fruit_en.lower()} juice.",
        sized(("500ml", 2_000, 560), ("1.5L", 4_500, 1_600)),
    )
    for key, fruit, fruit_en in FRUIT_SODA_FLAVOURS
)

FOOD_ITEMS = (
    GRAIN_ITEMS
    + NOODLE_ITEMS
    + SAUCE_ITEMS
    + BEAN_ITEMS
    + KIMCHI_ITEMS
    + CONFECTIONERY_ITEMS
    + DRINK_ITEMS
    + FRUIT_SODA_ITEMS
)
