"""The http SMS gateway posts each message to the operator's SMS service, and the system
checks refuse a gateway that cannot deliver."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typing_extensions import override

from okryu.notifications.checks import (
    check_production_sms_reaches_phones,
    check_sms_gateway_is_known,
)
from okryu.notifications.gateways import get_configured_gateway
from okryu.notifications.http_gateway import HttpGateway
from okryu.notifications.models import OutboxMessage, OutboxStatus
from okryu.notifications.outbox import queue_sms, send_pending_sms


class SmsService(BaseHTTPRequestHandler):
    """A stand-in SMS service on loopback: records each request, answers ``status``."""

    received: list[dict[str, object]]
    status = 202

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.received.append(
            {
                "path": self.path,
                "authorization": self.headers.get("Authorization"),
                "content_type": self.headers.get("Content-Type"),
                "body": json.loads(self.rfile.read(length)),
            }
        )
        self.send_response(self.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    @override
    def log_message(self, format, *args) -> None:
        """Keep the test's output quiet."""


@pytest.fixture
def sms_service(settings) -> Iterator[type[SmsService]]:
    handler = type("Handler", (SmsService,), {"received": [], "status": 202})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.OKRYU_SMS_GATEWAY = "http"
    settings.OKRYU_SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.OKRYU_SMS_GATEWAY_TOKEN = "service-token-1"
    try:
        yield handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.django_db
def test_a_message_is_posted_to_the_sms_service_with_the_token(sms_service):
    queue_sms(phone="010-1111-2222", body="[옥류] 배달 확인 번호 4821")

    report = send_pending_sms(gateway=get_configured_gateway(), batch_size=10)

    assert sms_service.received == [
        {
            "path": "/send",
            "authorization": "Bearer service-token-1",
            "content_type": "application/json; charset=utf-8",
            "body": {"phone": "010-1111-2222", "body": "[옥류] 배달 확인 번호 4821"},
        }
    ]
    assert report.sent == 1
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT


@pytest.mark.django_db
def test_a_refusal_by_the_sms_service_keeps_the_message_for_another_attempt(
    sms_service,
):
    sms_service.status = 503
    queue_sms(phone="010-1111-2222", body="[옥류] 주문이 접수되었습니다")

    report = send_pending_sms(gateway=HttpGateway(), batch_size=10)

    message = OutboxMessage.objects.get()
    assert (report.sent, report.failed) == (0, 1)
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
    assert len(sms_service.received) == 1


def test_the_http_gateway_without_an_address_is_refused_at_start(settings):
    settings.OKRYU_SMS_GATEWAY = "http"
    settings.OKRYU_SMS_GATEWAY_URL = "sms.okryu.example/send"

    errors = check_sms_gateway_is_known()

    assert [error.id for error in errors] == ["okryu.E020"]
    assert "OKRYU_SMS_GATEWAY_URL" in errors[0].msg


def test_an_unknown_gateway_is_refused_at_start(settings):
    settings.OKRYU_SMS_GATEWAY = "carrier-pigeon"

    errors = check_sms_gateway_is_known()

    assert [error.id for error in errors] == ["okryu.E020"]
    assert "'carrier-pigeon'" in errors[0].msg


@pytest.mark.parametrize("gateway", ["log", "recording"])
def test_production_refuses_a_gateway_that_reaches_no_phone(settings, gateway):
    settings.OKRYU_IS_PRODUCTION = True
    settings.OKRYU_SMS_GATEWAY = gateway

    errors = check_production_sms_reaches_phones()

    assert [error.id for error in errors] == ["okryu.E019"]


def test_the_demo_may_write_sms_to_the_log(settings):
    settings.OKRYU_SMS_GATEWAY = "log"

    assert check_production_sms_reaches_phones() + check_sms_gateway_is_known() == []
