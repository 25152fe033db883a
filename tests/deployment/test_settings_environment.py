"""The settings' environment: secrets from variables or ``*_FILE`` paths, the issuer's
versioned keys, and DATABASE_URL through dj-database-url with SQLite's guarantees on top."""

import sqlite3
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections, transaction
from django.db.utils import ConnectionHandler

from config.settings import environment
from config.settings.database_url import SQLITE_INIT_COMMAND, parse_database_url

BASE_DIR = Path("/opt/okryu")


def test_a_secret_is_read_from_the_file_named_by_its_file_variable(
    tmp_path, monkeypatch
):
    secret_file = tmp_path / "secret_key"
    secret_file.write_text("from-a-file-kept-apart-from-the-data\n")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("SECRET_KEY_FILE", str(secret_file))

    assert (
        environment.read_secret("SECRET_KEY") == "from-a-file-kept-apart-from-the-data"
    )


def test_a_secret_is_read_from_its_variable(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "  from-the-environment  ")
    monkeypatch.delenv("SECRET_KEY_FILE", raising=False)

    assert environment.read_secret("SECRET_KEY") == "from-the-environment"


def test_a_secret_given_both_ways_is_refused(tmp_path, monkeypatch):
    secret_file = tmp_path / "secret_key"
    secret_file.write_text("one")
    monkeypatch.setenv("SECRET_KEY", "two")
    monkeypatch.setenv("SECRET_KEY_FILE", str(secret_file))

    with pytest.raises(ImproperlyConfigured) as refused:
        environment.read_secret("SECRET_KEY")

    assert str(refused.value) == "Set SECRET_KEY or SECRET_KEY_FILE, not both."


def test_a_secret_file_that_cannot_be_read_is_named(tmp_path, monkeypatch):
    missing = tmp_path / "nowhere"
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("SECRET_KEY_FILE", str(missing))

    with pytest.raises(ImproperlyConfigured) as refused:
        environment.read_secret("SECRET_KEY")

    assert str(refused.value) == (
        f"SECRET_KEY_FILE names {missing}, which cannot be read: No such file or directory."
    )


def test_a_missing_secret_is_empty_never_made_up(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY_FILE", raising=False)

    assert environment.read_secret("SECRET_KEY") == ""


def test_secret_key_fallbacks_are_one_a_line_in_their_file(tmp_path, monkeypatch):
    fallbacks = tmp_path / "fallbacks"
    fallbacks.write_text("older-key-one\n\nolder-key-two\n")
    monkeypatch.delenv("SECRET_KEY_FALLBACKS", raising=False)
    monkeypatch.setenv("SECRET_KEY_FALLBACKS_FILE", str(fallbacks))

    assert environment.read_secret_list("SECRET_KEY_FALLBACKS") == [
        "older-key-one",
        "older-key-two",
    ]


def test_the_issuer_keys_are_read_by_version(tmp_path, monkeypatch):
    keys = tmp_path / "card_issuer_keys"
    keys.write_text("1:first-key\n2: second-key\n")
    monkeypatch.delenv("OKRYU_CARD_ISSUER_KEYS", raising=False)
    monkeypatch.setenv("OKRYU_CARD_ISSUER_KEYS_FILE", str(keys))

    assert environment.read_issuer_keys("OKRYU_CARD_ISSUER_KEYS") == {
        1: "first-key",
        2: "second-key",
    }


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param("first-key", "each item is VERSION:KEY", id="no-version"),
        pytest.param(
            "one:first-key", "each item is VERSION:KEY", id="version-not-a-number"
        ),
        pytest.param("1:", "each item is VERSION:KEY", id="no-key"),
        pytest.param("1:a,1:b", "key version 1 is given twice", id="version-twice"),
    ],
)
def test_malformed_issuer_keys_are_refused(monkeypatch, raw, message):
    monkeypatch.setenv("OKRYU_CARD_ISSUER_KEYS", raw)
    monkeypatch.delenv("OKRYU_CARD_ISSUER_KEYS_FILE", raising=False)

    with pytest.raises(ImproperlyConfigured) as refused:
        environment.read_issuer_keys("OKRYU_CARD_ISSUER_KEYS")

    assert message in str(refused.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("on", True), ("0", False), ("off", False), ("", False)],
)
def test_a_flag_reads_the_usual_words(monkeypatch, raw, expected):
    monkeypatch.setenv("SECURE_SSL_REDIRECT", raw)

    assert environment.read_flag("SECURE_SSL_REDIRECT", default=True) is expected


def test_a_flag_with_another_word_is_refused(monkeypatch):
    monkeypatch.setenv("SECURE_SSL_REDIRECT", "maybe")

    with pytest.raises(ImproperlyConfigured):
        environment.read_flag("SECURE_SSL_REDIRECT", default=True)


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("postgres://okryu@%2Frun%2Fpostgresql/okryu", id="host-quoted"),
        pytest.param(
            "postgres:///okryu?host=/run/postgresql&user=okryu", id="host-in-query"
        ),
    ],
)
def test_a_postgresql_unix_socket_url_names_the_socket_folder(url):
    database = parse_database_url(url, base_dir=BASE_DIR)

    socket_folder = database["HOST"] or database["OPTIONS"]["host"]
    user = database["USER"] or database["OPTIONS"]["user"]
    assert (database["ENGINE"], database["NAME"]) == (
        "django.db.backends.postgresql",
        "okryu",
    )
    assert (socket_folder, user) == ("/run/postgresql", "okryu")
    assert (database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"]) == (60, True)


def test_the_connection_lifetime_is_the_deployments_choice():
    database = parse_database_url(
        "postgres://okryu:pa%3Ass@db.internal:5433/okryu?sslmode=require",
        base_dir=BASE_DIR,
        conn_max_age_seconds=0,
    )

    assert database["CONN_MAX_AGE"] == 0
    assert (database["HOST"], database["PORT"], database["PASSWORD"]) == (
        "db.internal",
        5433,
        "pa:ss",
    )
    assert database["OPTIONS"] == {"sslmode": "require"}


def test_a_relative_sqlite_path_is_inside_the_checkout_and_an_absolute_one_stays():
    relative = parse_database_url("sqlite:///var/okryu.sqlite3", base_dir=BASE_DIR)
    absolute = parse_database_url("sqlite:////srv/okryu.sqlite3", base_dir=BASE_DIR)

    assert relative["NAME"] == "/opt/okryu/var/okryu.sqlite3"
    assert absolute["NAME"] == "/srv/okryu.sqlite3"


def test_no_url_can_weaken_the_sqlite_guarantees():
    database = parse_database_url(
        "sqlite:///var/okryu.sqlite3?timeout=60&transaction_mode=DEFERRED",
        base_dir=BASE_DIR,
    )

    assert database["OPTIONS"] == {
        "init_command": SQLITE_INIT_COMMAND,
        "transaction_mode": "IMMEDIATE",
        "timeout": 5,
    }
    assert database["CONN_MAX_AGE"] == 600


@pytest.mark.django_db
def test_a_sqlite_connection_runs_with_wal_full_sync_and_immediate_transactions(
    tmp_path,
):
    path = tmp_path / "probe.sqlite3"
    database = parse_database_url(f"sqlite:///{path}", base_dir=BASE_DIR)
    probe = ConnectionHandler({"default": database})["default"]
    connections["probe"] = probe
    try:
        with probe.cursor() as cursor:
            pragmas = [
                cursor.execute(f"PRAGMA {name}").fetchone()[0]
                for name in (
                    "journal_mode",
                    "synchronous",
                    "foreign_keys",
                    "busy_timeout",
                )
            ]
        with transaction.atomic(using="probe"):
            # Nothing written yet, and another writer is already shut out: the transaction
            # began IMMEDIATE, holding the write lock from its first statement.
            other = sqlite3.connect(path, timeout=0)
            try:
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("BEGIN IMMEDIATE")
            finally:
                other.close()
    finally:
        del connections["probe"]
        probe.close()

    assert pragmas == ["wal", 2, 1, 5000]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs the PostgreSQL of the test run"
)
@pytest.mark.django_db
def test_a_postgresql_unix_socket_url_connects_through_the_socket():
    name = connection.settings_dict["NAME"]
    user = connection.settings_dict["USER"] or "postgres"
    socket_url = f"postgres://{user}@%2Fvar%2Frun%2Fpostgresql/{name}"
    handler = ConnectionHandler(
        {"default": parse_database_url(socket_url, base_dir=BASE_DIR)}
    )
    try:
        with handler["default"].cursor() as cursor:
            # The server's address is NULL on a Unix-socket connection.
            cursor.execute("SELECT inet_server_addr() IS NULL, current_database()")
            row = cursor.fetchone()
    finally:
        handler.close_all()

    assert row == (True, name)


def _settings_in_a_fresh_process(
    environment_variables: dict[str, str], code: str
) -> str:
    import os
    import subprocess
    import sys

    from tests.deployment.production import ROOT

    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **environment_variables, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_photos_go_to_the_shared_folder_named_apart_from_the_state_folder(tmp_path):
    printed = _settings_in_a_fresh_process(
        {
            "OKRYU_VAR_DIR": str(tmp_path / "var"),
            "OKRYU_MEDIA_ROOT": "/srv/okryu-media",
        },
        "import config.settings.base as s; print(s.MEDIA_ROOT, s.VAR_DIR)",
    )

    assert printed == f"/srv/okryu-media {tmp_path / 'var'}"


def test_a_replica_alias_exists_only_when_its_address_is_given_and_mirrors_in_tests():
    without = _settings_in_a_fresh_process(
        {"DATABASE_REPLICA_URL": ""},
        "import config.settings.base as s; print(sorted(s.DATABASES))",
    )
    with_replica = _settings_in_a_fresh_process(
        {"DATABASE_REPLICA_URL": "postgres://okryu@replica.internal:5432/okryu"},
        "import config.settings.base as s; r = s.DATABASES['replica']; "
        "print(r['HOST'], r['OPTIONS']['connect_timeout'], r['TEST']['MIRROR'])",
    )

    assert without == "['default']"
    assert with_replica == "replica.internal 2 default"
