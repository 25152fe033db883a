"""How the order pages tell a refusal: a clear sentence in the shopper's language and a status.

Refusals are told by their stable code, in the visitor's language (gettext); a code without
a sentence here shows the service's own detail.
"""

import datetime as dt
from collections.abc import Mapping
from http import HTTPStatus

from django.utils.translation import get_language, gettext

from okryu.core import clock
from okryu.core.errors import DomainError
from okryu.core.particles import resolve_particles
from okryu.core.won import format_won


def refusal_message(  # noqa: PLR0911  (one sentence per code)
    error: DomainError, *, product_names: Mapping[int, str] | None = None
) -> str:
    """Return the sentence that tells the person why ``error`` refused their request.

    Chosen by the error's stable ``code`` and written here with gettext, in the visitor's
    language; the figures come from the error's extra members and the product's name from
    ``product_names`` (what the page shows). A code without a sentence here falls back to
    the service's own detail.
    """
    extra = error.extra
    names = product_names or {}
    product = extra.get("product")
    name = names.get(product, "") if isinstance(product, int) else ""
    if error.code == "wrong_pin":
        attempts_left = extra.get("attempts_left")
        if isinstance(attempts_left, int):
            return gettext(
                "PIN이 틀렸습니다. %(attempts_left)d번 더 틀리면 카드가 잠깁니다."
            ) % {"attempts_left": attempts_left}
        return gettext("PIN이 틀렸습니다.")
    if error.code == "merchant_closed":
        return _merchant_closed_message(error)
    if error.code == "too_many_door_orders":
        return gettext(
            "문앞 결제 주문은 한 번에 %(limit)d건까지입니다. "
            "받지 않은 주문이 끝난 뒤에 하거나 카드로 결제하십시오."
        ) % {"limit": error.extra.get("limit", 0)}
    if error.code == "price_changed" and name:
        return resolve_particles(
            gettext(
                "%(name)s의 가격이 %(seen)s에서 %(now)s으로 바뀌었습니다. "
                "확인하고 다시 주문하십시오."
            )
            % {
                "name": name,
                "seen": format_won(int(str(extra["price_seen"]))),
                "now": format_won(int(str(extra["price_now"]))),
            }
        )
    if error.code == "out_of_stock" and name:
        return resolve_particles(
            gettext("%(name)s은(는) %(available)s개만 주문할 수 있습니다.")
            % {"name": name, "available": extra.get("available", 0)}
        )
    if error.code == "over_limit" and name and "limit" in extra:
        return resolve_particles(
            gettext(
                "%(name)s은(는) 하루 %(limit)s개까지 살 수 있습니다 "
                "(오늘 이미 %(bought)s개를 주문했습니다)."
            )
            % {"name": name, "limit": extra["limit"], "bought": extra["bought_today"]}
        )
    messages = {
        "phone_not_verified": gettext(
            "문앞 결제에는 확인된 전화번호가 필요합니다. "
            "내 정보에서 전화번호를 확인하십시오."
        ),
        "unpaid_door_handover": gettext(
            "문앞에서 결제되지 않은 주문이 있어 문앞 결제를 할 수 없습니다. "
            "은행이나 물류 사무소에 문의하십시오."
        ),
        "card_locked": gettext(
            "PIN을 여러 번 틀려 카드가 잠겼습니다. 은행에서 PIN을 다시 정하십시오."
        ),
        "card_blocked": gettext("이 카드는 정지되어 쓸 수 없습니다."),
        "card_expired": gettext("이 카드는 기한이 지났습니다."),
        "card_not_found": gettext("카드를 찾을 수 없습니다. 카드 번호를 확인하십시오."),
        "insufficient_funds": gettext(
            "카드 잔액이 모자랍니다. 은행에서 충전한 뒤 다시 주문하십시오."
        ),
        "basket_empty": gettext("장바구니가 비어 있습니다."),
        "slot_in_past": gettext("이미 지난 배달 시간입니다. 다른 시간을 고르십시오."),
        # The same form (its key) sent again with other choices, after its order was placed.
        "idempotency_key_reused": gettext(
            "이 주문서로는 이미 주문했습니다. 내 주문에서 확인하십시오. "
            "다른 주문을 하려면 주문하기를 다시 여십시오."
        ),
    }
    return messages.get(error.code, error.detail)


def _merchant_closed_message(error: DomainError) -> str:
    english = get_language() == "en"
    name = str(error.extra.get("merchant_name_en" if english else "merchant_name", ""))
    opens_at = error.extra.get("opens_at")
    if not isinstance(opens_at, str):
        return resolve_particles(
            gettext("%(merchant)s은(는) 지금 문을 닫았습니다.") % {"merchant": name}
        )
    local = dt.datetime.fromisoformat(opens_at).astimezone(clock.PYONGYANG)
    return resolve_particles(
        gettext(
            "%(merchant)s은(는) %(when)s에 엽니다. "
            "영업 시간 안의 배달 시간을 고르십시오."
        )
        % {"merchant": name, "when": local.strftime("%m-%d %H:%M")}
    )


def refusal_status(error: DomainError) -> int:
    """Return the page's status for ``error``: its own, but 422 for a thing not found.

    A form names the card and the products; one that does not exist is a wrong field of the
    form, not a missing page.
    """
    if error.status == HTTPStatus.NOT_FOUND:
        return HTTPStatus.UNPROCESSABLE_ENTITY
    return error.status
