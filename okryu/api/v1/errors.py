"""Every error of the API as problem+json (RFC 9457), with a stable machine ``code``.

The body is ``{"type", "title", "status", "detail", "code"}`` plus the extension members a
domain error carries (``field``, ``attempts_left``, ...). Handlers are registered on the
``NinjaAPI`` instance by ``install_problem_handlers``; the catch-all route for unknown paths
and the wrapper for "method not allowed" live in ``okryu.api.v1`` and use ``problem_response``.
"""

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from okryu.core.errors import DomainError
from okryu.core.rate_limits import RateLimited

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:okryu:problem:"
# Members an extension must not overwrite (RFC 9457 section 3.1).
STANDARD_MEMBERS = frozenset({"type", "title", "status", "detail", "code", "instance"})
VALIDATION_ERRORS_SHOWN_MAX = 20

# Codes and titles for errors that do not come from a DomainError, by HTTP status.
STATUS_CODES: dict[int, tuple[str, str]] = {
    400: ("invalid", "Bad request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    413: ("too_large", "Request body too large"),
    422: ("invalid", "Invalid input"),
    429: ("rate_limited", "Too many requests"),
    500: ("server_error", "Internal server error"),
}


def problem_response(
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    extra: Mapping[str, object] | None = None,
) -> HttpResponse:
    """Return an ``application/problem+json`` response with the standard members and ``extra``."""
    assert 400 <= status <= 599, "a problem is an error status"  # noqa: PLR2004
    body: dict[str, object] = {
        key: value
        for key, value in (extra or {}).items()
        if key not in STANDARD_MEMBERS
    }
    body.update(
        {
            "type": PROBLEM_TYPE_PREFIX + code,
            "title": title,
            "status": status,
            "detail": detail,
            "code": code,
        }
    )
    content = json.dumps(body, ensure_ascii=False, cls=DjangoJSONEncoder)
    return HttpResponse(content, status=status, content_type=PROBLEM_CONTENT_TYPE)


def problem_for_status(
    status: int, *, detail: str, extra: Mapping[str, object] | None = None
) -> HttpResponse:
    """Return the problem of a plain HTTP status (``STATUS_CODES`` gives code and title)."""
    code, title = STATUS_CODES.get(status, ("error", "Error"))
    return problem_response(
        status=status, code=code, title=title, detail=detail, extra=extra
    )


def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    response = problem_response(
        status=exc.status,
        code=exc.code,
        title=exc.title,
        detail=exc.detail,
        extra=exc.extra,
    )
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after_seconds)
    return response


def _field_path(location: Sequence[object]) -> str:
    """Return the dotted field path of a ninja error location, without its source.

    ``("query", "page")`` is ``page``; a body parameter adds its own name after the source,
    ``("body", "credentials", "username")``, which the client never sent, so it is dropped.
    """
    parts = [str(part) for part in location]
    if parts and parts[0] == "body" and len(parts) > 2:  # noqa: PLR2004
        parts = parts[2:]
    elif parts and parts[0] in {"query", "path", "header", "cookie", "body", "form"}:
        parts = parts[1:]
    return ".".join(part for part in parts if not _is_union_member_tag(part))


# Pydantic names the member of a union (``Text | Integer``) that an error is about after the
# field: ``district.int``, ``district.function-after[...]``. The client sent ``district``.
UNION_MEMBER_TAGS = frozenset({"int", "str", "bool", "float", "none", "datetime"})


def _is_union_member_tag(part: str) -> bool:
    return part in UNION_MEMBER_TAGS or "[" in part


def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: list[dict[str, str]] = []
    for error in exc.errors[:VALIDATION_ERRORS_SHOWN_MAX]:
        named = {
            "field": _field_path(error.get("loc", ())),
            "message": str(error.get("msg", "")),
        }
        if named not in errors:
            errors.append(named)
    first = errors[0] if errors else {"field": "", "message": "Invalid input"}
    detail = (
        f"{first['field']}: {first['message']}" if first["field"] else first["message"]
    )
    return problem_response(
        status=422,
        code="invalid",
        title="Invalid input",
        detail=detail,
        extra={"field": first["field"], "errors": errors},
    )


def _authentication_error(
    request: HttpRequest, exc: AuthenticationError
) -> HttpResponse:
    response = problem_for_status(
        401, detail="A valid bearer token is required: POST /api/v1/auth/token."
    )
    response["WWW-Authenticate"] = 'Bearer realm="okryu"'
    return response


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem_for_status(exc.status_code, detail=str(exc))


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_for_status(404, detail="The object does not exist.")


def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The traceback goes to the log, never to the client.
    logger.error("Unhandled error in %s %s", request.method, request.path, exc_info=exc)
    return problem_for_status(
        500, detail="Something went wrong on the server; the request may be retried."
    )


def install_problem_handlers(api: NinjaAPI) -> None:
    """Make every error the API raises answer as problem+json."""
    handlers: list[
        tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]
    ] = [
        (Exception, _server_error),
        (DomainError, _domain_error),
        (ValidationError, _validation_error),
        (AuthenticationError, _authentication_error),
        (HttpError, _http_error),
        (Http404, _not_found),
    ]
    for exception_class, handler in handlers:
        api.add_exception_handler(exception_class, handler)


def mark_problem_content_types(schema: dict[str, Any]) -> None:
    """Declare the error bodies of an OpenAPI schema as ``application/problem+json``.

    ninja names every body ``application/json``; a response whose schema is ``Problem`` is
    renamed in place so clients generated from the schema expect the right media type.
    """
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for response in operation.get("responses", {}).values():
                content = response.get("content", {})
                body = content.get("application/json", {})
                if body.get("schema", {}).get("$ref", "").endswith("/Problem"):
                    content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")


# Answers any operation may give before its own code runs, by what the operation takes.
_COMMON_PROBLEMS = {
    "body": {
        "400": "The body is not JSON (code `invalid`).",
        "413": "The body is larger than the API reads (code `too_large`).",
        "422": "The body does not fit the schema (code `invalid`, with `field`).",
    },
    "parameters": {
        "422": "A path or query parameter does not fit the schema (code `invalid`).",
    },
}


def declare_common_problems(schema: dict[str, Any]) -> None:
    """Declare on each operation the problems every operation of its kind may answer.

    An operation with a body may answer 400 (not JSON), 413 (too large) and 422 (not fitting);
    one with path or query parameters 422. Statuses an operation declares itself are kept.
    """
    problem = {
        PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            kinds = []
            if "requestBody" in operation:
                kinds.append("body")
            if operation.get("parameters"):
                kinds.append("parameters")
            responses = operation.setdefault("responses", {})
            for kind in kinds:
                for status, description in _COMMON_PROBLEMS[kind].items():
                    responses.setdefault(
                        status, {"description": description, "content": problem}
                    )
