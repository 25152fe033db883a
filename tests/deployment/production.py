"""The production settings in a subprocess, with the example environment of the deployment
guide (deploy/okryu.env.example) and its paths moved into the test's own folder.

The environment is built from nothing but that file (plus PATH), so nothing of the machine's
own environment (DEBUG, REDIS_URL, a test database URL) leaks into what is checked.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_ENVIRONMENT = ROOT / "deploy" / "okryu.env.example"
COMMAND_SECONDS_MAX = 120
# "?: (okryu.E011) SECRET_KEY is not set." in the check command's report.
CHECK_ID = re.compile(r"\(([a-z_.]+\.[EWCI]\d{3})\)")


def read_example_environment() -> dict[str, str]:
    """Return the variables of deploy/okryu.env.example, in its order."""
    variables: dict[str, str] = {}
    for line in EXAMPLE_ENVIRONMENT.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            variables[name.strip()] = value.strip()
    return variables


def complete_environment(folder: Path) -> dict[str, str]:
    """Return the example environment with its secrets written under ``folder`` and the
    database, the state folder and the secrets' paths moved there.

    The database is SQLite (the production settings accept both engines); PostgreSQL through a
    Unix socket is what the example names, and the settings' own tests parse that URL.
    """
    secrets_folder = folder / "secrets"
    secrets_folder.mkdir(parents=True, exist_ok=True)
    (secrets_folder / "secret_key").write_text(secrets.token_urlsafe(50) + "\n")
    (secrets_folder / "card_issuer_keys").write_text(f"1:{secrets.token_hex(32)}\n")
    (secrets_folder / "sms_gateway_token").write_text(secrets.token_urlsafe(24) + "\n")
    environment = {
        name: value.replace("/etc/okryu/secrets", str(secrets_folder))
        for name, value in read_example_environment().items()
    }
    environment["DATABASE_URL"] = f"sqlite:///{folder / 'okryu.sqlite3'}"
    environment["OKRYU_VAR_DIR"] = str(folder / "var")
    environment["PATH"] = os.environ["PATH"]
    environment["PYTHONPATH"] = str(ROOT)
    environment["LANG"] = "C.UTF-8"
    return environment


def manage(
    environment: dict[str, str], *arguments: str
) -> subprocess.CompletedProcess[str]:
    """Run ``manage.py`` with exactly ``environment``; return what it did."""
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        check=False,
        capture_output=True,
        text=True,
        timeout=COMMAND_SECONDS_MAX,
    )


def error_ids(result: subprocess.CompletedProcess[str]) -> set[str]:
    """Return the ids of the errors (not warnings) in a check command's report."""
    report = result.stdout + result.stderr
    return {found for found in CHECK_ID.findall(report) if ".E" in found}


def check_ids(result: subprocess.CompletedProcess[str]) -> set[str]:
    """Return the ids of every message (errors and warnings) in a check command's report."""
    return set(CHECK_ID.findall(result.stdout + result.stderr))
