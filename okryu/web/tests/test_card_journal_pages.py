"""A card's journal on the counter pages: the teller sees who acted on the card, and the
supervisor sees what each teller did to cards today."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from okryu.accounts.models import Role, RoleGrant
from okryu.accounts.tests.factories import UserFactory
from okryu.payments.cards import block_card_for_debt
from okryu.payments.counter_services import block_card_at_counter, reset_pin_at_counter
from okryu.payments.models import Card, CardEvent
from okryu.payments.tests.counter_support import funded_card

pytestmark = pytest.mark.django_db

MORNING = dt.datetime(2026, 5, 1, 0, 30, tzinfo=dt.UTC)  # 09:30 in Pyongyang.


def person(*roles: Role, **fields):
    user = UserFactory.create(**fields)
    for role in roles:
        RoleGrant.objects.create(user=user, role=role)
    return user


def client_of(user, *, language: str = "ko") -> Client:
    client = Client()
    client.force_login(user)
    if language != "ko":
        client.post("/language/", {"language": language, "next": "/"})
    return client


def form_key(html: str, action: str) -> str:
    form = re.search(
        rf'<form[^>]*action="{re.escape(action)}".*?</form>', html, re.DOTALL
    )
    assert form, action
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', form.group(0))
    assert key
    return key.group(1)


def journal_rows(html: str) -> list[list[str]]:
    """The cells of each row of the tables after the journal's heading, tags stripped."""
    journal = html.split('id="journal"', 1)[1] if 'id="journal"' in html else html
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", journal, re.DOTALL)
        if "<td>" in row
    ]


@pytest.fixture
def teller():
    return person(Role.TELLER, username="teller-a", display_name="김은행")


@pytest.fixture
def other_teller():
    return person(Role.TELLER, username="teller-b", display_name="리은행")


@pytest.fixture
def supervisor():
    return person(Role.SUPERVISOR, username="supervisor-a")


@pytest.fixture
def card() -> Card:
    with time_machine.travel(MORNING, tick=False):
        return funded_card(person(Role.SHOPPER, username="holder1"))


def test_a_pin_reset_through_the_page_shows_in_the_cards_journal_with_the_teller(
    teller, card
):
    client = client_of(teller)
    page = reverse("teller-card", args=[card.number])
    action = reverse("teller-pin", args=[card.number])
    key = form_key(client.get(page).content.decode(), action)
    with time_machine.travel(MORNING + dt.timedelta(hours=1), tick=False):
        posted = client.post(action, {"pin": "8642", "idempotency_key": key})

    html = client.get(page).content.decode()

    assert posted.status_code == 302
    assert journal_rows(html) == [
        ["2026-05-01 10:30", "PIN 재설정", "김은행 (teller-a)", ""],
        ["2026-05-01 09:30", "발급", "없음 (은행 창구 밖)", ""],
    ]
    assert CardEvent.objects.filter(card=card, actor=teller).count() == 1


def test_the_cards_page_reads_its_journal_in_the_same_queries_however_long_it_is(
    teller, card
):
    client = client_of(teller)
    page = reverse("teller-card", args=[card.number])
    client.get(page)  # The session and the caches of a first visit.

    with CaptureQueriesContext(connection) as short:
        client.get(page)
    for pin in ("1357", "2468", "3579", "4680"):
        reset_pin_at_counter(teller=teller, card_number=card.number, new_pin=pin)
    with CaptureQueriesContext(connection) as long:
        html = client.get(page).content.decode()

    assert len(journal_rows(html)) == 5
    assert len(long.captured_queries) == len(short.captured_queries)


def test_a_refused_pin_reset_through_the_page_leaves_no_line(teller):
    own = funded_card(teller)
    client = client_of(teller)
    page = reverse("teller-card", args=[own.number])
    action = reverse("teller-pin", args=[own.number])
    key = form_key(client.get(page).content.decode(), action)

    response = client.post(action, {"pin": "8642", "idempotency_key": key})

    assert response.status_code == 422
    assert list(CardEvent.objects.filter(card=own).values_list("kind", flat=True)) == [
        "issued"
    ]


def test_the_cards_journal_shows_the_block_reason_in_the_readers_language(
    teller, other_teller, card
):
    with time_machine.travel(MORNING + dt.timedelta(hours=2), tick=False):
        block_card_at_counter(
            teller=other_teller, card_number=card.number, reason="stolen"
        )
    page = reverse("teller-card", args=[card.number])

    korean = client_of(teller).get(page).content.decode()
    english = client_of(teller, language="en").get(page).content.decode()

    assert journal_rows(korean)[0] == [
        "2026-05-01 11:30",
        "정지",
        "리은행 (teller-b)",
        "도난",
    ]
    assert '<html lang="en">' in english
    assert "Card journal" in english
    assert journal_rows(english) == [
        ["2026-05-01 11:30", "Blocked", "리은행 (teller-b)", "Stolen"],
        ["2026-05-01 09:30", "Issued", "No one (not at the counter)", ""],
    ]


def test_the_supervisor_sees_todays_card_actions_by_teller(
    teller, other_teller, supervisor, card
):
    yesterday = MORNING - dt.timedelta(days=1)
    with time_machine.travel(yesterday, tick=False):
        reset_pin_at_counter(teller=teller, card_number=card.number, new_pin="1111")
    with time_machine.travel(MORNING + dt.timedelta(hours=1), tick=False):
        reset_pin_at_counter(
            teller=other_teller, card_number=card.number, new_pin="2222"
        )
        block_card_at_counter(teller=teller, card_number=card.number, reason="lost")
        block_card_for_debt(card_number=card.number)  # Blocked already: no line.
        response = client_of(supervisor).get(reverse("supervisor-card-actions"))

    html = response.content.decode()
    assert response.status_code == 200
    headings = re.findall(r"<h2>(.*?)</h2>", html)
    assert headings == ["김은행 (teller-a)", "리은행 (teller-b)", "없음 (은행 창구 밖)"]
    assert journal_rows(html) == [
        ["10:30", card.masked_number, "holder1", "정지", "분실"],
        ["10:30", card.masked_number, "holder1", "PIN 재설정", ""],
        ["09:30", card.masked_number, "holder1", "발급", ""],
    ]


def test_the_supervisors_card_actions_read_in_english(supervisor, teller, card):
    with time_machine.travel(MORNING + dt.timedelta(hours=1), tick=False):
        reset_pin_at_counter(teller=teller, card_number=card.number, new_pin="2222")
        html = (
            client_of(supervisor, language="en")
            .get(reverse("supervisor-card-actions"))
            .content.decode()
        )

    assert '<html lang="en">' in html
    assert "What each teller did to cards on 2026-05-01" in html
    assert journal_rows(html)[0] == [
        "10:30",
        card.masked_number,
        "holder1",
        "PIN reset",
        "",
    ]


def test_a_day_without_card_actions_says_so(supervisor):
    html = (
        client_of(supervisor).get(reverse("supervisor-card-actions")).content.decode()
    )

    assert "오늘 처리한 카드가 없습니다." in html


@pytest.mark.parametrize(
    "roles", [(Role.TELLER,), (Role.SHOPPER,)], ids=["teller", "shopper"]
)
def test_only_a_supervisor_sees_the_card_actions(roles):
    response = client_of(person(*roles)).get(reverse("supervisor-card-actions"))

    assert response.status_code == 403


def test_the_header_links_a_supervisor_to_the_card_actions(supervisor):
    page = client_of(supervisor).get("/").content.decode()

    assert f'href="{reverse("supervisor-card-actions")}">카드 처리 기록</a>' in page
