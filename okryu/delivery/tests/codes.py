"""Delivery codes a test can look for in a page, a log or a table without meeting a stranger.

A four-digit code drawn at random is, now and then, also a number the text holds for its own
reasons (a name such as ``사람1106``, an id, a price): a search for it would then fail a test
that did nothing wrong. Codes made distinctive look like no amount, year, id or phone part,
and ``occurs`` counts a code only where it stands as a number of its own.
"""

import re

import pytest

from okryu.notifications import secret_codes

# 9, two digits of 1–8, 7: no round amount, no year, no id or sequence a test run reaches.
DISTINCTIVE_CODE = re.compile(r"9[1-8][1-8]7")


def make_codes_distinctive(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every new delivery code match ``DISTINCTIVE_CODE``; the salts stay random."""
    make = secret_codes.new_secret_code

    def new_secret_code(purpose: str, *, digits: int) -> secret_codes.SecretCode:
        while True:
            code = make(purpose, digits=digits)
            if DISTINCTIVE_CODE.fullmatch(code.reveal()):
                return code

    monkeypatch.setattr(secret_codes, "new_secret_code", new_secret_code)
    monkeypatch.setattr(
        "okryu.delivery.services.opening.new_secret_code", new_secret_code
    )


def occurs(code: str, text: str) -> bool:
    """Whether ``code`` stands in ``text`` as a number of its own.

    Not the tail of a word, a longer number or a hex digest (``\\w`` takes Korean letters
    too, so the ``1106`` of ``사람1106`` is no code); a Korean ending may follow it, as in an
    SMS's "번호는 9117입니다".
    """
    return re.search(rf"(?<!\w){code}(?![0-9A-Za-z_])", text) is not None
