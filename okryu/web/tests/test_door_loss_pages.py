"""Losses at the door on the pages: the supervisor sees them, an operator clears one with a
reason; a refusal is a form message and changes nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from okryu.accounts.models import Role
from okryu.core.errors import DomainError
from okryu.core.won import format_won
from okryu.orders.models import DoorLoss
from okryu.orders.services.door import door_challenge, pay_at_the_door
from okryu.orders.tests.builders import make_user_with_role
from okryu.orders.tests.door_support import DUE_WON, door_record, make_door_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def loss() -> DoorLoss:
    world = make_door_world(balance_won=DUE_WON - 1)
    record = world.terminal.take_payment(
        world.chip,
        amount_won=DUE_WON,
        online=False,
        challenge=door_challenge(fulfilment_id=world.fulfilment.pk).challenge,
    )
    with pytest.raises(DomainError):
        pay_at_the_door(
            actor_user_id=world.courier.pk,
            fulfilment_id=world.fulfilment.pk,
            record=door_record(record, offline=True),
            idempotency_key="upload",
        )
    return DoorLoss.objects.select_related("fulfilment__order").get()


def test_the_supervisor_sees_each_loss_with_its_order_and_cannot_clear_it(
    client: Client, loss
):
    client.force_login(make_user_with_role(Role.SUPERVISOR))

    page = client.get(reverse("door-losses"))
    clearing = client.post(
        reverse("door-loss-clear", args=[loss.pk]),
        {"idempotency_key": "k1", "note": "paid"},
    )

    assert page.status_code == 200
    assert loss.fulfilment.order.number in page.content.decode()
    assert not page.context["can_clear"]
    assert clearing.status_code == 403
    loss.refresh_from_db()
    assert loss.cleared_at is None


def test_a_shopper_may_not_see_the_losses(client: Client, loss):
    client.force_login(loss.shopper)

    assert client.get(reverse("door-losses")).status_code == 403


def test_an_operator_clears_a_loss_once_with_a_reason(client: Client, loss):
    client.force_login(make_user_with_role(Role.OPERATOR))

    blank = client.post(
        reverse("door-loss-clear", args=[loss.pk]),
        {"idempotency_key": "k1", "note": ""},
    )
    loss.refresh_from_db()
    still_open = loss.cleared_at is None
    cleared = client.post(
        reverse("door-loss-clear", args=[loss.pk]),
        {"idempotency_key": "k2", "note": "카운터에서 갚음"},
    )
    again = client.post(
        reverse("door-loss-clear", args=[loss.pk]),
        {"idempotency_key": "k2", "note": "카운터에서 갚음"},
    )

    assert blank.status_code == 422
    assert "정리한 까닭을 적으십시오." in blank.content.decode()
    assert still_open
    assert cleared.status_code == 302
    assert again.status_code == 302
    loss.refresh_from_db()
    assert loss.clearing_note == "카운터에서 갚음"


def test_the_losses_read_as_words_with_the_amount_in_won_with_separators(
    client: Client, loss
):
    client.force_login(make_user_with_role(Role.SUPERVISOR))

    page = client.get(reverse("door-losses")).content.decode()

    assert loss.amount_won >= 1_000
    assert format_won(loss.amount_won) in page  # "12,345원", not "12345원"
    assert f">{loss.amount_won}원" not in page
    assert "잔액 부족" in page
    assert "insufficient_funds" not in page
    assert "(정지)" in page
    assert "(blocked)" not in page
