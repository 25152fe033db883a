"""What an operator expects of a running server: ``/health/`` (200 or 503), ``/metrics`` for
Prometheus (protected), and logs that carry the request's id, as JSON in production."""

import datetime as dt
import json
import logging

import pytest
import time_machine
from django.test import Client

from okryu.core import clock
from okryu.core.jobs import enqueue_job
from okryu.core.logs import JsonFormatter, RequestIdFilter
from okryu.notifications.outbox import queue_sms, send_pending_sms

LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


class DownGateway:
    def send(self, *, phone, body, secrets=()):
        message = "down"
        raise ConnectionError(message)


@pytest.fixture
def client() -> Client:
    return Client(HTTP_HOST="localhost")


@pytest.fixture(autouse=True)
def _working_cache(settings):
    settings.CACHES = LOCAL_CACHE


def _health(client: Client):
    return client.get("/health/", HTTP_ACCEPT="application/json")


@pytest.mark.django_db
def test_health_is_200_when_the_database_the_cache_and_the_queues_are_well(client):
    enqueue_job(kind="payments.expire_hold", payload={})
    queue_sms(phone="010-1111-2222", body="곧 보냄")

    response = _health(client)

    assert response.status_code == 200
    assert set(response.json().values()) == {"OK"}
    assert set(response.json()) == {
        "Database(alias='default')",
        "Cache(alias='default')",
        "QueueWait(queue='jobs')",
        "QueueWait(queue='sms')",
    }


@pytest.mark.django_db
def test_health_is_503_when_a_due_job_has_waited_longer_than_allowed(client, settings):
    settings.OKRYU_HEALTH_QUEUE_WAIT_MAX_SECONDS = 600
    enqueue_job(kind="payments.expire_hold", payload={})

    with time_machine.travel(clock.now() + dt.timedelta(minutes=11), tick=False):
        response = _health(client)

    assert response.status_code == 503
    assert (
        response.json()["QueueWait(queue='jobs')"]
        .removeprefix("Unavailable: ")
        .startswith("1 waiting, the oldest")
    )
    assert response.json()["QueueWait(queue='sms')"] == "OK"


@pytest.mark.django_db
def test_health_is_503_when_an_sms_has_waited_too_long_but_not_while_it_backs_off(
    client, settings
):
    settings.OKRYU_HEALTH_QUEUE_WAIT_MAX_SECONDS = 600
    queue_sms(phone="010-1111-2222", body="게이트웨이가 멈춤")
    start = clock.now()
    with time_machine.travel(start, tick=False):
        send_pending_sms(gateway=DownGateway(), batch_size=10)

    with time_machine.travel(start + dt.timedelta(seconds=15), tick=False):
        backing_off = _health(client)
    with time_machine.travel(start + dt.timedelta(minutes=15), tick=False):
        stuck = _health(client)

    assert backing_off.status_code == 200
    assert stuck.status_code == 503
    assert "waiting" in stuck.json()["QueueWait(queue='sms')"]


@pytest.mark.django_db
def test_health_is_503_when_the_cache_does_not_answer(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    }

    response = _health(client)

    assert response.status_code == 503
    assert response.json()["Cache(alias='default')"] != "OK"


@pytest.mark.django_db
def test_metrics_count_requests_refused_checkouts_refusals_by_code_and_queue_depths(
    client,
):
    from okryu.accounts.models import Role
    from okryu.api.tests.support import make_person
    from okryu.api.tokens import issue_token

    shopper = make_person(Role.SHOPPER, username="metrics-shopper")
    token = issue_token(user=shopper).token
    enqueue_job(kind="payments.expire_hold", payload={})
    queue_sms(phone="010-1111-2222", body="대기 중")
    queue_sms(phone="010-1111-3333", body="대기 중")

    refused = client.post(
        "/api/v1/orders",
        data="{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    text = client.get("/metrics").content.decode()

    assert (refused.status_code, refused.json()["code"]) == (422, "invalid")
    assert 'okryu_checkouts_total{channel="api",outcome="refused"}' in text
    assert 'okryu_refusals_total{code="invalid",status="422"}' in text
    assert "django_http_requests_total_by_method_total" in text
    assert 'okryu_queue_waiting{queue="jobs"} 1.0' in text
    assert 'okryu_queue_waiting{queue="sms"} 2.0' in text


@pytest.mark.django_db
def test_metrics_are_hidden_from_anyone_through_the_proxy_or_from_elsewhere(client):
    through_nginx = client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9")
    from_elsewhere = client.get("/metrics", REMOTE_ADDR="192.0.2.7")

    assert (through_nginx.status_code, from_elsewhere.status_code) == (404, 404)


@pytest.mark.django_db
def test_with_a_token_set_metrics_need_the_token_from_anywhere(client, settings):
    settings.OKRYU_METRICS_TOKEN = "a-long-random-scrape-token"

    without = client.get("/metrics")
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer guess")
    right = client.get(
        "/metrics",
        REMOTE_ADDR="192.0.2.7",
        HTTP_AUTHORIZATION="Bearer a-long-random-scrape-token",
    )

    assert (without.status_code, wrong.status_code, right.status_code) == (
        404,
        404,
        200,
    )


@pytest.mark.django_db
def test_a_request_id_from_nginx_is_answered_and_logged_and_a_missing_one_is_made(
    client, caplog
):
    caplog.set_level(logging.INFO, logger="okryu.requests")

    given = client.get("/health/", HTTP_X_REQUEST_ID="4f0c2a9e1b7d4e5f")
    made = client.get("/health/")
    forged = client.get("/health/", HTTP_X_REQUEST_ID='x" level="CRITICAL')

    assert given["X-Request-ID"] == "4f0c2a9e1b7d4e5f"
    assert len(made["X-Request-ID"]) == 32
    assert forged["X-Request-ID"] not in {'x" level="CRITICAL', ""}
    access = [record for record in caplog.records if record.name == "okryu.requests"]
    assert [record.request_id for record in access] == [
        "4f0c2a9e1b7d4e5f",
        made["X-Request-ID"],
        forged["X-Request-ID"],
    ]


def test_a_json_log_line_carries_the_level_the_message_the_request_id_and_the_extras():
    record = logging.LogRecord(
        "okryu.requests", logging.INFO, __file__, 1, "GET %s %s", ("/", 200), None
    )
    record.status = 200
    RequestIdFilter().filter(record)

    entry = json.loads(JsonFormatter().format(record))

    assert entry["level"] == "INFO"
    assert entry["logger"] == "okryu.requests"
    assert entry["message"] == "GET / 200"
    assert entry["status"] == 200
    assert entry["request_id"] == ""
    assert entry["time"].endswith("+00:00")
