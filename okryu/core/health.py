"""``GET /health/``: 200 when the database, the cache and the queues are well, else 503.

The checks are django-health-check's (database, cache) and one per background queue: a queue
whose oldest due item has waited longer than ``OKRYU_HEALTH_QUEUE_WAIT_MAX_SECONDS`` means its
workers are dead or overwhelmed. Always JSON (``{"check": "OK" or the reason}``), but plain
text with ``Accept: text/plain`` or ``?format=text``: probes read it, not people.
"""

import dataclasses
from collections.abc import Iterator
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from okryu.core.queues import load_queue_states

HTTP_INTERNAL_ERROR = 500
HTTP_SERVICE_UNAVAILABLE = 503


@dataclasses.dataclass
class QueueWait(HealthCheck):
    """Fails when the oldest due item of ``queue`` has waited too long."""

    queue: str

    async def run(self) -> None:
        """Read the queue's state on the request's own database connection."""
        read_state = load_queue_states()[self.queue]
        # thread_sensitive: the request's thread, its connection (and a test's transaction).
        state = await sync_to_async(read_state, thread_sensitive=True)()
        wait_max: int = settings.OKRYU_HEALTH_QUEUE_WAIT_MAX_SECONDS
        if state.oldest_wait_seconds > wait_max:
            message = (
                f"{state.waiting} waiting, the oldest for "
                f"{state.oldest_wait_seconds:.0f} s (more than {wait_max} s)"
            )
            raise ServiceUnavailable(message)


class HealthView(HealthCheckView):
    """django-health-check's view, answering 503 (not 500) when a check fails."""

    def get_checks(self) -> Iterator[HealthCheck]:
        """The database, the cache and every declared queue."""
        yield Database()
        yield Cache()
        for name in settings.OKRYU_QUEUES:
            yield QueueWait(queue=name)

    def render_to_response(
        self, context: dict[str, Any], **response_kwargs: Any
    ) -> HttpResponse:
        """Answer JSON where the library would render its HTML page (``Accept: */*``)."""
        response: HttpResponse = self.render_to_response_json(
            response_kwargs.get("status", 200)
        )
        return response

    async def get(
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        """Run the checks; a failure is 503 Service Unavailable, for balancers and probes."""
        response: HttpResponse = await super().get(request, *args, **kwargs)
        if response.status_code == HTTP_INTERNAL_ERROR:
            response.status_code = HTTP_SERVICE_UNAVAILABLE
        return response
