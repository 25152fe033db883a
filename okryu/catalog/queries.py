"""Reads of the catalog for pages and the API: the category tree, listings, one product."""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from okryu.catalog.models import Category, Product
from okryu.core.errors import InvalidInput, NotFound
from okryu.core.replica import PRIMARY_ALIAS, lagging_read

CATEGORIES_MAX = 1000
PRODUCT_PAGE_SIZE_MAX = 100
FEATURED_PRODUCTS_MAX = 24

# The sort keys a shopper may choose, mapped to database orderings. The id breaks ties so a
# page boundary never shows a product twice or skips one.
PRODUCT_ORDERINGS: dict[str, tuple[str, ...]] = {
    "name": ("name", "id"),
    "price": ("price_won", "id"),
    "-price": ("-price_won", "-id"),
    "newest": ("-created_at", "-id"),
}
DEFAULT_PRODUCT_ORDERING = "name"
# The same keys for an English reader: by name means by the English name.
ENGLISH_PRODUCT_ORDERINGS = {**PRODUCT_ORDERINGS, "name": ("name_en", "id")}


@dataclass(frozen=True)
class CategoryNode:
    """A category with its children, for menus and the API's tree."""

    category: Category
    children: list["CategoryNode"] = field(default_factory=list)

    def descendant_ids(self) -> list[int]:
        """Return this category's id and those of every category below it."""
        ids = [self.category.pk]
        for child in self.children:
            ids.extend(child.descendant_ids())
        return ids


@dataclass(frozen=True)
class ProductPage:
    """One page of a product listing and the number of products in the whole listing."""

    products: list[Product]
    total: int


def list_category_tree() -> list[CategoryNode]:
    """Return the root categories, each with its subtree, in display order.

    A read that tolerates lag: from the replica when it is well (``okryu.core.replica``).
    """
    categories = lagging_read(
        lambda alias: list(
            Category.objects.using(alias).order_by("sort_order", "name")[
                :CATEGORIES_MAX
            ]
        )
    )
    nodes = {category.pk: CategoryNode(category) for category in categories}
    roots: list[CategoryNode] = []
    for category in categories:
        node = nodes[category.pk]
        parent = nodes.get(category.parent_id) if category.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


def find_category_node(
    tree: list[CategoryNode], *, category_id: int
) -> CategoryNode | None:
    """Return the node of ``category_id`` in ``tree``, or None."""
    stack = list(tree)
    while stack:
        node = stack.pop()
        if node.category.pk == category_id:
            return node
        stack.extend(node.children)
    return None


def get_category_node(*, category_id: int) -> CategoryNode:
    """Return the category's node with its subtree, or raise NotFound."""
    node = find_category_node(list_category_tree(), category_id=category_id)
    if node is None:
        raise NotFound("분류를 찾을 수 없습니다.")
    return node


def validate_product_ordering(ordering: str | None) -> str:
    """Return a known sort key (the default when none is given), or raise InvalidInput."""
    if not ordering:
        return DEFAULT_PRODUCT_ORDERING
    if ordering not in PRODUCT_ORDERINGS:
        raise InvalidInput(
            "정렬은 name, price, -price, newest 중 하나입니다.", field="sort"
        )
    return ordering


def _active_products(alias: str = PRIMARY_ALIAS) -> QuerySet[Product]:
    return (
        Product.objects.using(alias)
        .filter(is_active=True, merchant__is_active=True)
        .select_related("merchant", "category")
    )


def list_products(
    *,
    category_ids: list[int] | None = None,
    merchant_id: int | None = None,
    ordering: str = DEFAULT_PRODUCT_ORDERING,
    limit: int,
    offset: int = 0,
    language: str = "ko",
) -> ProductPage:
    """Return one page of active products, filtered by categories and merchant, sorted.

    By name means by the name in ``language`` (the English one for "en", else Korean).

    A read that tolerates lag: from the replica when it is well (``okryu.core.replica``).
    """
    assert 0 < limit <= PRODUCT_PAGE_SIZE_MAX
    assert offset >= 0
    assert ordering in PRODUCT_ORDERINGS
    orderings = ENGLISH_PRODUCT_ORDERINGS if language == "en" else PRODUCT_ORDERINGS

    def read(alias: str) -> ProductPage:
        products = _active_products(alias)
        if category_ids is not None:
            products = products.filter(category_id__in=category_ids)
        if merchant_id is not None:
            products = products.filter(merchant_id=merchant_id)
        total = products.count()
        page = list(products.order_by(*orderings[ordering])[offset : offset + limit])
        return ProductPage(products=page, total=total)

    return lagging_read(read)


def get_product(*, product_id: int) -> Product:
    """Return one active product with its merchant and category, or raise NotFound."""
    product = _active_products().filter(pk=product_id).first()
    if product is None:
        raise NotFound("상품을 찾을 수 없습니다.")
    return product


def list_featured_products(*, limit: int = 8) -> list[Product]:
    """Return a few products in stock to show on the home page, newest first."""
    assert 0 < limit <= FEATURED_PRODUCTS_MAX
    return lagging_read(
        lambda alias: list(
            _active_products(alias)
            .filter(stock_on_hand__gt=0)
            .order_by("-created_at", "-id")[:limit]
        )
    )
