"""The demo's bank counter works in a few clicks: the teller opens the day's drawer with one
button, takes a large top-up for a demo card, and the demo supervisor approves it."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from okryu.demo.cards import DEMO_CARDS
from okryu.demo.users import DEMO_PASSWORD
from okryu.payments.audit import audit_ledger
from okryu.payments.counter_audit import audit_counter
from okryu.payments.models import CounterTopUp, LedgerAccount

pytestmark = pytest.mark.django_db


def signed_in(username: str) -> Client:
    client = Client()
    answer = client.post(
        "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}
    )
    assert answer.status_code == 302, username
    return client


def post_form(client: Client, page: str, action: str, data: dict[str, str]) -> int:
    html = client.get(page).content.decode()
    form = re.search(
        rf'<form[^>]*action="{re.escape(action)}".*?</form>', html, re.DOTALL
    )
    assert form, action
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', form.group(0))
    assert key
    return client.post(action, {**data, "idempotency_key": key.group(1)}).status_code


def test_the_demo_teller_and_supervisor_pay_in_a_large_top_up_in_a_few_clicks():
    call_command("load_demo_data", stdout=StringIO())
    card = DEMO_CARDS[0]
    teller = signed_in("teller")

    assert post_form(teller, "/teller/", "/teller/drawer/open/", {}) == 302
    card_page = f"/teller/cards/{card.number}/"
    top_up = f"/teller/cards/{card.number}/topups/"
    assert post_form(teller, card_page, top_up, {"amount": "2000000"}) == 302
    pending = CounterTopUp.objects.get()
    supervisor = signed_in("supervisor")
    approve = f"/teller/approvals/{pending.pk}/approve/"
    assert (
        post_form(supervisor, "/teller/approvals/", approve, {"confirm": "yes"}) == 302
    )

    balance = LedgerAccount.objects.get(card__number=card.number).balance_won
    assert balance == card.top_up_won + 2_000_000
    assert audit_counter().violations == 0
    assert audit_ledger().violations == 0
