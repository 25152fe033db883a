"""The production settings refuse every unsafe configuration, each with its own check id and
a hint that says what to set, and start with the deployment guide's environment.

Each case runs ``manage.py check --deploy`` (or ``serve``) in a subprocess with the guide's
example environment (deploy/okryu.env.example) changed in exactly one way.
"""

import shutil
import subprocess

import pytest

from tests.deployment.production import (
    ROOT,
    check_ids,
    complete_environment,
    error_ids,
    manage,
)

NO_ISSUES = "System check identified no issues (0 silenced)."


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory):
    """A database migrated once under the production settings, copied by each test."""
    folder = tmp_path_factory.mktemp("migrated")
    migrated = manage(complete_environment(folder), "migrate", "--no-input", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    return folder / "okryu.sqlite3"


@pytest.fixture
def environment(tmp_path, migrated_database):
    """The guide's environment, on the test's own copy of the migrated database."""
    shutil.copyfile(migrated_database, tmp_path / "okryu.sqlite3")
    return complete_environment(tmp_path)


@pytest.fixture(scope="module")
def demo_var(tmp_path_factory):
    """The folder where the demo settings made their secrets, as ``make run`` does."""
    folder = tmp_path_factory.mktemp("demo")
    demo = {
        **complete_environment(folder),
        "DJANGO_SETTINGS_MODULE": "config.settings.demo",
        "OKRYU_SMS_GATEWAY": "log",
    }
    for name in ("SECRET_KEY_FILE", "OKRYU_CARD_ISSUER_KEYS_FILE"):
        demo.pop(name)
    made = manage(demo, "check")
    assert made.returncode == 0, made.stderr
    return folder / "var"


def test_the_guides_environment_passes_check_deploy_with_nothing_to_report(environment):
    result = manage(environment, "check", "--deploy")

    assert (result.returncode, check_ids(result)) == (0, set())
    assert NO_ISSUES in result.stdout


@pytest.mark.parametrize(
    ("changes", "check_id", "hint"),
    [
        pytest.param({"DEBUG": "1"}, "okryu.E010", "Unset DEBUG", id="debug-on"),
        pytest.param(
            {"SECRET_KEY_FILE": None},
            "okryu.E011",
            "Set SECRET_KEY",
            id="no-secret-key",
        ),
        pytest.param(
            {"ALLOWED_HOSTS": None},
            "okryu.E013",
            "Set ALLOWED_HOSTS",
            id="no-allowed-hosts",
        ),
        pytest.param(
            {"OKRYU_CARD_ISSUER_KEYS_FILE": None},
            "okryu.E014",
            "Set OKRYU_CARD_ISSUER_KEYS",
            id="no-issuer-keys",
        ),
        pytest.param(
            {"OKRYU_SMS_GATEWAY": "log"},
            "okryu.E019",
            "Set OKRYU_SMS_GATEWAY=http",
            id="sms-to-the-log",
        ),
        pytest.param(
            {"OKRYU_SMS_GATEWAY": None},
            "okryu.E019",
            "Set OKRYU_SMS_GATEWAY=http",
            id="sms-gateway-left-at-its-default-the-log",
        ),
    ],
)
def test_production_refuses_an_unsafe_setting_and_says_what_to_set(
    environment, changes, check_id, hint
):
    for name, value in changes.items():
        if value is None:
            environment.pop(name)
        else:
            environment[name] = value

    result = manage(environment, "check", "--deploy")

    assert result.returncode == 1
    assert error_ids(result) == {check_id}
    assert f"({check_id})" in result.stderr
    assert hint in result.stderr


@pytest.mark.parametrize(
    ("name", "key"),
    [
        pytest.param("SECRET_KEY", "short-but-random-Xq8v", id="short"),
        pytest.param("SECRET_KEY", "ab" * 40, id="two-characters"),
        pytest.param(
            "SECRET_KEY",
            "django-insecure-" + "k3v9PqZ2wL8mN4xR7tY1uB6cE0aF5gH",
            id="djangos-placeholder",
        ),
        pytest.param("SECRET_KEY_FALLBACKS", "an-old-short-key", id="short-fallback"),
    ],
)
def test_production_refuses_a_weak_secret_key_where_django_only_warns(
    environment, tmp_path, name, key
):
    if name == "SECRET_KEY":
        key_file = tmp_path / "weak_secret_key"
        key_file.write_text(key + "\n")
        environment["SECRET_KEY_FILE"] = str(key_file)
    else:
        environment[name] = key

    result = manage(environment, "check", "--deploy")

    assert result.returncode == 1
    assert error_ids(result) == {"okryu.E024"}
    assert "Set SECRET_KEY" in result.stderr
    assert key not in result.stderr + result.stdout


def test_production_refuses_a_secret_key_that_the_demo_made(demo_var, environment):
    environment["SECRET_KEY_FILE"] = str(demo_var / "secret_key")

    result = manage(environment, "check", "--deploy")

    assert result.returncode == 1
    assert error_ids(result) == {"okryu.E012"}
    assert "Set SECRET_KEY" in result.stderr


def test_production_refuses_a_demo_made_key_among_the_secret_key_fallbacks(
    demo_var, environment
):
    environment["SECRET_KEY_FALLBACKS"] = (demo_var / "secret_key").read_text()

    result = manage(environment, "check", "--deploy")

    assert result.returncode == 1
    assert error_ids(result) == {"okryu.E012"}


def test_production_refuses_a_card_issuer_key_that_the_demo_made(demo_var, environment):
    demo_key = (demo_var / "card_issuer_master_key").read_text()
    environment.pop("OKRYU_CARD_ISSUER_KEYS_FILE")
    environment["OKRYU_CARD_ISSUER_KEYS"] = f"1:{demo_key}"

    result = manage(environment, "check", "--deploy")

    assert result.returncode == 1
    assert error_ids(result) == {"okryu.E015"}
    assert "Set OKRYU_CARD_ISSUER_KEYS" in result.stderr


def test_production_refuses_a_database_holding_the_demo_logins_and_cards(environment):
    demo = {**environment, "DJANGO_SETTINGS_MODULE": "config.settings.demo"}
    loaded = manage(demo, "load_demo_data", "--no-history")
    assert loaded.returncode == 0, loaded.stderr

    result = manage(environment, "check", "--deploy")

    assert result.returncode == 1
    assert error_ids(result) == {"okryu.E018"}
    assert "the demo card 9410000000000013" in result.stderr


def test_the_app_server_refuses_to_start_with_an_unsafe_setting(environment):
    environment["DEBUG"] = "true"

    result = manage(environment, "serve", "--no-workers", "--port", "9")

    assert result.returncode == 1
    assert error_ids(result) == {"okryu.E010"}
    assert "옥류 Okryu: http://" not in result.stdout


def test_production_never_loads_the_demo_data(environment):
    refused = manage(environment, "load_demo_data")
    skipped = manage(environment, "load_demo_data", "--skip-in-production")
    checked = manage(environment, "check", "--deploy")

    assert refused.returncode == 1
    assert "The demo data is for the demo only" in refused.stderr
    assert (skipped.returncode, skipped.stdout.strip()) == (
        0,
        "Production settings: the demo data is not loaded.",
    )
    assert (checked.returncode, check_ids(checked)) == (0, set())


def test_make_run_skips_the_demo_data_under_production_settings():
    plan = subprocess.run(
        ["make", "--dry-run", "--always-make", "run"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
        },
        check=True,
        capture_output=True,
        text=True,
    )

    loads = [line for line in plan.stdout.splitlines() if "load_demo_data" in line]
    assert loads == [".venv/bin/python manage.py load_demo_data --skip-in-production"]
