"""How the office and courier pages tell a refused delivery move, in the reader's language.

The delivery services' own details are Korean sentences for the API; the pages say what to do
next instead, translated, and keep the service's detail only for refusals they do not know.
"""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext

from okryu.core.errors import DomainError
from okryu.delivery.models import JobStatus
from okryu.delivery.rules import SCHEDULED
from okryu.orders.models import FulfilmentStatusChoices
from okryu.web.orders.errors import refusal_message


def _status_label(status: object) -> str:
    if status == SCHEDULED:
        return gettext("배달 시간 기다리는 중")
    if status in JobStatus.values:
        return str(JobStatus(status).label)
    if status in FulfilmentStatusChoices.values:
        return str(FulfilmentStatusChoices(status).label)
    return gettext("알 수 없음")


def _messages() -> dict[str, str]:
    return {
        "vehicle_too_small": gettext(
            "이 배달원의 운송 수단으로는 실을 수 없습니다. 화물차가 필요합니다."
        ),
        "over_capacity": gettext(
            "배달원의 적재량을 넘습니다. 다른 배달원을 고르십시오."
        ),
        "courier_off_duty": gettext(
            "근무 중이 아닌 배달원입니다. 근무 중인 배달원을 고르십시오."
        ),
        "courier_still_carrying": gettext(
            "아직 배달하지 않은 물건이 있습니다. 배달하거나 돌려준 뒤 근무를 끝내십시오."
        ),
        "payment_required": gettext(
            "문앞 결제를 먼저 칩 단말기로 받으십시오. 그 뒤에 확인 번호를 넣으십시오."
        ),
        "idempotency_key_reused": gettext(
            "이 양식은 이미 다른 내용으로 보냈습니다. 쪽을 다시 열고 해 보십시오."
        ),
    }


def _invalid_field_messages() -> dict[object, str]:
    return {
        "code": gettext("확인 번호는 숫자 4자리입니다."),
        "reason": gettext("사유를 1자에서 200자까지 쓰십시오."),
        "district": gettext("그런 구역은 없습니다."),
    }


def _locked_message(*, is_office: bool) -> str:
    if is_office:
        return gettext(
            "확인 번호를 여러 번 틀려 잠긴 배달입니다. "
            "구매자에게 전화한 뒤 잠금을 푸십시오."
        )
    return gettext(
        "확인 번호를 여러 번 틀려 잠겼습니다. "
        "물류 사무소에서 구매자에게 전화할 것입니다. 기다리십시오."
    )


def delivery_refusal_text(
    *, code: str, detail: str, extra: Mapping[str, Any], is_office: bool
) -> str:
    """Return the sentence for a refusal told by its code, detail and extra fields."""
    if code == "wrong_code":
        return gettext(
            "확인 번호가 틀렸습니다. %(attempts_left)d번 더 틀리면 잠깁니다."
        ) % {"attempts_left": int(extra.get("attempts_left", 0))}
    if code == "job_locked":
        return _locked_message(is_office=is_office)
    if code == "transition_not_allowed":
        return gettext(
            "이 배달은 지금 그렇게 할 수 없습니다. 지금 상태: %(status)s."
        ) % {"status": _status_label(extra.get("status"))}
    if code == "invalid":
        return _invalid_field_messages().get(extra.get("field"), detail)
    return _messages().get(code, detail)


def delivery_refusal_message(error: DomainError, *, is_office: bool = False) -> str:
    """Return the sentence that tells why ``error`` refused a delivery move."""
    known = delivery_refusal_text(
        code=error.code, detail=error.detail, extra=error.extra, is_office=is_office
    )
    if known != error.detail:
        return known
    return refusal_message(error)
