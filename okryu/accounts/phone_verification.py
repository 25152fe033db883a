"""Proving a person holds their phone: a six-digit code by SMS, answered within
``OKRYU_PHONE_CODE_MINUTES`` and in at most ``OKRYU_PHONE_CODE_ATTEMPTS_MAX`` tries.

Paying at the door needs it: the courier calls that phone and hands goods over against a
chip card, so an account must not order by door with a number it does not hold. The code is
never stored or logged (``okryu.notifications.secret_codes``; ADR 13): its key is derived from
``SECRET_KEY``, a row keeps a salt and a keyed MAC, the SMS is queued with a placeholder.
Sending is rate limited by the caller (the named limits ``phone_code_account`` and
``phone_code_phone``), outside the transaction.
"""

import datetime as dt

from django.conf import settings
from django.db.models import F
from django.utils.crypto import salted_hmac

from okryu.accounts.models import PhoneVerification, User
from okryu.core import clock
from okryu.core.errors import DomainError, InvalidInput
from okryu.core.transactions import raise_if_refused, service_transaction
from okryu.notifications.outbox import queue_sms
from okryu.notifications.secret_codes import (
    CODE_PLACEHOLDER,
    SecretCode,
    new_secret_code,
)

PHONE_CODE_PURPOSE = "phone"
PHONE_CODE_DIGITS = 6
# The key is derived from SECRET_KEY; a code lives minutes, so there is one version.
PHONE_CODE_KEY_VERSION = 1
ASCII_DIGITS = frozenset("0123456789")


class NoPhoneCodeSent(DomainError):
    """No code is waiting for the account's phone: ask for one first."""

    code = "phone_code_not_sent"
    status = 409
    title = "No code was sent"


class PhoneCodeExpired(DomainError):
    """The code's time ran out: ask for a new one."""

    code = "phone_code_expired"
    status = 409
    title = "Code expired"


class PhoneCodeLocked(DomainError):
    """Too many wrong answers to this code: ask for a new one."""

    code = "phone_code_locked"
    status = 409
    title = "Too many wrong codes"


class PhoneNotVerified(DomainError):
    """An act that needs a phone proved to be the person's (paying at the door, a waitlist
    whose offer is told by SMS) by someone without one; ``field`` names what to mend."""

    code = "phone_not_verified"
    status = 403
    title = "Phone not verified"

    def __init__(self, detail: str, *, field: str) -> None:
        super().__init__(detail, field=field)


class WrongPhoneCode(DomainError):
    """The answer is not the code; ``attempts_left`` tells how many tries remain."""

    code = "wrong_code"
    status = 422
    title = "Wrong code"

    def __init__(self, detail: str, *, attempts_left: int) -> None:
        super().__init__(detail, attempts_left=attempts_left)
        self.attempts_left = attempts_left


def phone_code_key(version: int) -> bytes:
    """Return the key of phone codes: derived from SECRET_KEY, never stored."""
    assert version == PHONE_CODE_KEY_VERSION
    return salted_hmac("okryu.accounts.phone_codes", "key", algorithm="sha256").digest()


def is_phone_verified(user_id: int) -> bool:
    """Return whether the account's present phone number was verified by a code."""
    phone = User.objects.filter(pk=user_id).values_list("phone", flat=True).first()
    if not phone:
        return False
    return PhoneVerification.objects.filter(
        user_id=user_id, phone=phone, verified_at__isnull=False
    ).exists()


def _code_of(verification: PhoneVerification) -> SecretCode:
    return SecretCode(
        PHONE_CODE_PURPOSE,
        verification.code_key_version,
        PHONE_CODE_DIGITS,
        verification.code_salt,
    )


@service_transaction(durable=False)
def send_phone_code(*, user_id: int) -> PhoneVerification:
    """Send a new code to the account's phone by SMS (earlier codes stop counting).

    Refused, changing nothing: InvalidInput (the account has no phone, field ``phone``).
    """
    phone = User.objects.values_list("phone", flat=True).get(pk=user_id)
    if not phone:
        raise InvalidInput(
            "전화번호가 없습니다. 내 정보에 전화번호를 넣으십시오.", field="phone"
        )
    now = clock.now()
    code = new_secret_code(PHONE_CODE_PURPOSE, digits=PHONE_CODE_DIGITS)
    verification = PhoneVerification.objects.create(
        user_id=user_id,
        phone=phone,
        code_salt=code.salt,
        code_key_version=code.key_version,
        code_mac=code.mac_of(code.reveal()),
        created_at=now,
        expires_at=now + dt.timedelta(minutes=int(settings.OKRYU_PHONE_CODE_MINUTES)),
    )
    queue_sms(
        phone=phone,
        body=(
            f"[옥류] 전화번호 확인 번호는 {CODE_PLACEHOLDER}입니다. "
            f"{settings.OKRYU_PHONE_CODE_MINUTES}분 안에 넣으십시오. "
            "아무에게도 알려 주지 마십시오."
        ),
        code=code,
    )
    return verification


def confirm_phone_code(*, user_id: int, code: object) -> PhoneVerification:
    """Verify the account's phone with the last code sent to it.

    Refused: InvalidInput (not six ASCII digits; not counted); NoPhoneCodeSent;
    PhoneCodeExpired; PhoneCodeLocked (the attempts are used up; also raised by the wrong
    answer that uses the last one); WrongPhoneCode (counted and committed, with
    ``attempts_left``). The right code again answers the verification. Durable: a wrong
    answer must stay counted, so callers must not wrap it in a transaction.
    """
    if (
        not isinstance(code, str)
        or len(code) != PHONE_CODE_DIGITS
        or not set(code) <= ASCII_DIGITS
    ):
        raise InvalidInput("확인 번호는 숫자 6자리입니다.", field="code")
    # A wrong answer comes back from the transaction, so its count commits first.
    return raise_if_refused(_confirm(user_id, code))


@service_transaction(durable=True)
def _confirm(user_id: int, code: str) -> PhoneVerification | DomainError:
    phone = User.objects.values_list("phone", flat=True).get(pk=user_id)
    verification = (
        PhoneVerification.objects.select_for_update()
        .filter(user_id=user_id, phone=phone)
        .order_by("-created_at", "-pk")
        .first()
    )
    if verification is None or not phone:
        raise NoPhoneCodeSent("보낸 확인 번호가 없습니다. 확인 번호를 먼저 받으십시오.")
    is_right = _code_of(verification).is_answered_by(
        code, stored_mac=verification.code_mac
    )
    if verification.verified_at is not None and is_right:
        return verification
    attempts_max = int(settings.OKRYU_PHONE_CODE_ATTEMPTS_MAX)
    if verification.wrong_count >= attempts_max:
        raise PhoneCodeLocked(
            "확인 번호를 여러 번 틀렸습니다. 새 확인 번호를 받으십시오."
        )
    if verification.expires_at <= clock.now():
        raise PhoneCodeExpired("확인 번호의 유효 시간이 지났습니다. 새로 받으십시오.")
    if not is_right:
        PhoneVerification.objects.filter(pk=verification.pk).update(
            wrong_count=F("wrong_count") + 1
        )
        left = attempts_max - verification.wrong_count - 1
        if left <= 0:
            return PhoneCodeLocked(
                "확인 번호를 여러 번 틀렸습니다. 새 확인 번호를 받으십시오."
            )
        return WrongPhoneCode("확인 번호가 틀렸습니다.", attempts_left=left)
    PhoneVerification.objects.filter(pk=verification.pk).update(verified_at=clock.now())
    verification.refresh_from_db()
    return verification


def record_verified_phone(*, user_id: int) -> PhoneVerification:
    """Record the account's present phone as verified without an SMS: for the demo data,
    whose shoppers' phones are the demo's own, so the demo can pay at the door at once."""
    phone = User.objects.values_list("phone", flat=True).get(pk=user_id)
    assert phone, "a verified phone is a phone"
    code = new_secret_code(PHONE_CODE_PURPOSE, digits=PHONE_CODE_DIGITS)
    now = clock.now()
    return PhoneVerification.objects.create(
        user_id=user_id,
        phone=phone,
        code_salt=code.salt,
        code_key_version=code.key_version,
        code_mac=code.mac_of(code.reveal()),
        created_at=now,
        expires_at=now + dt.timedelta(minutes=1),
        verified_at=now,
    )
