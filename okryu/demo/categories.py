"""The demo category tree: top-level groups and the leaf categories products belong to."""

from dataclasses import dataclass


@dataclass(frozen=True)
class CategorySpec:
    """One category with its children; products belong to categories without children."""

    slug: str
    name: str
    name_en: str
    children: tuple["CategorySpec", ...] = ()


def _leaf(slug: str, name: str, name_en: str) -> CategorySpec:
    return CategorySpec(slug, name, name_en)


CATEGORY_TREE = (
    CategorySpec(
        "food",
        "식료품",
        "Food",
        (
            _leaf("rice-grains", "쌀·곡물", "Rice and grains"),
            _leaf("noodles", "국수·면", "Noodles"),
            _leaf("sauces-seasonings", "장류·조미료", "Sauces and seasonings"),
            _leaf("bean-products", "두부·콩제품", "Tofu and bean products"),
            _leaf("kimchi", "김치·절임", "Kimchi and pickles"),
            _leaf("confectionery", "과자·사탕", "Biscuits and sweets"),
            _leaf("drinks", "음료·술", "Drinks"),
        ),
    ),
    CategorySpec(
        "household",
        "생활용품",
        "Household goods",
        (
            _leaf("soap-detergents", "비누·세척제", "Soap and detergents"),
            _leaf("kitchenware", "주방용품", "Kitchenware"),
            _leaf("bags", "가방", "Bags"),
            _leaf("furniture-bedding", "가구·침구", "Furniture and bedding"),
        ),
    ),
    CategorySpec(
        "clothing",
        "의류",
        "Clothing",
        (
            _leaf("shoes", "신발", "Shoes"),
            _leaf("socks", "양말", "Socks"),
            _leaf("clothes", "옷", "Clothes"),
        ),
    ),
    CategorySpec(
        "cosmetics",
        "화장품",
        "Cosmetics",
        (
            _leaf("skincare", "기초화장품", "Skincare"),
            _leaf("makeup", "색조화장품", "Make-up"),
            _leaf("hair-care", "머리관리", "Hair care"),
        ),
    ),
    CategorySpec(
        "medicine",
        "의약품",
        "Medicines",
        (
            _leaf("koryo-medicine", "고려약", "Koryo (traditional) medicine"),
            _leaf("western-medicine", "신약", "Western medicine"),
            _leaf("medical-supplies", "의료용품", "Medical supplies"),
        ),
    ),
    CategorySpec(
        "dishes",
        "료리",
        "Dishes",
        (
            _leaf("noodle-dishes", "랭면·국수", "Cold noodles and noodle dishes"),
            _leaf("rice-dishes", "밥·지짐", "Rice dishes and pancakes"),
            _leaf("meat-fish-dishes", "고기·물고기료리", "Meat and fish dishes"),
            _leaf("soups", "국·탕", "Soups"),
        ),
    ),
)


def leaf_slugs() -> list[str]:
    """Return the slugs of the leaf categories, in tree order."""
    return [leaf.slug for group in CATEGORY_TREE for leaf in group.children]
