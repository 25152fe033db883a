"""The merchant's week of opening hours: shown and replaced on one page.

The form has a row per weekday with a few periods (a time it opens, a time it closes); an
empty period is none, a day with none is closed. It replaces the whole week through
``merchants.services.set_opening_hours``, the same service as the API; a refused week
(overlapping periods, a period with only one time) is shown again as it was typed, with the
reason, and changes nothing. Replacing a week twice is the same week: no key is needed.
"""

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views import View
from typing_extensions import override

from okryu.accounts.models import User
from okryu.core.errors import DomainError, NotFound
from okryu.merchants.models import Merchant
from okryu.merchants.queries import get_merchant_for_staff, list_opening_periods
from okryu.merchants.rules import DAYS_PER_WEEK, PERIODS_PER_DAY_MAX, OpeningPeriod
from okryu.merchants.services import set_opening_hours
from okryu.web.merchant.access import MerchantStaffRequiredMixin
from okryu.web.orders.errors import refusal_status

# Periods a day the page offers: two (lunch and dinner), more when the week has more.
PAGE_PERIODS_PER_DAY = 2
WEEKDAYS = (
    gettext_lazy("월요일"),
    gettext_lazy("화요일"),
    gettext_lazy("수요일"),
    gettext_lazy("목요일"),
    gettext_lazy("금요일"),
    gettext_lazy("토요일"),
    gettext_lazy("일요일"),
)
UNPROCESSABLE = 422


def _time_field() -> forms.TimeField:
    return forms.TimeField(
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": gettext_lazy("시각은 11:00처럼 씁니다.")},
    )


class HoursForm(forms.Form):
    """A week: for each weekday and period, when it opens and when it closes."""

    def __init__(self, *args: Any, slots: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assert 1 <= slots <= PERIODS_PER_DAY_MAX
        self.slots = slots
        for day in range(DAYS_PER_WEEK):
            for slot in range(slots):
                self.fields[f"d{day}_{slot}_opens"] = _time_field()
                self.fields[f"d{day}_{slot}_closes"] = _time_field()

    def rows(self) -> list[dict[str, Any]]:
        """The form's fields by weekday, for the template."""
        return [
            {
                "name": WEEKDAYS[day],
                "slots": [
                    (self[f"d{day}_{slot}_opens"], self[f"d{day}_{slot}_closes"])
                    for slot in range(self.slots)
                ],
            }
            for day in range(DAYS_PER_WEEK)
        ]

    def periods(self) -> list[OpeningPeriod]:
        """The week typed (after validation): each period with both times."""
        found = []
        for day in range(DAYS_PER_WEEK):
            for slot in range(self.slots):
                opens: dt.time | None = self.cleaned_data[f"d{day}_{slot}_opens"]
                closes: dt.time | None = self.cleaned_data[f"d{day}_{slot}_closes"]
                if opens is not None and closes is not None:
                    found.append(OpeningPeriod(day, opens, closes))
        return found

    @override
    def clean(self) -> dict[str, Any]:
        """Refuse a period with only one of its two times."""
        cleaned: dict[str, Any] = super().clean() or {}
        for day in range(DAYS_PER_WEEK):
            for slot in range(self.slots):
                names = (f"d{day}_{slot}_opens", f"d{day}_{slot}_closes")
                given = [cleaned.get(name) is not None for name in names]
                if any(given) and not all(given) and not self.errors:
                    self.add_error(
                        None,
                        gettext("%(day)s: 여는 시각과 닫는 시각을 함께 쓰십시오.")
                        % {"day": WEEKDAYS[day]},
                    )
        return cleaned


def _initial(periods: list[OpeningPeriod]) -> dict[str, dt.time]:
    initial: dict[str, dt.time] = {}
    used = [0] * DAYS_PER_WEEK
    for period in sorted(periods, key=lambda p: (p.weekday, p.opens_at)):
        slot = used[period.weekday]
        used[period.weekday] += 1
        initial[f"d{period.weekday}_{slot}_opens"] = period.opens_at
        initial[f"d{period.weekday}_{slot}_closes"] = period.closes_at
    return initial


def _slots(periods: list[OpeningPeriod]) -> int:
    most = max(
        (sum(p.weekday == day for p in periods) for day in range(DAYS_PER_WEEK)),
        default=0,
    )
    return min(PERIODS_PER_DAY_MAX, max(PAGE_PERIODS_PER_DAY, most))


class HoursView(MerchantStaffRequiredMixin, View):
    """The week of one of the staff member's merchants (the first, or ``merchant_id``)."""

    def _merchant(self, request: HttpRequest, merchant_id: int | None) -> Merchant:
        assert isinstance(request.user, User)
        wanted = merchant_id if merchant_id is not None else self.merchant_ids[0]
        try:
            return get_merchant_for_staff(user_id=request.user.pk, merchant_id=wanted)
        except NotFound as error:
            raise Http404(error.detail) from error

    def _render(
        self, request: HttpRequest, merchant: Merchant, form: HoursForm, code: int
    ) -> HttpResponse:
        context = {"merchant": merchant, "form": form, "rows": form.rows()}
        return render(request, "web/merchant/hours.html", context, status=code)

    def get(self, request: HttpRequest, merchant_id: int | None = None) -> HttpResponse:
        """Show the week as it is."""
        merchant = self._merchant(request, merchant_id)
        periods = list_opening_periods(merchant)
        form = HoursForm(initial=_initial(periods), slots=_slots(periods))
        return self._render(request, merchant, form, 200)

    def post(
        self, request: HttpRequest, merchant_id: int | None = None
    ) -> HttpResponse:
        """Replace the week, or show it again as typed with the reason."""
        assert isinstance(request.user, User)
        merchant = self._merchant(request, merchant_id)
        slots = _slots(list_opening_periods(merchant))
        form = HoursForm(request.POST, slots=slots)
        if not form.is_valid():
            return self._render(request, merchant, form, UNPROCESSABLE)
        try:
            set_opening_hours(
                staff_user_id=request.user.pk,
                merchant_id=merchant.pk,
                periods=form.periods(),
            )
        except NotFound as error:
            raise Http404(error.detail) from error
        except DomainError as error:
            form.add_error(None, error.detail)
            return self._render(request, merchant, form, refusal_status(error))
        messages.success(request, gettext("영업 시간을 고쳤습니다."))
        return redirect("merchant-hours-of", merchant_id=merchant.pk)
