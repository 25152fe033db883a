"""Fixtures of the payments tests: fast Argon2 parameters, a holder, cards and merchants."""

import pytest

from okryu.payments.tests.builders import (
    FAST_ARGON2,
    make_holder,
    make_merchant_account,
)


@pytest.fixture(autouse=True)
def _fast_pin_hashes(settings):
    settings.OKRYU_PIN_ARGON2 = FAST_ARGON2


@pytest.fixture
def holder(db):
    return make_holder()


@pytest.fixture
def merchant_account(db):
    return make_merchant_account()
