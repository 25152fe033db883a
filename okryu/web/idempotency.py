"""Exactly-once HTML forms: a hidden key in each form, its outcome stored on first use.

Each rendering of a form carries a fresh key, so a double click or a resubmitted form (the
browser's "send again", a retry after the connection dropped) repeats the key and changes
nothing twice, while a new visit to the page gives a new key for a new intent.
"""

import uuid
from collections.abc import Callable
from typing import Any

from django.utils.safestring import SafeString

from okryu.core.idempotency import StoredOutcome, fingerprint_request, run_once

FIELD_NAME = "idempotency_key"


def idempotency_field() -> SafeString:
    """Return a hidden input holding a new idempotency key."""
    # The name is a constant and the value hexadecimal: nothing here needs escaping, and this
    # runs for every form of every listing row.
    return SafeString(
        f'<input type="hidden" name="{FIELD_NAME}" value="{uuid.uuid4().hex}">'
    )


def submit_once(
    *,
    scope: str,
    key: str,
    fields: dict[str, Any],
    action: Callable[[], tuple[int, Any]],
) -> StoredOutcome:
    """Run ``action`` once for the form submission ``key`` in ``scope`` (owner included).

    Raises InvalidInput when the key is missing or malformed and IdempotencyKeyReused when the
    key came with other fields; a refusal raised by ``action`` stores nothing.
    """
    return run_once(
        scope=scope, key=key, fingerprint=fingerprint_request(fields), action=action
    )
