"""The shopper's card pages, the QR payment pages and the merchant's daily settlement.

Shoppers see only their own cards: another person's card is 404. A QR request is shown to the
shopper who scanned it (who asks, how much, until when) and paid with a card and its PIN.
Merchant staff create QR requests and read their own merchant's settlement; anyone else gets
403. Every form carries a hidden idempotency key, so a double click pays or creates once.
"""

import datetime as dt
import hashlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views import View

from okryu.accounts.models import User
from okryu.core import clock, rate_limits
from okryu.core.errors import DomainError, NotFound
from okryu.merchants.models import Merchant
from okryu.merchants.queries import (
    find_merchant_by_ledger_account,
    get_merchant,
    list_merchant_ids_for_staff,
    payee_of_request,
)
from okryu.merchants.services import create_merchant_payment_request
from okryu.orders.statements import card_statement
from okryu.payments.counter import (
    find_payment_request,
    list_cards_for_holder,
    list_day_transfers,
    list_usable_cards_for_holder,
)
from okryu.payments.errors import QrRequestExpired, QrRequestUsed, WrongPin
from okryu.payments.models import Card, PaymentRequest, PaymentRequestStatus
from okryu.payments.qr import (
    approve_payment_request,
    get_open_payment_request,
    render_qr_svg,
)
from okryu.payments.queries import (
    DailySettlement,
    daily_settlement,
    get_card_for_holder_or_teller,
)
from okryu.web.cards.forms import QrApproveForm, QrCreateForm, SettlementDayForm
from okryu.web.idempotency import submit_once

UNPROCESSABLE = 422
CONFLICT = 409
STATEMENT_PAGE_SIZE = 50
PAGES_MAX = 10_000


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _own_card(request: HttpRequest, number: str) -> Card:
    """Return the visitor's own card; anyone else's does not exist for them."""
    user = _user(request)
    try:
        card = get_card_for_holder_or_teller(card_number=number, user=user)
    except NotFound as error:
        raise Http404(error.detail) from error
    if card.holder_id != user.pk:
        raise Http404(gettext("카드를 찾을 수 없습니다."))
    return card


class MyCardsView(LoginRequiredMixin, View):
    """The visitor's cards with their balance and available amount."""

    def get(self, request: HttpRequest) -> HttpResponse:
        """List the cards."""
        cards = list_cards_for_holder(holder_id=_user(request).pk)
        return render(request, "web/cards/my_cards.html", {"cards": cards})


class MyCardView(LoginRequiredMixin, View):
    """One of the visitor's cards and its statement, newest first."""

    def get(self, request: HttpRequest, number: str) -> HttpResponse:
        """Show the card and one page of its statement."""
        card = _own_card(request, number)
        page = request.GET.get("page", "1")
        page_number = int(page) if page.isdigit() and 0 < int(page) < PAGES_MAX else 1
        statement = card_statement(card=card)
        total = len(statement.lines)
        offset = (page_number - 1) * STATEMENT_PAGE_SIZE
        context = {
            "card": card,
            "pending": statement.pending if page_number == 1 else (),
            "lines": statement.lines[offset : offset + STATEMENT_PAGE_SIZE],
            "total": total,
            "account_id": card.ledger_account_id,
            "page_number": page_number,
            "has_older": page_number * STATEMENT_PAGE_SIZE < total,
        }
        return render(request, "web/cards/card.html", context)


def _merchant_name(request: HttpRequest, payment_request: PaymentRequest) -> str:
    merchant = find_merchant_by_ledger_account(
        account_id=payment_request.credit_account_id
    )
    if merchant is None:
        return ""
    return merchant.name_en if request.LANGUAGE_CODE == "en" else merchant.name


def _render_pay(
    request: HttpRequest,
    token: str,
    *,
    form: QrApproveForm | None = None,
    status: int = 200,
) -> HttpResponse:
    try:
        payment_request = get_open_payment_request(token=token)
    except NotFound as error:
        raise Http404(error.detail) from error
    except (QrRequestUsed, QrRequestExpired) as error:
        refusal = {"refusal": error.detail, "code": error.code}
        return render(request, "web/cards/pay_closed.html", refusal, status=CONFLICT)
    numbers = [
        card.number
        for card in list_usable_cards_for_holder(holder_id=_user(request).pk)
    ]
    context: dict[str, Any] = {
        "payment_request": payment_request,
        "merchant_name": _merchant_name(request, payment_request),
        "form": form or QrApproveForm(card_numbers=numbers),
        "has_cards": bool(numbers),
    }
    return render(request, "web/cards/pay.html", context, status=status)


class QrPayView(LoginRequiredMixin, View):
    """Pay a QR request: see who asks for how much, then approve with a card and its PIN."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        """Show the request; a paid or expired one says so (409)."""
        return _render_pay(request, token)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        """Pay once per form; a wrong PIN counts and leaves the request open."""
        user = _user(request)
        numbers = [
            card.number for card in list_usable_cards_for_holder(holder_id=user.pk)
        ]
        form = QrApproveForm(request.POST, card_numbers=numbers)
        if not form.is_valid():
            return _render_pay(request, token, form=form, status=UNPROCESSABLE)
        number: str = form.cleaned_data["card"]
        key: str = form.cleaned_data["idempotency_key"]
        rate_limits.hit_all(
            "sms",
            address=rate_limits.client_address(request.META),
            account_id=user.pk,
            card=number,
        )
        # The service commits on its own (a wrong PIN must stay counted), so the form's key
        # becomes the transfer id: a double click finds the first payment and pays nothing more.
        digest = hashlib.sha256(f"{user.pk}\x1f{key}".encode()).hexdigest()
        try:
            transfer = approve_payment_request(
                token=token,
                card_number=number,
                pin=form.cleaned_data["pin"],
                transfer_id=f"web-qr:{digest[:48]}",
                payee=payee_of_request(token),
            )
        except NotFound as error:
            raise Http404(error.detail) from error
        except WrongPin as error:
            form.add_error(
                "pin",
                gettext("PIN이 틀렸습니다. 남은 시도: %(left)d번")
                % {"left": error.attempts_left},
            )
            return _render_pay(request, token, form=form, status=UNPROCESSABLE)
        except (QrRequestUsed, QrRequestExpired) as error:
            context = {"refusal": error.detail, "code": error.code}
            return render(
                request, "web/cards/pay_closed.html", context, status=CONFLICT
            )
        except DomainError as error:
            form.add_error(None, error.detail)
            return _render_pay(request, token, form=form, status=UNPROCESSABLE)
        messages.success(
            request,
            gettext("%(amount)s을 결제했습니다.")
            % {"amount": f"{transfer.amount_won:,}원"},
        )
        return redirect("my-card", number=number)


def _staff_merchant(request: HttpRequest) -> Merchant:
    """Return the merchant the visitor works for (``?merchant=`` among several), or 403."""
    merchant_ids = sorted(list_merchant_ids_for_staff(user=request.user))
    if not merchant_ids:
        raise PermissionDenied(gettext("판매자 직원만 쓸 수 있는 화면입니다."))
    asked = request.GET.get("merchant", "")
    merchant_id = int(asked) if asked.isdigit() else merchant_ids[0]
    if merchant_id not in merchant_ids:
        raise Http404(gettext("판매자를 찾을 수 없습니다."))
    try:
        return get_merchant(merchant_id=merchant_id)
    except NotFound as error:
        raise Http404(error.detail) from error


class QrCreateView(LoginRequiredMixin, View):
    """Merchant staff: ask for an amount by QR code."""

    def get(self, request: HttpRequest) -> HttpResponse:
        """Show the form."""
        merchant = _staff_merchant(request)
        context = {"merchant": merchant, "form": QrCreateForm()}
        return render(request, "web/cards/qr_new.html", context)

    def post(self, request: HttpRequest) -> HttpResponse:
        """Create the request once per form and show its QR code."""
        merchant = _staff_merchant(request)
        rate_limits.hit_all(
            "qr_create",
            address=rate_limits.client_address(request.META),
            account_id=_user(request).pk,
        )
        form = QrCreateForm(request.POST)
        if form.is_valid():
            amount: int = form.cleaned_data["amount"]
            description: str = form.cleaned_data["description"]

            def create() -> tuple[int, dict[str, object]]:
                payment_request = create_merchant_payment_request(
                    merchant_id=merchant.pk, amount_won=amount, description=description
                )
                return 201, {"token": payment_request.token}

            try:
                outcome = submit_once(
                    scope=f"web:qr-create:user:{_user(request).pk}",
                    key=form.cleaned_data["idempotency_key"],
                    fields={
                        "merchant": merchant.pk,
                        "amount": amount,
                        "description": description,
                    },
                    action=create,
                )
            except DomainError as error:
                form.add_error(
                    "amount" if error.extra.get("field") == "amount_won" else None,
                    error.detail,
                )
            else:
                return redirect("qr-show", token=outcome.body["token"])
        context = {"merchant": merchant, "form": form}
        return render(request, "web/cards/qr_new.html", context, status=UNPROCESSABLE)


def _staff_request(request: HttpRequest, token: str) -> PaymentRequest:
    payment_request = find_payment_request(token=token)
    merchant_ids = list_merchant_ids_for_staff(user=request.user)
    if not merchant_ids:
        raise PermissionDenied(gettext("판매자 직원만 쓸 수 있는 화면입니다."))
    merchant = (
        find_merchant_by_ledger_account(account_id=payment_request.credit_account_id)
        if payment_request
        else None
    )
    if payment_request is None or merchant is None or merchant.pk not in merchant_ids:
        raise Http404(gettext("결제 요청을 찾을 수 없습니다."))
    return payment_request


class QrShowView(LoginRequiredMixin, View):
    """Merchant staff: the QR code of a request, for the shopper to scan."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        """Show the code, the amount, the expiry and whether it was paid."""
        payment_request = _staff_request(request, token)
        pay_url = request.build_absolute_uri(reverse("qr-pay", args=[token]))
        is_open = (
            payment_request.status == PaymentRequestStatus.OPEN
            and payment_request.expires_at > clock.now()
        )
        context = {
            "payment_request": payment_request,
            "pay_url": pay_url,
            "is_open": is_open,
            "is_paid": payment_request.status == PaymentRequestStatus.PAID,
            "svg_url": reverse("qr-svg", args=[token]),
        }
        return render(request, "web/cards/qr_show.html", context)


class QrSvgView(View):
    """The QR code of an open request as a small SVG image (the token is the secret)."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        """Answer the SVG; a paid, expired or unknown request has no code (404)."""
        try:
            get_open_payment_request(token=token)
        except DomainError as error:
            raise Http404(error.detail) from error
        pay_url = request.build_absolute_uri(reverse("qr-pay", args=[token]))
        response = HttpResponse(render_qr_svg(pay_url), content_type="image/svg+xml")
        response["Cache-Control"] = "private, no-store"
        return response


class SettlementView(LoginRequiredMixin, View):
    """Merchant staff: the day's captured takings, refunds, fees and net, with the transfers."""

    def get(self, request: HttpRequest) -> HttpResponse:
        """Show one local day (today unless ``?day=YYYY-MM-DD``)."""
        merchant = _staff_merchant(request)
        form = SettlementDayForm(request.GET)
        if not form.is_valid():
            context = {"merchant": merchant, "form": form}
            return render(
                request, "web/cards/settlement.html", context, status=UNPROCESSABLE
            )
        day: dt.date = form.cleaned_data["day"] or clock.local_today()
        account_id = merchant.ledger_account_id
        if account_id is None:
            settlement = DailySettlement(
                merchant_account_id=0,
                day=day,
                takings_won=0,
                refunds_won=0,
                fees_won=0,
                net_won=0,
                transfers=0,
            )
            transfers = []
        else:
            settlement = daily_settlement(merchant_account_id=account_id, day=day)
            transfers = list_day_transfers(account_id=account_id, day=day)
        context = {
            "merchant": merchant,
            "form": form,
            "day": day,
            "settlement": settlement,
            "lines": transfers,
            "account_id": account_id,
        }
        return render(request, "web/cards/settlement.html", context)
