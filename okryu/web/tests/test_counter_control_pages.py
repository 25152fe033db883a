"""The counter's controls on the pages: the drawer, four eyes, own cards, second cards, limits.

A refused form is shown again with its reason (status 422) and changed nothing.
"""

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from okryu.accounts.models import Role, RoleGrant
from okryu.accounts.tests.factories import UserFactory
from okryu.payments.counter_services import open_drawer
from okryu.payments.models import Card, CounterTopUp, CounterTopUpStatus
from okryu.payments.tests.counter_controls_support import counter_state
from okryu.payments.tests.counter_support import PIN, balance, funded_card

pytestmark = pytest.mark.django_db

LARGE_WON = 3_000_000


def person(*roles: Role, **fields):
    user = UserFactory.create(**fields)
    for role in roles:
        RoleGrant.objects.create(user=user, role=role)
    return user


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def teller():
    return person(Role.TELLER, username="teller-a")


@pytest.fixture
def supervisor():
    return person(Role.SUPERVISOR, username="supervisor-a")


@pytest.fixture
def card():
    return funded_card(person(Role.SHOPPER, username="holder1", display_name="박성철"))


def form_key(html: str, action: str) -> str:
    form = re.search(
        rf'<form[^>]*action="{re.escape(action)}".*?</form>', html, re.DOTALL
    )
    assert form, action
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', form.group(0))
    assert key
    return key.group(1)


def submit(client: Client, page: str, action: str, data: dict[str, object]):
    key = form_key(client.get(page).content.decode(), action)
    return client.post(action, {**data, "idempotency_key": key})


def top_up(client: Client, card: Card, amount: int):
    page = reverse("teller-card", args=[card.number])
    action = reverse("teller-topup", args=[card.number])
    return submit(client, page, action, {"amount": amount})


def refused(response_of, text: str) -> None:
    before = counter_state()
    response = response_of()
    assert response.status_code == 422, response.status_code
    assert text in response.content.decode()
    assert counter_state() == before


def test_the_counter_opens_the_days_drawer_with_one_button(teller, card):
    client = client_of(teller)
    refused(lambda: top_up(client, card, 10_000), "금고를 먼저 여십시오")

    home = reverse("teller-home")
    response = submit(client, home, reverse("teller-drawer-open"), {})

    assert response.status_code == 302
    page = client.get(home).content.decode()
    assert "현금을 세고 금고 닫기" in page
    assert top_up(client, card, 10_000).status_code == 302
    assert balance(card) == 10_000


def test_a_large_top_up_waits_and_the_counter_shows_it(teller, card):
    open_drawer(teller=teller)
    client = client_of(teller)

    response = top_up(client, card, LARGE_WON)

    assert response.status_code == 302
    assert balance(card) == 0
    card_page = client.get(response["Location"]).content.decode()
    assert "감독원이 승인해야 입금됩니다" in card_page
    page = client.get(reverse("teller-home")).content.decode()
    assert "3,000,000원" in page


def test_the_supervisor_approves_from_the_queue_with_a_confirmation(
    teller, supervisor, card
):
    open_drawer(teller=teller)
    top_up(client_of(teller), card, LARGE_WON)
    pending = CounterTopUp.objects.get()
    client = client_of(supervisor)
    queue = reverse("supervisor-queue")
    action = reverse("supervisor-approve", args=[pending.pk])
    assert "3,000,000원" in client.get(queue).content.decode()

    refused(lambda: submit(client, queue, action, {}), "확인")
    response = submit(client, queue, action, {"confirm": "yes"})

    assert response.status_code == 302
    assert balance(card) == LARGE_WON
    pending.refresh_from_db()
    assert (pending.status, pending.decided_by) == (
        CounterTopUpStatus.APPROVED,
        supervisor,
    )


def test_the_supervisor_rejects_with_a_reason(teller, supervisor, card):
    open_drawer(teller=teller)
    top_up(client_of(teller), card, LARGE_WON)
    pending = CounterTopUp.objects.get()
    client = client_of(supervisor)

    submit(
        client,
        reverse("supervisor-queue"),
        reverse("supervisor-reject", args=[pending.pk]),
        {"confirm": "yes", "reason": "위조 지폐 의심"},
    )

    pending.refresh_from_db()
    assert (pending.status, pending.rejection_reason) == ("rejected", "위조 지폐 의심")
    assert balance(card) == 0


def test_the_teller_who_took_the_cash_cannot_approve_it_on_the_page(card):
    both = person(Role.TELLER, Role.SUPERVISOR)
    open_drawer(teller=both)
    client = client_of(both)
    top_up(client, card, LARGE_WON)
    pending = CounterTopUp.objects.get()
    queue = reverse("supervisor-queue")
    assert "다른 감독원이 결정합니다" in client.get(queue).content.decode()

    before = counter_state()
    response = client.post(
        reverse("supervisor-approve", args=[pending.pk]),
        {"confirm": "yes", "idempotency_key": "a" * 32},
    )
    assert response.status_code == 422
    assert "다른 감독원이 승인해야" in response.content.decode()
    assert counter_state() == before


def test_only_a_supervisor_sees_the_queue(teller):
    assert client_of(teller).get(reverse("supervisor-queue")).status_code == 403


def test_a_teller_cannot_top_up_or_reset_a_card_they_hold(teller):
    open_drawer(teller=teller)
    own = funded_card(teller)
    client = client_of(teller)
    page = reverse("teller-card", args=[own.number])
    assert "본인의 카드입니다" in client.get(page).content.decode()

    refused(lambda: top_up(client, own, 10_000), "본인이 가진 카드")
    refused(
        lambda: submit(
            client, page, reverse("teller-pin", args=[own.number]), {"pin": "9999"}
        ),
        "본인이 가진 카드",
    )


def test_a_second_card_needs_a_reason_on_the_page(teller, card):
    client = client_of(teller)
    page = reverse("teller-holder", args=["holder1"])
    action = reverse("teller-issue", args=["holder1"])
    assert "이미 카드가 있습니다" in client.get(page).content.decode()
    fields: dict[str, object] = {"phone": "191-234-5601", "pin": PIN}

    refused(lambda: submit(client, page, action, fields), "사유를 적으십시오")
    response = submit(client, page, action, {**fields, "reason": "분실"})

    assert response.status_code == 302
    assert Card.objects.filter(issue_reason="분실").count() == 1


def test_a_top_up_over_the_maximum_is_told_its_limit(teller, card):
    open_drawer(teller=teller)
    refused(lambda: top_up(client_of(teller), card, 10_000_001), "10,000,000원까지")


@override_settings(OKRYU_TELLER_DAILY_WON=100_000)
def test_the_tellers_daily_limit_is_told(teller, card):
    open_drawer(teller=teller)
    client = client_of(teller)
    top_up(client, card, 100_000)

    refused(lambda: top_up(client, card, 1), "하루 한도")


def test_closing_with_a_shortage_needs_a_note_and_the_supervisor_sees_it(
    teller, supervisor, card
):
    open_drawer(teller=teller)
    client = client_of(teller)
    top_up(client, card, 50_000)
    home = reverse("teller-home")
    action = reverse("teller-drawer-close")

    refused(lambda: submit(client, home, action, {"counted": 45_000}), "까닭")
    response = submit(client, home, action, {"counted": 45_000, "note": "잔돈 착오"})

    assert response.status_code == 302
    page = client_of(supervisor).get(reverse("supervisor-queue")).content.decode()
    assert "-5,000원" in page
    assert "잔돈 착오" in page


def test_the_counter_and_the_queue_read_in_english(teller, supervisor):
    for user, url, text in (
        (teller, reverse("teller-home"), "Open today's drawer"),
        (supervisor, reverse("supervisor-queue"), "Top-ups awaiting approval"),
    ):
        client = client_of(user)
        client.post("/language/", {"language": "en", "next": url})
        page = client.get(url).content.decode()
        assert text in page
        assert '<html lang="en">' in page


def test_the_header_links_a_supervisor_to_the_queue(supervisor):
    page = client_of(supervisor).get("/").content.decode()

    assert f'href="{reverse("supervisor-queue")}">입금 승인</a>' in page
