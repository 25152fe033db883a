"""The work pages of each staff role: linked from the header, and where staff land on signing in."""

from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from okryu.accounts.models import Role, User
from okryu.accounts.queries import list_roles
from okryu.merchants.models import MerchantKind
from okryu.merchants.queries import list_merchant_ids_for_staff

# In the order of the header's links; the first a person holds is where they land.
WORK_PAGES = [
    (Role.MERCHANT, "merchant", gettext_lazy("판매자 업무")),
    (Role.TELLER, "teller-home", gettext_lazy("은행 창구")),
    (Role.SUPERVISOR, "supervisor-queue", gettext_lazy("입금 승인")),
    (Role.OPERATOR, "logistics", gettext_lazy("물류 사무소")),
    (Role.COURIER, "courier-jobs", gettext_lazy("내 배달")),
    (Role.SUPERVISOR, "door-losses", gettext_lazy("문앞 미결제")),
    (Role.SUPERVISOR, "supervisor-card-actions", gettext_lazy("카드 처리 기록")),
]


def list_work_links(user: User) -> list[dict[str, str]]:
    """Return ``{"url", "label"}`` of each work page ``user`` may open, header order."""
    roles = set(list_roles(user))  # One query for the roles.
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


def find_landing_page(user: User) -> str | None:
    """Return the work page ``user`` lands on after signing in, or None for a shopper."""
    roles = set(list_roles(user))
    for role, url_name, _label in WORK_PAGES:
        if role in roles:
            return reverse(url_name)
    return None
