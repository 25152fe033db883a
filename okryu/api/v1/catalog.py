"""Catalog routes (anyone, no token): categories, merchants, products and Korean search."""

from django.conf import settings
from django.http import HttpRequest
from ninja import P, QueryEx, Router
from ninja.decorators import decorate_view

from okryu.api.v1.caching import cache_public_answer
from okryu.api.v1.pagination import (
    Page,
    PageNumber,
    PageSize,
    page_body,
    read_page_request,
)
from okryu.api.v1.schemas.catalog import (
    CategoryOut,
    MerchantOut,
    ProductDetailOut,
    ProductOut,
)
from okryu.api.v1.schemas.problems import Problem
from okryu.catalog.availability import availabilities_of
from okryu.catalog.demand import record_empty_search, record_sold_out_view
from okryu.catalog.options import load_option_menus
from okryu.catalog.portions import available_units
from okryu.catalog.queries import (
    get_category_node,
    get_product,
    list_category_tree,
    list_products,
    validate_product_ordering,
)
from okryu.catalog.search import search_products
from okryu.core import rate_limits
from okryu.core.errors import InvalidInput, NotFound
from okryu.merchants.models import MerchantKind
from okryu.merchants.queries import (
    get_merchant,
    is_merchant_open,
    list_merchants_page,
    merchant_opens_at,
)

router = Router(tags=["catalog"])


@router.get(
    "/categories",
    response={200: Page[CategoryOut]},
    summary="The category tree",
    description="Root categories with their subtrees, all on one page.",
)
@decorate_view(cache_public_answer)
def list_categories(request: HttpRequest) -> dict[str, object]:
    """Return the whole category tree as one page of root categories."""
    roots = [CategoryOut.from_node(node) for node in list_category_tree()]
    return {"items": roots, "next": None, "count": len(roots)}


@router.get(
    "/merchants",
    response={200: Page[MerchantOut], 422: Problem},
    summary="Merchants, optionally of one kind",
)
@decorate_view(cache_public_answer)
def list_merchants(
    request: HttpRequest,
    kind: QueryEx[
        str | None, P(description="store, factory, restaurant or pharmacy.")
    ] = None,
    page: PageNumber = 1,
    page_size: PageSize = None,
) -> dict[str, object]:
    """Return one page of active merchants by name; an unknown ``kind`` is 422 invalid."""
    if kind is not None and kind not in MerchantKind.values:
        raise InvalidInput(
            f"kind must be one of {', '.join(MerchantKind.values)}.", field="kind"
        )
    page_request = read_page_request(page=page, page_size=page_size)
    merchant_page = list_merchants_page(
        kind=kind, limit=page_request.limit, offset=page_request.offset
    )
    items = [
        MerchantOut.from_merchant(
            merchant,
            open_now=is_merchant_open(merchant),
            opens_at=merchant_opens_at(merchant),
        )
        for merchant in merchant_page.merchants
    ]
    return page_body(request, page_request, items=items, count=merchant_page.total)


def _category_filter(category: int | None) -> list[int] | None:
    """Return the ids of ``category`` and its subcategories; unknown is 422 on ``category``."""
    if category is None:
        return None
    try:
        return get_category_node(category_id=category).descendant_ids()
    except NotFound as error:
        raise InvalidInput("No category has this id.", field="category") from error


def _check_merchant_filter(merchant: int | None) -> None:
    if merchant is None:
        return
    try:
        get_merchant(merchant_id=merchant)
    except NotFound as error:
        raise InvalidInput("No merchant has this id.", field="merchant") from error


def _clean_search_query(q: str | None) -> str:
    query = (q or "").strip()
    length_max: int = settings.OKRYU_SEARCH_QUERY_LENGTH_MAX
    if len(query) > length_max:
        raise InvalidInput(f"q may be at most {length_max} characters.", field="q")
    return query


@router.get(
    "/products",
    response={200: Page[ProductOut], 422: Problem},
    summary="Products, filtered, sorted or searched",
    description=(
        "`q` is a Korean-aware search (랭면 finds 냉면, ㄹㅁ finds names by initial "
        "consonants), best matches first; its `count` is capped at 1,000. Without `q`, "
        "`sort` is one of `name` (default), `price`, `-price`, `newest`; `sort` cannot be "
        "combined with `q`. `category` includes its subcategories. An unknown `category` or "
        "`merchant` id is 422 `invalid` naming the field."
    ),
)
@decorate_view(cache_public_answer)
def list_products_route(  # noqa: PLR0913, PLR0917 - each argument is one documented query parameter.
    request: HttpRequest,
    q: QueryEx[str | None, P(description="Korean-aware search words.")] = None,
    category: QueryEx[
        int | None, P(description="A category id; includes its subcategories.")
    ] = None,
    merchant: QueryEx[int | None, P(description="A merchant id.")] = None,
    sort: QueryEx[
        str | None,
        P(description="name (default), price, -price or newest; not with q."),
    ] = None,
    page: PageNumber = 1,
    page_size: PageSize = None,
) -> dict[str, object]:
    """Return one page of products: search results when ``q`` is given, else the listing."""
    query = _clean_search_query(q)
    page_request = read_page_request(page=page, page_size=page_size)
    category_ids = _category_filter(category)
    _check_merchant_filter(merchant)
    if query:
        rate_limits.hit_all(
            "search",
            address=rate_limits.client_address(request.META),
            account_id=request.user.pk if request.user.is_authenticated else None,
        )
        if sort:
            raise InvalidInput(
                "Search results come best match first; sort cannot be used with q.",
                field="sort",
            )
        found = search_products(
            query=query,
            category_ids=category_ids,
            merchant_id=merchant,
            limit=page_request.limit,
            offset=page_request.offset,
        )
        products, total = found.products, found.total
        if total == 0:
            record_empty_search(query)
    else:
        listing = list_products(
            category_ids=category_ids,
            merchant_id=merchant,
            ordering=validate_product_ordering(sort),
            limit=page_request.limit,
            offset=page_request.offset,
        )
        products, total = listing.products, listing.total
    standing = availabilities_of(products)
    items = [
        ProductOut.from_product(product, standing=standing[product.pk])
        for product in products
    ]
    return page_body(request, page_request, items=items, count=total)


@router.get(
    "/products/{product_id}",
    response={200: ProductDetailOut, 404: Problem, 422: Problem},
    summary="One product with its description",
)
@decorate_view(cache_public_answer)
def get_product_route(request: HttpRequest, product_id: int) -> ProductDetailOut:
    """Return one active product; an unknown or withdrawn one is 404 not_found."""
    product = get_product(product_id=product_id)
    if available_units(product) == 0:
        record_sold_out_view(product.pk)
    # Only dishes have options: a product of stock reads none.
    menu = (
        load_option_menus([product.pk])[product.pk]
        if product.is_made_to_order
        else None
    )
    return ProductDetailOut.from_product_detail(product, menu=menu)
