"""The system checks of the card issuer's keys: their shape everywhere, and in production no
card left without its key."""

import pytest

from okryu.payments.checks import (
    check_issuer_keys_shape,
    check_production_cards_have_their_keys,
)
from okryu.payments.tests.builders import funded_card

KEY_1 = "check-test-issuer-key-version-1-" + "1" * 32
KEY_2 = "check-test-issuer-key-version-2-" + "2" * 32


def test_well_formed_keys_pass(settings):
    settings.OKRYU_CARD_ISSUER_KEYS = {1: KEY_1, 2: KEY_2}
    settings.OKRYU_CARD_ISSUER_KEY_VERSION = 2

    assert check_issuer_keys_shape() == []


@pytest.mark.parametrize(
    ("keys", "current", "problem"),
    [
        pytest.param(
            {1: "too-short"},
            1,
            "the key of version 1 is shorter than 32 characters",
            id="short-key",
        ),
        pytest.param(
            {1: KEY_1},
            2,
            "OKRYU_CARD_ISSUER_KEY_VERSION is 2, which has no key",
            id="current-version-not-listed",
        ),
        pytest.param(
            {0: KEY_1}, 0, "version 0 is not a positive number", id="version-0"
        ),
    ],
)
def test_malformed_issuer_keys_are_refused_at_start(settings, keys, current, problem):
    settings.OKRYU_CARD_ISSUER_KEYS = keys
    settings.OKRYU_CARD_ISSUER_KEY_VERSION = current

    errors = check_issuer_keys_shape()

    assert [error.id for error in errors] == ["okryu.E016"]
    assert problem in errors[0].msg


@pytest.mark.django_db
def test_production_refuses_to_start_while_a_card_needs_a_key_no_longer_listed(
    settings, holder
):
    settings.OKRYU_CARD_ISSUER_KEYS = {1: KEY_1}
    settings.OKRYU_CARD_ISSUER_KEY_VERSION = 1
    funded_card(holder, 0)
    settings.OKRYU_IS_PRODUCTION = True
    settings.OKRYU_CARD_ISSUER_KEYS = {2: KEY_2}
    settings.OKRYU_CARD_ISSUER_KEY_VERSION = 2

    errors = check_production_cards_have_their_keys()

    assert [error.id for error in errors] == ["okryu.E017"]
    assert errors[0].msg.startswith("1 cards refer to a card issuer's key version")


@pytest.mark.django_db
def test_production_starts_while_every_card_has_its_key(settings, holder):
    settings.OKRYU_CARD_ISSUER_KEYS = {1: KEY_1}
    settings.OKRYU_CARD_ISSUER_KEY_VERSION = 1
    funded_card(holder, 0)
    settings.OKRYU_IS_PRODUCTION = True
    settings.OKRYU_CARD_ISSUER_KEYS = {1: KEY_1, 2: KEY_2}
    settings.OKRYU_CARD_ISSUER_KEY_VERSION = 2

    assert check_production_cards_have_their_keys() == []
