"""Base domain errors: operating errors that a person or a program can cause and must be told."""

from typing import ClassVar

from okryu.core.particles import resolve_particles


class DomainError(Exception):
    """A refused request, with a stable machine ``code`` and an HTTP-like ``status``.

    Subclasses name the refused fact (``OutOfStock``, ``CardBlocked``) and set ``code``; the API
    turns one into problem+json, a page into a form message. Paired particle markers of the
    detail ("두부은(는)") are resolved here, once for every error: "두부는".
    """

    code: ClassVar[str] = "invalid"
    status: ClassVar[int] = 422
    title: ClassVar[str] = "Invalid request"

    def __init__(self, detail: str, **extra: object) -> None:
        detail = resolve_particles(str(detail))
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class InvalidInput(DomainError):
    """A field of the request is malformed or out of range; ``field`` names it."""

    code = "invalid"
    status = 422
    title = "Invalid input"

    def __init__(self, detail: str, *, field: str = "") -> None:
        super().__init__(detail, field=field)
        self.field = field


class NotFound(DomainError):
    """The object does not exist, or does not exist for the person asking."""

    code = "not_found"
    status = 404
    title = "Not found"


class PermissionDenied(DomainError):
    """The person is known but their role does not allow the call."""

    code = "forbidden"
    status = 403
    title = "Forbidden"


class IdempotencyKeyReused(DomainError):
    """The idempotency key was used before with a different request body."""

    code = "idempotency_key_reused"
    status = 422
    title = "Idempotency key reused with a different request"


class IdempotencyKeyMissing(DomainError):
    """The call changes state and requires an ``Idempotency-Key``."""

    code = "idempotency_key_required"
    status = 400
    title = "Idempotency-Key header required"
