"""Reading a listing's page and sort parameters, and caching rendered listing fragments.

A listing page spends most of its time rendering product rows, so the rows and the pager are
rendered once per (language, scope, sort, page) and kept in Django's cache for a few seconds
(``OKRYU_CATALOG_CACHE_SECONDS``). The forms in those rows need a CSRF token, which is per
visitor: fragments are cached with a placeholder that is replaced by this request's token, so no
token is ever stored in the cache.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from okryu.catalog.queries import CategoryNode, list_category_tree
from okryu.catalog.queries import validate_product_ordering as _validate_ordering
from okryu.core.errors import InvalidInput
from okryu.web.idempotency import idempotency_field

# What a cached fragment holds where this request's CSRF field goes.
CSRF_PLACEHOLDER = "<!--okryu-csrf-->"
PAGE_NUMBER_DIGITS_MAX = 6
CATEGORY_TREE_CACHE_KEY = "okryu:category-tree:1"

# The sort keys in the order the sort links show them, with their Korean labels (msgids).
SORT_LABELS: tuple[tuple[str, str], ...] = (
    ("name", gettext_noop("이름순")),
    ("price", gettext_noop("낮은 가격순")),
    ("-price", gettext_noop("높은 가격순")),
    ("newest", gettext_noop("최신순")),
)


@dataclass(frozen=True)
class Paging:
    """Where one page sits in a listing of ``total`` items."""

    number: int
    count: int
    total: int

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.count else None


def parse_page_number(request: HttpRequest) -> int:
    """Return the ``page`` parameter as a positive integer (1 when absent).

    Raises InvalidInput(field="page") for anything but a plain positive number: ``-1``,
    ``abc``, ``0`` and absurdly long numbers are refused, not guessed at.
    """
    raw = request.GET.get("page", "")
    if raw == "":
        return 1
    if not (raw.isascii() and raw.isdigit()) or len(raw) > PAGE_NUMBER_DIGITS_MAX:
        raise InvalidInput(_("쪽 번호는 1 이상의 숫자여야 합니다."), field="page")
    number = int(raw)
    if number < 1:
        raise InvalidInput(_("쪽 번호는 1 이상의 숫자여야 합니다."), field="page")
    return number


def parse_sort(request: HttpRequest) -> str:
    """Return a known sort key from the ``sort`` parameter, or raise InvalidInput."""
    try:
        return _validate_ordering(request.GET.get("sort"))
    except InvalidInput:
        raise InvalidInput(
            _("정렬 방식은 이름순, 낮은 가격순, 높은 가격순, 최신순 중 하나입니다."),
            field="sort",
        ) from None


def page_size() -> int:
    """Return the number of products on one listing page."""
    return int(settings.OKRYU_PAGE_SIZE)


def paging_for(*, number: int, total: int) -> Paging:
    """Return the paging of page ``number`` in a listing of ``total`` items."""
    size = page_size()
    count = max(1, -(-total // size))
    return Paging(number=number, count=count, total=total)


def cached_category_tree() -> list[CategoryNode]:
    """Return the category tree, read from the database at most once per cache period."""
    tree: list[CategoryNode] | None = cache.get(CATEGORY_TREE_CACHE_KEY)
    if tree is None:
        tree = list_category_tree()
        cache.set(CATEGORY_TREE_CACHE_KEY, tree, settings.OKRYU_CATALOG_CACHE_SECONDS)
    return tree


def category_path(tree: list[CategoryNode], *, category_id: int) -> list[CategoryNode]:
    """Return the nodes from a root down to ``category_id`` (empty when it is unknown)."""
    stack: list[tuple[CategoryNode, list[CategoryNode]]] = [
        (node, [node]) for node in tree
    ]
    while stack:
        node, path = stack.pop()
        if node.category.pk == category_id:
            return path
        stack.extend((child, [*path, child]) for child in node.children)
    return []


def fragment_cache_key(*parts: object) -> str:
    """Return the cache key of a rendered fragment; every part that changes it is named."""
    return "okryu:fragment:" + ":".join(str(part) for part in parts)


def csrf_field(request: HttpRequest) -> SafeString:
    """Return this request's hidden CSRF input (one masked token for the whole page)."""
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">',
        get_token(request),
    )


def cached_fragment(
    request: HttpRequest, *, key: str, render: Callable[[], str | None]
) -> SafeString | None:
    """Return the fragment under ``key``, rendering and caching it on a miss.

    ``render`` returns the HTML with ``CSRF_PLACEHOLDER`` where the token goes, or None when
    there is nothing to show (for example a page past the end); None is not cached.
    """
    html: str | None = cache.get(key)
    if html is None:
        html = render()
        if html is None:
            return None
        cache.set(key, html, settings.OKRYU_CATALOG_CACHE_SECONDS)
    return insert_csrf(request, html)


def insert_csrf(request: HttpRequest, html: str) -> SafeString:
    """Return a fragment rendered by our templates with each form's CSRF and key fields."""
    # Each form gets this request's CSRF field and a fresh idempotency key of its own, so a
    # cached fragment never hands two visitors, or two forms, the same key.
    csrf = csrf_field(request)
    pieces = html.split(CSRF_PLACEHOLDER)
    filled = pieces[0] + "".join(
        csrf + idempotency_field() + piece for piece in pieces[1:]
    )
    # Safe: ``html`` comes from our own templates, rendered with autoescaping on.
    return mark_safe(filled)  # noqa: S308
