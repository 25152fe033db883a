"""Logs an operator can search: one JSON object a line, each with the request's id.

A request's id comes from the ``X-Request-ID`` header nginx sets (``$request_id``), or is made
here when there is none (a request straight to the app server); it is answered in the same
header and added to every log line written while the request is handled, so one id finds
nginx's access line, Django's lines and the client's report. A header that is too long or has
other characters than letters, digits, ``-``, ``_`` and ``.`` is replaced, so that a client
cannot write into the logs.
"""

import contextvars
import datetime as dt
import json
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from typing_extensions import override

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,128}")
# The attributes every LogRecord has; anything else given through ``extra`` is logged too.
_RECORD_ATTRIBUTES = frozenset(
    logging.LogRecord("", 0, "", 0, "", (), None).__dict__
) | {"message", "asctime", "request_id"}

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "okryu_request_id", default=""
)
access_logger = logging.getLogger("okryu.requests")


def current_request_id() -> str:
    """Return the id of the request being handled, or "" outside a request."""
    return _request_id.get()


def accepted_request_id(header: str | None) -> str:
    """Return the request id a client or proxy sent if it is safe to log, else a new one."""
    if header is not None and REQUEST_ID_PATTERN.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Give each request an id, answer it in ``X-Request-ID``, and log one access line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = accepted_request_id(request.headers.get(REQUEST_ID_HEADER))
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            access_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "request_id": request_id,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Add ``request_id`` (the current request's, or "") to every record."""

    @override
    def filter(self, record: logging.LogRecord) -> bool:
        """Annotate the record; never drop it."""
        if not getattr(record, "request_id", ""):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object: time, level, logger, message, request id, extras."""

    @override
    def format(self, record: logging.LogRecord) -> str:
        """Return the record as a line of JSON."""
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or current_request_id(),
        }
        entry.update(
            (name, value)
            for name, value in record.__dict__.items()
            if name not in _RECORD_ATTRIBUTES and not name.startswith("_")
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
