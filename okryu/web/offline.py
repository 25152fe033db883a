"""The service worker, served from the site's root so that its scope covers every page.

Its source is ``static/web/sw.js``; this view puts the release's settings in front of it:
the cache names carry ``OKRYU_RELEASE`` and a hash of the worker and the helper, so a new
release (or a new worker) deletes the older caches when it takes over, and no page or price
of an older release is served after it. ``OKRYU_OFFLINE_PAGE_LIFETIME_SECONDS`` is how old a
saved page may be before the helper marks it as old. ADR 0012 says why it works this way.
"""

import hashlib
import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.views.decorators.http import require_GET

WORKER_STATIC_PATH = "web/sw.js"
HELPER_STATIC_PATH = "web/offline.js"


@cache
def _worker_source() -> str:
    found = finders.find(WORKER_STATIC_PATH)
    assert isinstance(found, str), "the worker's source ships with the web app"
    return Path(found).read_text(encoding="utf-8")


def worker_release() -> str:
    """Return the name of this release's caches: the setting and a hash of the scripts."""
    source = _worker_source()
    # The helper's and the stylesheet's static names carry their own content hash.
    parts = f"{source}\n{static(HELPER_STATIC_PATH)}\n{static('web/site.css')}"
    digest = hashlib.sha256(parts.encode()).hexdigest()[:12]
    return f"{settings.OKRYU_RELEASE or 'dev'}-{digest}"


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """Answer the service worker's script, with this release's settings in front."""
    config = {
        "release": worker_release(),
        # The page that says a page was not saved is dressed as the others are.
        "stylesheet": static("web/site.css"),
        "lifetime": int(settings.OKRYU_OFFLINE_PAGE_LIFETIME_SECONDS),
    }
    body = f"self.OKRYU = {json.dumps(config)};\n{_worker_source()}"
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # The browser checks for a new worker on every visit; it must never keep an old one.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
