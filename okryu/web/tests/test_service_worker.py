"""The service worker's script: served from the root, fresh, under the site's CSP."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_worker_is_served_at_the_root_so_its_scope_is_every_page(client: Client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert reverse("service-worker") == "/sw.js"


@override_settings(OKRYU_RELEASE="2026.12.1", OKRYU_OFFLINE_PAGE_LIFETIME_SECONDS=600)
def test_the_worker_names_its_caches_after_the_release_and_knows_the_lifetime(
    client: Client,
):
    first_line = client.get("/sw.js").content.decode().splitlines()[0]

    assert first_line.startswith('self.OKRYU = {"release": "2026.12.1-')
    assert first_line.endswith('"lifetime": 600};')


def test_a_new_release_gives_the_worker_new_cache_names(client: Client):
    with override_settings(OKRYU_RELEASE="1"):
        before = client.get("/sw.js").content
    with override_settings(OKRYU_RELEASE="2"):
        after = client.get("/sw.js").content

    assert before != after


def test_the_worker_is_only_read(client: Client):
    assert client.post("/sw.js").status_code == 405
