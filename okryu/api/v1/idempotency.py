"""``Idempotency-Key`` for the API's state-changing POST routes (DESIGN.md invariant 2).

A route hands its work to ``respond_once`` as an ``action`` returning ``(status, body)``:

    @router.post("/orders", auth=bearer_auth, response={201: OrderOut, 422: Problem})
    def place_order_route(request, payload: OrderIn) -> HttpResponse:
        user = require_role(request, Role.SHOPPER)
        return respond_once(
            request, route="orders.place", required=True,
            action=lambda: (201, OrderOut.from_order(place_order(...)).model_dump(mode="json")),
        )

The first call with a key runs the action and stores its status and body in the same
transaction; a repeat with the same body answers the stored status and body (with the header
``Idempotent-Replayed: true``); a repeat with another body is 422 ``idempotency_key_reused``;
a missing key on a route that requires one is 400 ``idempotency_key_required``. The key is
scoped to the route and the caller, and the fingerprint covers the path and the JSON body, so
one key cannot replay another order's cancellation.
"""

import json
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse

from okryu.accounts.models import User
from okryu.core.errors import IdempotencyKeyMissing, InvalidInput
from okryu.core.idempotency import fingerprint_request, run_once

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
SCOPE_LENGTH_MAX = 100


def _request_json(request: HttpRequest) -> Any:
    if not request.body:
        return None
    try:
        return json.loads(request.body)
    except ValueError as error:
        raise InvalidInput(
            "The request body is not valid JSON.", field="body"
        ) from error


def idempotency_scope(*, route: str, user: User) -> str:
    """Return the scope of keys for ``route`` and ``user``: keys of one never meet another's."""
    scope = f"api.v1:{route}:user:{user.pk}"
    assert len(scope) <= SCOPE_LENGTH_MAX, "route names are short"
    return scope


def json_response(status: int, body: Any) -> HttpResponse:
    """Return ``body`` as a JSON response with ``status``."""
    content = json.dumps(body, ensure_ascii=False, cls=DjangoJSONEncoder)
    return HttpResponse(content, status=status, content_type="application/json")


def respond_once(
    request: HttpRequest,
    *,
    route: str,
    action: Callable[[], tuple[int, Any]],
    required: bool,
) -> HttpResponse:
    """Run ``action`` at most once per ``Idempotency-Key`` and answer its (stored) outcome.

    The caller is ``request.auth`` (routes with ``auth=bearer_auth``). Without a key the action
    simply runs, unless ``required``, which refuses with IdempotencyKeyMissing. Errors the
    action raises are not stored: the request may be retried with the same key.
    """
    user = getattr(request, "auth", None)
    assert isinstance(user, User), (
        "idempotent routes are declared with auth=bearer_auth"
    )
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        if required:
            raise IdempotencyKeyMissing(
                f"This call changes state and needs an {IDEMPOTENCY_HEADER} header."
            )
        status, body = action()
        return json_response(status, body)
    fingerprint = fingerprint_request(
        {"path": request.path, "body": _request_json(request)}
    )
    outcome = run_once(
        scope=idempotency_scope(route=route, user=user),
        key=key,
        fingerprint=fingerprint,
        action=action,
    )
    response = json_response(outcome.status_code, outcome.body)
    if outcome.is_replay:
        response[REPLAY_HEADER] = "true"
    return response
