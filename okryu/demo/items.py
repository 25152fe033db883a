"""The shape of the demo catalog's data tables: items sold in one or more variants.

An item is one kind of goods (흰쌀, 운동신발, 평양랭면); each variant becomes one product named
``"{item name} {variant label}"`` (운동신발 250mm, 쟁반국수 2인분). Merchants list the items
they sell by key, so one table serves every shop that carries the same goods.
"""

from dataclasses import dataclass

from okryu.catalog.models import SizeClass

SMALL = SizeClass.SMALL
MEDIUM = SizeClass.MEDIUM
LARGE = SizeClass.LARGE
BULKY = SizeClass.BULKY


@dataclass(frozen=True)
class Unit:
    """What one product is sold as, in Korean and English (병 / bottle)."""

    name: str
    name_en: str


PIECE = Unit("개", "piece")
PAIR = Unit("켤레", "pair")
KILOGRAM = Unit("kg", "kg")
BOTTLE = Unit("병", "bottle")
BOWL = Unit("그릇", "bowl")
PLATE = Unit("접시", "plate")
BAG = Unit("봉지", "bag")
SACK = Unit("포대", "sack")
BOX = Unit("상자", "box")
PACK = Unit("갑", "pack")
TUB = Unit("통", "tub")
BLOCK = Unit("모", "block")
SUIT = Unit("벌", "garment")
BUNDLE = Unit("묶음", "bundle")
SERVING = Unit("인분", "serving")
PILL = Unit("알", "pill")
TRAY = Unit("쟁반", "tray")
ROLL = Unit("줄", "roll")
WHOLE = Unit("마리", "whole fish or bird")
MACHINE = Unit("대", "unit")


@dataclass(frozen=True)
class Variant:
    """One size or flavour of an item, with its base price in won and its weight."""

    label: str
    label_en: str
    price_won: int
    weight_grams: int
    size_class: SizeClass = SMALL

    def __post_init__(self) -> None:
        assert self.price_won > 0
        assert self.weight_grams > 0


@dataclass(frozen=True)
class Item:
    """One kind of goods in a leaf category, sold in one or more variants."""

    key: str
    category: str
    name: str
    name_en: str
    unit: Unit
    description: str
    description_en: str
    variants: tuple[Variant, ...]
    purchase_limit_per_day: int | None = None
    is_made_to_order: bool = False

    def __post_init__(self) -> None:
        assert self.variants, self.key
        assert len({variant.label for variant in self.variants}) == len(self.variants)

    def product_name(self, variant: Variant) -> str:
        """Return the Korean product name of one variant."""
        return f"{self.name} {variant.label}" if variant.label else self.name

    def product_name_en(self, variant: Variant) -> str:
        """Return the English product name of one variant."""
        return (
            f"{self.name_en} {variant.label_en}" if variant.label_en else self.name_en
        )


def one(
    price_won: int, weight_grams: int, size_class: SizeClass = SMALL
) -> tuple[Variant]:
    """Return the single, unlabelled variant of an item sold in one size."""
    return (Variant("", "", price_won, weight_grams, size_class),)


def sized(
    *variants: tuple[str, int, int] | tuple[str, int, int, SizeClass],
) -> tuple[Variant, ...]:
    """Return variants whose label reads the same in both languages (``("1kg", 6500, 1000)``)."""
    return tuple(Variant(spec[0], spec[0], *spec[1:]) for spec in variants)


def labelled(
    *variants: tuple[str, str, int, int] | tuple[str, str, int, int, SizeClass],
) -> tuple[Variant, ...]:
    """Return variants with a Korean and an English label (``("곱배기", "large", 9000, 1300)``)."""
    return tuple(Variant(*spec) for spec in variants)


def sizes(
    labels: str, price_won: int, weight_grams: int, size_class: SizeClass = SMALL
) -> tuple[Variant, ...]:
    """Return one variant per space-separated size label, all at the same price (신발 치수)."""
    return tuple(
        Variant(label, label, price_won, weight_grams, size_class)
        for label in labels.split()
    )


# Clothing sizes read 소/중/대 in Korean and S/M/L in English.
LETTER_SIZES = {"소": "S", "중": "M", "대": "L"}


def letter_sizes(
    labels: str, price_won: int, weight_grams: int, size_class: SizeClass = SMALL
) -> tuple[Variant, ...]:
    """Return one variant per 소/중/대 size, with S/M/L as the English label."""
    return tuple(
        Variant(label, LETTER_SIZES[label], price_won, weight_grams, size_class)
        for label in labels.split()
    )
