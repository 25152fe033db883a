"""``{% idempotency_field %}``: the hidden key that makes a form submit once."""

from django import template
from django.utils.safestring import SafeString

from okryu.web.idempotency import idempotency_field as render_idempotency_field

register = template.Library()


@register.simple_tag(name="idempotency_field")
def idempotency_field_tag() -> SafeString:
    """Render a hidden input with a fresh idempotency key."""
    return render_idempotency_field()
