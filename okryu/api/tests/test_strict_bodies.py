"""Every field of every request body takes its own JSON type only.

An integer takes a JSON integer (not ``true``, ``"2"`` or ``2.0``), a flag ``true`` or
``false`` (not ``1`` or ``"yes"``), a moment an ISO 8601 string (not a number of seconds), and
text a string without control characters. The first test reads every route's body schema, so a
field added later with a lax type fails it; the others send the wrong types to the routes.
"""

import datetime as dt
import types
import typing
from collections.abc import Iterator
from typing import Annotated, Literal, Union

import pytest
from pydantic import AfterValidator, BaseModel, BeforeValidator, Strict

from okryu.accounts.models import Role
from okryu.api.tokens import issue_token
from okryu.api.v1 import api
from okryu.api.v1.schemas import text
from okryu.orders.models import DoorPayment, Order
from okryu.orders.tests.builders import make_merchant, make_product, make_shopper
from okryu.payments.models import ChipUse, Transfer

from .support import bearer, make_person

pytestmark = pytest.mark.django_db

Leaf = tuple[str, object, tuple[object, ...]]


def _leaves(
    path: str, annotation: object, metadata: tuple[object, ...]
) -> Iterator[Leaf]:
    """Yield each scalar a body may hold: its path, its type and the checks on it."""
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin is Annotated:
        yield from _leaves(path, arguments[0], metadata + tuple(arguments[1:]))
    elif origin in {Union, types.UnionType}:
        for member in arguments:
            if member is not type(None):
                yield from _leaves(path, member, metadata)
    elif origin in {list, tuple, set, frozenset}:
        # The list's own limits (its length) do not apply to its items.
        for item in arguments:
            if item is not Ellipsis:
                yield from _leaves(f"{path}[]", item, ())
    elif origin is not Literal:  # A Literal is compared by equality: already strict.
        yield from _scalar_or_fields(path, annotation, metadata)


def _scalar_or_fields(
    path: str, annotation: object, metadata: tuple[object, ...]
) -> Iterator[Leaf]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, field in annotation.model_fields.items():
            yield from _leaves(
                f"{path}.{name}", field.annotation, tuple(field.metadata)
            )
    else:
        yield path, annotation, metadata


def _is_strict(metadata: tuple[object, ...]) -> bool:
    return any(isinstance(item, Strict) and item.strict for item in metadata)


def _refuses_control_characters(metadata: tuple[object, ...]) -> bool:
    return any(
        isinstance(item, AfterValidator)
        and getattr(item.func, "__module__", "") == text.__name__
        for item in metadata
    )


def _wants_a_string(metadata: tuple[object, ...]) -> bool:
    return any(
        isinstance(item, BeforeValidator)
        and getattr(item.func, "__module__", "") == text.__name__
        for item in metadata
    )


def _lax_reason(kind: object, metadata: tuple[object, ...]) -> str | None:
    """Return why a scalar of this type with these checks takes a wrong JSON type, if it does."""
    if kind in {int, bool}:
        return None if _is_strict(metadata) else "not strict"
    if kind is str:
        if not _is_strict(metadata):
            return "not strict"
        if not _refuses_control_characters(metadata):
            return "takes control characters"
        return None
    if kind in {dt.datetime, dt.date, dt.time}:
        return None if _wants_a_string(metadata) else "takes a number of seconds"
    return f"a {kind!r} nobody checked"


def body_scalars() -> list[tuple[str, Leaf]]:
    """Return every scalar of every route's JSON body, by its route."""
    found: list[tuple[str, Leaf]] = []
    for prefix, router in api._routers:
        for route, path_view in router.path_operations.items():
            for operation in path_view.operations:
                label = f"{'/'.join(operation.methods)} {prefix}{route}"
                bodies = [
                    model
                    for model in operation.signature.models
                    if model.__ninja_param_source__ == "body"
                ]
                found.extend(
                    (label, leaf)
                    for model in bodies
                    for leaf in _scalar_or_fields("body", model, ())
                )
    return found


def test_every_scalar_of_every_request_body_takes_its_own_json_type_only():
    scalars = body_scalars()

    lax = {
        f"{route} {path}": reason
        for route, (path, kind, metadata) in scalars
        if (reason := _lax_reason(kind, metadata)) is not None
    }

    assert len(scalars) >= 60, "the walk reaches every route's body"
    assert lax == {}


def test_the_walk_tells_a_lax_field_from_a_strict_one():
    class Lax(BaseModel):
        count: int
        flag: bool
        note: str
        when: dt.datetime

    class Strictly(BaseModel):
        count: text.Integer
        flag: text.Flag
        note: text.Text
        when: text.Moment
        options: list[text.Integer]
        either: text.Text | text.Integer | None = None

    def reasons(model: type[BaseModel]) -> list[str | None]:
        return [
            _lax_reason(kind, metadata)
            for _path, kind, metadata in _leaves("body", model, ())
        ]

    assert reasons(Lax) == [
        "not strict",
        "not strict",
        "not strict",
        "takes a number of seconds",
    ]
    assert reasons(Strictly) == [None] * 7


@pytest.mark.parametrize("offline", [1, 0, "true", "yes", 1.0])
def test_a_chip_record_whose_offline_is_not_true_or_false_is_422_and_books_nothing(
    api_client, offline
):
    courier_token = issue_token(user=make_person(Role.COURIER)).token
    before = (Transfer.objects.count(), ChipUse.objects.count())

    response = api_client.post(
        "/api/v1/terminal/payments",
        {
            "fulfilment": 1,
            "card": "9410000000000013",
            "amount": 3_000,
            "counter": 1,
            "challenge": "a" * 32,
            "mac": "b" * 64,
            "offline": offline,
        },
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="offline-type",
        **bearer(courier_token),
    )

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert response.json()["field"] == "offline"
    assert (Transfer.objects.count(), ChipUse.objects.count()) == before
    assert not DoorPayment.objects.exists()


@pytest.mark.parametrize("slot", [0, 1_900_000_000, 1.5, True])
def test_a_delivery_slot_given_as_a_number_is_422_and_places_nothing(api_client, slot):
    merchant, _staff = make_merchant()
    product = make_product(merchant, stock=5)
    shopper, card = make_shopper()
    token = issue_token(user=shopper).token

    response = api_client.post(
        "/api/v1/orders",
        {
            "lines": [{"product": product.pk, "quantity": 1}],
            "address": {"district": "Central", "detail": "창전거리 3-12"},
            "card": card.number,
            "pin": "1234",
            "slot": slot,
        },
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="slot-type",
        **bearer(token),
    )

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert response.json()["field"] == "slot"
    assert not Order.objects.exists()
