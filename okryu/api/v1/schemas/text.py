"""Strict scalar types for request bodies: no booleans as numbers, no control characters.

Pydantic's lax mode takes ``true`` for the integer 1, ``"2"`` for 2, ``1`` or ``"yes"`` for
true and a number of seconds for a moment, and lets a NUL through to PostgreSQL, which refuses
it with a 500. Every request schema uses these instead of ``int``, ``str``, ``bool`` and
``datetime``, so such input is 422 ``invalid`` naming the field, and nothing changes.
"""

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, StrictBool, StrictInt, StrictStr

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

Flag = StrictBool
"""A JSON ``true`` or ``false``: not 1, not ``"true"``."""


def _require_text(value: object) -> object:
    if not isinstance(value, str):
        message = "must be an ISO 8601 date and time, as a string"
        # A ValueError, which pydantic answers as the field's 422.
        raise ValueError(message)
    return value


Moment = Annotated[dt.datetime, BeforeValidator(_require_text)]
"""An ISO 8601 date and time, given as a JSON string (not a number of seconds)."""
