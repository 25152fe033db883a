"""PIN hashes: Argon2id, slow and salted; the PIN itself is never stored, logged or shown.

Nothing here logs, and no error raised here carries the PIN: callers pass it straight from the
form or the request body into ``hash_pin`` or ``is_pin_correct``.

A PIN has only 10,000 to 1,000,000 values, so no hash is slow enough on its own to stop a
guesser holding a copy of the database. The PIN is therefore peppered first with a key derived
from the issuer's master key, which lives outside the database: a stolen dump alone cannot be
searched, and Argon2 remains the second wall should both leak.
"""

import hashlib
import hmac

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from django.conf import settings

from okryu.core.errors import InvalidInput
from okryu.payments.rules import is_pin_well_formed


def _hasher() -> PasswordHasher:
    parameters = settings.OKRYU_PIN_ARGON2
    return PasswordHasher(
        time_cost=parameters["time_cost"],
        memory_cost=parameters["memory_cost"],
        parallelism=parameters["parallelism"],
        type=Type.ID,
    )


def _peppered(pin: str) -> str:
    pepper = hmac.new(
        settings.OKRYU_CARD_ISSUER_MASTER_KEY.encode(),
        b"okryu-pin-pepper",
        hashlib.sha256,
    ).digest()
    return hmac.new(pepper, pin.encode(), hashlib.sha256).hexdigest()


def check_pin_shape(pin: object) -> None:
    """Raise InvalidInput unless ``pin`` is 4 to 6 digits (the message never repeats it)."""
    if not is_pin_well_formed(pin):
        raise InvalidInput("PIN은 숫자 4~6자리입니다.", field="pin")


def hash_pin(pin: str) -> str:
    """Return the Argon2id hash of a well-formed ``pin``."""
    check_pin_shape(pin)
    return _hasher().hash(_peppered(pin))


def is_pin_correct(*, pin_hash: str, pin: str) -> bool:
    """Tell whether ``pin`` matches ``pin_hash``, in Argon2's constant-time comparison."""
    try:
        return _hasher().verify(pin_hash, _peppered(pin))
    except (VerificationError, InvalidHashError):
        return False
