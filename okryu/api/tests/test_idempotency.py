"""The Idempotency-Key helper, through fake requests (no test route in the real API)."""

import json
from typing import Any

import pytest
from django.http import HttpRequest
from django.test import RequestFactory

from okryu.accounts.models import User
from okryu.api.tests.support import make_person
from okryu.api.v1.idempotency import REPLAY_HEADER, idempotency_scope, respond_once
from okryu.core.errors import IdempotencyKeyMissing, IdempotencyKeyReused, InvalidInput
from okryu.core.models import IdempotencyRecord

# run_once opens a durable transaction, which cannot nest in a test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def user():
    return make_person()


def post(
    user: User, body: Any, *, key: str | None = None, path: str = "/api/v1/orders"
) -> HttpRequest:
    headers = {"Idempotency-Key": key} if key is not None else {}
    request = RequestFactory().post(
        path, json.dumps(body), content_type="application/json", headers=headers
    )
    request.auth = user  # type: ignore[attr-defined]
    return request


class CountingAction:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> tuple[int, dict[str, int]]:
        self.calls += 1
        return 201, {"id": self.calls}


def test_the_first_call_runs_and_a_repeat_returns_the_stored_answer(user):
    action = CountingAction()

    first = respond_once(
        post(user, {"a": 1}, key="k1"),
        route="orders.place",
        action=action,
        required=True,
    )
    second = respond_once(
        post(user, {"a": 1}, key="k1"),
        route="orders.place",
        action=action,
        required=True,
    )

    assert (first.status_code, json.loads(first.content)) == (201, {"id": 1})
    assert (second.status_code, json.loads(second.content)) == (201, {"id": 1})
    assert REPLAY_HEADER not in first
    assert second[REPLAY_HEADER] == "true"
    assert action.calls == 1


def test_the_same_key_with_another_body_is_refused_and_runs_nothing(user):
    action = CountingAction()
    respond_once(
        post(user, {"a": 1}, key="k1"),
        route="orders.place",
        action=action,
        required=True,
    )

    with pytest.raises(IdempotencyKeyReused):
        respond_once(
            post(user, {"a": 2}, key="k1"),
            route="orders.place",
            action=action,
            required=True,
        )

    assert action.calls == 1
    assert IdempotencyRecord.objects.count() == 1


def test_the_same_key_on_another_path_is_refused(user):
    action = CountingAction()
    respond_once(
        post(user, {}, key="k1", path="/api/v1/orders/1/cancel"),
        route="orders.cancel",
        action=action,
        required=False,
    )

    with pytest.raises(IdempotencyKeyReused):
        respond_once(
            post(user, {}, key="k1", path="/api/v1/orders/2/cancel"),
            route="orders.cancel",
            action=action,
            required=False,
        )

    assert action.calls == 1


def test_keys_of_two_people_never_meet(user):
    other = make_person()
    action = CountingAction()

    respond_once(post(user, {}, key="k1"), route="r", action=action, required=True)
    answer = respond_once(
        post(other, {}, key="k1"), route="r", action=action, required=True
    )

    assert json.loads(answer.content) == {"id": 2}
    assert idempotency_scope(route="r", user=user) != idempotency_scope(
        route="r", user=other
    )


def test_a_missing_key_on_a_route_that_requires_one_is_refused(user):
    action = CountingAction()

    with pytest.raises(IdempotencyKeyMissing) as refused:
        respond_once(post(user, {}), route="r", action=action, required=True)

    assert (refused.value.status, refused.value.code) == (
        400,
        "idempotency_key_required",
    )
    assert action.calls == 0


def test_without_a_key_an_optional_route_just_runs(user):
    action = CountingAction()

    respond_once(post(user, {}), route="r", action=action, required=False)
    respond_once(post(user, {}), route="r", action=action, required=False)

    assert action.calls == 2
    assert IdempotencyRecord.objects.count() == 0


def test_a_key_longer_than_255_characters_is_invalid(user):
    with pytest.raises(InvalidInput) as refused:
        respond_once(
            post(user, {}, key="k" * 256),
            route="r",
            action=CountingAction(),
            required=True,
        )

    assert refused.value.field == "Idempotency-Key"


def test_a_refused_action_stores_nothing_so_the_key_can_be_retried(user):
    def refuse():
        raise InvalidInput("no", field="quantity")

    with pytest.raises(InvalidInput):
        respond_once(post(user, {}, key="k1"), route="r", action=refuse, required=True)
    answer = respond_once(
        post(user, {}, key="k1"), route="r", action=CountingAction(), required=True
    )

    assert answer.status_code == 201
