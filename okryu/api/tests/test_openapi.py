import json
from unittest import mock

import pytest
from django.contrib.staticfiles import finders
from ninja import NinjaAPI

from okryu.api.v1 import api

pytestmark = pytest.mark.django_db

ROUTES = {
    "/api/v1/auth/token": {"post"},
    "/api/v1/categories": {"get"},
    "/api/v1/merchants": {"get"},
    "/api/v1/products": {"get"},
    "/api/v1/products/{product_id}": {"get"},
    "/api/v1/ops/audit": {"get"},
}


def test_the_openapi_schema_is_json_with_every_route(api_client):
    response = api_client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Okryu API"
    paths = schema["paths"]
    assert {path: set(paths[path]) for path in ROUTES if path in paths} == ROUTES


def test_the_schema_declares_the_bearer_scheme_and_problem_bodies(api_client):
    schema = api_client.get("/api/v1/openapi.json").json()

    audit = schema["paths"]["/api/v1/ops/audit"]["get"]
    assert audit["security"] == [{"BearerAuth": []}]
    assert schema["components"]["securitySchemes"]["BearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    assert set(audit["responses"]) == {"200", "401", "403"}
    assert "Problem" in schema["components"]["schemas"]


def test_the_docs_page_loads_swagger_from_our_own_static_files(api_client):
    response = api_client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui.css" in html
    assert "cdn" not in html.lower()
    assert "/api/v1/openapi.json" in html


@pytest.mark.parametrize(
    "name",
    ["ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css", "ninja/swagger-ui-init.js"],
)
def test_the_docs_assets_are_found_by_staticfiles(name):
    assert finders.find(name) is not None


def test_error_bodies_are_declared_as_problem_json(api_client):
    schema = api_client.get("/api/v1/openapi.json").json()

    forbidden = schema["paths"]["/api/v1/ops/audit"]["get"]["responses"]["403"]
    ok = schema["paths"]["/api/v1/ops/audit"]["get"]["responses"]["200"]

    assert set(forbidden["content"]) == {"application/problem+json"}
    assert set(ok["content"]) == {"application/json"}


def test_the_query_parameters_are_documented(api_client):
    schema = api_client.get("/api/v1/openapi.json").json()

    parameters = schema["paths"]["/api/v1/products"]["get"]["parameters"]

    assert [parameter["name"] for parameter in parameters] == [
        "q",
        "category",
        "merchant",
        "sort",
        "page",
        "page_size",
    ]
    assert all(parameter.get("description") for parameter in parameters)


def test_the_schema_is_built_once_however_often_anyone_asks(api_client):
    # Building it costs a good part of a second of CPU, and the route is open to anyone.
    built = []
    original = NinjaAPI.get_openapi_schema

    def counting(self, **kwargs):
        built.append(kwargs)
        return original(self, **kwargs)

    with mock.patch.object(NinjaAPI, "get_openapi_schema", counting):
        api.__dict__.pop("_schemas", None)
        answers = [api_client.get("/api/v1/openapi.json") for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert len(built) == 1
    assert answers[0].content == answers[2].content


def test_every_operation_documents_the_problems_its_kind_may_answer(api_client):
    # Found by the fuzz run: a body that is not JSON (400) or too large (413), and a path
    # parameter of the wrong type (422), were answered but not documented.
    schema = api_client.get("/api/v1/openapi.json").json()

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            if "requestBody" in operation:
                assert {"400", "413", "422"} <= statuses, f"{method} {path}"
            if operation.get("parameters"):
                assert "422" in statuses, f"{method} {path}"
