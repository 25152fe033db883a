"""The reference nginx config's load shedding, against a stand-in app server that is slow.

The stand-in takes 0.2 s per request (an app server near its capacity). A flood of anonymous
GETs, far over the anonymous budget, runs while signed-in requests (a session cookie, a bearer
token) keep coming: every signed-in request reaches the app server, anonymous ones over the
budget get a cached page when there is one, else 503 with Retry-After, and never a timeout.
"""

import contextlib
import http.client
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Self

import pytest

from tests.deployment.test_deployment_guide import nginx_test_copy

pytestmark = pytest.mark.stress

NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
HOST = "okryu.example"
# Ports of this test (19000-19099 range).
APP_PORT, HTTPS_PORT, HTTP_PORT = 19091, 19092, 19093


class SlowApp:
    """An HTTP/1.1 server taking 0.2 s a request: /cached is cacheable, the rest sets a
    cookie (as Django's pages with a form do), so nginx never caches it."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._socket = socket.create_server(("127.0.0.1", APP_PORT), backlog=256)
        self._socket.settimeout(0.2)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)
        self._socket.close()

    def _serve(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _address = self._socket.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._answer, args=(client,), daemon=True).start()

    def _answer(self, client: socket.socket) -> None:
        with client, client.makefile("rb") as reader:
            client.settimeout(10)
            while True:
                request_line = reader.readline().decode().strip()
                if not request_line:
                    return
                headers: dict[str, str] = {}
                while (line := reader.readline().decode().strip()) != "":
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                reader.read(int(headers.get("content-length", "0")))
                _method, path, _version = request_line.split(" ")
                who = (
                    "signed-in"
                    if "sessionid" in headers.get("cookie", "")
                    or ("authorization" in headers)
                    else "anonymous"
                )
                with self._lock:
                    self.received[who] += 1
                time.sleep(0.2)
                cookie = (
                    b"" if path == "/cached" else b"Set-Cookie: csrftoken=x; Path=/\r\n"
                )
                client.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n"
                    + cookie
                    + b"\r\nok"
                )


@contextlib.contextmanager
def nginx_in_front(tmp_path: Path) -> Iterator[ssl.SSLContext]:
    main = nginx_test_copy(tmp_path)
    site = tmp_path / "okryu.conf"
    text = site.read_text()
    start = text.index("upstream okryu_app {")
    upstream = text[start : text.index("}", start) + 1]
    site.write_text(
        text.replace(
            upstream,
            f"upstream okryu_app {{\n    server 127.0.0.1:{APP_PORT} max_fails=0;\n}}",
        )
        .replace("listen [::]:80;", "")
        .replace("listen [::]:443 ssl http2;", "")
        .replace("listen 80;", f"listen 127.0.0.1:{HTTP_PORT};")
        .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{HTTPS_PORT} ssl http2;")
    )
    main.write_text(f"user root;\n{main.read_text()}")
    assert NGINX is not None
    process = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-c", str(main), "-e", str(tmp_path / "error.log"),
         "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", HTTPS_PORT), timeout=1),
            ):
                break
            time.sleep(0.1)
        tls = ssl.create_default_context(cafile=str(tmp_path / "ssl" / "fullchain.pem"))
        tls.check_hostname = False  # A self-signed certificate for okryu.example.
        yield tls
    finally:
        process.terminate()
        process.wait(timeout=20)


def _get(
    tls: ssl.SSLContext, path: str, headers: dict[str, str] | None = None
) -> tuple[int, str | None, str | None]:
    """Status, Retry-After and X-Cache of one GET; status 0 for a timeout."""
    connection = http.client.HTTPSConnection(
        "127.0.0.1", HTTPS_PORT, timeout=10, context=tls
    )
    try:
        connection.request("GET", path, headers={"Host": HOST, **(headers or {})})
        response = connection.getresponse()
        response.read()
        return (
            response.status,
            response.getheader("Retry-After"),
            response.getheader("X-Cache"),
        )
    except TimeoutError:
        return 0, None, None
    finally:
        connection.close()


@pytest.fixture
def site(tmp_path):
    if NGINX is None:
        pytest.skip("nginx is not installed on this machine (Debian: nginx-light)")
    with SlowApp() as app, nginx_in_front(tmp_path) as tls:
        yield app, tls


def test_a_flood_of_anonymous_reads_is_shed_while_signed_in_requests_all_go_through(
    site,
):
    app, tls = site
    assert _get(tls, "/cached")[0] == 200  # Now in nginx's cache.
    anonymous: list[tuple[str, tuple[int, str | None, str | None]]] = []
    signed_in: list[tuple[int, str | None, str | None]] = []
    signed_in_headers = [{"Cookie": "sessionid=abc"}, {"Authorization": "Bearer t"}]

    def flood(index: int) -> None:
        path = "/cached" if index % 2 else "/page"
        anonymous.append((path, _get(tls, path)))

    def shopper(index: int) -> None:
        signed_in.append(_get(tls, "/page", signed_in_headers[index % 2]))

    with ThreadPoolExecutor(max_workers=48) as pool:
        for index in range(400):
            pool.submit(flood, index)
            if index % 10 == 0:
                pool.submit(shopper, index // 10)

    assert [status for status, _, _ in signed_in] == [200] * 40
    statuses = Counter(status for _path, (status, _, _) in anonymous)
    assert statuses[0] == 0, "no anonymous request may time out"
    assert set(statuses) <= {200, 503}
    assert statuses[503] > 0, "the flood is over the anonymous budget"
    assert all(retry == "5" for _path, (status, retry, _) in anonymous if status == 503)
    # Requests for the cached page got it from the cache, never a 503.
    cached = Counter(answer[0] for path, answer in anonymous if path == "/cached")
    assert cached == Counter({200: 200}), cached
    assert app.received["signed-in"] == 40
    assert app.received["anonymous"] < 400


def test_a_signed_in_person_never_gets_nor_leaves_a_cached_page(site):
    app, tls = site
    _get(tls, "/cached")
    _get(tls, "/cached", {"Cookie": "sessionid=abc"})
    _get(tls, "/cached", {"Authorization": "Bearer t"})

    assert app.received == Counter({"anonymous": 1, "signed-in": 2})
    assert _get(tls, "/cached")[2] == "HIT"
