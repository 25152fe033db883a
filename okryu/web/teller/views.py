"""Bank counter pages (teller role): open and close the day's cash drawer, find a holder, issue
a card, take a cash top-up, block and unblock, reset a PIN, print a statement; a card's page
shows its journal (who issued, blocked, unblocked it or reset its PIN, and when).

Every action goes through the counter's controls (payments/counter_services.py): nothing on a
card the teller holds, cash only through the open drawer, a top-up above the approval
threshold waits for a supervisor (the home page lists what waits), a second card needs a reason.

Every form carries a hidden idempotency key and runs its service through ``submit_once``, so a
double click or a resubmitted form does nothing twice; it posts, then redirects. A refused form
is shown again with the reason and status 422, and changed nothing. Anyone but a teller gets
403 (a visitor who has not logged in is sent to log in).
"""

import hashlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views import View
from typing_extensions import override

from okryu.accounts.models import Role, User
from okryu.accounts.queries import has_role
from okryu.core.errors import DomainError, NotFound
from okryu.orders.statements import card_statement
from okryu.payments.counter import (
    find_holders,
    get_holder,
    list_cards_for_holder,
    list_drawers,
    list_pending_top_ups,
)
from okryu.payments.counter_services import (
    block_card_at_counter,
    close_drawer,
    issue_card_at_counter,
    open_drawer,
    reset_pin_at_counter,
    take_top_up,
    unblock_card_at_counter,
)
from okryu.payments.models import Card, CounterTopUpStatus
from okryu.payments.queries import (
    get_card_for_holder_or_teller,
    list_card_events_page,
)
from okryu.web.cards.forms import OnceForm
from okryu.web.cards.pins import pin_mac
from okryu.web.idempotency import submit_once
from okryu.web.teller.forms import (
    BlockForm,
    CloseDrawerForm,
    HolderSearchForm,
    IssueCardForm,
    PinResetForm,
    TopUpForm,
)
from okryu.web.teller.journal import journal_lines

UNPROCESSABLE = 422
STATEMENT_LINES_SHOWN = 200
JOURNAL_LINES_SHOWN = 20


class TellerRequiredMixin(LoginRequiredMixin):
    """Let only tellers in: 403 for everyone else who is logged in."""

    @override
    def dispatch(
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        if request.user.is_authenticated and not has_role(request.user, Role.TELLER):
            raise PermissionDenied(gettext("은행원만 쓸 수 있는 화면입니다."))
        return super().dispatch(request, *args, **kwargs)


def _teller(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _get_card(request: HttpRequest, number: str) -> Card:
    try:
        return get_card_for_holder_or_teller(card_number=number, user=_teller(request))
    except NotFound as error:
        raise Http404(error.detail) from error


def _scope(request: HttpRequest, action: str) -> str:
    return f"web:teller-{action}:user:{_teller(request).pk}"


def _transfer_id(request: HttpRequest, key: str) -> str:
    digest = hashlib.sha256(f"{_teller(request).pk}\x1f{key}".encode()).hexdigest()
    return f"web-top-up:{digest[:48]}"


def _render_home(
    request: HttpRequest, *, status: int = 200, **forms: object
) -> HttpResponse:
    form = HolderSearchForm(request.GET or None)
    holders = (
        find_holders(text=form.cleaned_data["q"])
        if form.is_bound and form.is_valid()
        else []
    )
    teller = _teller(request)
    drawers = list_drawers(teller_id=teller.pk, limit=1)
    context: dict[str, Any] = {
        "form": form,
        "holders": holders,
        "searched": form.is_bound,
        "drawer": drawers[0] if drawers else None,
        "pending": list_pending_top_ups(teller_id=teller.pk),
        "open_form": OnceForm(),
        "close_form": CloseDrawerForm(),
    }
    context.update(forms)
    return render(request, "web/teller/home.html", context, status=status)


class TellerHomeView(TellerRequiredMixin, View):
    """The counter: the day's drawer, top-ups awaiting approval, and finding a holder."""

    def get(self, request: HttpRequest) -> HttpResponse:
        """Show the drawer, the queue and the search form (with the holders found)."""
        return _render_home(request)


class OpenDrawerView(TellerRequiredMixin, View):
    """Open the teller's cash drawer for today."""

    def post(self, request: HttpRequest) -> HttpResponse:
        """Open the drawer, or show the counter again with the reason."""
        form = OnceForm(request.POST)

        def open_it() -> tuple[int, dict[str, object]]:
            open_drawer(teller=_teller(request))
            return 200, {}

        try:
            submit_once(
                scope=_scope(request, "drawer-open"),
                key=request.POST.get("idempotency_key", ""),
                fields={},
                action=open_it,
            )
        except DomainError as error:
            form.add_error(None, error.detail)
            return _render_home(request, open_form=form, status=UNPROCESSABLE)
        messages.success(request, gettext("금고를 열었습니다."))
        return redirect("teller-home")


class CloseDrawerView(TellerRequiredMixin, View):
    """Count the drawer's cash and close it for the day."""

    def post(self, request: HttpRequest) -> HttpResponse:
        """Close the drawer with the count, or show the counter again with the reason."""
        form = CloseDrawerForm(request.POST)
        if not form.is_valid():
            return _render_home(request, close_form=form, status=UNPROCESSABLE)
        counted: int = form.cleaned_data["counted"]
        note: str = form.cleaned_data["note"]

        def close_it() -> tuple[int, dict[str, object]]:
            drawer = close_drawer(
                teller=_teller(request), counted_won=counted, note=note
            )
            return 200, {"difference": drawer.difference_won}

        try:
            outcome = submit_once(
                scope=_scope(request, "drawer-close"),
                key=form.cleaned_data["idempotency_key"],
                fields={"counted": counted, "note": note},
                action=close_it,
            )
        except DomainError as error:
            field = error.extra.get("field")
            form.add_error(
                {"note": "note", "counted": "counted"}.get(str(field)), error.detail
            )
            return _render_home(request, close_form=form, status=UNPROCESSABLE)
        difference = outcome.body["difference"]
        if difference:
            messages.warning(
                request,
                gettext(
                    "금고를 닫았습니다. 장부와 %(difference)s원 차이를 감독원에게 보고했습니다."
                )
                % {"difference": f"{difference:+,}"},
            )
        else:
            messages.success(request, gettext("금고를 닫았습니다. 장부와 맞습니다."))
        return redirect("teller-home")


def _render_holder(
    request: HttpRequest,
    holder: User,
    *,
    form: IssueCardForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "holder": holder,
        "cards": list_cards_for_holder(holder_id=holder.pk),
        "form": form or IssueCardForm(initial={"phone": holder.phone}),
        "is_own": holder.pk == _teller(request).pk,
    }
    return render(request, "web/teller/holder.html", context, status=status)


def _find_holder(username: str) -> User:
    try:
        return get_holder(username=username)
    except DomainError as error:
        raise Http404(error.detail) from error


class HolderView(TellerRequiredMixin, View):
    """A holder's cards and the form to issue another."""

    def get(self, request: HttpRequest, username: str) -> HttpResponse:
        """Show the holder."""
        return _render_holder(request, _find_holder(username))


class IssueCardView(TellerRequiredMixin, View):
    """Issue a card with a PIN to the holder."""

    def post(self, request: HttpRequest, username: str) -> HttpResponse:
        """Issue the card and go to it, or show the holder again with the reason."""
        holder = _find_holder(username)
        form = IssueCardForm(request.POST)
        if not form.is_valid():
            return _render_holder(request, holder, form=form, status=UNPROCESSABLE)
        phone: str = form.cleaned_data["phone"]
        pin: str = form.cleaned_data["pin"]
        reason: str = form.cleaned_data["reason"]

        def issue() -> tuple[int, dict[str, object]]:
            card = issue_card_at_counter(
                teller=_teller(request),
                holder=holder,
                phone=phone,
                pin=pin,
                reason=reason,
            )
            return 201, {"number": card.number}

        try:
            outcome = submit_once(
                scope=_scope(request, "issue"),
                key=form.cleaned_data["idempotency_key"],
                fields={
                    "holder": holder.pk,
                    "phone": phone,
                    "pin": pin_mac(pin),
                    "reason": reason,
                },
                action=issue,
            )
        except DomainError as error:
            field = str(error.extra.get("field"))
            form.add_error(
                field if field in {"phone", "reason"} else None, error.detail
            )
            return _render_holder(request, holder, form=form, status=UNPROCESSABLE)
        messages.success(request, gettext("카드를 발급했습니다."))
        return redirect("teller-card", number=outcome.body["number"])


def _render_card(
    request: HttpRequest, card: Card, *, status: int = 200, **forms: object
) -> HttpResponse:
    events, events_total = list_card_events_page(
        card=card, offset=0, limit=JOURNAL_LINES_SHOWN
    )
    context: dict[str, Any] = {
        "card": card,
        "journal": journal_lines(events),
        "journal_total": events_total,
        "is_own": card.holder_id == _teller(request).pk,
        "pending": [
            top_up
            for top_up in list_pending_top_ups(teller_id=_teller(request).pk)
            if top_up.card_id == card.pk
        ],
        "top_up_form": TopUpForm(),
        "block_form": BlockForm(),
        "unblock_form": OnceForm(),
        "pin_form": PinResetForm(),
        "is_locked": card.pin_failed_attempts >= 3,  # noqa: PLR2004
    }
    context.update(forms)
    return render(request, "web/teller/card.html", context, status=status)


class CardView(TellerRequiredMixin, View):
    """One card at the counter: balance, status and the counter's forms."""

    def get(self, request: HttpRequest, number: str) -> HttpResponse:
        """Show the card."""
        return _render_card(request, _get_card(request, number))


class TopUpView(TellerRequiredMixin, View):
    """Take cash paid in at the counter."""

    def post(self, request: HttpRequest, number: str) -> HttpResponse:
        """Credit the card once per form, or show the card again with the reason."""
        card = _get_card(request, number)
        form = TopUpForm(request.POST)
        if not form.is_valid():
            return _render_card(request, card, top_up_form=form, status=UNPROCESSABLE)
        amount: int = form.cleaned_data["amount"]
        key: str = form.cleaned_data["idempotency_key"]

        def top_up() -> tuple[int, dict[str, object]]:
            taken = take_top_up(
                teller=_teller(request),
                card_number=card.number,
                amount_won=amount,
                transfer_id=_transfer_id(request, key),
            )
            return 201, {"status": taken.status}

        try:
            outcome = submit_once(
                scope=_scope(request, "top-up"),
                key=key,
                fields={"card": card.number, "amount": amount},
                action=top_up,
            )
        except DomainError as error:
            form.add_error(
                "amount" if error.extra.get("field") == "amount_won" else None,
                error.detail,
            )
            return _render_card(request, card, top_up_form=form, status=UNPROCESSABLE)
        if outcome.body["status"] == CounterTopUpStatus.PENDING_APPROVAL:
            messages.warning(
                request,
                gettext(
                    "현금을 받았습니다. 금액이 커서 감독원이 승인해야 입금됩니다. "
                    "승인 전에는 잔액이 바뀌지 않습니다."
                ),
            )
            return redirect("teller-card", number=card.number)
        messages.success(request, gettext("입금했습니다."))
        return redirect("teller-card", number=card.number)


class BlockView(TellerRequiredMixin, View):
    """Block a lost, stolen or cloned card."""

    def post(self, request: HttpRequest, number: str) -> HttpResponse:
        """Block the card, or show it again with the reason."""
        card = _get_card(request, number)
        form = BlockForm(request.POST)
        if not form.is_valid():
            return _render_card(request, card, block_form=form, status=UNPROCESSABLE)
        reason: str = form.cleaned_data["reason"]

        def block() -> tuple[int, dict[str, object]]:
            block_card_at_counter(
                teller=_teller(request), card_number=card.number, reason=reason
            )
            return 200, {}

        try:
            submit_once(
                scope=_scope(request, "block"),
                key=form.cleaned_data["idempotency_key"],
                fields={"card": card.number, "reason": reason},
                action=block,
            )
        except DomainError as error:
            form.add_error(None, error.detail)
            return _render_card(request, card, block_form=form, status=UNPROCESSABLE)
        messages.success(request, gettext("카드를 정지했습니다."))
        return redirect("teller-card", number=card.number)


class UnblockView(TellerRequiredMixin, View):
    """Unblock a card found again."""

    def post(self, request: HttpRequest, number: str) -> HttpResponse:
        """Unblock the card; a cloned card stays blocked and the page says why."""
        card = _get_card(request, number)
        form = OnceForm(request.POST)

        def unblock() -> tuple[int, dict[str, object]]:
            unblock_card_at_counter(teller=_teller(request), card_number=card.number)
            return 200, {}

        try:
            submit_once(
                scope=_scope(request, "unblock"),
                key=request.POST.get("idempotency_key", ""),
                fields={"card": card.number},
                action=unblock,
            )
        except DomainError as error:
            form.add_error(None, error.detail)
            return _render_card(request, card, unblock_form=form, status=UNPROCESSABLE)
        messages.success(request, gettext("카드 정지를 풀었습니다."))
        return redirect("teller-card", number=card.number)


class PinResetView(TellerRequiredMixin, View):
    """Set a new PIN at the counter."""

    def post(self, request: HttpRequest, number: str) -> HttpResponse:
        """Reset the PIN, or show the card again with the reason."""
        card = _get_card(request, number)
        form = PinResetForm(request.POST)
        if not form.is_valid():
            return _render_card(request, card, pin_form=form, status=UNPROCESSABLE)
        pin: str = form.cleaned_data["pin"]

        def reset() -> tuple[int, dict[str, object]]:
            reset_pin_at_counter(
                teller=_teller(request), card_number=card.number, new_pin=pin
            )
            return 200, {}

        try:
            submit_once(
                scope=_scope(request, "pin"),
                key=form.cleaned_data["idempotency_key"],
                fields={"card": card.number, "pin": pin_mac(pin)},
                action=reset,
            )
        except DomainError as error:
            form.add_error("pin", error.detail)
            return _render_card(request, card, pin_form=form, status=UNPROCESSABLE)
        messages.success(request, gettext("PIN을 새로 정했습니다."))
        return redirect("teller-card", number=card.number)


class StatementView(TellerRequiredMixin, View):
    """The card's statement, newest first, laid out to print."""

    def get(self, request: HttpRequest, number: str) -> HttpResponse:
        """Show the latest transfers of the card."""
        card = _get_card(request, number)
        statement = card_statement(card=card)
        context = {
            "card": card,
            "pending": statement.pending,
            "lines": statement.lines[:STATEMENT_LINES_SHOWN],
            "total": len(statement.lines),
            "account_id": card.ledger_account_id,
        }
        return render(request, "web/teller/statement.html", context)
