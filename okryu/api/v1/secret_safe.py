"""``Idempotency-Key`` for routes whose body carries a PIN.

``respond_once`` fingerprints the raw JSON body, and a plain hash of a body holding a 4-digit
PIN gives the PIN away to anyone who reads the idempotency table. These routes fingerprint the
fields they name instead, with each PIN replaced by ``pin_mac`` (a keyed hash under the
server's secret key), so a repeat is recognised and the stored row tells nothing.
"""

import hashlib
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

from okryu.accounts.models import User
from okryu.api.v1.idempotency import (
    IDEMPOTENCY_HEADER,
    REPLAY_HEADER,
    idempotency_scope,
    json_response,
)
from okryu.core.errors import IdempotencyKeyMissing
from okryu.core.idempotency import fingerprint_request, run_once, validate_key


def pin_mac(pin: str) -> str:
    """Return a keyed hash of a PIN, fit for a fingerprint (useless without the secret key)."""
    return salted_hmac("okryu.api.pin-fingerprint", pin).hexdigest()


def caller(request: HttpRequest) -> User:
    """Return the bearer token's user."""
    user = getattr(request, "auth", None)
    assert isinstance(user, User), "the route is declared with auth=bearer_auth"
    return user


def read_key(request: HttpRequest, *, required: bool) -> str | None:
    """Return the request's Idempotency-Key (validated), None, or raise when required."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        if required:
            raise IdempotencyKeyMissing(
                f"This call changes state and needs an {IDEMPOTENCY_HEADER} header."
            )
        return None
    return validate_key(key)


def derived_id(prefix: str, *parts: str) -> str:
    """Return a short stable id (a transfer id) derived from ``parts``."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"{prefix}:{digest[:48]}"


def respond_once_with_fields(
    request: HttpRequest,
    *,
    route: str,
    fields: dict[str, Any],
    action: Callable[[], tuple[int, Any]],
    required: bool,
) -> HttpResponse:
    """Like ``respond_once``, fingerprinting the path and ``fields`` (PINs as ``pin_mac``)."""
    user = caller(request)
    key = read_key(request, required=required)
    if key is None:
        status, body = action()
        return json_response(status, body)
    outcome = run_once(
        scope=idempotency_scope(route=route, user=user),
        key=key,
        fingerprint=fingerprint_request({"path": request.path, **fields}),
        action=action,
    )
    response = json_response(outcome.status_code, outcome.body)
    if outcome.is_replay:
        response[REPLAY_HEADER] = "true"
    return response
