"""Guards at the door of every request: body sizes, control characters, headers, 429 pages.

They live in ``core`` because they serve the pages and the API alike, which may not import
each other: an API path (``/api/``) is answered with problem+json, any other with a short page.
"""

import json
import re
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.utils.html import escape
from django.utils.translation import get_language, gettext

from okryu.core.rate_limits import RateLimited

API_PATH_PREFIX = "/api/"
PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:okryu:problem:"
# C0 controls but tab, line feed and carriage return; DEL; the C1 controls. NUL breaks
# PostgreSQL text; the others have no business in a name, an address or a note.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

GetResponse = Callable[[HttpRequest], HttpResponse]


def has_control_characters(text: str) -> bool:
    """Return whether ``text`` holds a control character other than tab and line breaks."""
    return CONTROL_CHARACTERS.search(text) is not None


def _problem(
    status: int,
    *,
    code: str,
    title: str,
    detail: str,
    extra: dict[str, object] | None = None,
) -> HttpResponse:
    body = {
        **(extra or {}),
        "type": PROBLEM_TYPE_PREFIX + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    return HttpResponse(
        json.dumps(body), status=status, content_type=PROBLEM_CONTENT_TYPE
    )


def short_page(status: int, *, title: str, message: str) -> HttpResponse:
    """Return a small HTML page for a refusal that happens before any view runs."""
    language = get_language() or settings.LANGUAGE_CODE
    content = (
        f'<!doctype html><html lang="{escape(language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title></head><body><main><h1>{escape(title)}</h1>"
        f'<p>{escape(message)}</p><p><a href="/">{escape(gettext("처음으로"))}</a></p>'
        "</main></body></html>"
    )
    return HttpResponse(content, status=status, content_type="text/html; charset=utf-8")


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PATH_PREFIX)


def _body_bytes_max(request: HttpRequest) -> int:
    if _is_api(request):
        return int(settings.OKRYU_API_BODY_BYTES_MAX)
    is_upload = request.content_type == "multipart/form-data"
    if is_upload and request.user.is_authenticated:
        return int(settings.OKRYU_UPLOAD_BODY_BYTES_MAX)
    return int(settings.OKRYU_FORM_BODY_BYTES_MAX)


def _declared_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def _parameter_with_control_characters(parameters: QueryDict) -> str | None:
    """Return the name of the first parameter whose name or a value holds a control character."""
    for name, values in parameters.lists():
        if has_control_characters(name) or any(map(has_control_characters, values)):
            return name
    return None


class RequestLimitsMiddleware:
    """Refuse a body over its cap before a byte of it is read, and control characters in forms
    and query strings.

    Django reads only ``CONTENT_LENGTH`` bytes of a body, so the declared length is what would
    be read: over the cap, the answer is 413 at once (API: problem+json ``too_large``). Only a
    signed-in person may send an upload's size; anyone else's form stays small. A form or a
    query string (a search, a key, a date) whose text holds a control character is refused
    with 422 before any view sees it (API: problem+json ``invalid`` naming the parameter), and
    a path holding one is 404: a NUL would reach PostgreSQL, which refuses it with a 500. The
    API's schemas refuse them in JSON (``okryu.api.v1.schemas.text``).
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = _declared_length(request)
        if length > _body_bytes_max(request):
            return self._too_large(request)
        if has_control_characters(request.path):
            # No page or object is named with one: a NUL would reach PostgreSQL as a 500.
            if _is_api(request):
                return _problem(
                    404,
                    code="not_found",
                    title="Not found",
                    detail="The object does not exist.",
                )
            raise Http404
        parameter = _parameter_with_control_characters(request.GET)
        if parameter is not None:
            return self._control_characters(request, parameter)
        if (
            length
            and not _is_api(request)
            and request.content_type in FORM_CONTENT_TYPES
            and _parameter_with_control_characters(request.POST) is not None
        ):
            return self._control_characters(request, None)
        return self.get_response(request)

    def _control_characters(
        self, request: HttpRequest, parameter: str | None
    ) -> HttpResponse:
        if _is_api(request):
            return _problem(
                422,
                code="invalid",
                title="Invalid input",
                detail=f"{parameter}: must not contain control characters",
                extra={"field": parameter},
            )
        return short_page(
            422,
            title=gettext("입력할 수 없는 글자"),
            message=gettext(
                "보낸 글에 제어 문자가 들어 있습니다. 지우고 다시 보내 주십시오. "
                "아무것도 바뀌지 않았습니다."
            ),
        )

    def _too_large(self, request: HttpRequest) -> HttpResponse:
        if _is_api(request):
            return _problem(
                413,
                code="too_large",
                title="Request body too large",
                detail=f"The body may be at most {settings.OKRYU_API_BODY_BYTES_MAX} bytes.",
            )
        return short_page(
            413,
            title=gettext("너무 큰 요청"),
            message=gettext(
                "보낸 내용이 너무 큽니다. 사진은 5MB까지 올릴 수 있습니다. "
                "아무것도 바뀌지 않았습니다."
            ),
        )


class CookieGuardMiddleware:
    """Forget a cookie whose name or value holds a control character, before anyone reads it.

    No cookie Okryu sets holds one, but a client can send ``sessionid="…\\000…"``, which
    Django unquotes to a NUL: the session key then reached PostgreSQL, which refused it with a
    500 on every page. Such a cookie is treated as never sent.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name in [
            name
            for name, value in request.COOKIES.items()
            if has_control_characters(name) or has_control_characters(value)
        ]:
            del request.COOKIES[name]
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Add ``Permissions-Policy`` (no camera, microphone, location, payment API) to answers."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault(
            "Permissions-Policy", settings.OKRYU_PERMISSIONS_POLICY
        )
        return response


class TooManyRequestsMiddleware:
    """Answer a page whose view hit a rate limit with a short 429 page and ``Retry-After``."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        """Turn RateLimited into the 429 page; leave every other exception alone."""
        if not isinstance(exception, RateLimited):
            return None
        return too_many_requests_page(exception.retry_after_seconds)


def too_many_requests_page(retry_after_seconds: int) -> HttpResponse:
    """Return the short 429 page, with ``Retry-After``."""
    response = short_page(
        429,
        title=gettext("잠시 뒤에 다시"),
        message=gettext("요청이 너무 많습니다. %(seconds)s초 뒤에 다시 해 보십시오.")
        % {"seconds": retry_after_seconds},
    )
    response["Retry-After"] = str(retry_after_seconds)
    return response
