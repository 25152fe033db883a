"""Losses at the door: offline door records refused on upload (ADR 0005).

The bank's supervisor (and the logistics office) see each one: order, merchant, amount, the
issuer's refusal, the blocked card and the holder who owes it. An operator clears one once
the debt is settled or written off, with a note; its shopper may then order by door again.
The clearing form carries a hidden idempotency key, so a double click acts once; a refusal is
told above the list, changing nothing.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views import View
from typing_extensions import override

from okryu.accounts.models import Role, User
from okryu.accounts.queries import has_role
from okryu.core.errors import DomainError
from okryu.core.errors import PermissionDenied as NotAllowed
from okryu.orders.services.door_losses import (
    NOTE_LENGTH_MAX,
    clear_door_loss,
    list_door_losses,
)
from okryu.web.idempotency import submit_once
from okryu.web.logistics.forms import KeyedForm
from okryu.web.merchant.access import OperatorRequiredMixin

LIST_LENGTH_MAX = 200
# The issuer's refusal of an offline door record, as a supervisor reads it (else the code).
REFUSAL_WORDS = {
    "insufficient_funds": gettext_lazy("잔액 부족"),
    "card_blocked": gettext_lazy("정지된 카드"),
    "card_expired": gettext_lazy("기한이 지난 카드"),
    "card_cloned": gettext_lazy("복제된 카드"),
    "chip_replay": gettext_lazy("이미 받은 칩 기록"),
    "chip_invalid": gettext_lazy("맞지 않는 칩 기록"),
    "over_floor_limit": gettext_lazy("오프라인 한도 초과"),
}
CARD_STATUS_WORDS = {
    "active": gettext_lazy("사용 중"),
    "blocked": gettext_lazy("정지"),
    "expired": gettext_lazy("만료"),
}


def _in_words(item: dict[str, Any]) -> dict[str, Any]:
    code = str(item["refusal_code"])
    status = str(item["card_status"])
    return {
        **item,
        "refusal": REFUSAL_WORDS.get(code, code),
        "card_status": CARD_STATUS_WORDS.get(status, status),
    }


class ClearForm(KeyedForm):
    """Why the loss is cleared."""

    note = forms.CharField(
        max_length=NOTE_LENGTH_MAX,
        error_messages={
            "required": gettext_lazy("정리한 까닭을 적으십시오."),
            "max_length": gettext_lazy("까닭은 200자까지입니다."),
        },
    )


class ReviewerRequiredMixin(LoginRequiredMixin):
    """Let in the bank's supervisors and the operators; 403 for everyone else."""

    @override
    def dispatch(
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not (
            has_role(request.user, Role.SUPERVISOR)
            or has_role(request.user, Role.OPERATOR)
        ):
            raise PermissionDenied(
                gettext("은행 감독원과 운영자만 볼 수 있는 쪽입니다.")
            )
        response: HttpResponseBase = super().dispatch(request, *args, **kwargs)
        return response


def render_losses(
    request: HttpRequest, *, error: str = "", code: int = 200
) -> HttpResponse:
    """Render the list: open losses first, then the cleared ones."""
    assert isinstance(request.user, User)
    found = list_door_losses(
        actor_user_id=request.user.pk,
        open_only=False,
        limit=LIST_LENGTH_MAX,
        offset=0,
    )
    context = {
        "open_losses": [
            _in_words(item) for item in found.items if item["cleared_at"] is None
        ],
        "cleared_losses": [
            _in_words(item) for item in found.items if item["cleared_at"] is not None
        ],
        "count": found.count,
        "can_clear": has_role(request.user, Role.OPERATOR),
        "error": error,
        "note_length_max": NOTE_LENGTH_MAX,
    }
    return render(request, "web/door_losses/list.html", context, status=code)


class DoorLossListView(ReviewerRequiredMixin, View):
    """The list of losses at the door."""

    def get(self, request: HttpRequest) -> HttpResponse:
        """Show the list."""
        return render_losses(request)


class DoorLossClearView(OperatorRequiredMixin, View):
    """Clear one loss, once per form."""

    def post(self, request: HttpRequest, loss_id: int) -> HttpResponse:
        """Clear it and go back to the list; a refusal is told above it."""
        assert isinstance(request.user, User)
        operator = request.user
        form = ClearForm(request.POST)
        if not form.is_valid():
            first = next(iter(form.errors.values()))[0]
            return render_losses(request, error=str(first), code=422)
        note = form.cleaned_data["note"]

        def clear() -> tuple[int, Any]:
            clear_door_loss(operator_user_id=operator.pk, loss_id=loss_id, note=note)
            return 200, {}

        try:
            submit_once(
                scope=f"web:door-loss-clear:{operator.pk}",
                key=form.cleaned_data["idempotency_key"],
                fields={"loss": loss_id, "note": note},
                action=clear,
            )
        except NotAllowed as error:
            raise PermissionDenied(error.detail) from error
        except DomainError as error:
            return render_losses(request, error=error.detail, code=error.status)
        messages.success(
            request,
            gettext(
                "미결제 기록을 정리했습니다. 이 구매자는 다시 문앞 결제를 할 수 있습니다."
            ),
        )
        return redirect("door-losses")
