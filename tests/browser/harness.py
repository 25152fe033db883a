"""What the browser tests share: a link that can be cut, a shopper, a phone, and waiting.

The browser reaches the live server through ``Link``, a TCP relay on loopback: cutting it
closes every open connection and refuses new ones, so the page, the helper script and the
service worker all meet a dead network, as on a phone whose link dropped. Playwright's
``set_offline`` is set alongside, so ``navigator.onLine`` says the same.

Playwright's ``wait_for_function`` evaluates a string, which the pages' Content-Security-
Policy refuses (no eval); ``wait_until`` polls a Python condition instead (locators, or
``page.evaluate`` of a function, which runs through the debugger protocol, not eval).
"""

import contextlib
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client
from playwright.sync_api import BrowserContext, Page, Playwright, ViewportSize

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE: ViewportSize = {"width": 360, "height": 740}
POLL_SECONDS = 0.1
RELAY_BUFFER_BYTES = 65536
COOKIE_LIFETIME_SECONDS = 24 * 60 * 60


class Link:
    """A TCP relay to the live server that can be cut and restored."""

    def __init__(self, target_port: int) -> None:
        self._target = ("127.0.0.1", target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.is_up = True
        self.loses_answers = False
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self) -> None:
        """Drop every connection and refuse new ones."""
        self.is_up = False
        with self._lock:
            for connection in list(self._open):
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
                connection.close()
            self._open.clear()

    def lose_answers(self, *, lost: bool) -> None:
        """Deliver requests but drop every answer (and its connection), or stop doing so."""
        self.loses_answers = lost

    def restore(self) -> None:
        """Let connections through again."""
        self.is_up = True

    def close(self) -> None:
        """Stop relaying for good."""
        self._closed = True
        self.cut()
        self._listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                incoming, _ = self._listener.accept()
            except OSError:
                return
            if not self.is_up:
                incoming.close()
                continue
            try:
                outgoing = socket.create_connection(self._target)
            except OSError:
                incoming.close()
                continue
            with self._lock:
                self._open.update({incoming, outgoing})
            threading.Thread(
                target=self._relay, args=(incoming, outgoing), daemon=True
            ).start()

    def _relay(self, incoming: socket.socket, outgoing: socket.socket) -> None:
        pair = [incoming, outgoing]
        try:
            while self.is_up:
                readable, _, _ = select.select(pair, [], [], 0.5)
                for source in readable:
                    data = source.recv(RELAY_BUFFER_BYTES)
                    if not data:
                        return
                    if source is outgoing and self.loses_answers:
                        # The request reached the server; its answer dies on the way.
                        return
                    (outgoing if source is incoming else incoming).sendall(data)
        except (OSError, ValueError):
            return
        finally:
            with self._lock:
                self._open.difference_update(pair)
            for connection in pair:
                connection.close()


def wait_until(condition: Callable[[], Any], *, seconds: float, what: str) -> Any:
    """Return ``condition()`` once it is true; fail after ``seconds`` saying ``what``."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {seconds} s waiting for {what}")
        time.sleep(POLL_SECONDS)


def session_cookies(user: Any, url: str, *, language: str = "ko") -> list[Any]:
    """Return cookies signing ``user`` in at ``url``, kept across a browser restart."""
    client = Client()
    client.force_login(user)
    expires = time.time() + COOKIE_LIFETIME_SECONDS
    return [
        {
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": url,
            "expires": expires,
        },
        {
            "name": settings.LANGUAGE_COOKIE_NAME,
            "value": language,
            "url": url,
            "expires": expires,
        },
    ]


def open_phone(
    playwright: Playwright,
    profile: Path,
    *,
    cookies: list[Any] | None = None,
    javascript: bool = True,
) -> BrowserContext:
    """Start Chromium as a phone with its own profile folder (kept across restarts)."""
    context = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        args=CHROMIUM_ARGS,
        viewport=PHONE,
        java_script_enabled=javascript,
        service_workers="allow",
    )
    if cookies:
        context.add_cookies(cookies)
    return context


def worker_controls(page: Page) -> bool:
    """Whether the service worker answers this page's requests."""
    return bool(page.evaluate("() => Boolean(navigator.serviceWorker.controller)"))


def go_offline(context: BrowserContext, link: Link) -> None:
    """Cut the link and tell the browser it is offline."""
    link.cut()
    context.set_offline(True)


def go_online(context: BrowserContext, link: Link) -> None:
    """Restore the link and tell the browser it is online."""
    link.restore()
    context.set_offline(False)


@contextlib.contextmanager
def relayed(port: int) -> Iterator[Link]:
    """A link to the live server on ``port``, closed afterwards."""
    link = Link(port)
    try:
        yield link
    finally:
        link.close()
