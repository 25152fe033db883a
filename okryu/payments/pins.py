"""PIN records: a keyed MAC of the card number and the PIN, the card issuers' PIN
verification value. The PIN itself is never stored, logged or shown.

A PIN has at most a million values, so no hash, however slow, protects it from whoever holds
the data; what protects it is a key the database does not hold, plus the attempt counter
(payments/cards.py). A record is ``hmac-sha256$`` and the hex HMAC-SHA256 of
``<card number>|<PIN>`` under the PIN key of the issuer's key version stored beside it
(docs/adr/0006-pin-verification-values.md).

Records made before are Argon2id hashes of the PIN peppered with version 1's key: they still
verify, and the card's next correct entry replaces them with the current form (the caller does
that, see ``is_pin_record_current``). Nothing here logs, and no error raised here carries the
PIN: callers pass it straight from the form or the request body.
"""

import hashlib
import hmac
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from okryu.core.errors import InvalidInput
from okryu.payments.issuer_keys import current_key_version, issuer_key, pin_key
from okryu.payments.rules import compute_pin_mac, is_pin_well_formed

PIN_MAC_PREFIX = "hmac-sha256$"
ARGON2_PREFIX = "$argon2"
# The earlier records' pepper: HMAC-SHA256 of this label under the issuer's key.
ARGON2_PEPPER_LABEL = b"okryu-pin-pepper"


@dataclass(frozen=True)
class PinRecord:
    """What a card stores of its PIN: the record and the issuer's key version it was made under."""

    pin_hash: str
    key_version: int


def check_pin_shape(pin: object) -> None:
    """Raise InvalidInput unless ``pin`` is 4 to 6 digits (the message never repeats it)."""
    if not is_pin_well_formed(pin):
        raise InvalidInput("PIN은 숫자 4~6자리입니다.", field="pin")


def make_pin_record(*, card_number: str, pin: str) -> PinRecord:
    """Return the record of a well-formed ``pin`` on ``card_number``, under the current key."""
    check_pin_shape(pin)
    version = current_key_version()
    mac = compute_pin_mac(pin_key=pin_key(version), card_number=card_number, pin=pin)
    return PinRecord(pin_hash=PIN_MAC_PREFIX + mac, key_version=version)


def is_pin_correct(*, record: PinRecord, card_number: str, pin: str) -> bool:
    """Tell whether ``pin`` is the PIN of ``record``, comparing in constant time."""
    if record.pin_hash.startswith(PIN_MAC_PREFIX):
        expected = compute_pin_mac(
            pin_key=pin_key(record.key_version), card_number=card_number, pin=pin
        )
        return hmac.compare_digest(PIN_MAC_PREFIX + expected, record.pin_hash)
    if record.pin_hash.startswith(ARGON2_PREFIX):
        return _is_argon2_pin_correct(record, pin)
    return False


def is_pin_record_current(record: PinRecord) -> bool:
    """Tell whether ``record`` has the current form and key version (else replace it)."""
    return (
        record.pin_hash.startswith(PIN_MAC_PREFIX)
        and record.key_version == current_key_version()
    )


def _is_argon2_pin_correct(record: PinRecord, pin: str) -> bool:
    # Argon2 reads its parameters from the record; this costs what it always did, once per
    # card, before the record is replaced.
    pepper = hmac.new(
        issuer_key(record.key_version), ARGON2_PEPPER_LABEL, hashlib.sha256
    ).digest()
    peppered = hmac.new(pepper, pin.encode(), hashlib.sha256).hexdigest()
    try:
        return PasswordHasher().verify(record.pin_hash, peppered)
    except (VerificationError, InvalidHashError):
        return False
