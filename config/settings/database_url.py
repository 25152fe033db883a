"""Turn a ``DATABASE_URL`` into Django's ``DATABASES`` entry: dj-database-url, plus SQLite's
guarantees on top.

dj-database-url reads the URL in every form PostgreSQL's own tools accept, among them a Unix
socket (``postgres://%2Frun%2Fpostgresql/okryu`` or ``postgres:///okryu?host=/run/postgresql``)
and connection options in the query string (``?sslmode=require``). Two engines are served:
``sqlite:///relative/to/the/checkout`` or ``sqlite:////absolute/path``, and PostgreSQL.
"""

from pathlib import Path
from typing import Any

import dj_database_url

SQLITE_ENGINE = "django.db.backends.sqlite3"
POSTGRESQL_ENGINE = "django.db.backends.postgresql"
SQLITE_BUSY_TIMEOUT_SECONDS = 5

# WAL with synchronous=FULL makes every acknowledged commit survive a power cut; a short busy
# timeout with immediate transactions keeps several writer processes fair (DESIGN.md, pitfalls).
# Applied over whatever the URL says, so no URL can weaken them.
SQLITE_INIT_COMMAND = (
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    "PRAGMA foreign_keys=ON;"
    "PRAGMA cache_size=-32000;"
)

# Persistent connections skip reopening the file (and re-running the PRAGMAs) or the server's
# handshake on every request; the app server runs one thread per worker process. The
# deployment may choose another lifetime (DATABASE_CONN_MAX_AGE).
CONN_MAX_AGE_SECONDS_DEFAULT = {SQLITE_ENGINE: 600, POSTGRESQL_ENGINE: 60}


def parse_database_url(
    url: str, *, base_dir: Path, conn_max_age_seconds: int | None = None
) -> dict[str, Any]:
    """Return the ``DATABASES['default']`` dictionary for ``url``.

    ``conn_max_age_seconds`` is how long a connection is kept (0: one per request); None keeps
    the engine's default above. Raises ValueError for a scheme other than SQLite's or
    PostgreSQL's.
    """
    database: dict[str, Any] = dict(dj_database_url.parse(url))
    engine = database["ENGINE"]
    if engine == SQLITE_ENGINE:
        _add_sqlite_guarantees(database, base_dir=base_dir)
    elif engine == POSTGRESQL_ENGINE:
        database["CONN_HEALTH_CHECKS"] = True
    else:
        message = (
            f"DATABASE_URL engine {engine!r} is not supported (use sqlite or postgres)"
        )
        raise ValueError(message)
    if conn_max_age_seconds is None:
        conn_max_age_seconds = CONN_MAX_AGE_SECONDS_DEFAULT[engine]
    database["CONN_MAX_AGE"] = conn_max_age_seconds
    return database


def _add_sqlite_guarantees(database: dict[str, Any], *, base_dir: Path) -> None:
    path = Path(database["NAME"])
    if database["NAME"] != ":memory:" and not path.is_absolute():
        database["NAME"] = str(base_dir / path)
    database["OPTIONS"] = {
        **database.get("OPTIONS", {}),
        "init_command": SQLITE_INIT_COMMAND,
        "transaction_mode": "IMMEDIATE",
        "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
    }
    database["TEST"] = {"NAME": None}
