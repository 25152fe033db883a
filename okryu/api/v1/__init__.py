"""Version 1 of the JSON API: the contract of docs/API.md.

Routers live one module per group of routes and are added below. Every answer that is an error
is problem+json (``okryu.api.v1.errors``): exceptions through ninja's handlers, an unknown path
under /api/v1/ through a catch-all pattern, and a wrong method through a wrapper of each view.
"""

import functools
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponseBase, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from typing_extensions import override

from okryu.api.v1 import (
    auth,
    cards,
    catalog,
    counter,
    courier,
    door_losses,
    fair_limits,
    insights,
    merchant,
    merchant_kitchen,
    ops,
    orders,
    phone,
    qr,
    teller,
    terminal,
    waitlist,
)
from okryu.api.v1.errors import (
    declare_common_problems,
    install_problem_handlers,
    mark_problem_content_types,
    problem_for_status,
)

ViewFunction = Callable[..., HttpResponseBase]


def _answer_problems(view: ViewFunction) -> ViewFunction:
    """Wrap a view of the API so that "method not allowed" and a bare 404 are problem+json."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return problem_for_status(404, detail="There is no API route at this path.")
        if isinstance(response, HttpResponseNotAllowed):
            problem = problem_for_status(
                405, detail=f"{request.method} is not allowed on this path."
            )
            problem["Allow"] = response["Allow"]
            return problem
        return response

    return wrapped


@csrf_exempt
def unknown_route(request: HttpRequest, path: str = "") -> HttpResponseBase:
    """Answer every path under /api/v1/ that no route matches."""
    return problem_for_status(404, detail="There is no API route at this path.")


class OkryuAPI(NinjaAPI):
    """NinjaAPI whose URL patterns answer problem+json also outside the routes' handlers.

    The OpenAPI schema is built once per process and prefix: building it takes a good part of
    a second of CPU, and ``GET /openapi.json`` is open to anyone. The routes do not change
    after start-up; the schema answered is shared, so a caller must not change it.
    """

    _schemas: dict[tuple[str | None, tuple[tuple[str, Any], ...]], OpenAPISchema]

    @property
    @override
    def urls(self) -> tuple[list[URLResolver | URLPattern], str, str]:
        patterns, app_name, namespace = super().urls
        wrapped: list[URLResolver | URLPattern] = []
        for pattern in patterns:
            assert isinstance(pattern, URLPattern), "ninja makes flat patterns"
            wrapped.append(
                URLPattern(
                    pattern.pattern,
                    _answer_problems(pattern.callback),
                    pattern.default_args,
                    pattern.name,
                )
            )
        # Last, so it only catches what no route matched.
        wrapped.append(re_path(r"^(?P<path>.*)$", unknown_route, name="unknown-route"))
        return wrapped, app_name, namespace

    @override
    def get_openapi_schema(
        self,
        *,
        path_prefix: str | None = None,
        path_params: dict[str, Any] | None = None,
    ) -> OpenAPISchema:
        key = (path_prefix, tuple(sorted((path_params or {}).items())))
        schemas: dict[tuple[str | None, tuple[tuple[str, Any], ...]], OpenAPISchema] = (
            self.__dict__.setdefault("_schemas", {})
        )
        if key not in schemas:
            schema = super().get_openapi_schema(
                path_prefix=path_prefix, path_params=path_params
            )
            mark_problem_content_types(schema)
            declare_common_problems(schema)
            schemas[key] = schema
        return schemas[key]


api = OkryuAPI(
    title="Okryu API",
    version="1",
    description=(
        "The JSON API of Okryu (docs/API.md). Errors are `application/problem+json` with a "
        "stable `code`; lists are `{items, next, count}` with `page` and `page_size`; calls "
        "that need a person send `Authorization: Bearer <token>` from `POST /auth/token`."
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_problem_handlers(api)

api.add_router("", auth.router)
api.add_router("", catalog.router)
api.add_router("", ops.router)
api.add_router("", teller.router)
api.add_router("", counter.router)
api.add_router("", cards.router)
api.add_router("", qr.router)
api.add_router("", orders.router)
api.add_router("", merchant.router)
api.add_router("", merchant_kitchen.router)
api.add_router("", courier.router)
api.add_router("", terminal.router)
api.add_router("", door_losses.router)
api.add_router("", phone.router)
api.add_router("", waitlist.router)
api.add_router("", fair_limits.router)
api.add_router("", insights.router)
