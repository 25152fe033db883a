"""The cost of one PIN verification: the keyed MAC of today, and the Argon2id record of before.

    .venv/bin/python -m bench.pin_bench

"Before" is a record as the earlier code made it: the PIN peppered with the issuer's key, then
Argon2id with the former production parameters (19 MiB, 2 passes, 1 lane); such records still
verify once, at the next correct PIN, and are replaced. "After" is the HMAC-SHA256 record
(docs/adr/0006-pin-verification-values.md). Both go through ``pins.is_pin_correct``, the
function every PIN check calls, with the test settings' keys.
"""

import hashlib
import hmac
import os
import statistics
import timeit

CARD_NUMBER = "9410000000000013"
PIN = "1111"
REPEATS = 5


def main() -> None:
    """Print the median cost of one verification of each kind of record."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from argon2 import PasswordHasher, Type
    from django.conf import settings

    from okryu.payments.pins import PinRecord, is_pin_correct, make_pin_record

    issuer_key = settings.OKRYU_CARD_ISSUER_KEYS[1].encode()
    pepper = hmac.new(issuer_key, b"okryu-pin-pepper", hashlib.sha256).digest()
    peppered = hmac.new(pepper, PIN.encode(), hashlib.sha256).hexdigest()
    # The former production parameters (OKRYU_PIN_ARGON2).
    hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, type=Type.ID)
    records = (
        ("before: Argon2id m=19456 t=2 p=1", PinRecord(hasher.hash(peppered), 1), 20),
        (
            "after: HMAC-SHA256",
            make_pin_record(card_number=CARD_NUMBER, pin=PIN),
            20_000,
        ),
    )
    for label, record, number in records:
        assert is_pin_correct(record=record, card_number=CARD_NUMBER, pin=PIN)

        def verify(record: PinRecord = record) -> bool:
            return is_pin_correct(record=record, card_number=CARD_NUMBER, pin=PIN)

        runs = timeit.repeat(verify, number=number, repeat=REPEATS)
        per_call_us = [run / number * 1e6 for run in runs]
        print(
            f"{label}: median {statistics.median(per_call_us):,.1f} µs per verification "
            f"(min {min(per_call_us):,.1f} µs; {REPEATS} runs of {number})"
        )


if __name__ == "__main__":
    main()
