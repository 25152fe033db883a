"""Storefront pages: home, category listing, merchants, product, search, language switch.

Views are thin adapters: they read the query string, call the catalog and merchant queries,
turn ``NotFound`` into a friendly 404 page and ``InvalidInput`` into a friendly 400 page.

The rule for bad input, the same on every page: a malformed parameter (``page=abc``,
``page=-1``, ``sort=bogus``, an over-long search, an unknown merchant kind) is a 400 page that
says what was wrong and links to the page without it; a well-formed reference to something
that does not exist (an unknown id, a page past the last one) is a 404 page.
"""

import datetime as dt
from collections.abc import Callable
from http import HTTPStatus
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from okryu.catalog import search as catalog_search
from okryu.catalog.availability import Availability, availabilities_of, availability_of
from okryu.catalog.groups import (
    ProductGroup,
    list_category_groups,
    list_sellers,
    single_groups,
)
from okryu.catalog.models import OptionChoice
from okryu.catalog.options import MenuGroup, load_option_menus
from okryu.catalog.queries import (
    find_category_node,
    get_product,
    list_featured_products,
    list_products,
)
from okryu.core import clock, rate_limits
from okryu.core.errors import InvalidInput, NotFound
from okryu.merchants.models import Merchant, MerchantKind
from okryu.merchants.queries import (
    get_merchant,
    is_merchant_open,
    list_merchants,
    list_opening_periods,
    merchant_opens_at,
)
from okryu.web.basket.forms import TYPED_QUANTITY_LENGTH_MAX
from okryu.web.demand_signals import (
    EMPTY_SEARCH,
    SOLD_OUT,
    counts_demand_signals,
    mark_demand_signal,
)
from okryu.web.page_cache import cache_page_for_visitors
from okryu.web.shop.listing import (
    CSRF_PLACEHOLDER,
    SORT_LABELS,
    Paging,
    cached_category_tree,
    cached_fragment,
    category_path,
    fragment_cache_key,
    insert_csrf,
    page_size,
    paging_for,
    parse_page_number,
    parse_sort,
)

FEATURED_ON_HOME = 8
MERCHANTS_PER_KIND_ON_HOME = 6
WEEKDAY_NAMES = (
    gettext_noop("월요일"),
    gettext_noop("화요일"),
    gettext_noop("수요일"),
    gettext_noop("목요일"),
    gettext_noop("금요일"),
    gettext_noop("토요일"),
    gettext_noop("일요일"),
)


def _notice(
    request: HttpRequest,
    *,
    status: int,
    message: str,
    back_url: str = "",
    query: str = "",
) -> HttpResponse:
    """Render the friendly page for a refused request (400) or a missing thing (404).

    ``query`` stays in the header's search box (a search's own notice).
    """
    if status == HTTPStatus.NOT_FOUND:
        title = _("찾을 수 없습니다")
    else:
        title = _("요청을 처리할 수 없습니다")
    return render(
        request,
        "web/shop/notice.html",
        {
            "title": title,
            "message": message,
            "back_url": back_url or reverse("home"),
            "query": query,
        },
        status=status,
    )


def _sort_links(base_url: str, current: str) -> list[dict[str, object]]:
    return [
        {
            "url": base_url if key == "name" else f"{base_url}?sort={key}",
            "label": _(label),
            "current": key == current,
        }
        for key, label in SORT_LABELS
    ]


def _page_url(base_url: str, sort: str, number: int) -> str:
    query = [] if sort == "name" else [f"sort={sort}"]
    if number > 1:
        query.append(f"page={number}")
    return f"{base_url}?{'&'.join(query)}" if query else base_url


def _render_listing(
    *,
    base_url: str,
    sort: str,
    number: int,
    category_ids: list[int] | None = None,
    merchant_id: int | None = None,
    language: str = "ko",
) -> str | None:
    """Render the product rows and the pager of one page, or None past the last page.

    A category lists each product once however many merchants sell it (a group links to
    the comparison of their prices); a merchant's page lists its own offers.
    """
    size = page_size()
    offset = (number - 1) * size
    if merchant_id is None and category_ids is not None:
        grouped = list_category_groups(
            category_ids=category_ids,
            ordering=sort,
            limit=size,
            offset=offset,
            language=language,
        )
        groups, total = grouped.groups, grouped.total
    else:
        page = list_products(
            category_ids=category_ids,
            merchant_id=merchant_id,
            ordering=sort,
            limit=size,
            offset=offset,
            language=language,
        )
        groups, total = single_groups(page.products), page.total
    paging = paging_for(number=number, total=total)
    if number > paging.count:
        return None
    return _render_rows(
        groups=groups,
        paging=paging,
        page_url=lambda n: _page_url(base_url, sort, n),
        next_url=_page_url(base_url, sort, number),
    )


def _render_rows(
    *,
    groups: list[ProductGroup],
    paging: Paging,
    page_url: Callable[[int], str],
    next_url: str,
    show_district: bool = False,
) -> str:
    return render_to_string(
        "web/shop/_rows.html",
        {
            "rows": _rows_with_availability(groups),
            "show_district": show_district,
            "paging": paging,
            "previous_url": page_url(paging.previous) if paging.previous else "",
            "next_page_url": page_url(paging.next) if paging.next else "",
            "next_url": next_url,
            "csrf_input": CSRF_PLACEHOLDER,
            "is_english": get_language() == "en",
            "quantity_max": settings.OKRYU_LINE_QUANTITY_MAX,
        },
    )


def _rows_with_availability(
    groups: list[ProductGroup],
) -> list[tuple[ProductGroup, Availability]]:
    """Each listed product with its standing now: orderable, closed until, or sold out."""
    standing = availabilities_of(group.product for group in groups)
    return [(group, standing[group.product.pk]) for group in groups]


@require_GET
@cache_page_for_visitors
def home(request: HttpRequest) -> HttpResponse:
    """Answer the home page: categories, merchants by kind and a few featured products."""
    language = request.LANGUAGE_CODE
    body = cached_fragment(
        request,
        key=fragment_cache_key("home", language),
        render=lambda: _render_home(request),
    )
    return render(request, "web/shop/home.html", {"body": body})


def _standing(merchant: Merchant) -> tuple[Merchant, bool, dt.datetime | None]:
    """A merchant as a list shows it: open now, else when it next opens (None: no hours)."""
    if is_merchant_open(merchant):
        return merchant, True, None
    return merchant, False, merchant_opens_at(merchant)


def _render_home(request: HttpRequest) -> str:
    merchants = list_merchants(language=request.LANGUAGE_CODE)
    by_kind: dict[str, list[Merchant]] = {kind: [] for kind in MerchantKind.values}
    for merchant in merchants:
        by_kind[merchant.kind].append(merchant)
    kinds = [
        {
            "kind": kind,
            "label": MerchantKind(kind).label,
            "merchants": [
                _standing(merchant)
                for merchant in by_kind[kind][:MERCHANTS_PER_KIND_ON_HOME]
            ],
            "more": len(by_kind[kind]) > MERCHANTS_PER_KIND_ON_HOME,
            "count": len(by_kind[kind]),
        }
        for kind in MerchantKind.values
        if by_kind[kind]
    ]
    return render_to_string(
        "web/shop/_home_body.html",
        {
            "tree": cached_category_tree(),
            "kinds": kinds,
            "rows": _rows_with_availability(
                single_groups(list_featured_products(limit=FEATURED_ON_HOME))
            ),
            "csrf_input": CSRF_PLACEHOLDER,
            "is_english": request.LANGUAGE_CODE == "en",
            "next_url": reverse("home"),
            "quantity_max": settings.OKRYU_LINE_QUANTITY_MAX,
        },
    )


@require_GET
@cache_page_for_visitors
def category(request: HttpRequest, category_id: int) -> HttpResponse:
    """Answer one category's product listing, paginated and sorted."""
    tree = cached_category_tree()
    node = find_category_node(tree, category_id=category_id)
    if node is None:
        return _notice(request, status=404, message=_("분류를 찾을 수 없습니다."))
    base_url = reverse("category", args=[category_id])
    try:
        sort = parse_sort(request)
        number = parse_page_number(request)
    except InvalidInput as error:
        return _notice(request, status=400, message=error.detail, back_url=base_url)
    listing = cached_fragment(
        request,
        key=fragment_cache_key(
            "category", request.LANGUAGE_CODE, category_id, sort, number
        ),
        render=lambda: _render_listing(
            base_url=base_url,
            sort=sort,
            number=number,
            category_ids=node.descendant_ids(),
            language=request.LANGUAGE_CODE,
        ),
    )
    if listing is None:
        return _notice(
            request, status=404, message=_("없는 쪽입니다."), back_url=base_url
        )
    return render(
        request,
        "web/shop/category.html",
        {
            "node": node,
            "path": category_path(tree, category_id=category_id),
            "sort_links": _sort_links(base_url, sort),
            "listing": listing,
        },
    )


@require_GET
@cache_page_for_visitors
def merchants(request: HttpRequest) -> HttpResponse:
    """Answer the list of merchants, optionally of one kind, with who is open now."""
    kind = request.GET.get("kind") or None
    if kind is not None and kind not in MerchantKind.values:
        return _notice(
            request,
            status=400,
            message=_("판매자 종류는 상점, 공장, 식당, 약국 중 하나입니다."),
            back_url=reverse("merchants"),
        )
    rows = [
        _standing(merchant)
        for merchant in list_merchants(kind=kind, language=request.LANGUAGE_CODE)
    ]
    kinds = [
        {"kind": value, "label": label, "current": value == kind}
        for value, label in MerchantKind.choices
    ]
    return render(
        request,
        "web/shop/merchants.html",
        {
            "rows": rows,
            "kinds": kinds,
            "kind_label": MerchantKind(kind).label if kind else "",
        },
    )


@require_GET
@cache_page_for_visitors
def merchant(request: HttpRequest, merchant_id: int) -> HttpResponse:
    """Answer a merchant's page: open now or closed, the week's hours, its products."""
    try:
        found = get_merchant(merchant_id=merchant_id)
    except NotFound:
        return _notice(request, status=404, message=_("판매자를 찾을 수 없습니다."))
    base_url = reverse("merchant", args=[merchant_id])
    try:
        sort = parse_sort(request)
        number = parse_page_number(request)
    except InvalidInput as error:
        return _notice(request, status=400, message=error.detail, back_url=base_url)
    listing = cached_fragment(
        request,
        key=fragment_cache_key(
            "merchant", request.LANGUAGE_CODE, merchant_id, sort, number
        ),
        render=lambda: _render_listing(
            base_url=base_url,
            sort=sort,
            number=number,
            merchant_id=merchant_id,
            language=request.LANGUAGE_CODE,
        ),
    )
    if listing is None:
        return _notice(
            request, status=404, message=_("없는 쪽입니다."), back_url=base_url
        )
    return render(
        request,
        "web/shop/merchant.html",
        {
            "merchant": found,
            "open_now": is_merchant_open(found),
            "opens_at": _standing(found)[2],
            "week": _week_hours(found),
            "sort_links": _sort_links(base_url, sort),
            "listing": listing,
        },
    )


def _week_hours(merchant: Merchant) -> list[dict[str, object]]:
    """Return the seven days from Monday with each day's opening periods."""
    periods = list_opening_periods(merchant)
    today = clock.local_now().weekday()
    return [
        {
            "name": _(name),
            "periods": [period for period in periods if period.weekday == weekday],
            "today": weekday == today,
        }
        for weekday, name in enumerate(WEEKDAY_NAMES)
    ]


@require_GET
@counts_demand_signals
@cache_page_for_visitors
def product(request: HttpRequest, product_id: int) -> HttpResponse:
    """Answer one product's page with its price, stock, purchase limit and basket form."""
    try:
        found = get_product(product_id=product_id)
    except NotFound:
        return _notice(request, status=404, message=_("상품을 찾을 수 없습니다."))
    standing = availability_of(found)
    available = standing.units
    # Only dishes have options: a product of stock reads none.
    menu = load_option_menus([found.pk])[found.pk] if found.is_made_to_order else None
    groups = menu.groups if menu is not None else ()
    limits = [available, settings.OKRYU_LINE_QUANTITY_MAX]
    if found.purchase_limit_per_day is not None:
        limits.append(found.purchase_limit_per_day)
    response = render(
        request,
        "web/shop/product.html",
        {
            "product": found,
            "path": category_path(
                cached_category_tree(), category_id=found.category_id
            ),
            "available": available,
            "standing": standing,
            "option_groups": groups,
            "checked_options": _checked_options(request, groups),
            "typed_quantity": _typed_quantity(request),
            "quantity_max": min(limits),
            "line_quantity_max": settings.OKRYU_LINE_QUANTITY_MAX,
            "next_url": reverse("product", args=[product_id]),
        },
    )
    if available == 0:
        mark_demand_signal(response, SOLD_OUT, found.pk)
    return response


def _typed_quantity(request: HttpRequest) -> int:
    """The quantity a refused basket form carried back (``?quantity=``), else 1."""
    raw = request.GET.get("quantity", "")
    if raw.isascii() and raw.isdigit() and len(raw) <= TYPED_QUANTITY_LENGTH_MAX:
        return int(raw)
    return 1


def _checked_options(
    request: HttpRequest, groups: tuple[MenuGroup, ...]
) -> frozenset[int]:
    """The options to show checked: those a refused basket form carried back
    (``?option=``), else the first of each group where exactly one is chosen."""
    typed = {int(raw) for raw in request.GET.getlist("option") if raw.isdigit()}
    checked: set[int] = set()
    for group in groups:
        ids = [option.option_id for option in group.options]
        chosen = [option_id for option_id in ids if option_id in typed]
        if group.choice == OptionChoice.ONE:
            chosen = chosen[:1] or ids[:1]
        checked.update(chosen)
    return frozenset(checked)


def _limit_search(request: HttpRequest) -> None:
    user = getattr(request, "user", None)
    rate_limits.hit_all(
        "search",
        address=rate_limits.client_address(request.META),
        account_id=user.pk if user is not None and user.is_authenticated else None,
    )


@require_GET
@counts_demand_signals
@cache_page_for_visitors
def search(request: HttpRequest) -> HttpResponse:
    """Answer the search results for ``q`` (Korean-aware, also romanized), paginated, each
    product once however many merchants sell it. The query stays in the search box, on the
    results and on a refusal alike."""
    query = request.GET.get("q", "").strip()
    search_url = reverse("search")
    try:
        if len(query) > settings.OKRYU_SEARCH_QUERY_LENGTH_MAX:
            raise InvalidInput("", field="q")
        number = parse_page_number(request)
        page = None
        if query:
            _limit_search(request)
            size = page_size()
            page = catalog_search.search_product_groups(
                query=query, limit=size, offset=(number - 1) * size
            )
    except InvalidInput as error:
        message = error.detail
        if error.field == "q":
            message = _("검색어는 %(max)d자까지 쓸 수 있습니다.") % {
                "max": settings.OKRYU_SEARCH_QUERY_LENGTH_MAX
            }
        # The box holds at most the longest query it takes.
        kept = query[: settings.OKRYU_SEARCH_QUERY_LENGTH_MAX]
        return _notice(
            request, status=400, message=message, back_url=search_url, query=kept
        )
    context: dict[str, object] = {"query": query, "listing": None, "total": 0}
    if page is not None:
        paging = paging_for(number=number, total=page.total)
        base = f"{search_url}?q={quote(query)}"
        if number > paging.count:
            return _notice(
                request,
                status=404,
                message=_("없는 쪽입니다."),
                back_url=base,
                query=query,
            )
        html = _render_rows(
            groups=page.groups,
            paging=paging,
            page_url=lambda n: f"{base}&page={n}" if n > 1 else base,
            next_url=f"{base}&page={number}" if number > 1 else base,
        )
        context["listing"] = insert_csrf(request, html)
        context["total"] = page.total
    response = render(request, "web/shop/search.html", context)
    if page is not None and page.total == 0:
        mark_demand_signal(response, EMPTY_SEARCH, query)
    return response


@require_GET
@cache_page_for_visitors
def product_sellers(request: HttpRequest, product_id: int) -> HttpResponse:
    """Answer the comparison of every merchant's offer of one product, cheapest first."""
    try:
        offers = list_sellers(product_id=product_id)
    except NotFound:
        return _notice(request, status=404, message=_("상품을 찾을 수 없습니다."))
    url = reverse("product-sellers", args=[product_id])
    html = _render_rows(
        groups=single_groups(offers),
        # Every offer on one page (at most SELLERS_MAX): no pager.
        paging=Paging(number=1, count=1, total=len(offers)),
        page_url=lambda _n: url,
        next_url=url,
        show_district=True,
    )
    return render(
        request,
        "web/shop/sellers.html",
        {"product": offers[0], "listing": insert_csrf(request, html)},
    )


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Remember the chosen language in a cookie for a year and go back where the person was.

    Only a path on this site is followed back (``next`` is checked), so the switch cannot be
    used to send people elsewhere.
    """
    chosen = request.POST.get("language", "")
    if chosen not in {code for code, _name in settings.LANGUAGES}:
        return _notice(request, status=400, message=_("알 수 없는 언어입니다."))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("home")
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        chosen,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure(),
    )
    return response
