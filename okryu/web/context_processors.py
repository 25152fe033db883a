"""Values every storefront template needs."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from okryu.accounts.models import Role
from okryu.accounts.queries import list_roles
from okryu.cart.owners import BasketOwner
from okryu.cart.queries import count_basket_lines
from okryu.merchants.models import MerchantKind
from okryu.merchants.queries import list_merchant_ids_for_staff
from okryu.web.page_cache import is_shared_page

# The work pages of each role, linked from the header of the people who hold it.
WORK_PAGES = [
    (Role.MERCHANT, "merchant", gettext_lazy("판매자 업무")),
    (Role.TELLER, "teller-home", gettext_lazy("은행 창구")),
    (Role.SUPERVISOR, "supervisor-queue", gettext_lazy("입금 승인")),
    (Role.OPERATOR, "logistics", gettext_lazy("물류 사무소")),
    (Role.COURIER, "courier-jobs", gettext_lazy("내 배달")),
    (Role.SUPERVISOR, "door-losses", gettext_lazy("문앞 미결제")),
    (Role.SUPERVISOR, "supervisor-card-actions", gettext_lazy("카드 처리 기록")),
]


def storefront(request: HttpRequest) -> dict[str, object]:
    """Return the active language (to pick ``name`` or ``name_en``), the search limit and
    the basket's line count for the header badge (computed only when a template asks)."""
    language = getattr(request, "LANGUAGE_CODE", "ko")
    return {
        "is_english": language == "en",
        "language": language,
        "query_length_max": settings.OKRYU_SEARCH_QUERY_LENGTH_MAX,
        "basket_line_count": _basket_line_counter(request),
        "work_links": _work_links(request),
        # A page shared by every visitor (page_cache) writes placeholders for their own parts.
        "shared_page": is_shared_page(request),
    }


def _work_links(request: HttpRequest) -> Callable[[], list[dict[str, str]]]:
    def links() -> list[dict[str, str]]:
        # Asked only by the header of a signed-in person: one query for their roles.
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return []
        roles = set(list_roles(user))
        found = [
            {"url": reverse(url_name), "label": str(label)}
            for role, url_name, label in WORK_PAGES
            if role in roles
        ]
        # Restaurant staff also keep the kitchen screen (a second query, for them only).
        if Role.MERCHANT in roles and list_merchant_ids_for_staff(
            user=user, kind=MerchantKind.RESTAURANT
        ):
            found.append({"url": reverse("kitchen"), "label": gettext("주방")})
        return found

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
