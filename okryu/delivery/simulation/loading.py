"""Read the map a simulated day runs on from the database: districts, merchants, products."""

from django.db.models import F, Window
from django.db.models.functions import Coalesce, RowNumber

from okryu.accounts.models import District
from okryu.catalog.models import Product
from okryu.delivery.simulation.city_map import (
    DISTRICTS_MAX,
    ITEMS_PER_MERCHANT_MAX,
    MERCHANTS_MAX,
    CityMap,
    MapDistrict,
    MapItem,
    MapMerchant,
)
from okryu.merchants.models import Merchant, MerchantKind


def load_city_map() -> CityMap:
    """Return the districts and the active merchants that sell at least one active product.

    At most ``MERCHANTS_MAX`` merchants (the first by id) and, of each, the first
    ``ITEMS_PER_MERCHANT_MAX`` active products by id; a product without its own preparation
    time takes its merchant's. Three queries.
    """
    districts = tuple(
        MapDistrict(
            code=district.code,
            city=district.city_en,
            position=(district.latitude, district.longitude),
        )
        for district in District.objects.order_by("id")[:DISTRICTS_MAX]
    )
    merchants = list(
        Merchant.objects.filter(is_active=True, products__is_active=True)
        .distinct()
        .order_by("id")
        .values_list("id", "kind", "district__code")[:MERCHANTS_MAX]
    )
    items: dict[int, list[MapItem]] = {}
    rows = (
        Product.objects.filter(
            is_active=True, merchant_id__in=[m[0] for m in merchants]
        )
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("merchant_id")], order_by=F("id").asc()
            ),
            minutes=Coalesce("preparation_minutes", "merchant__preparation_minutes"),
        )
        .filter(rank__lte=ITEMS_PER_MERCHANT_MAX)
        .order_by("merchant_id", "id")
        .values_list("merchant_id", "weight_grams", "size_class", "minutes")
    )
    for merchant_id, weight_grams, size_class, minutes in rows:
        items.setdefault(merchant_id, []).append(
            MapItem(
                weight_grams=weight_grams,
                size_class=size_class,
                preparation_minutes=minutes,
            )
        )
    return CityMap(
        districts=districts,
        merchants=tuple(
            MapMerchant(
                merchant_id=merchant_id,
                is_restaurant=kind == MerchantKind.RESTAURANT,
                district_code=district_code,
                items=tuple(items[merchant_id]),
            )
            for merchant_id, kind, district_code in merchants
        ),
    )
