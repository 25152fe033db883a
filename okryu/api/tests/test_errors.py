"""Every failure of the API answers problem+json with a stable code."""

import pytest

from okryu.accounts.models import Role
from okryu.api.tests.support import assert_problem, bearer, make_person
from okryu.api.tokens import issue_token

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/no-such-route",
        "/api/v1/products/12/no-such-part",
        "/api/v1/",
        "/api/v1/products/",
    ],
)
def test_an_unknown_route_under_the_api_is_404_problem(api_client, path):
    response = api_client.get(path)

    assert_problem(response, status=404, code="not_found")


def test_a_post_to_an_unknown_route_is_404_problem_not_a_csrf_refusal(api_client):
    response = api_client.post("/api/v1/nothing", {}, content_type="application/json")

    assert_problem(response, status=404, code="not_found")


def test_a_wrong_method_is_405_problem_with_the_allowed_ones(api_client):
    response = api_client.delete("/api/v1/categories")

    assert_problem(response, status=405, code="method_not_allowed")
    assert response["Allow"] == "GET"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"username": "a", ', id="cut-off"),
        pytest.param(b"not json at all", id="not-json"),
        pytest.param(b"\xff\xfe", id="not-utf-8"),
    ],
)
def test_a_malformed_json_body_is_400_invalid(api_client, body):
    response = api_client.post(
        "/api/v1/auth/token", body, content_type="application/json"
    )

    assert_problem(response, status=400, code="invalid")


def test_a_json_body_of_the_wrong_shape_is_422_invalid(api_client):
    response = api_client.post(
        "/api/v1/auth/token", ["username"], content_type="application/json"
    )

    assert_problem(response, status=422, code="invalid")


def test_an_unexpected_error_is_500_problem_without_internals(api_client, monkeypatch):
    def broken():
        raise RuntimeError("secret internal state: password=hunter2")

    monkeypatch.setattr("okryu.api.v1.catalog.list_category_tree", broken)

    response = api_client.get("/api/v1/categories")

    body = assert_problem(response, status=500, code="server_error")
    assert b"hunter2" not in response.content
    assert b"Traceback" not in response.content
    assert set(body) == {"type", "title", "status", "detail", "code"}


def test_a_domain_error_keeps_its_extra_fields(api_client):
    response = api_client.get("/api/v1/products?sort=colour")

    body = assert_problem(response, status=422, code="invalid")
    assert body["field"] == "sort"
    assert body["title"] == "Invalid input"


@pytest.mark.parametrize(
    ("district", "message"),
    [
        pytest.param(True, "Input should be a valid string", id="a-boolean"),
        pytest.param("Cen\x00tral", "must not contain control characters", id="a-nul"),
    ],
)
def test_a_field_taking_a_name_or_an_id_is_named_as_sent_when_it_is_refused(
    api_client, district, message
):
    courier = make_person(Role.COURIER)

    response = api_client.post(
        "/api/v1/courier/duty",
        {"on_duty": True, "district": district},
        content_type="application/json",
        **bearer(issue_token(user=courier).token),
    )

    body = assert_problem(response, status=422, code="invalid")
    assert body["field"] == "district"
    assert {error["field"] for error in body["errors"]} == {"district"}
    assert message in body["detail"]


def test_a_courier_naming_an_unknown_district_is_told_which_field_is_wrong(api_client):
    courier = make_person(Role.COURIER)

    response = api_client.post(
        "/api/v1/courier/duty",
        {"on_duty": True, "district": "Atlantis"},
        content_type="application/json",
        **bearer(issue_token(user=courier).token),
    )

    body = assert_problem(response, status=422, code="invalid")
    assert body["field"] == "district"
