"""The card issuer's keys, by version: which one is current, and the keys derived from each.

The keys live in the settings (the environment, or files named there), never in the database.
New cards and PIN records are made under the current version; a card or PIN record keeps the
version it was made under, and verifies under it for as long as that key is listed. So keys
rotate without reissuing cards: list the new key, make it current, and retire the old one only
when no card refers to it any more (a production system check counts them).
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from okryu.payments.rules import (
    derive_card_key,
    derive_delivery_code_key,
    derive_pin_key,
)


def current_key_version() -> int:
    """Return the version under which new chip keys and PIN records are made."""
    version: int = settings.OKRYU_CARD_ISSUER_KEY_VERSION
    return version


def configured_key_versions() -> frozenset[int]:
    """Return every version whose key is listed (and so still verifies)."""
    return frozenset(settings.OKRYU_CARD_ISSUER_KEYS)


def issuer_key(version: int) -> bytes:
    """Return the issuer's key of ``version``; a version no longer listed is a setup error."""
    key: str | None = settings.OKRYU_CARD_ISSUER_KEYS.get(version)
    if not key:
        message = (
            f"The card issuer's key version {version} is not in OKRYU_CARD_ISSUER_KEYS, "
            "but a card or PIN record was made under it."
        )
        raise ImproperlyConfigured(message)
    return key.encode()


def chip_key(*, card_number: str, version: int) -> bytes:
    """Return the chip key of ``card_number`` under key ``version``."""
    return derive_card_key(master_key=issuer_key(version), card_number=card_number)


def pin_key(version: int) -> bytes:
    """Return the PIN key of ``version``: derived from the issuer's key, used for PINs only."""
    return derive_pin_key(issuer_key=issuer_key(version))


def delivery_code_key(version: int) -> bytes:
    """Return the key of delivery confirmation codes under issuer key ``version``."""
    return derive_delivery_code_key(issuer_key=issuer_key(version))
