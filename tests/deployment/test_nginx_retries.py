"""The reference nginx config's retries, against app servers that die mid-request.

Two stand-in upstreams take the app servers' place: one reads each request and then drops the
connection without an answer (a server SIGKILLed while working), the other answers and records
what it received. Through nginx, GETs and POSTs with an Idempotency-Key reach the live one after
the dying one fails; a POST without a key is never sent a second time (502 instead).
"""

import contextlib
import http.client
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Self

import pytest

from tests.deployment.test_deployment_guide import nginx_test_copy

pytestmark = pytest.mark.stress

NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
HOST = "okryu.example"
# Ports of this test (the cluster's range, 18700-18799).
DYING_PORT, LIVE_PORT, HTTPS_PORT, HTTP_PORT = 18791, 18792, 18793, 18794


class Upstream:
    """A minimal HTTP/1.1 server: either answers 200 and records, or drops every request."""

    def __init__(self, port: int, *, dies: bool) -> None:
        self.dies = dies
        self.received: list[tuple[str, str, str]] = []
        self._socket = socket.create_server(("127.0.0.1", port))
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
            client.settimeout(5)
            while True:
                request_line = reader.readline().decode().strip()
                if not request_line:
                    return
                headers: dict[str, str] = {}
                while (line := reader.readline().decode().strip()) != "":
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                reader.read(int(headers.get("content-length", "0")))
                if self.dies:
                    return  # The connection closes with no answer.
                method, path, _version = request_line.split(" ")
                self.received.append((method, path, headers.get("idempotency-key", "")))
                client.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"
                )


@contextlib.contextmanager
def nginx_in_front(tmp_path: Path) -> Iterator[ssl.SSLContext]:
    main = nginx_test_copy(tmp_path)
    site = tmp_path / "okryu.conf"
    text = site.read_text()
    upstream = text[
        text.index("upstream okryu_app {") : text.index(
            "}", text.index("upstream okryu_app {")
        )
        + 1
    ]
    site.write_text(
        text.replace(
            upstream,
            "upstream okryu_app {\n"
            f"    server 127.0.0.1:{DYING_PORT} max_fails=0;\n"
            f"    server 127.0.0.1:{LIVE_PORT} max_fails=0;\n"
            "}",
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


def _send(tls: ssl.SSLContext, method: str, path: str, key: str | None = None) -> int:
    connection = http.client.HTTPSConnection(
        "127.0.0.1", HTTPS_PORT, timeout=20, context=tls
    )
    headers = {"Host": HOST, "Content-Type": "application/json"}
    if key is not None:
        headers["Idempotency-Key"] = key
    connection.request(
        method, path, body="{}" if method == "POST" else None, headers=headers
    )
    status = connection.getresponse().status
    connection.close()
    return status


@pytest.fixture
def upstreams(tmp_path):
    if NGINX is None:
        pytest.skip("nginx is not installed on this machine (Debian: nginx-light)")
    with (
        Upstream(DYING_PORT, dies=True) as dying,
        Upstream(LIVE_PORT, dies=False) as live,
        nginx_in_front(tmp_path) as tls,
    ):
        yield dying, live, tls


def test_reads_and_keyed_posts_go_to_another_server_and_unkeyed_posts_never_twice(
    upstreams,
):
    _dying, live, tls = upstreams

    reads = [_send(tls, "GET", f"/catalog/?page={index}") for index in range(4)]
    keyed = [
        _send(tls, "POST", "/api/v1/orders", key=f"key-{index}") for index in range(4)
    ]
    unkeyed = [_send(tls, "POST", f"/basket/add/{index}/") for index in range(4)]

    assert reads == [200] * 4
    assert keyed == [200] * 4
    # Round robin sends every other unkeyed POST to the dying server first: those are 502,
    # and the live server never saw them.
    assert 502 in unkeyed
    assert sorted(
        path for method, path, _key in live.received if path.startswith("/basket")
    ) == [
        f"/basket/add/{index}/" for index, status in enumerate(unkeyed) if status == 200
    ]
    assert sorted(
        key for method, path, key in live.received if method == "POST" and key
    ) == [f"key-{index}" for index in range(4)]
    assert sorted(
        path for method, path, _key in live.received if method == "GET"
    ) == sorted(f"/catalog/?page={index}" for index in range(4))
