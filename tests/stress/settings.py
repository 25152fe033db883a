"""Settings of the app server that the HTTP stress and crash tests start.

The demo settings (``DATABASE_URL`` names the test's own database, ``OKRYU_VAR_DIR`` the
test's own folder, where the demo makes its keys), with cheap password hashes so that a test of
hundreds of sign-ins stays within seconds.
"""

from config.settings.demo import *  # noqa: F403

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]

# Hundreds of checkouts from one address and a few accounts within seconds are the point of
# these tests, not abuse: the rate limits are lifted out of their way.
OKRYU_RATE_LIMITS = {
    name: (1_000_000, window_seconds)
    for name, (_count, window_seconds) in OKRYU_RATE_LIMITS.items()  # noqa: F405
}
