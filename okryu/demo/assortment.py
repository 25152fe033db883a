"""Every demo item by key, and the groups of items shops carry together."""

from okryu.demo.items import Item
from okryu.demo.items_dishes import DISH_ITEMS
from okryu.demo.items_food import FOOD_ITEMS
from okryu.demo.items_goods import GOODS_ITEMS
from okryu.demo.items_medicine import MEDICINE_ITEMS

ALL_ITEMS: dict[str, Item] = {
    item.key: item for item in FOOD_ITEMS + GOODS_ITEMS + MEDICINE_ITEMS + DISH_ITEMS
}
assert len(ALL_ITEMS) == len(FOOD_ITEMS + GOODS_ITEMS + MEDICINE_ITEMS + DISH_ITEMS), (
    "item keys must be unique"
)


def keys_in(*categories: str) -> tuple[str, ...]:
    """Return the keys of all items in the given leaf categories, in table order."""
    known = {item.category for item in ALL_ITEMS.values()}
    assert set(categories) <= known, set(categories) - known
    return tuple(key for key, item in ALL_ITEMS.items() if item.category in categories)


STAPLES = keys_in(
    "rice-grains", "noodles", "sauces-seasonings", "bean-products", "kimchi"
)
SNACKS_AND_DRINKS = keys_in("confectionery", "drinks")
ALL_FOOD = STAPLES + SNACKS_AND_DRINKS
FOOTWEAR = keys_in("shoes", "socks")
CLOTHES = keys_in("clothes")
HOUSEHOLD = keys_in("soap-detergents", "kitchenware", "bags")
FURNITURE = keys_in("furniture-bedding")
COSMETICS = keys_in("skincare", "makeup", "hair-care")
ALL_GOODS = FOOTWEAR + CLOTHES + HOUSEHOLD + FURNITURE + COSMETICS
KORYO_MEDICINE = keys_in("koryo-medicine")
ALL_MEDICINE = keys_in("koryo-medicine", "western-medicine", "medical-supplies")
