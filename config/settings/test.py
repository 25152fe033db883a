"""Settings for the test suite.

SQLite by default, PostgreSQL when ``OKRYU_TEST_DATABASE_URL`` is set.
"""

import os
from pathlib import Path

from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR, LOOPBACK_HOSTS, VAR_DIR
from config.settings.database_url import parse_database_url

# Fixed keys, never generated: a test that needs other keys (rotation) sets its own.
SECRET_KEY = "okryu-test-secret-key-for-the-test-suite-only-not-a-real-secret"
OKRYU_CARD_ISSUER_KEYS = {
    1: "okryu-test-card-issuer-key-1-for-the-test-suite-only-not-real"
}
OKRYU_CARD_ISSUER_KEY_VERSION = 1
ALLOWED_HOSTS = list(LOOPBACK_HOSTS)

_test_database_url = os.environ.get("OKRYU_TEST_DATABASE_URL", "")
if _test_database_url:
    DATABASES = {"default": parse_database_url(_test_database_url, base_dir=BASE_DIR)}
else:
    # A file, not :memory:, so that threads and server processes in the stress suites see the
    # same database as the test.
    DATABASES = {
        "default": parse_database_url(
            "sqlite:///var/test-okryu.sqlite3", base_dir=BASE_DIR
        )
    }
    # Parallel runs on one machine (several checkouts, CI beside a developer) each name their own.
    _test_sqlite_path = Path(
        os.environ.get("OKRYU_TEST_SQLITE_PATH", str(VAR_DIR / "test-okryu.sqlite3"))
    )
    # A fresh clone has no var/ yet, and SQLite makes the file but not its folder.
    _test_sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": str(_test_sqlite_path)}

# Fast hashes keep the suite quick; the Argon2 hasher still has its own tests.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Every page the suite requests is checked for an unresolved particle marker ("두부은(는)").
MIDDLEWARE = [*MIDDLEWARE, "okryu.web.tests.particle_guard.ParticleMarkerGuard"]  # noqa: F405
# Rate-limit counters in the test database, whatever REDIS_URL says: each test starts at zero.
OKRYU_RATE_LIMIT_STORE = "database"
# Tests that load the demo data do not need its simulated history (a test asks for it).
OKRYU_DEMO_HISTORY_DAYS = 0
