"""Prometheus metrics: requests (django-prometheus), checkouts, refusals and queue depths.

With several worker processes (granian), ``manage.py serve`` gives each app server a folder in
``PROMETHEUS_MULTIPROC_DIR`` where every process writes its counters, and ``/metrics`` adds them
up (prometheus_client's multiprocess mode). Queue depths are read from the database when
``/metrics`` is scraped, so any app server answers the same.

``/metrics`` is not for the public: with ``OKRYU_METRICS_TOKEN`` set it needs
``Authorization: Bearer <token>``; without one it answers only a client on the machine itself
that came straight to the app server (no ``X-Forwarded-For``), and nginx refuses the path.
Anyone else gets a plain 404.
"""

import hmac
import ipaddress
import json
import os
from collections.abc import Callable, Iterator

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import resolve
from django.urls.exceptions import Resolver404
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from typing_extensions import override

from okryu.core.queues import load_queue_states

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BODY_BYTES_MAX = 16 * 1024
REPLAY_HEADER = "Idempotent-Replayed"
# The routes that place an order: the API's POST /api/v1/orders and the checkout page.
API_CHECKOUT_VIEW = "api-v1:place_order_route"
PAGE_CHECKOUT_VIEW = "checkout"
PAGE_ORDER_VIEW = "order"
HTTP_ERROR_MIN = 400
HTTP_REDIRECT_MIN = 300

CHECKOUTS = Counter(
    "okryu_checkouts",
    "Orders asked for at checkout, by channel (api, page) and outcome "
    "(placed, replayed, refused).",
    ["channel", "outcome"],
)
REFUSALS = Counter(
    "okryu_refusals",
    "Requests answered 4xx, by the problem's stable code (http_<status> when it has none).",
    ["code", "status"],
)


def _problem_code(response: HttpResponse) -> str:
    content_type = response.get("Content-Type", "")
    if not content_type.startswith(PROBLEM_CONTENT_TYPE) or response.streaming:
        return ""
    body = response.content
    if len(body) > PROBLEM_BODY_BYTES_MAX:
        return ""
    try:
        code = json.loads(body).get("code", "")
    except (ValueError, AttributeError):
        return ""
    return code if isinstance(code, str) else ""


def _checkout_outcome(request: HttpRequest, response: HttpResponse) -> tuple[str, str]:
    """Return (channel, outcome) when the request was a checkout, else ("", "")."""
    match = request.resolver_match
    if request.method != "POST" or match is None:
        return "", ""
    if match.view_name == API_CHECKOUT_VIEW:
        if response.status_code >= HTTP_ERROR_MIN:
            return "api", "refused"
        return "api", "replayed" if response.get(REPLAY_HEADER) else "placed"
    if match.view_name == PAGE_CHECKOUT_VIEW:
        location = response.get("Location", "")
        try:
            placed = bool(location) and resolve(location).url_name == PAGE_ORDER_VIEW
        except Resolver404:
            placed = False
        return "page", "placed" if placed else "refused"
    return "", ""


class MetricsMiddleware:
    """Count checkouts and refusals; django-prometheus's own middleware counts requests."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        channel, outcome = _checkout_outcome(request, response)
        if channel:
            CHECKOUTS.labels(channel=channel, outcome=outcome).inc()
        if HTTP_ERROR_MIN <= response.status_code < 500:  # noqa: PLR2004
            code = _problem_code(response) or f"http_{response.status_code}"
            REFUSALS.labels(code=code, status=str(response.status_code)).inc()
        return response


class QueueCollector(Collector):
    """Reads each queue's depth and oldest wait from the database at scrape time."""

    @override
    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Yield the two gauges, one sample per queue."""
        waiting = GaugeMetricFamily(
            "okryu_queue_waiting",
            "Items due and not yet done, by queue.",
            labels=["queue"],
        )
        oldest = GaugeMetricFamily(
            "okryu_queue_oldest_wait_seconds",
            "How long the oldest due item has waited, by queue.",
            labels=["queue"],
        )
        for name, read_state in load_queue_states().items():
            state = read_state()
            waiting.add_metric([name], state.waiting)
            oldest.add_metric([name], state.oldest_wait_seconds)
        yield waiting
        yield oldest


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def may_read_metrics(request: HttpRequest) -> bool:
    """Return True when ``request`` may read the metrics (see the module's docstring)."""
    token: str = settings.OKRYU_METRICS_TOKEN
    if token:
        sent = request.headers.get("Authorization", "").removeprefix("Bearer ")
        return hmac.compare_digest(sent.encode(), token.encode())
    return _is_loopback(request.META.get("REMOTE_ADDR", "")) and (
        "HTTP_X_FORWARDED_FOR" not in request.META
    )


def metrics_view(request: HttpRequest) -> HttpResponse:
    """Answer the metrics in Prometheus' text format, to those allowed to read them."""
    if not may_read_metrics(request):
        raise Http404
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = CollectorRegistry()
        registry.register(_ProcessMetrics())
    registry.register(QueueCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


class _ProcessMetrics(Collector):
    """This process's own metrics (one process: the default registry holds them all)."""

    @override
    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Yield everything the default registry has."""
        yield from REGISTRY.collect()  # type: ignore[misc]
