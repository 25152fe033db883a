"""Counting demand signals on cached pages: each view of a sold-out product, each empty search.

The catalog pages are rendered once and shared for a few seconds (``okryu.web.page_cache``),
so counting where the page is rendered would count renders, not views. The view marks its
page when it renders (an HTML comment at the very end, which the cache keeps with the page);
``counts_demand_signals``, outside the page cache, reads the mark on every answer served,
cached or not, records the signal and takes the mark out.
"""

import re
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse

from okryu.catalog.demand import record_empty_search, record_sold_out_view

View = Callable[..., HttpResponse]
SOLD_OUT = "sold_out"
EMPTY_SEARCH = "empty_search"
_SERVED = 200
_MARK = re.compile(rb"<!--okryu-demand:(sold_out|empty_search):([0-9a-f]*)-->\Z")


def mark_demand_signal(response: HttpResponse, kind: str, value: int | str) -> None:
    """Mark the rendered page as showing a sold-out product or an empty search."""
    assert kind in {SOLD_OUT, EMPTY_SEARCH}
    # Hex keeps any query's characters out of the comment's syntax.
    encoded = str(value).encode().hex()
    response.content = (
        response.content + f"<!--okryu-demand:{kind}:{encoded}-->".encode()
    )


def counts_demand_signals(view: View) -> View:
    """Record the signal marked on the page for every successful answer of ``view``."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code != _SERVED or response.streaming:
            return response
        found = _MARK.search(response.content)
        if found is None:
            return response
        response.content = response.content[: found.start()]
        value = bytes.fromhex(found.group(2).decode()).decode()
        if found.group(1) == SOLD_OUT.encode():
            record_sold_out_view(int(value))
        else:
            record_empty_search(value)
        return response

    return wrapper
