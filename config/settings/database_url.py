"""Parse a ``DATABASE_URL`` into Django's ``DATABASES`` entry.

Two schemes are understood: ``sqlite:///relative/or/absolute/path`` and
``postgres://user:password@host:port/name`` (also ``postgresql://``).
"""

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

SQLITE_BUSY_TIMEOUT_SECONDS = 5

# WAL with synchronous=FULL makes every acknowledged commit survive a power cut; a short busy
# timeout with immediate transactions keeps several writer processes fair (DESIGN.md, pitfalls).
SQLITE_INIT_COMMAND = (
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    "PRAGMA foreign_keys=ON;"
    "PRAGMA cache_size=-32000;"
)


def parse_database_url(url: str, *, base_dir: Path) -> dict[str, Any]:
    """Return the ``DATABASES['default']`` dictionary for ``url``."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        raw_path = unquote(parts.path)
        # sqlite:///var/okryu.sqlite3 is relative to the checkout; sqlite:////abs/path is absolute.
        path = Path(raw_path[1:]) if raw_path.startswith("/") else Path(raw_path)
        if not path.is_absolute():
            path = base_dir / path
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            # Persistent connections skip reopening the file and re-running the PRAGMAs on
            # every request; the app server runs one thread per worker process.
            "CONN_MAX_AGE": 600,
            "OPTIONS": {
                "init_command": SQLITE_INIT_COMMAND,
                "transaction_mode": "IMMEDIATE",
                "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
            },
            "TEST": {"NAME": None},
        }
    if parts.scheme in {"postgres", "postgresql"}:
        query = parse_qs(parts.query)
        options: dict[str, Any] = {key: values[-1] for key, values in query.items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")) or "okryu",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    message = f"DATABASE_URL scheme {parts.scheme!r} is not supported (use sqlite or postgres)"
    raise ValueError(message)
