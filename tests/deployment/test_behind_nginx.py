"""The production settings behind the reference nginx config, as the deployment guide sets
them up: TLS ends at nginx, the app server (granian, WSGI) sees HTTPS through
``X-Forwarded-Proto``, so forms pass the CSRF Origin check, cookies are Secure, HSTS is sent,
and plain HTTP is redirected.

nginx and the app server run on free loopback ports in the test's own folder; nothing is
installed. Skipped only where the nginx binary is absent (Debian: nginx-light).
"""

import contextlib
import http.client
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deployment.production import ROOT, complete_environment, manage
from tests.deployment.test_deployment_guide import nginx_test_copy
from tests.stress.http_harness import free_port

pytestmark = pytest.mark.stress

HOST = "okryu.example"
START_SECONDS_MAX = 60
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
STYLESHEET = re.compile(r'href="(/static/web/site\.[0-9a-f]{12}\.css)"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@contextlib.contextmanager
def running(
    command: list[str], *, environment: dict[str, str] | None, log: Path
) -> Iterator[None]:
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def request(
    port: int,
    method: str,
    path: str,
    *,
    tls: ssl.SSLContext | None = None,
    headers: dict[str, str] | None = None,
    body: str | None = None,
) -> http.client.HTTPResponse:
    connection: http.client.HTTPConnection
    if tls is None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    else:
        connection = http.client.HTTPSConnection(
            "127.0.0.1", port, timeout=10, context=tls
        )
    connection.request(
        method, path, body=body, headers={"Host": HOST, **(headers or {})}
    )
    response = connection.getresponse()
    response.read()
    return response


def wait_for(port: int, *, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS_MAX
    while time.monotonic() < deadline:
        try:
            request(port, "GET", "/health/")
        except OSError:
            time.sleep(0.1)
        else:
            return
    message = (
        f"nothing answered on port {port}:\n{log.read_text(errors='replace')[-3000:]}"
    )
    raise RuntimeError(message)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """nginx with the reference config in front of the production app server, started once
    for the module's tests (which only read, apart from a language cookie)."""
    if NGINX is None:
        pytest.skip("nginx is not installed on this machine (Debian: nginx-light)")
    tmp_path = tmp_path_factory.mktemp("site")
    environment = complete_environment(tmp_path)
    environment["OKRYU_STATIC_ROOT"] = str(tmp_path / "static")
    for step in (["migrate", "--no-input"], ["collectstatic", "--no-input"]):
        done = manage(environment, *step, "-v", "0")
        assert done.returncode == 0, done.stderr
    app_port, http_port, https_port = free_port(), free_port(), free_port()
    main = nginx_test_copy(tmp_path)
    site_config = tmp_path / "okryu.conf"
    site_config.write_text(
        site_config.read_text()
        .replace("server 127.0.0.1:8000", f"server 127.0.0.1:{app_port}")
        .replace("listen [::]:80;", "")
        .replace("listen [::]:443 ssl http2;", "")
        .replace("listen 80;", f"listen 127.0.0.1:{http_port};")
        .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
        .replace(f"alias {ROOT}/staticfiles/;", f"alias {tmp_path}/static/;")
    )
    main.write_text(f"user root;\n{main.read_text()}")
    server = [sys.executable, "manage.py", "serve", "--no-workers", "--workers", "1"]
    nginx = [
        NGINX,
        "-p",
        str(tmp_path),
        "-c",
        str(main),
        "-e",
        str(tmp_path / "error.log"),
    ]
    tls = ssl.create_default_context(cafile=str(tmp_path / "ssl" / "fullchain.pem"))
    tls.check_hostname = (
        False  # A self-signed certificate for okryu.example, on 127.0.0.1.
    )
    app_log, nginx_log = tmp_path / "app.log", tmp_path / "nginx.log"
    with (
        running(
            [*server, "--port", str(app_port)], environment=environment, log=app_log
        ),
        running([*nginx, "-g", "daemon off;"], environment=None, log=nginx_log),
    ):
        wait_for(app_port, log=app_log)
        wait_for(http_port, log=nginx_log)
        yield {"app": app_port, "http": http_port, "https": https_port, "tls": tls}


def https_page(site, path: str) -> str:
    connection = http.client.HTTPSConnection(
        "127.0.0.1", site["https"], timeout=10, context=site["tls"]
    )
    connection.request("GET", path, headers={"Host": HOST})
    return connection.getresponse().read().decode()


def test_plain_http_is_sent_to_https(site):
    answer = request(site["http"], "GET", "/catalog/?page=2")

    assert answer.status == 301
    assert answer.getheader("Location") == f"https://{HOST}/catalog/?page=2"


def test_a_page_over_https_carries_hsts_and_a_secure_csrf_cookie(site):
    answer = request(site["https"], "GET", "/", tls=site["tls"])

    cookies = answer.headers.get_all("Set-Cookie") or []
    assert answer.status == 200
    assert answer.getheader("Strict-Transport-Security") == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert [cookie for cookie in cookies if cookie.startswith("csrftoken=")]
    assert all("; Secure" in cookie for cookie in cookies)


def test_a_form_posted_over_https_passes_the_origin_check(site):
    page = http.client.HTTPSConnection(
        "127.0.0.1", site["https"], timeout=10, context=site["tls"]
    )
    page.request("GET", "/", headers={"Host": HOST})
    answer = page.getresponse()
    html = answer.read().decode()
    cookie = next(
        value.split(";", 1)[0]
        for value in answer.headers.get_all("Set-Cookie") or []
        if value.startswith("csrftoken=")
    )
    token = CSRF_FIELD.search(html)
    assert token is not None

    posted = request(
        site["https"],
        "POST",
        "/language/",
        tls=site["tls"],
        headers={
            "Cookie": cookie,
            "Origin": f"https://{HOST}",
            "Referer": f"https://{HOST}/",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body=f"csrfmiddlewaretoken={token.group(1)}&language=en&next=/",
    )

    assert posted.status == 302
    assert posted.getheader("Location") == "/"
    language_cookie = next(
        value
        for value in posted.headers.get_all("Set-Cookie") or []
        if value.startswith("okryu_language=en")
    )
    assert "; Secure" in language_cookie


def test_nginx_serves_the_pages_fingerprinted_stylesheet_for_a_year(site):
    page = https_page(site, "/")
    stylesheet = STYLESHEET.search(page)
    assert stylesheet is not None

    answer = request(site["https"], "GET", stylesheet.group(1), tls=site["tls"])

    assert answer.status == 200
    assert answer.getheader("Cache-Control") == "public, max-age=31536000, immutable"


def test_a_health_probe_on_the_machine_itself_is_not_redirected(site):
    answer = request(site["app"], "GET", "/health/")
    other = request(site["app"], "GET", "/catalog/")

    assert answer.status != 301
    assert other.status == 301
