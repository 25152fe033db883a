"""Products sold by several merchants, shown once: grouped by name and unit.

Each merchant's offer of a product is its own row (its price, its stock), so the same socks
from eight department stores are eight rows. A listing shows them as one *group*: the name,
how many merchants sell it and the lowest price, with the cheapest offer as its face; the
sellers page (``list_sellers``) lists every offer side by side to compare.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Count,
    Expression,
    F,
    Max,
    Min,
    OrderBy,
    Q,
    QuerySet,
    Window,
)
from django.db.models.functions import RowNumber

from okryu.catalog.models import Product
from okryu.core.errors import NotFound
from okryu.core.replica import lagging_read

GROUPS_PAGE_SIZE_MAX = 100
SELLERS_MAX = 100


@dataclass(frozen=True)
class ProductGroup:
    """One product as sold by one or more merchants.

    ``product`` is the cheapest offer (ties: the oldest), loaded with its merchant and
    category; ``seller_count`` counts the merchants, ``lowest_price_won`` is its price.
    """

    product: Product
    seller_count: int
    lowest_price_won: int

    @property
    def is_sold_by_several(self) -> bool:
        """Whether more than one merchant sells it (the listing links to the comparison)."""
        return self.seller_count > 1


@dataclass(frozen=True)
class ProductGroupPage:
    """One page of groups and the number of groups in the whole listing."""

    groups: list[ProductGroup]
    total: int


# The sort keys of listings, over the groups' aggregates (see ``list_product_groups``).
GROUP_ORDERINGS: dict[str, tuple[str, ...]] = {
    "name": ("name", "unit"),
    "price": ("group_lowest_price", "name", "unit"),
    "-price": ("-group_lowest_price", "name", "unit"),
    "newest": ("-group_newest", "name", "unit"),
}
# The same keys for an English reader: by name means by the English name.
ENGLISH_GROUP_ORDERINGS: dict[str, tuple[str, ...]] = {
    **GROUP_ORDERINGS,
    "name": ("group_name_en", "name", "unit"),
}


def list_product_groups(
    products: QuerySet[Product],
    *,
    ordering: Sequence[str | OrderBy],
    limit: int,
    offset: int = 0,
    rank: Expression | None = None,
    total_max: int | None = None,
) -> ProductGroupPage:
    """Return one page of ``products`` grouped by name and unit, and the number of groups.

    ``ordering`` may name the groups' ``name`` and ``unit``, ``group_lowest_price``,
    ``group_newest``, ``group_name_en`` and, when ``rank`` is given, ``group_rank`` (the
    best rank of the group's products). ``total_max`` bounds the count (a search's).
    Two queries: the page of groups with their count, then their cheapest offers.
    """
    assert 0 < limit <= GROUPS_PAGE_SIZE_MAX
    assert offset >= 0
    aggregates = {
        "group_sellers": Count("merchant_id", distinct=True),
        "group_lowest_price": Min("price_won"),
        "group_newest": Max("created_at"),
        # A group's offers share a name; their English names may differ in a letter.
        "group_name_en": Min("name_en"),
    }
    if rank is not None:
        aggregates["group_rank"] = Min(rank)
    grouped = products.order_by().values("name", "unit")
    # The window counts the groups (it runs after GROUP BY) with the same pass that sorts
    # and cuts the page.
    page = grouped.annotate(**aggregates, groups_total=Window(Count("*"))).order_by(
        *ordering
    )[offset : offset + limit]
    rows: list[dict[str, Any]] = [dict(row) for row in page]
    total = _groups_total(rows, grouped, offset=offset)
    if total_max is not None:
        total = min(total, total_max)
    faces = _cheapest_offers(products, [(row["name"], row["unit"]) for row in rows])
    groups = [
        ProductGroup(
            product=faces[(row["name"], row["unit"])],
            seller_count=row["group_sellers"],
            lowest_price_won=row["group_lowest_price"],
        )
        for row in rows
        # A group whose last offer went away between the two reads is left out.
        if (row["name"], row["unit"]) in faces
    ]
    return ProductGroupPage(groups=groups, total=total)


def _groups_total(
    rows: list[dict[str, Any]], grouped: QuerySet[Any, Any], *, offset: int
) -> int:
    if rows:
        return int(rows[0]["groups_total"])
    # An empty page: nothing at all, or a page past the last one (counted apart).
    return 0 if offset == 0 else grouped.distinct().count()


def _cheapest_offers(
    products: QuerySet[Product], keys: list[tuple[str, str]]
) -> dict[tuple[str, str], Product]:
    if not keys:
        return {}
    wanted = Q()
    for name, unit in keys:
        wanted |= Q(name=name, unit=unit)
    offers = (
        products.filter(wanted)
        .annotate(
            offer_place=Window(
                RowNumber(),
                partition_by=[F("name"), F("unit")],
                order_by=[F("price_won").asc(), F("id").asc()],
            )
        )
        .filter(offer_place=1)
        .select_related("merchant", "category")
    )
    return {(offer.name, offer.unit): offer for offer in offers}


def single_groups(products: Sequence[Product]) -> list[ProductGroup]:
    """Return each product as a group of its own (a listing of one merchant's products)."""
    return [
        ProductGroup(
            product=product, seller_count=1, lowest_price_won=product.price_won
        )
        for product in products
    ]


def list_sellers(*, product_id: int) -> list[Product]:
    """Return every active offer of the product ``product_id`` is one of (same name and
    unit), cheapest first, with merchant and district loaded; NotFound when the product is
    not on sale."""
    found = (
        Product.objects.filter(pk=product_id, is_active=True, merchant__is_active=True)
        .values("name", "unit")
        .first()
    )
    if found is None:
        raise NotFound("상품을 찾을 수 없습니다.")
    return list(
        Product.objects.filter(
            name=found["name"],
            unit=found["unit"],
            is_active=True,
            merchant__is_active=True,
        )
        .select_related("merchant", "merchant__district", "category")
        .prefetch_related("merchant__opening_hours")
        .order_by("price_won", "merchant__name", "id")[:SELLERS_MAX]
    )


def list_category_groups(
    *,
    category_ids: Sequence[int],
    ordering: str,
    limit: int,
    offset: int = 0,
    language: str = "ko",
) -> ProductGroupPage:
    """Return one page of the active products of ``category_ids`` as groups, sorted by
    ``ordering`` (a key of ``GROUP_ORDERINGS``: by name, lowest price or newest offer);
    by name means by the name in ``language`` (the English one for "en", else Korean)."""
    assert ordering in GROUP_ORDERINGS
    orderings = ENGLISH_GROUP_ORDERINGS if language == "en" else GROUP_ORDERINGS

    # A read that tolerates lag: from the replica when it is well (okryu.core.replica).
    def read(alias: str) -> ProductGroupPage:
        products = Product.objects.using(alias).filter(
            is_active=True, merchant__is_active=True, category_id__in=list(category_ids)
        )
        return list_product_groups(
            products, ordering=orderings[ordering], limit=limit, offset=offset
        )

    return lagging_read(read)
