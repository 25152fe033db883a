"""Whole-page cache for first-time visitors on the catalog pages.

Most catalog traffic is people browsing without a login or a basket: their pages differ only
by language and by the per-request form fields (the CSRF token and the idempotency keys). Such
a page is kept for a few seconds with those fields cut out and put back, fresh, on every
answer, so a cached page costs a cache read and a few string operations instead of a render.
A visitor with a login, a session (a basket) or a pending message gets the page rendered for
them, since their header differs.
"""

import re
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from okryu.web.shop.listing import CSRF_PLACEHOLDER, insert_csrf

PATH_LENGTH_MAX = 500
CACHED_STATUS = 200
_FORM_FIELDS = re.compile(
    r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">'
    r'(?:<input type="hidden" name="idempotency_key" value="[0-9a-f]*">)?'
)

View = Callable[..., HttpResponse]


def _is_first_time_visitor(request: HttpRequest) -> bool:
    return (
        not request.user.is_authenticated
        and not request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        and not request.COOKIES.get(CookieStorage.cookie_name)
    )


def cache_page_for_visitors(view: View) -> View:
    """Serve ``view``'s successful GET answers to first-time visitors from the cache."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        path = request.get_full_path()
        if not _is_first_time_visitor(request) or len(path) > PATH_LENGTH_MAX:
            return view(request, *args, **kwargs)
        key = f"okryu:page:{request.LANGUAGE_CODE}:{path}"
        template: str | None = cache.get(key)
        if template is None:
            response = view(request, *args, **kwargs)
            if response.status_code != CACHED_STATUS or response.streaming:
                return response
            template = _FORM_FIELDS.sub(CSRF_PLACEHOLDER, response.content.decode())
            cache.set(key, template, settings.OKRYU_CATALOG_CACHE_SECONDS)
            return response
        return HttpResponse(insert_csrf(request, template))

    return wrapper
