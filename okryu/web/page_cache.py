"""Whole-page cache for the catalog pages, shared by every visitor.

A catalog page (home, categories, merchants, a product, search results) reads the same for
everyone who asks for it in the same language: only the header's account tools (sign-in link or
the person's menu, the basket count) and the per-request form fields (the CSRF token and the
idempotency keys) are the visitor's own. Such a page is rendered once with placeholders for
those parts, kept for a few seconds (``OKRYU_CATALOG_CACHE_SECONDS``), and served to each
visitor with their own parts put in: a cached page costs a cache read, the small account tools
template and a few string operations instead of a render, signed in or not.

A catalog view under this cache must not read the visitor in its body; whatever differs by
person belongs in the account tools. A visitor with a message waiting (after a form) gets the
page rendered for them, so the message is shown once, to them, and never cached.
"""

import re
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from okryu.web.shop.listing import CSRF_PLACEHOLDER, insert_csrf

PATH_LENGTH_MAX = 500
CACHED_STATUS = 200
# Where a shared page holds the header's account tools (base.html writes it for a shared page).
ACCOUNT_TOOLS_PLACEHOLDER = "<!--okryu-account-tools-->"
ACCOUNT_TOOLS_TEMPLATE = "web/_account_tools.html"
# What the templates read to write placeholders instead of the visitor's own parts.
SHARED_PAGE_ATTRIBUTE = "okryu_shared_page"
_FORM_FIELDS = re.compile(
    r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">'
    r'(?:<input type="hidden" name="idempotency_key" value="[0-9a-f]*">)?'
)

View = Callable[..., HttpResponse]


def is_shared_page(request: HttpRequest) -> bool:
    """Return whether ``request`` is rendering a page shared by every visitor."""
    return bool(getattr(request, SHARED_PAGE_ATTRIBUTE, False))


def _has_messages_waiting(request: HttpRequest) -> bool:
    # len() counts stored and queued messages without marking them shown.
    return len(get_messages(request)) > 0


def _fill_visitor_parts(request: HttpRequest, template: str) -> str:
    tools = render_to_string(ACCOUNT_TOOLS_TEMPLATE, request=request)
    # The account tools' own forms (sign-out, language) take their CSRF field from the
    # template tag; only the page body's forms carry the placeholder.
    return insert_csrf(request, template).replace(ACCOUNT_TOOLS_PLACEHOLDER, tools, 1)


def cache_page_for_visitors(view: View) -> View:
    """Serve ``view``'s successful GET answers from one cached copy to every visitor."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        path = request.get_full_path()
        if len(path) > PATH_LENGTH_MAX or _has_messages_waiting(request):
            return view(request, *args, **kwargs)
        key = f"okryu:page:{request.LANGUAGE_CODE}:{path}"
        template: str | None = cache.get(key)
        if template is None:
            setattr(request, SHARED_PAGE_ATTRIBUTE, True)
            try:
                response = view(request, *args, **kwargs)
            finally:
                setattr(request, SHARED_PAGE_ATTRIBUTE, False)
            if response.status_code != CACHED_STATUS or response.streaming:
                return _with_visitor_parts(request, response)
            template = _FORM_FIELDS.sub(CSRF_PLACEHOLDER, response.content.decode())
            cache.set(key, template, settings.OKRYU_CATALOG_CACHE_SECONDS)
        return HttpResponse(_fill_visitor_parts(request, template))

    return wrapper


def _with_visitor_parts(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    # A refusal or a redirect is not cached, but may have been rendered as a shared page.
    if response.streaming or ACCOUNT_TOOLS_PLACEHOLDER.encode() not in response.content:
        return response
    tools = render_to_string(ACCOUNT_TOOLS_TEMPLATE, request=request)
    response.content = response.content.replace(
        ACCOUNT_TOOLS_PLACEHOLDER.encode(), tools.encode(), 1
    )
    return response
