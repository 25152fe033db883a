"""Asking before a destructive move, without JavaScript: a checkbox the form requires.

Moves that cannot be taken back, or that tell someone bad news (a delivery given up, an order
cancelled, a card blocked, a dish's option group removed), carry a ``confirm`` checkbox that
the browser requires and the view checks again: a form posted without it changes nothing and
is shown again with ``NOT_CONFIRMED``. The button stands apart from the page's main action
(the ``danger-zone`` part of a page). With JavaScript a dialog could be added; it is not
needed.
"""

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

CONFIRM_FIELD = "confirm"
CONFIRM_VALUE = "yes"
NOT_CONFIRMED = gettext_lazy("실수로 누르지 않도록 확인란을 고른 뒤 다시 누르십시오.")


def confirmation_field() -> forms.BooleanField:
    """The required ``confirm`` checkbox of a form (rendered by ``web/_confirm.html``)."""
    return forms.BooleanField(required=True, error_messages={"required": NOT_CONFIRMED})


def is_confirmed(request: HttpRequest) -> bool:
    """Whether a form without a Django form class was posted with its box ticked."""
    return request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE
