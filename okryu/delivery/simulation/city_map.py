"""The map a simulated day runs on: districts, and the merchants with what they sell.

Pure: frozen dataclasses, no ORM (``okryu.delivery.simulation.loading`` reads it from the
database).
"""

from dataclasses import dataclass
from functools import cached_property

from okryu.delivery.rules import road_distance_meters

Point = tuple[float, float]

DISTRICTS_MAX = 1_000
MERCHANTS_MAX = 2_000
ITEMS_PER_MERCHANT_MAX = 50
# Shoppers order mostly near: a district this far away is half as likely as a next-door one.
NEAR_METERS = 5_000


@dataclass(frozen=True)
class MapDistrict:
    """A district of the map: its code, its city and its centre (latitude, longitude)."""

    code: str
    city: str
    position: Point


@dataclass(frozen=True)
class MapItem:
    """A product as delivery sees it: its weight, its size class, its preparation time."""

    weight_grams: int
    size_class: str
    preparation_minutes: int


@dataclass(frozen=True)
class MapMerchant:
    """A merchant that takes orders: what kind, where it is and what it sells."""

    merchant_id: int
    is_restaurant: bool
    district_code: str
    items: tuple[MapItem, ...]


@dataclass(frozen=True)
class CityMap:
    """The districts and the merchants a day is simulated on."""

    districts: tuple[MapDistrict, ...]
    merchants: tuple[MapMerchant, ...]

    def __post_init__(self) -> None:
        assert len(self.districts) <= DISTRICTS_MAX
        assert len(self.merchants) <= MERCHANTS_MAX
        codes = {district.code for district in self.districts}
        assert len(codes) == len(self.districts), "district codes repeat"
        for merchant in self.merchants:
            assert merchant.district_code in codes, merchant
            assert 0 < len(merchant.items) <= ITEMS_PER_MERCHANT_MAX, merchant
            assert all(item.preparation_minutes >= 0 for item in merchant.items)
            assert all(item.weight_grams >= 0 for item in merchant.items)

    @cached_property
    def _districts_by_code(self) -> dict[str, MapDistrict]:
        return {district.code: district for district in self.districts}

    def district(self, code: str) -> MapDistrict:
        """Return the district of ``code``."""
        return self._districts_by_code[code]

    def neighbours(self, code: str) -> tuple[list[MapDistrict], list[float]]:
        """Return the districts of the city of ``code`` and how likely an order from there
        goes to each: less likely the farther (half as likely at ``NEAR_METERS``)."""
        home = self.district(code)
        districts = [d for d in self.districts if d.city == home.city]
        weights = [
            1
            / (1 + (road_distance_meters(home.position, d.position) / NEAR_METERS) ** 2)
            for d in districts
        ]
        return districts, weights

    def cities_with_merchants(self) -> tuple[str, ...]:
        """Return the cities that have a merchant, in name order."""
        return tuple(
            sorted({self.district(m.district_code).city for m in self.merchants})
        )


def minimum_courier_count(city_map: CityMap) -> int:
    """Return the fewest couriers a day needs: one (a van) per city that has a merchant."""
    return len(city_map.cities_with_merchants())
