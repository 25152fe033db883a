"""Won amounts: whole numbers, no minor unit, formatted as ``1,234원``.

Babel formats won as ``KPW1,234,568`` (rounded, with the code), so the pattern is explicit.
"""

from typing import NewType

Won = NewType("Won", int)

WON_AMOUNT_MAX = Won(10_000_000_000)


def format_won(amount: int) -> str:
    """Return ``amount`` as the shopper reads it: ``1,234원``, ``-500원``."""
    assert isinstance(amount, int), "won amounts are integers"
    return f"{amount:,}원"


def parse_won(text: str) -> Won:
    """Read a won amount typed by a person (``1,234``, ``1234원``).

    Raises ValueError if it is malformed or too large.
    """
    cleaned = text.strip().replace(",", "").removesuffix("원").strip()
    if not cleaned.isdigit():
        message = f"not a whole number of won: {text!r}"
        raise ValueError(message)
    amount = int(cleaned)
    if amount > WON_AMOUNT_MAX:
        message = f"amount above the maximum of {WON_AMOUNT_MAX}"
        raise ValueError(message)
    return Won(amount)
