"""The "http" SMS gateway: posts each message to the operator's SMS service.

``POST OKRYU_SMS_GATEWAY_URL`` with the JSON body ``{"phone": …, "body": …}`` and, when
``OKRYU_SMS_GATEWAY_TOKEN`` is set, ``Authorization: Bearer <token>``. Any answer but a 2xx, or
none within ``OKRYU_SMS_GATEWAY_TIMEOUT_SECONDS``, raises, and the outbox keeps the message for
another attempt. Nothing here logs a message's body: it may carry a delivery code.
"""

import json
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings

GATEWAY_URL_SCHEMES = frozenset({"http", "https"})
HTTP_OK_MIN, HTTP_OK_MAX = 200, 299


class SmsNotAccepted(Exception):
    """The SMS service answered, but not with a 2xx."""


def is_gateway_url_valid(url: str) -> bool:
    """Tell whether ``url`` is an http(s) address with a host."""
    parts = urlsplit(url)
    return parts.scheme in GATEWAY_URL_SCHEMES and bool(parts.hostname)


class HttpGateway:
    """Delivers each SMS with one HTTP request to the operator's SMS service."""

    def __init__(self) -> None:
        self.url: str = settings.OKRYU_SMS_GATEWAY_URL
        self.token: str = settings.OKRYU_SMS_GATEWAY_TOKEN
        self.timeout_seconds: float = settings.OKRYU_SMS_GATEWAY_TIMEOUT_SECONDS
        # The system check okryu.E020 refuses to start with anything else.
        assert is_gateway_url_valid(self.url), "OKRYU_SMS_GATEWAY_URL is an http(s) URL"

    def send(self, *, phone: str, body: str, secrets: tuple[str, ...] = ()) -> None:
        """Post the message; raise unless the service accepts it. Secrets go to the phone."""
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(  # noqa: S310  (the scheme is checked above)
            self.url,
            data=json.dumps({"phone": phone, "body": body}).encode(),
            headers=headers,
            method="POST",
        )
        # urlopen raises HTTPError for 4xx and 5xx answers, URLError when nothing answers.
        with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:  # noqa: S310
            if not HTTP_OK_MIN <= response.status <= HTTP_OK_MAX:
                message = f"the SMS service answered {response.status}"
                raise SmsNotAccepted(message)
