import pytest

from okryu.core.errors import IdempotencyKeyReused, InvalidInput
from okryu.core.idempotency import fingerprint_request, run_once
from okryu.core.models import IdempotencyRecord

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_repeated_key_returns_the_first_outcome_without_running_again():
    calls = []

    def action():
        calls.append(1)
        return 201, {"id": len(calls)}

    fingerprint = fingerprint_request({"amount": 100})
    first = run_once(scope="test", key="k1", fingerprint=fingerprint, action=action)
    second = run_once(scope="test", key="k1", fingerprint=fingerprint, action=action)

    assert (first.status_code, first.body, first.is_replay) == (201, {"id": 1}, False)
    assert (second.status_code, second.body, second.is_replay) == (201, {"id": 1}, True)
    assert calls == [1]


def test_the_same_key_with_another_body_is_refused_and_changes_nothing():
    run_once(
        scope="test",
        key="k2",
        fingerprint=fingerprint_request({"a": 1}),
        action=lambda: (200, 1),
    )

    with pytest.raises(IdempotencyKeyReused):
        run_once(
            scope="test",
            key="k2",
            fingerprint=fingerprint_request({"a": 2}),
            action=lambda: (200, 2),
        )

    assert IdempotencyRecord.objects.count() == 1


def test_a_failed_action_stores_nothing_so_the_key_can_be_retried():
    def failing():
        raise InvalidInput("bad", field="amount")

    with pytest.raises(InvalidInput):
        run_once(scope="test", key="k3", fingerprint="f", action=failing)

    assert IdempotencyRecord.objects.count() == 0


def test_key_order_does_not_change_the_fingerprint():
    assert fingerprint_request({"a": 1, "b": [1, 2]}) == fingerprint_request(
        {"b": [1, 2], "a": 1}
    )


@pytest.mark.parametrize("key", ["", "   ", "x" * 256])
def test_empty_or_overlong_keys_are_refused(key):
    with pytest.raises(InvalidInput):
        run_once(scope="test", key=key, fingerprint="f", action=lambda: (200, None))
