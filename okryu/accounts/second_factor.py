"""Staff's second factor: a TOTP authenticator app (django-otp), enrolled and verified.

Tellers, supervisors, operators and anyone who may open the admin move money or see
everyone's data, so in production (``OKRYU_STAFF_SECOND_FACTOR``) their password alone opens
nothing: the pages, the admin and a staff API token also need a six-digit code from their
authenticator. The demo leaves it off, so the demo logins work with their password alone.
"""

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from okryu.accounts.models import STAFF_ROLES, User
from okryu.accounts.queries import list_roles
from okryu.core.errors import DomainError, InvalidInput
from okryu.core.transactions import service_transaction

DEVICE_NAME = "authenticator"
CODE_DIGITS = 6


class SecondFactorRequired(DomainError):
    """A staff account needs a code from its authenticator (``otp``) for this."""

    code = "second_factor_required"
    status = 401
    title = "Second factor required"


class SecondFactorNotEnrolled(DomainError):
    """A staff account has no authenticator yet: enrol one on the pages first."""

    code = "second_factor_not_enrolled"
    status = 403
    title = "Second factor not enrolled"


def is_staff_member(user: User) -> bool:
    """Return whether ``user`` holds a staff role or may open the admin."""
    if user.is_staff or user.is_superuser:
        return True
    return any(role in STAFF_ROLES for role in list_roles(user))


def needs_second_factor(user: User) -> bool:
    """Return whether ``user`` must give a TOTP code (staff, when the setting is on)."""
    return bool(settings.OKRYU_STAFF_SECOND_FACTOR) and is_staff_member(user)


def is_session_verified(user: User) -> bool:
    """Return whether this request's session was verified with a code (django-otp's mark)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified()) if callable(is_verified) else False


def find_confirmed_device(user: User) -> TOTPDevice | None:
    """Return the user's enrolled authenticator, or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@service_transaction(durable=False)
def start_enrolment(*, user: User) -> TOTPDevice:
    """Return the user's pending (unconfirmed) authenticator, making one if there is none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def _clean_code(code: str) -> str:
    code = code.strip().replace(" ", "")
    if len(code) != CODE_DIGITS or not (code.isascii() and code.isdigit()):
        raise InvalidInput("코드는 6자리 숫자입니다.", field="otp")
    return code


@service_transaction(durable=False)
def confirm_enrolment(*, user: User, code: str) -> TOTPDevice:
    """Confirm the pending authenticator with its first code; it replaces any older one.

    Raises InvalidInput (field ``otp``) for a malformed or wrong code; nothing changes then.
    """
    code = _clean_code(code)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    # Outside the transaction, so a wrong code's throttling count is kept.
    if device is None or not device.verify_token(code):
        raise InvalidInput("코드가 맞지 않습니다.", field="otp")
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


def verify_code(*, user: User, code: str) -> TOTPDevice:
    """Return the enrolled authenticator that accepts ``code``.

    Raises SecondFactorNotEnrolled when there is none, InvalidInput when the code is wrong
    (django-otp also throttles a device after failures, each wait longer).
    """
    device = find_confirmed_device(user)
    if device is None:
        raise SecondFactorNotEnrolled(
            "Enrol an authenticator on the staff pages first: /accounts/second-factor/."
        )
    code = _clean_code(code)
    if not device.verify_token(code):
        raise InvalidInput("코드가 맞지 않습니다.", field="otp")
    return device
