"""The demo's phone page: the SMS sent to the visitor's own numbers, codes in place.

Only when ``OKRYU_DEMO_PHONE`` is on (the demo; production refuses it, okryu.E025); else 404.
A number someone else's account or card also names is not shown (``list_phones_theirs_alone``),
nor anything sent before the account was made.
"""

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from okryu.accounts.models import User
from okryu.notifications.demo_phone import list_received_sms
from okryu.payments.queries import list_phones_theirs_alone


class DemoPhoneView(LoginRequiredMixin, View):
    """Show the messages the visitor's phones received, newest first."""

    def get(self, request: HttpRequest) -> HttpResponse:
        """Show the page."""
        if not settings.OKRYU_DEMO_PHONE:
            raise Http404
        user = request.user
        assert isinstance(user, User)
        phones = list_phones_theirs_alone(user)
        context = {
            "account_phone": user.phone,
            "phones": phones,
            "messages_received": list_received_sms(
                phones=phones, since=user.date_joined
            ),
        }
        return render(request, "web/accounts/demo_phone.html", context)
