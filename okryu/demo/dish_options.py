"""Options of the demo dishes, with realistic price changes in won, and daily capacities.

A restaurant's dish has option groups: 양 (one of 보통, 곱빼기) and 추가 (any of 사리, 계란…).
Each merchant selling the dish gets the same groups; the price changes are not scaled by the
merchant's price level (a 곱빼기 costs 2,000원 more everywhere).
"""

from dataclasses import dataclass

from okryu.catalog.models import OptionChoice


@dataclass(frozen=True)
class OptionSpec:
    """One option: Korean and English names and the change of the unit price in won."""

    name: str
    name_en: str
    price_change_won: int


@dataclass(frozen=True)
class GroupSpec:
    """One option group of a dish."""

    name: str
    name_en: str
    choice: OptionChoice
    options: tuple[OptionSpec, ...]

    def __post_init__(self) -> None:
        assert self.options, self.name
        assert len({option.name for option in self.options}) == len(self.options)


def _portion(large_won: int) -> GroupSpec:
    return GroupSpec(
        "양",
        "Portion",
        OptionChoice.ONE,
        (OptionSpec("보통", "Regular", 0), OptionSpec("곱빼기", "Large", large_won)),
    )


def _extras(*options: OptionSpec) -> GroupSpec:
    return GroupSpec("추가", "Extras", OptionChoice.ANY, options)


NOODLES = OptionSpec("사리 추가", "Extra noodles", 1_500)
EGG = OptionSpec("계란 추가", "Extra egg", 500)
BEEF = OptionSpec("편육 추가", "Extra sliced beef", 3_000)
RICE = OptionSpec("공기밥 추가", "Extra bowl of rice", 1_000)
KIMCHI = OptionSpec("김치 추가", "Extra kimchi", 500)
SPICY = GroupSpec(
    "맵기",
    "Spiciness",
    OptionChoice.ONE,
    (
        OptionSpec("보통 맛", "Medium", 0),
        OptionSpec("순한 맛", "Mild", 0),
        OptionSpec("매운 맛", "Hot", 0),
    ),
)

# Item key → its option groups, in display order.
DISH_OPTIONS: dict[str, tuple[GroupSpec, ...]] = {
    "pyongyang-naengmyon": (_portion(2_000), _extras(NOODLES, EGG, BEEF)),
    "hamhung-nongma": (_portion(2_000), _extras(NOODLES, EGG)),
    "bibim-naengmyon": (_portion(2_000), SPICY, _extras(NOODLES, EGG)),
    "warm-noodles": (_portion(1_500), _extras(NOODLES, EGG)),
    "cold-corn-noodles": (_portion(1_500), _extras(NOODLES)),
    "raw-fish-noodles": (SPICY, _extras(NOODLES, EGG)),
    "beef-rice-soup": (_extras(RICE, BEEF, KIMCHI),),
    "beef-bulgogi": (_extras(RICE, KIMCHI),),
    "pork-bulgogi": (SPICY, _extras(RICE, KIMCHI)),
}

# Minutes a dish takes when it is slower than its restaurant's usual time.
DISH_PREPARATION_MINUTES: dict[str, int] = {
    "turtle-soup": 50,
    "turtle-dish": 45,
    "sinsollo": 40,
    "roast-chicken": 40,
}
