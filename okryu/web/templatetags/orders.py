"""Template filters of the order pages: the notes Okryu itself writes, in the reader's language."""

from django import template
from django.utils.translation import gettext_lazy

register = template.Library()

# Notes the services write on an order's events, stored as written (Korean). A person's own
# note (a merchant's reason for rejecting) is shown as that person wrote it.
SYSTEM_NOTES = {
    "구매자 취소": gettext_lazy("구매자 취소"),
    "결제 승인 기간 만료": gettext_lazy("결제 승인 기간 만료"),
    "문앞 결제 주문 접수 기한 만료": gettext_lazy("문앞 결제 주문 접수 기한 만료"),
}


@register.filter(name="event_note")
def event_note_filter(note: str) -> str:
    """Render an event's note: the system's own in the reader's language, else as written."""
    known = SYSTEM_NOTES.get(note)
    return str(known) if known is not None else note
