"""Strict scalar types for request bodies: no booleans as numbers, no control characters.

Pydantic's lax mode takes ``true`` for the integer 1 and ``"2"`` for 2, and lets a NUL through
to PostgreSQL, which refuses it with a 500. Every request schema uses these instead of
``int`` and ``str``, so such input is 422 ``invalid`` naming the field, and nothing changes.
"""

from typing import Annotated

from pydantic import AfterValidator, StrictInt, StrictStr

from okryu.core.middleware import has_control_characters


def _refuse_control_characters(value: str) -> str:
    if has_control_characters(value):
        message = "must not contain control characters"
        raise ValueError(message)
    return value


Text = Annotated[StrictStr, AfterValidator(_refuse_control_characters)]
"""A string of printable text (tab and line breaks allowed)."""

Integer = StrictInt
"""A JSON integer: not a boolean, not a string of digits, not a float."""
