"""The bank counter pages: only tellers; every form once; refusals told and changing nothing."""

import re
import uuid
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from okryu.accounts.models import Role, RoleGrant
from okryu.accounts.tests.factories import UserFactory
from okryu.payments import ledger
from okryu.payments.counter_services import open_drawer
from okryu.payments.models import Card, CardStatus, Transfer
from okryu.payments.tests.counter_support import PIN, balance, funded_card, money_state

pytestmark = pytest.mark.django_db


def person(*roles: Role, **fields):
    user = UserFactory.create(**fields)
    for role in roles:
        RoleGrant.objects.create(user=user, role=role)
    return user


@pytest.fixture
def teller_client():
    """A signed-in teller whose drawer is open (cash is taken only through one)."""
    teller = person(Role.TELLER)
    open_drawer(teller=teller)
    client = Client()
    client.force_login(teller)
    return client


@pytest.fixture
def holder():
    return person(Role.SHOPPER, username="holder1", display_name="박성철")


def form_key(html: str, action: str) -> str:
    """Return the idempotency key of the form posting to ``action`` in a rendered page."""
    form = re.search(
        rf'<form[^>]*action="{re.escape(action)}".*?</form>', html, re.DOTALL
    )
    assert form, action
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', form.group(0))
    assert key
    return key.group(1)


def test_a_visitor_is_sent_to_log_in_and_a_shopper_is_forbidden(holder):
    shopper = Client()
    shopper.force_login(holder)
    card = funded_card(holder, 1000)

    anonymous = Client().get(reverse("teller-home"))
    pages = [
        reverse("teller-home"),
        reverse("teller-holder", args=["holder1"]),
        reverse("teller-card", args=[card.number]),
        reverse("teller-statement", args=[card.number]),
    ]

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))
    assert [shopper.get(url).status_code for url in pages] == [403] * 4
    before = money_state()
    response = shopper.post(
        reverse("teller-topup", args=[card.number]),
        {"amount": "5000", "idempotency_key": uuid.uuid4().hex},
    )
    assert response.status_code == 403
    assert money_state() == before


def test_a_teller_finds_a_holder_by_name_login_or_phone(teller_client, holder):
    by_name = teller_client.get(reverse("teller-home"), {"q": "박성"})
    by_login = teller_client.get(reverse("teller-home"), {"q": "holder1"})
    nobody = teller_client.get(reverse("teller-home"), {"q": "없는사람"})

    link = reverse("teller-holder", args=["holder1"])
    assert link in by_name.content.decode()
    assert link in by_login.content.decode()
    assert link not in nobody.content.decode()


def test_a_teller_issues_a_card_with_a_pin_once(teller_client, holder):
    url = reverse("teller-issue", args=["holder1"])
    page = teller_client.get(
        reverse("teller-holder", args=["holder1"])
    ).content.decode()
    key = form_key(page, url)
    data = {"phone": "191-234-5601", "pin": "2468", "idempotency_key": key}

    first = teller_client.post(url, data)
    second = teller_client.post(url, data)

    card = Card.objects.get(holder=holder)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == reverse("teller-card", args=[card.number])
    assert second["Location"] == first["Location"]
    assert 'type="password"' in page
    assert 'inputmode="numeric"' in page
    assert 'autocomplete="off"' in page


def test_a_bad_pin_is_refused_and_never_echoed(teller_client, holder):
    response = teller_client.post(
        reverse("teller-issue", args=["holder1"]),
        {"phone": "191-234-5601", "pin": "12a45", "idempotency_key": uuid.uuid4().hex},
    )

    assert response.status_code == 422
    assert "12a45" not in response.content.decode()
    assert Card.objects.count() == 0


def test_a_double_submitted_top_up_pays_in_once(teller_client, holder):
    card = funded_card(holder, 1000)
    url = reverse("teller-topup", args=[card.number])
    page = teller_client.get(reverse("teller-card", args=[card.number]))
    key = form_key(page.content.decode(), url)

    first = teller_client.post(url, {"amount": "50000", "idempotency_key": key})
    second = teller_client.post(url, {"amount": "50000", "idempotency_key": key})
    shown = teller_client.get(first["Location"]).content.decode()

    assert first.status_code == second.status_code == 302
    assert balance(card) == 51_000
    assert (
        Transfer.objects.filter(credit_account_id=card.ledger_account_id).count() == 2
    )
    assert "51,000원" in shown


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "금액은 1원부터"),
        ("-100", "금액은 1원부터"),
        ("1.5", "금액은 원 단위의 정수입니다."),
        ("abc", "금액은 원 단위의 정수입니다."),
        ("999999999999999999", "금액은 1원부터"),
        ("", "금액을 입력하십시오."),
    ],
)
def test_a_bad_amount_is_refused_with_a_clear_message(
    teller_client, holder, amount, message
):
    card = funded_card(holder, 1000)
    before = money_state()

    response = teller_client.post(
        reverse("teller-topup", args=[card.number]),
        {"amount": amount, "idempotency_key": uuid.uuid4().hex},
    )

    assert response.status_code == 422
    assert message in response.content.decode()
    assert money_state() == before


def test_an_unknown_or_malformed_card_number_is_not_found(teller_client):
    assert (
        teller_client.get(reverse("teller-card", args=["9410000000000013"])).status_code
        == 404
    )
    assert (
        teller_client.get(reverse("teller-card", args=["9410000000000014"])).status_code
        == 404
    )


def test_block_unblock_and_a_cloned_card_that_stays_blocked(teller_client, holder):
    card = funded_card(holder, 1000)
    block_url = reverse("teller-block", args=[card.number])
    unblock_url = reverse("teller-unblock", args=[card.number])

    unconfirmed = teller_client.post(
        block_url, {"reason": "lost", "idempotency_key": uuid.uuid4().hex}
    )
    card.refresh_from_db()
    assert unconfirmed.status_code == 422
    assert "실수로 누르지 않도록 확인란을 고른 뒤 다시 누르십시오." in (
        unconfirmed.content.decode()
    )
    assert card.status == CardStatus.ACTIVE
    teller_client.post(
        block_url,
        {"reason": "lost", "confirm": "yes", "idempotency_key": uuid.uuid4().hex},
    )
    card.refresh_from_db()
    assert card.status == CardStatus.BLOCKED
    teller_client.post(unblock_url, {"idempotency_key": uuid.uuid4().hex})
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE
    teller_client.post(
        block_url,
        {"reason": "cloned", "confirm": "yes", "idempotency_key": uuid.uuid4().hex},
    )
    refused = teller_client.post(unblock_url, {"idempotency_key": uuid.uuid4().hex})

    card.refresh_from_db()
    assert refused.status_code == 422
    assert "복제된 카드는 다시 쓸 수 없습니다." in refused.content.decode()
    assert card.status == CardStatus.BLOCKED


def test_a_pin_reset_unlocks_a_locked_card(teller_client, holder):
    card = funded_card(holder, 1000)
    Card.objects.filter(pk=card.pk).update(pin_failed_attempts=3)

    response = teller_client.post(
        reverse("teller-pin", args=[card.number]),
        {"pin": "8642", "idempotency_key": uuid.uuid4().hex},
    )

    card.refresh_from_db()
    assert response.status_code == 302
    assert card.pin_failed_attempts == 0


def test_the_statement_lists_newest_first_and_prints_cleanly(teller_client, holder):
    card = funded_card(holder)
    for number, amount in enumerate([1111, 2222, 3333], start=1):
        ledger.top_up(
            card_number=card.number, amount_won=amount, transfer_id=f"s{number}"
        )

    html = teller_client.get(
        reverse("teller-statement", args=[card.number])
    ).content.decode()
    css_path = finders.find("web/site.css")
    assert isinstance(css_path, str)
    css = Path(css_path).read_text(encoding="utf-8")

    assert html.index("3,333원") < html.index("2,222원") < html.index("1,111원")
    assert "no-print" in html
    print_block = css[css.rindex("@media print") :]
    assert ".no-print" in print_block
    assert "display:none" in print_block
    assert PIN not in html
