"""Pure rules of the card issuer: card numbers, PIN shape, amounts, chip messages, limits.

No database, no settings, no clock: every input is an argument, so these are tested with
generated cases.
"""

import hashlib
import hmac
from dataclasses import dataclass

CARD_NUMBER_LENGTH = 16
PIN_LENGTH_MIN = 4
PIN_LENGTH_MAX = 6
PIN_ATTEMPTS_MAX = 3
CHALLENGE_HEX_LENGTH = 32


def luhn_check_digit(body: str) -> str:
    """Return the Luhn check digit that completes the digits in ``body``."""
    assert body.isdigit(), "a card number body is digits"
    total = 0
    # From the right, every second digit of the completed number (starting with the one next
    # to the check digit) is doubled.
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:  # noqa: PLR2004  (a doubled digit above 9 adds its two digits)
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def is_card_number_well_formed(number: object) -> bool:
    """Tell whether ``number`` is 16 ASCII digits whose last digit is its Luhn check digit."""
    return (
        isinstance(number, str)
        and len(number) == CARD_NUMBER_LENGTH
        and number.isascii()
        and number.isdigit()
        and luhn_check_digit(number[:-1]) == number[-1]
    )


def is_pin_well_formed(pin: object) -> bool:
    """Tell whether ``pin`` is 4 to 6 ASCII digits."""
    return (
        isinstance(pin, str)
        and PIN_LENGTH_MIN <= len(pin) <= PIN_LENGTH_MAX
        and pin.isascii()
        and pin.isdigit()
    )


def is_amount_valid(amount_won: object, *, maximum_won: int) -> bool:
    """Tell whether ``amount_won`` is a true int between 1 and ``maximum_won``.

    Booleans and floats are refused: ``True`` is an int in Python and ``1.0`` is not won.
    """
    return type(amount_won) is int and 1 <= amount_won <= maximum_won


def pin_attempts_left(failed_attempts: int) -> int:
    """Return how many PIN tries remain after ``failed_attempts`` wrong ones."""
    return max(PIN_ATTEMPTS_MAX - failed_attempts, 0)


def is_pin_locked(failed_attempts: int) -> bool:
    """Tell whether the card is locked by wrong PINs."""
    return failed_attempts >= PIN_ATTEMPTS_MAX


def refundable_won(*, original_won: int, refunded_won: int) -> int:
    """Return what may still be refunded of a transfer of ``original_won``."""
    assert 0 <= refunded_won <= original_won, "refunds never exceed the original"
    return original_won - refunded_won


def is_within_limits(
    *,
    amount_won: int,
    spent_today_won: int,
    transfer_limit_won: int,
    daily_limit_won: int,
) -> bool:
    """Tell whether a card debit of ``amount_won`` keeps within both limits."""
    assert amount_won > 0
    assert spent_today_won >= 0
    return (
        amount_won <= transfer_limit_won
        and spent_today_won + amount_won <= daily_limit_won
    )


@dataclass(frozen=True)
class ChipRecord:
    """What a card signs for a terminal: one payment, identified by card and counter."""

    card_number: str
    amount_won: int
    merchant_account_id: int
    counter: int
    challenge: str
    mac: str


def derive_card_key(*, master_key: bytes, card_number: str) -> bytes:
    """Return the chip key of ``card_number``: HMAC-SHA256 of the number under the master key."""
    assert master_key, "the issuer's master key is set"
    return hmac.new(master_key, card_number.encode("ascii"), hashlib.sha256).digest()


# Keeps the PIN key apart from the chip keys derived from the same issuer key: a card number
# is 16 digits, so no chip key derivation can take this label as its input.
PIN_KEY_LABEL = b"okryu-pin-key"


def derive_pin_key(*, issuer_key: bytes) -> bytes:
    """Return the PIN key: HMAC-SHA256 of a fixed label under the issuer's key."""
    assert issuer_key, "the issuer's key is set"
    return hmac.new(issuer_key, PIN_KEY_LABEL, hashlib.sha256).digest()


# Keeps the delivery code key apart from the chip and PIN keys derived from the same issuer key.
DELIVERY_CODE_KEY_LABEL = b"okryu-delivery-code-key"


def derive_delivery_code_key(*, issuer_key: bytes) -> bytes:
    """Return the key of delivery confirmation codes: HMAC-SHA256 of a fixed label."""
    assert issuer_key, "the issuer's key is set"
    return hmac.new(issuer_key, DELIVERY_CODE_KEY_LABEL, hashlib.sha256).digest()


def compute_pin_mac(*, pin_key: bytes, card_number: str, pin: str) -> str:
    """Return the hex HMAC-SHA256 of the card number and the PIN under ``pin_key``.

    The card number is in the message, so equal PINs on two cards give unrelated values.
    """
    message = f"{card_number}|{pin}".encode("ascii")
    return hmac.new(pin_key, message, hashlib.sha256).hexdigest()


def chip_message(
    *,
    card_number: str,
    amount_won: int,
    merchant_account_id: int,
    counter: int,
    challenge: str,
) -> bytes:
    """Return the bytes a chip MAC covers, with separators so no two fields can run together."""
    fields = (
        card_number,
        str(amount_won),
        str(merchant_account_id),
        str(counter),
        challenge,
    )
    return "|".join(fields).encode("ascii")


def compute_chip_mac(*, card_key: bytes, message: bytes) -> str:
    """Return the hex HMAC-SHA256 of ``message`` under ``card_key``."""
    return hmac.new(card_key, message, hashlib.sha256).hexdigest()


def is_chip_mac_valid(*, card_key: bytes, record: ChipRecord) -> bool:
    """Tell whether the record's MAC is the card's, compared in constant time."""
    message = chip_message(
        card_number=record.card_number,
        amount_won=record.amount_won,
        merchant_account_id=record.merchant_account_id,
        counter=record.counter,
        challenge=record.challenge,
    )
    expected = compute_chip_mac(card_key=card_key, message=message)
    return hmac.compare_digest(expected, record.mac)
