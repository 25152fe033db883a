"""Settings of the app server that the HTTP stress and crash tests start.

The production settings (``DATABASE_URL`` names the test's own database), with cheap PIN
hashes so that a test of hundreds of checkouts stays within seconds: Argon2 verifies with the
parameters stored in each hash, and the cards of these tests are issued under these settings.
The benchmark reports the production parameters separately.
"""

from config.settings.base import *  # noqa: F403

OKRYU_PIN_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
