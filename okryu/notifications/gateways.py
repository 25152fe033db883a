"""Gateways that deliver an SMS: the interface, the logging default and a recording one."""

import logging
import threading
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

from okryu.notifications.http_gateway import HttpGateway

logger = logging.getLogger(__name__)


class SmsGateway(Protocol):
    """Delivers one SMS or raises; must return within a bounded time."""

    def send(self, *, phone: str, body: str, secrets: tuple[str, ...] = ()) -> None:
        """Send ``body`` to ``phone``; ``secrets`` are the codes in it (never to be logged)."""


class LogGateway:
    """The embedded default: writes each message to the log instead of a radio network."""

    def send(self, *, phone: str, body: str, secrets: tuple[str, ...] = ()) -> None:
        """Log the message, its codes masked: a log is read by more people than the phone."""
        logger.info("SMS to %s: %s", phone, mask_secrets(body, secrets))


def mask_secrets(body: str, secrets: tuple[str, ...]) -> str:
    """Return ``body`` with every secret in it replaced by as many asterisks."""
    for secret in secrets:
        body = body.replace(secret, "*" * len(secret))
    return body


@dataclass(frozen=True)
class SentSms:
    """One message a recording gateway received."""

    phone: str
    body: str


class RecordingGateway:
    """Keeps every message in memory, for tests; thread-safe for the concurrency tests."""

    def __init__(self) -> None:
        self.sent: list[SentSms] = []
        self._lock = threading.Lock()

    def send(self, *, phone: str, body: str, secrets: tuple[str, ...] = ()) -> None:
        """Record the message as the phone receives it (tests read codes from it)."""
        with self._lock:
            self.sent.append(SentSms(phone=phone, body=body))


# An explicit mapping, so a setting names a gateway without importing code by string.
GATEWAYS: dict[str, type[LogGateway] | type[RecordingGateway] | type[HttpGateway]] = {
    "log": LogGateway,
    "recording": RecordingGateway,
    "http": HttpGateway,
}
# Gateways that deliver nothing to a phone; production refuses them (okryu.E019).
GATEWAYS_NOT_DELIVERING = frozenset({"log", "recording"})


def get_configured_gateway() -> SmsGateway:
    """Return a new instance of the gateway named by ``settings.OKRYU_SMS_GATEWAY``."""
    return GATEWAYS[settings.OKRYU_SMS_GATEWAY]()
