"""System checks of the card issuer's keys (okryu.E014 to okryu.E017).

The keys' shape is checked everywhere; production also refuses missing keys, keys the demo
made, and cards whose key version is no longer listed.
"""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.db import DatabaseError
from django.db.models import Q

from okryu.payments.models import Card

ISSUER_KEY_LENGTH_MIN = 32
HOW_TO_SET_KEYS = (
    "Set OKRYU_CARD_ISSUER_KEYS (or OKRYU_CARD_ISSUER_KEYS_FILE, a file with one item a line) "
    "to VERSION:KEY items, for example OKRYU_CARD_ISSUER_KEYS=1:<the output of "
    "`python3 -c 'import secrets; print(secrets.token_hex(32))'`>, and keep every version "
    "that cards were issued under (docs/deployment.md, rotating the issuer's keys)."
)


@register()
def check_issuer_keys_shape(**kwargs: Any) -> list[CheckMessage]:
    """Refuse keys too short to be secret, versions below 1, or a current version not listed."""
    keys: dict[int, str] = settings.OKRYU_CARD_ISSUER_KEYS
    if not keys:
        return []
    problems = [
        f"version {version} is not a positive number" for version in keys if version < 1
    ]
    problems += [
        f"the key of version {version} is shorter than {ISSUER_KEY_LENGTH_MIN} characters"
        for version, key in keys.items()
        if len(key) < ISSUER_KEY_LENGTH_MIN
    ]
    current = settings.OKRYU_CARD_ISSUER_KEY_VERSION
    if current not in keys:
        problems.append(
            f"OKRYU_CARD_ISSUER_KEY_VERSION is {current}, which has no key in "
            "OKRYU_CARD_ISSUER_KEYS"
        )
    if not problems:
        return []
    return [
        Error(
            "The card issuer's keys are malformed: " + "; ".join(problems) + ".",
            hint=HOW_TO_SET_KEYS,
            id="okryu.E016",
        )
    ]


@register()
def check_production_issuer_keys(**kwargs: Any) -> list[CheckMessage]:
    """Refuse production without the issuer's keys, or with a key that the demo made."""
    if not settings.OKRYU_IS_PRODUCTION:
        return []
    keys: dict[int, str] = settings.OKRYU_CARD_ISSUER_KEYS
    if not keys:
        return [
            Error(
                "OKRYU_CARD_ISSUER_KEYS is not set: no card could be issued or verified.",
                hint=HOW_TO_SET_KEYS,
                id="okryu.E014",
            )
        ]
    made_by_demo = sorted(
        version
        for version, key in keys.items()
        if key.startswith(settings.OKRYU_DEMO_SECRET_PREFIX)
    )
    if made_by_demo:
        return [
            Error(
                f"The card issuer's key of version {made_by_demo[0]} was made by the demo "
                "settings (it is kept in the demo's var/ folder, beside its database).",
                hint=HOW_TO_SET_KEYS,
                id="okryu.E015",
            )
        ]
    return []


@register()
def check_production_cards_have_their_keys(**kwargs: Any) -> list[CheckMessage]:
    """Refuse production while a card refers to a key version that is no longer listed."""
    if not settings.OKRYU_IS_PRODUCTION or not settings.OKRYU_CARD_ISSUER_KEYS:
        return []
    listed = list(settings.OKRYU_CARD_ISSUER_KEYS)
    unlisted = ~Q(chip_key_version__in=listed) | ~Q(pin_key_version__in=listed)
    try:
        orphans = Card.objects.filter(unlisted).count()
    except DatabaseError:
        return []  # No database yet, or not migrated: there are no cards to lose.
    if not orphans:
        return []
    return [
        Error(
            f"{orphans} cards refer to a card issuer's key version that is not in "
            "OKRYU_CARD_ISSUER_KEYS: they could neither pay nor check a PIN.",
            hint="Put the missing versions back into OKRYU_CARD_ISSUER_KEYS; a version may "
            "be retired only when no card refers to it.",
            id="okryu.E017",
        )
    ]
