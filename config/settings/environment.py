"""Reading the settings' environment: plain values, lists, flags, numbers and secrets.

Every variable Okryu reads goes through one of these functions (or ``os.environ`` in the test
settings), and docs/deployment.md lists each of them: a test compares the two.

A secret comes from the variable itself or from a file named by ``<NAME>_FILE`` (systemd
credentials, a mounted secret), never from both. Nothing here generates a secret: only the
demo settings do, and they mark what they make.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})
# Secrets and lists are split on commas and line breaks: a file holds one item a line.
SEPARATORS = (",", "\n")


def read_text(name: str, default: str = "") -> str:
    """Return the variable ``name``, or ``default`` when it is unset or empty."""
    return os.environ.get(name, "").strip() or default


def read_list(name: str, default: tuple[str, ...] = ()) -> list[str]:
    """Return the comma-separated items of ``name``, or ``default`` when there are none."""
    return _split(os.environ.get(name, "")) or list(default)


def read_flag(name: str, *, default: bool) -> bool:
    """Return ``name`` as a yes/no flag (1, true, yes, on / 0, false, no, off)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    message = (
        f"{name} must be one of 1, true, yes, on, 0, false, no, off (not {raw!r})."
    )
    raise ImproperlyConfigured(message)


def read_int(name: str, *, default: int) -> int:
    """Return ``name`` as a whole number, or ``default`` when it is unset or empty."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        message = f"{name} must be a whole number (not {raw!r})."
        raise ImproperlyConfigured(message) from None


def read_optional_int(name: str) -> int | None:
    """Return ``name`` as a whole number, or None when it is unset or empty."""
    if not os.environ.get(name, "").strip():
        return None
    return read_int(name, default=0)


def read_secret(name: str) -> str:
    """Return the secret ``name`` from the environment or ``<name>_FILE``; "" when neither."""
    if _is_file_given(name):
        return _read_secret_file(name).strip()
    return _direct(name)


def read_secret_list(name: str) -> list[str]:
    """Return the secrets of ``name`` or ``<name>_FILE``: comma- or line-separated items."""
    if _is_file_given(name):
        return _split(_read_secret_file(name))
    return _split(_direct(name))


def read_issuer_keys(name: str) -> dict[int, str]:
    """Return the card issuer's keys by version from ``VERSION:KEY`` items of ``name``.

    For example ``1:3f9c…,2:a71e…``, or a ``<name>_FILE`` holding one such item a line.
    """
    keys: dict[int, str] = {}
    for item in read_secret_list(name):
        version_text, separator, key = item.partition(":")
        if not separator or not version_text.strip().isdigit() or not key.strip():
            message = (
                f"{name}: each item is VERSION:KEY, for example 1:<64 hex digits>."
            )
            raise ImproperlyConfigured(message)
        version = int(version_text)
        if version in keys:
            message = f"{name}: key version {version} is given twice."
            raise ImproperlyConfigured(message)
        keys[version] = key.strip()
    return keys


def _direct(name: str) -> str:
    return os.environ.get(name, "").strip()


def _is_file_given(name: str) -> bool:
    return bool(os.environ.get(f"{name}_FILE", "").strip())


def _read_secret_file(name: str) -> str:
    if _direct(name):
        message = f"Set {name} or {name}_FILE, not both."
        raise ImproperlyConfigured(message)
    path = Path(os.environ[f"{name}_FILE"].strip())
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        message = f"{name}_FILE names {path}, which cannot be read: {error.strerror}."
        raise ImproperlyConfigured(message) from None


def _split(raw: str) -> list[str]:
    for separator in SEPARATORS[1:]:
        raw = raw.replace(separator, SEPARATORS[0])
    return [item.strip() for item in raw.split(SEPARATORS[0]) if item.strip()]
