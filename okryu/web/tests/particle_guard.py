"""A test-only middleware: a page that still shows a particle marker ("옥류관은(는)") fails.

Installed by ``config.settings.test``, so every page the suite requests is checked. The
Django admin is left out: its words are Django's own translation.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from okryu.core.particles import find_particle_marker


class ParticleMarkerGuard:
    """Refuse (AssertionError) an HTML answer with an unresolved particle marker."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.streaming
            or not response.get("Content-Type", "").startswith("text/html")
            or request.path.startswith("/admin/")
        ):
            return response
        marker = find_particle_marker(response.content.decode(errors="replace"))
        assert marker is None, f"{request.path} shows the particle marker {marker!r}"
        return response
