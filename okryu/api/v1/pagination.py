"""Pagination of every list of the API: ``{"items": [...], "next": url | null, "count": N}``.

A list route takes ``page`` (1-based) and ``page_size`` query parameters, turns them into a
``PageRequest`` with ``read_page_request`` (which refuses bad values with 422 ``invalid`` naming
the field), fetches ``limit`` rows from ``offset`` and the total, and answers with
``page_body``:

    @router.get("/things", response=Page[ThingOut])
    def list_things(request, page: PageNumber = 1, page_size: PageSize = None):
        page_request = read_page_request(page=page, page_size=page_size)
        rows, total = ...(limit=page_request.limit, offset=page_request.offset)
        return page_body(request, page_request, items=rows, count=total)
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.conf import settings
from django.http import HttpRequest
from ninja import P, QueryEx, Schema
from pydantic import Field

from okryu.core.errors import InvalidInput

# A page number past this is refused rather than turned into a huge OFFSET.
PAGE_NUMBER_MAX = 10_000

ItemT = TypeVar("ItemT")

# Query parameters of every list route, typed once so the schema documents them alike.
PageNumber = QueryEx[int, P(description="Page number, from 1.")]
PageSize = QueryEx[
    int | None,
    P(description="Items per page: OKRYU_PAGE_SIZE (24) unless given, at most 100."),
]


class Page(Schema, Generic[ItemT]):
    """One page of a list."""

    items: list[ItemT]
    next: str | None = Field(
        description="Absolute URL of the next page, or null on the last page."
    )
    count: int = Field(description="Number of items in the whole list (all pages).")


@dataclass(frozen=True)
class PageRequest:
    """A validated page number (1-based) and page size."""

    number: int
    size: int

    @property
    def offset(self) -> int:
        """Rows to skip before this page."""
        return (self.number - 1) * self.size

    @property
    def limit(self) -> int:
        """Rows on this page at most."""
        return self.size


def read_page_request(*, page: int, page_size: int | None) -> PageRequest:
    """Return the page asked for, or raise InvalidInput naming ``page`` or ``page_size``.

    ``page_size`` defaults to ``OKRYU_PAGE_SIZE`` and may not exceed ``OKRYU_PAGE_SIZE_MAX``.
    """
    if not 1 <= page <= PAGE_NUMBER_MAX:
        raise InvalidInput(f"page must be from 1 to {PAGE_NUMBER_MAX}.", field="page")
    size_max: int = settings.OKRYU_PAGE_SIZE_MAX
    size = settings.OKRYU_PAGE_SIZE if page_size is None else page_size
    if not 1 <= size <= size_max:
        raise InvalidInput(
            f"page_size must be from 1 to {size_max}.", field="page_size"
        )
    return PageRequest(number=page, size=size)


def next_page_url(
    request: HttpRequest, page_request: PageRequest, *, shown: int, count: int
) -> str | None:
    """Return the absolute URL of the page after this one, or None if this is the last."""
    if page_request.offset + shown >= count or page_request.number >= PAGE_NUMBER_MAX:
        return None
    query = request.GET.copy()
    query["page"] = str(page_request.number + 1)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def page_body(
    request: HttpRequest,
    page_request: PageRequest,
    *,
    items: Sequence[object],
    count: int,
) -> dict[str, object]:
    """Return the ``{"items", "next", "count"}`` body of one page."""
    assert len(items) <= page_request.limit
    return {
        "items": list(items),
        "next": next_page_url(request, page_request, shown=len(items), count=count),
        "count": count,
    }
