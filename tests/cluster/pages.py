"""A person at a browser, for the cluster's tests: signing in and uploading a product photo
through the pages of nginx or of one app server directly (bypassing nginx).

Cookies are kept per person, not per port: a session made by one app server is sent to any
other, as nginx would send it to whichever server it picks.
"""

import http.cookiejar
import io
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid

from PIL import Image

PASSWORD = "okryu-demo"  # The demo's published password (docs/API.md).
TIMEOUT_SECONDS = 30
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """One person's browser: a cookie jar, and the pages it was last shown."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar)
        )

    @property
    def session(self) -> str | None:
        """Return the session cookie's value, if a server set one."""
        return next(
            (cookie.value for cookie in self.jar if cookie.name == "sessionid"), None
        )

    def get(self, url: str) -> tuple[int, bytes]:
        """GET a page (redirects followed); return its status and body."""
        return self._open(urllib.request.Request(url))

    def post(
        self,
        url: str,
        fields: dict[str, str],
        files: dict[str, tuple[str, str, bytes]] | None = None,
    ) -> tuple[int, bytes]:
        """POST a form (multipart when it carries files); follow the redirect it answers."""
        if files:
            boundary = uuid.uuid4().hex
            body, content_type = _multipart(fields, files, boundary)
        else:
            body = urllib.parse.urlencode(fields).encode()
            content_type = "application/x-www-form-urlencoded"
        parts = urllib.parse.urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        request = urllib.request.Request(
            url,
            data=body,
            headers={"Content-Type": content_type, "Referer": f"{origin}/"},
        )
        return self._open(request)

    def _open(self, request: urllib.request.Request) -> tuple[int, bytes]:
        try:
            with self._opener.open(request, timeout=TIMEOUT_SECONDS) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def form_token(self, url: str) -> str:
        """Return the CSRF token of the form on the page at ``url``."""
        status, page = self.get(url)
        assert status == 200, (url, status)
        token = CSRF_FIELD.search(page.decode())
        assert token is not None, f"{url} has a form"
        return token.group(1)

    def sign_in(self, base: str, username: str) -> int:
        """Sign in through the login page at ``base``; return the status of the answer, or
        of the login page when it was not shown."""
        status, page = self.get(f"{base}/accounts/login/")
        token = CSRF_FIELD.search(page.decode(errors="replace"))
        if status != 200 or token is None:
            return status
        status, _page = self.post(
            f"{base}/accounts/login/",
            {
                "csrfmiddlewaretoken": token.group(1),
                "username": username,
                "password": PASSWORD,
            },
        )
        return status


def photo_png(seed: int) -> bytes:
    """Return a small PNG of one colour made from ``seed``: each upload a different picture."""
    colour = (seed % 251, (seed // 251) % 241, (seed // 60_000) % 239)
    image = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(image, format="PNG")
    return image.getvalue()


def upload_product_photo(browser: Browser, base: str, product: int, data: bytes) -> str:
    """Upload a photo of ``product`` through the merchant's page; return its thumbnail's path.

    ``browser`` is signed in as staff of the product's merchant.
    """
    page = f"{base}/merchant/products/{product}/"
    status, answer = browser.post(
        f"{base}/merchant/products/{product}/photo/",
        {
            "csrfmiddlewaretoken": browser.form_token(page),
            "idempotency_key": uuid.uuid4().hex,
        },
        {"photo": ("photo.png", "image/png", data)},
    )
    assert status == 200, (status, answer[-2000:])
    thumbnail = re.search(r'src="(/media/products/thumbnails/[^"]+)"', answer.decode())
    assert thumbnail is not None, "the product's page shows its new thumbnail"
    return thumbnail.group(1)


def _multipart(
    fields: dict[str, str], files: dict[str, tuple[str, str, bytes]], boundary: str
) -> tuple[bytes, str]:
    lines: list[bytes] = []
    for name, value in fields.items():
        lines += [
            f"--{boundary}".encode(),
            f'Content-Disposition: form-data; name="{name}"'.encode(),
            b"",
            value.encode(),
        ]
    for name, (file_name, content_type, data) in files.items():
        lines += [
            f"--{boundary}".encode(),
            f'Content-Disposition: form-data; name="{name}"; filename="{file_name}"'.encode(),
            f"Content-Type: {content_type}".encode(),
            b"",
            data,
        ]
    lines += [f"--{boundary}--".encode(), b""]
    return b"\r\n".join(lines), f"multipart/form-data; boundary={boundary}"
