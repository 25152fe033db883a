"""What a failed sign-in costs: a known username with a wrong password, an unknown username,
and an attempt the sign-in defences refuse before hashing.

Runs ``authenticate()`` (the one backend every login goes through) with the production
password hasher (Argon2, Django's parameters), each attempt from its own address and with its
own password so that no delay or spraying count interferes, and reports the median and the
spread in milliseconds. A known and an unknown name should cost the same.

    .venv/bin/python -m bench.sign_in_bench --attempts 40
"""

import argparse
import json
import os
import statistics
import time
from pathlib import Path

DEFAULT_URL = "sqlite:///var/bench-sign-in.sqlite3"


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.demo")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _timed(username: str, password: str, address: str) -> float:
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=address)
    started = time.perf_counter()
    user = authenticate(request, username=username, password=password)
    elapsed = time.perf_counter() - started
    assert user is None
    return elapsed * 1000


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p10_ms": round(ordered[len(ordered) // 10], 1),
        "p90_ms": round(ordered[len(ordered) * 9 // 10], 1),
    }


def main() -> None:
    """Measure and print the three costs; write var/bench/sign_in.json."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--attempts", type=int, default=40)
    arguments = parser.parse_args()
    _setup(arguments.database_url)
    from okryu.accounts.models import User

    run = f"{os.getpid()}-{int(time.time())}"
    user = User.objects.create_user(username=f"bench-{run}", password="okryu-demo")  # noqa: S106
    assert user.password.startswith("argon2")
    known, unknown = [], []
    for index in range(arguments.attempts):
        # Alternate, so that a warm or busy moment of the machine falls on both alike.
        known.append(_timed(user.username, f"wrong-{index}", f"10.9.{index}.1"))
        unknown.append(
            _timed(f"nobody-{run}-{index}", f"wrong-{index}", f"10.8.{index}.1")
        )
    for index in range(4):
        _timed(user.username, f"wrong-again-{index}", "10.7.0.1")
    refused = [
        _timed(user.username, f"refused-{index}", "10.7.0.1")
        for index in range(arguments.attempts)
    ]
    figures = {
        "known_username_wrong_password": _summary(known),
        "unknown_username": _summary(unknown),
        "refused_by_the_delay": _summary(refused),
    }
    print(json.dumps(figures, indent=2))
    output = Path("var/bench/sign_in.json")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
