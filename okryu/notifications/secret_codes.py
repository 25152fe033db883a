"""Short codes sent by SMS (a delivery's confirmation code, a phone's verification code) that
no table, dump or log holds in plain text.

A code is derived from a random salt under a key that lives in the settings (never in the
database): ``code = HMAC(key, purpose|salt)`` reduced to its digits. What a table keeps is the
salt, the key's version and a keyed MAC of the code; checking an answer compares its MAC in
constant time. An SMS that carries a code is queued with a placeholder and the code's
reference (``purpose:version:digits:salt``); the outbox worker derives the code only while it
hands the message to the gateway, and the log gateway masks it.

Each purpose has its own key, registered by the app that owns the codes (``register_code_key``
in its ``AppConfig.ready``), so this layer imports nothing above it.
"""

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

# Where a queued SMS body puts its code.
CODE_PLACEHOLDER = "{code}"
SALT_HEX_LENGTH = 32
CODE_DIGITS_MIN = 4
CODE_DIGITS_MAX = 8

CodeKey = Callable[[int], bytes]
_keys: dict[str, tuple[CodeKey, Callable[[], int]]] = {}


def register_code_key(
    purpose: str, *, key: CodeKey, current_version: Callable[[], int]
) -> None:
    """Name the key (by version) and the current version of ``purpose``'s codes."""
    assert purpose.isidentifier(), "a purpose is a plain word"
    _keys[purpose] = (key, current_version)


def _key(purpose: str, version: int) -> bytes:
    if purpose not in _keys:
        message = f"No key is registered for {purpose} codes."
        raise LookupError(message)
    return _keys[purpose][0](version)


@dataclass(frozen=True)
class SecretCode:
    """A code by its reference: purpose, key version, number of digits and salt."""

    purpose: str
    key_version: int
    digits: int
    salt: str

    @property
    def ref(self) -> str:
        """Return the reference a table or a queued SMS keeps instead of the code."""
        return f"{self.purpose}:{self.key_version}:{self.digits}:{self.salt}"

    @classmethod
    def from_ref(cls, ref: str) -> "SecretCode":
        """Return the code a reference names (ValueError when it is not one)."""
        purpose, version, digits, salt = ref.split(":")
        return cls(purpose, int(version), int(digits), salt)

    def reveal(self) -> str:
        """Return the code itself: for the SMS being sent and the holder's own screen only."""
        digest = hmac.new(
            _key(self.purpose, self.key_version),
            f"code|{self.purpose}|{self.salt}".encode("ascii"),
            hashlib.sha256,
        ).digest()
        number = int.from_bytes(digest[:8], "big") % 10**self.digits
        return f"{number:0{self.digits}d}"

    def mac_of(self, candidate: str) -> str:
        """Return the keyed MAC of ``candidate`` as this code's answer (hex)."""
        return hmac.new(
            _key(self.purpose, self.key_version),
            f"mac|{self.purpose}|{self.salt}|{candidate}".encode(),
            hashlib.sha256,
        ).hexdigest()

    def is_answered_by(self, candidate: str, *, stored_mac: str) -> bool:
        """Return whether ``candidate`` is the code, comparing MACs in constant time."""
        return hmac.compare_digest(self.mac_of(candidate), stored_mac)


def new_secret_code(purpose: str, *, digits: int) -> SecretCode:
    """Return a new code of ``purpose`` under its current key, from a fresh random salt."""
    assert CODE_DIGITS_MIN <= digits <= CODE_DIGITS_MAX
    if purpose not in _keys:
        message = f"No key is registered for {purpose} codes."
        raise LookupError(message)
    version = _keys[purpose][1]()
    return SecretCode(purpose, version, digits, secrets.token_hex(SALT_HEX_LENGTH // 2))


def render_sms_body(body: str, code_ref: str) -> tuple[str, tuple[str, ...]]:
    """Return the body to send (the code put in) and the secrets in it, for the gateway."""
    if not code_ref:
        return body, ()
    code = SecretCode.from_ref(code_ref).reveal()
    return body.replace(CODE_PLACEHOLDER, code), (code,)
