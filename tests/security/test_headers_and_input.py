"""Headers on every answer, nothing inline in any template, bodies capped, text checked."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from okryu.accounts.models import Address, Role, RoleGrant
from okryu.accounts.tests.factories import AddressFactory, DistrictFactory, UserFactory
from okryu.api.tokens import issue_token
from okryu.catalog.models import EmptySearch
from okryu.core.middleware import RequestLimitsMiddleware
from okryu.core.models import IdempotencyRecord
from okryu.orders.models import Order

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
EXPECTED_CSP = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "worker-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
}


def csp_directives(header: str | None) -> set[str]:
    return {part.strip() for part in (header or "").split(";") if part.strip()}


def paths_without_arguments() -> list[str]:
    """Every page and route of the URL conf that needs no argument, found by the resolver."""
    found: list[str] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            text = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, text)
            elif not re.search(r"[<(\[?^$]", text.lstrip("^")):
                found.append("/" + text)

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


def test_the_resolver_finds_the_pages_of_every_kind():
    paths = paths_without_arguments()

    assert {"/", "/accounts/login/", "/teller/", "/api/v1/categories"} <= set(paths)
    assert len(paths) >= 30


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "operator"])
def test_every_page_and_route_answers_with_the_csp_and_permissions_policy(signed_in):
    client = Client()
    if signed_in:
        operator = UserFactory.create(is_staff=True, is_superuser=True)
        RoleGrant.objects.create(user=operator, role=Role.OPERATOR)
        client.force_login(operator)
    answers = {path: client.get(path) for path in paths_without_arguments()}

    missing = {
        path: answer.status_code
        for path, answer in answers.items()
        if csp_directives(answer.get("Content-Security-Policy")) != EXPECTED_CSP
        or answer.get("Permissions-Policy") != settings.OKRYU_PERMISSIONS_POLICY
    }
    assert missing == {}
    assert "camera=()" in settings.OKRYU_PERMISSIONS_POLICY


def template_files() -> list[Path]:
    return sorted((ROOT / "okryu").rglob("templates/**/*.html"))


INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.IGNORECASE
)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def test_no_template_has_an_inline_script_style_or_event_handler():
    files = template_files()

    offending = {
        str(path.relative_to(ROOT)): pattern.pattern
        for path in files
        for pattern in (INLINE_SCRIPT, INLINE_STYLE, EVENT_HANDLER)
        if pattern.search(path.read_text()) or "javascript:" in path.read_text().lower()
    }

    assert len(files) >= 50
    assert offending == {}


def test_the_template_scan_catches_each_kind_of_inline_code():
    samples = [
        "<script>alert(1)</script>",
        '<p style="color: red">',
        "<style>p {}</style>",
        '<button onclick="go()">',
    ]

    caught = [
        any(p.search(sample) for p in (INLINE_SCRIPT, INLINE_STYLE, EVENT_HANDLER))
        for sample in samples
    ]

    assert caught == [True, True, True, True]
    assert not INLINE_SCRIPT.search('<script defer src="/static/web/queue.js">')


def test_a_3_mb_json_body_is_413_too_large_as_problem_json():
    body = '{"username": "' + "a" * (3 * 1024 * 1024) + '", "password": "x"}'

    response = Client().post(
        "/api/v1/auth/token", body, content_type="application/json"
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "too_large"
    assert problem["status"] == 413


class UnreadableBody:
    """A request body that fails the test if anyone reads it."""

    def read(self, *args: object) -> bytes:
        raise AssertionError("the body was read")

    readline = read


def test_a_big_anonymous_multipart_post_is_refused_before_its_body_is_read(rf):
    request = rf.post("/accounts/signup/", data={"username": "x"})
    request.META["CONTENT_LENGTH"] = str(30 * 1024 * 1024)
    request.META["CONTENT_TYPE"] = "multipart/form-data; boundary=x"
    request._stream = UnreadableBody()
    request.user = AnonymousUser()
    middleware = RequestLimitsMiddleware(lambda _request: pytest.fail("view reached"))

    response = middleware(request)

    assert response.status_code == 413
    assert "너무 큰 요청" in response.content.decode()


def test_a_signed_in_person_may_send_an_upload_up_to_its_cap_but_no_more(rf, settings):
    def photo() -> SimpleUploadedFile:
        return SimpleUploadedFile("photo.png", b"x" * 4000, "image/png")

    request = rf.post("/merchant/products/1/photo/", {"photo": photo()})
    length = int(request.META["CONTENT_LENGTH"])
    request.user = UserFactory.create()
    reached: list[bool] = []

    def view(_request: object) -> HttpResponse:
        reached.append(True)
        return HttpResponse("ok")

    settings.OKRYU_UPLOAD_BODY_BYTES_MAX = length
    at_cap = RequestLimitsMiddleware(view)(request)
    settings.OKRYU_UPLOAD_BODY_BYTES_MAX = length - 1
    request = rf.post("/merchant/products/1/photo/", {"photo": photo()})
    request.user = UserFactory.create()
    over_cap = RequestLimitsMiddleware(view)(request)

    assert at_cap.status_code == 200
    assert over_cap.status_code == 413
    assert reached == [True]


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
def test_a_control_character_in_a_form_is_422_and_changes_nothing(character):
    user = UserFactory.create()
    AddressFactory.create(user=user, is_default=True)
    district = DistrictFactory.create()
    client = Client()
    client.force_login(user)

    response = client.post(
        reverse("address-add"),
        {"district": district.pk, "detail": f"아빠트{character}3-201", "label": "집"},
    )

    assert response.status_code == 422
    assert "제어 문자" in response.content.decode()
    assert Address.objects.filter(user=user).count() == 1


def test_tabs_and_line_breaks_are_text_not_control_characters():
    user = UserFactory.create()
    district = DistrictFactory.create()
    client = Client()
    client.force_login(user)

    response = client.post(
        reverse("address-add"),
        {"district": district.pk, "detail": "아빠트\t3-201\r\n2층", "label": "집"},
    )

    assert response.status_code == 302
    assert Address.objects.filter(user=user).count() == 1


@pytest.mark.parametrize("character", ["%00", "%07", "%1B", "%C2%85"])
def test_a_search_holding_a_control_character_is_422_and_records_nothing(character):
    response = Client().get(f"/search/?q=%EB%83%89{character}%EB%A9%B4")

    assert response.status_code == 422
    assert "제어 문자" in response.content.decode()
    assert not EmptySearch.objects.exists()


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/products?q=a%00b", "q"),
        ("/api/v1/orders?idempotency_key=k%00", "idempotency_key"),
        ("/api/v1/supervisor/drawers?day=%00", "day"),
        ("/api/v1/products?%00=1", "\x00"),
    ],
)
def test_an_api_query_holding_a_control_character_is_422_invalid_naming_it(
    path, parameter
):
    response = Client().get(path)

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "invalid"
    assert response.json()["field"] == parameter


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "operator"])
def test_no_page_or_route_takes_a_nul_in_its_query_string(signed_in):
    client = Client(raise_request_exception=False)
    if signed_in:
        operator = UserFactory.create(is_staff=True, is_superuser=True)
        RoleGrant.objects.create(user=operator, role=Role.OPERATOR)
        client.force_login(operator)

    answers = {
        path: client.get(f"{path}?q=a%00b&page=1%00&next=/%00").status_code
        for path in paths_without_arguments()
    }

    assert {path: status for path, status in answers.items() if status != 422} == {}


def test_an_idempotency_key_holding_a_control_character_is_422_and_places_nothing():
    shopper = UserFactory.create()
    RoleGrant.objects.create(user=shopper, role=Role.SHOPPER)
    token = issue_token(user=shopper).token

    response = Client().post(
        "/api/v1/orders",
        {
            "lines": [{"product": 1, "quantity": 1}],
            "address": {"district": "Central", "detail": "창전거리 3-12"},
            "payment": "door",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IDEMPOTENCY_KEY="checkout\x00one",
    )

    assert response.status_code == 422
    assert response.json()["field"] == "Idempotency-Key"
    assert not Order.objects.exists()
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.parametrize(
    "path", ["/cards/qr/%00.svg", "/pay/a%00b/", "/products/1%00/", "/merchant/%07/"]
)
def test_a_page_path_holding_a_control_character_is_404(path):
    response = Client().get(path)

    assert response.status_code == 404


def test_an_api_path_holding_a_control_character_is_404_problem():
    response = Client().get("/api/v1/cards/9410%00/statement")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("path", ["/", "/cards/", "/admin/", "/api/v1/categories"])
def test_a_session_cookie_holding_an_escaped_nul_counts_as_no_session(path):
    # Django unquotes \\000 in a quoted cookie to a NUL, which PostgreSQL refuses.
    client = Client(HTTP_COOKIE='sessionid="abcdefgh\\000ijklmnop"')

    response = client.get(path)

    assert response.status_code in {200, 302}
