"""A PIN as it may appear in a form's fingerprint: a keyed hash, never the PIN itself."""

from django.utils.crypto import salted_hmac


def pin_mac(pin: str) -> str:
    """Return a keyed hash of ``pin`` (a plain hash of 4 digits would give the PIN away)."""
    return salted_hmac("okryu.web.pin-fingerprint", pin).hexdigest()
