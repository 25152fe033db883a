"""Values every storefront template needs."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest

from okryu.cart.owners import BasketOwner
from okryu.cart.queries import count_basket_lines
from okryu.web.page_cache import is_shared_page
from okryu.web.work_pages import list_work_links


def storefront(request: HttpRequest) -> dict[str, object]:
    """Return the active language (to pick ``name`` or ``name_en``), the search limit and
    the basket's line count for the header badge (computed only when a template asks)."""
    language = getattr(request, "LANGUAGE_CODE", "ko")
    return {
        "is_english": language == "en",
        "language": language,
        "query_length_max": settings.OKRYU_SEARCH_QUERY_LENGTH_MAX,
        "demo_phone": settings.OKRYU_DEMO_PHONE,
        "basket_line_count": _basket_line_counter(request),
        "work_links": _work_links(request),
        # A page shared by every visitor (page_cache) writes placeholders for their own parts.
        "shared_page": is_shared_page(request),
    }


def _work_links(request: HttpRequest) -> Callable[[], list[dict[str, str]]]:
    def links() -> list[dict[str, str]]:
        # Asked only by the header of a signed-in person.
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return []
        return list_work_links(user)

    return links


def _basket_line_counter(request: HttpRequest) -> Callable[[], int]:
    def count() -> int:
        # A first-time visitor has neither a login nor a stored session, so has no basket:
        # answering 0 without a query keeps their pages at the queries they need.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return count_basket_lines(BasketOwner.for_user(user.pk))
        session = getattr(request, "session", None)
        session_key = session.session_key if session is not None else None
        if session_key:
            return count_basket_lines(BasketOwner.for_session(session_key))
        return 0

    return count
