"""Fixtures of the payments tests: a holder, cards and merchants."""

import pytest

from okryu.payments.tests.builders import make_holder, make_merchant_account


@pytest.fixture
def holder(db):
    return make_holder()


@pytest.fixture
def merchant_account(db):
    return make_merchant_account()
