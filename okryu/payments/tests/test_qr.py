import datetime as dt

import pytest
import time_machine

from okryu.core import clock
from okryu.payments.errors import QrRequestExpired, QrRequestUsed, WrongPin
from okryu.payments.models import PaymentRequestStatus
from okryu.payments.qr import (
    approve_payment_request,
    create_payment_request,
    get_open_payment_request,
    render_qr_svg,
)
from okryu.payments.tests.builders import TEST_PIN, balances, funded_card, snapshot

pytestmark = pytest.mark.django_db


def test_a_shopper_pays_a_qr_request_once_with_the_pin(holder, merchant_account):
    card = funded_card(holder, 50_000)
    request = create_payment_request(
        credit_account_id=merchant_account.pk,
        amount_won=8_000,
        description="냉면 2그릇",
    )

    shown = get_open_payment_request(token=request.token)
    transfer = approve_payment_request(
        token=request.token, card_number=card.number, pin=TEST_PIN, transfer_id="q1"
    )
    repeat = approve_payment_request(
        token=request.token, card_number=card.number, pin=TEST_PIN, transfer_id="q1"
    )

    assert (shown.amount_won, shown.description) == (8_000, "냉면 2그릇")
    assert repeat.pk == transfer.pk
    assert balances(card.ledger_account, merchant_account) == [(42_000, 0), (8_000, 0)]
    request.refresh_from_db()
    assert (request.status, request.transfer_id) == (
        PaymentRequestStatus.PAID,
        transfer.pk,
    )


def test_a_used_qr_request_is_refused_and_changes_nothing(holder, merchant_account):
    card = funded_card(holder, 50_000)
    request = create_payment_request(
        credit_account_id=merchant_account.pk, amount_won=8_000
    )
    approve_payment_request(
        token=request.token, card_number=card.number, pin=TEST_PIN, transfer_id="q1"
    )
    before = snapshot()

    with pytest.raises(QrRequestUsed) as refused:
        approve_payment_request(
            token=request.token, card_number=card.number, pin=TEST_PIN, transfer_id="q2"
        )

    assert refused.value.code == "qr_request_used"
    assert snapshot() == before


def test_a_qr_request_expires_after_ten_minutes(holder, merchant_account):
    card = funded_card(holder, 50_000)
    request = create_payment_request(
        credit_account_id=merchant_account.pk, amount_won=8_000
    )
    before = snapshot()

    with time_machine.travel(clock.now() + dt.timedelta(minutes=10), tick=False):
        with pytest.raises(QrRequestExpired):
            get_open_payment_request(token=request.token)
        with pytest.raises(QrRequestExpired) as refused:
            approve_payment_request(
                token=request.token,
                card_number=card.number,
                pin=TEST_PIN,
                transfer_id="q1",
            )

    assert refused.value.code == "qr_request_expired"
    assert snapshot() == before


def test_a_wrong_pin_leaves_the_request_open_for_another_try(holder, merchant_account):
    card = funded_card(holder, 50_000)
    request = create_payment_request(
        credit_account_id=merchant_account.pk, amount_won=8_000
    )

    with pytest.raises(WrongPin):
        approve_payment_request(
            token=request.token, card_number=card.number, pin="0000", transfer_id="q1"
        )
    approve_payment_request(
        token=request.token, card_number=card.number, pin=TEST_PIN, transfer_id="q2"
    )

    card.refresh_from_db()
    assert card.pin_failed_attempts == 0
    assert balances(card.ledger_account) == [(42_000, 0)]


def test_the_qr_code_is_a_small_svg():
    svg = render_qr_svg("https://okryu.example/pay/" + "x" * 43)

    assert svg.startswith("<svg")
    assert svg.rstrip().endswith("</svg>")
    assert len(svg.encode()) < 4_000


@pytest.mark.django_db(transaction=True)
def test_approving_a_qr_request_commits_on_its_own(holder, merchant_account):
    card = funded_card(holder, 50_000)
    request = create_payment_request(
        credit_account_id=merchant_account.pk, amount_won=8_000
    )

    approve_payment_request(
        token=request.token, card_number=card.number, pin=TEST_PIN, transfer_id="q1"
    )

    request.refresh_from_db()
    assert request.status == PaymentRequestStatus.PAID
    assert balances(card.ledger_account) == [(42_000, 0)]
