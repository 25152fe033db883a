"""A few seconds of caching for the public catalog routes.

Catalog reads are the bulk of API traffic and are the same for everyone who sends no token;
keeping each answer for ``OKRYU_CATALOG_CACHE_SECONDS`` turns a count and a sorted page over
thousands of rows into one cache read. Answers to a caller with a token are never cached.
"""

import hashlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

PATH_LENGTH_MAX = 500
CACHED_STATUS = 200

View = Callable[..., HttpResponse]


def public_answer_key(path: str) -> str:
    """The cache key of the answer to ``path`` (with its query): a digest, never the path.

    The path is the caller's text: kept as it is, a long or odd query (spaces, control
    characters) makes a key that memcached refuses and every backend warns about.
    """
    return f"okryu:api:{hashlib.sha256(path.encode()).hexdigest()}"


def cache_public_answer(view: View) -> View:
    """Serve a successful answer to a caller without a token from the cache, briefly."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        path = request.get_full_path()
        if (
            request.method != "GET"
            or "HTTP_AUTHORIZATION" in request.META
            or len(path) > PATH_LENGTH_MAX
        ):
            return view(request, *args, **kwargs)
        key = public_answer_key(path)
        stored: tuple[bytes, str] | None = cache.get(key)
        if stored is not None:
            content, content_type = stored
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == CACHED_STATUS and not response.streaming:
            cache.set(
                key,
                (response.content, response["Content-Type"]),
                settings.OKRYU_CATALOG_CACHE_SECONDS,
            )
        return response

    return wrapper
