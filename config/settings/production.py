"""Production: every secret from the environment, nothing generated, TLS ended by a proxy.

Refuses to start, with a system-check error saying what to set, when DEBUG is on, when
SECRET_KEY or the card issuer's keys are missing or were made by the demo, when the demo's
logins or cards are in the database, when SMS would only be written to the log, or when
ALLOWED_HOSTS is empty. With the variables of docs/deployment.md, ``manage.py check --deploy``
reports nothing.
"""

from config.settings import environment
from config.settings.base import *  # noqa: F403
from config.settings.base import logging_settings

OKRYU_IS_PRODUCTION = True
# One JSON object a line, for the log collector (LOG_FORMAT=plain for a person reading).
LOG_FORMAT = environment.read_text("LOG_FORMAT", "json")
LOGGING = logging_settings(LOG_FORMAT)


def _wsgi_header_name(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


# TLS ends at nginx (deploy/nginx/okryu.conf), which names the scheme the client used in this
# header and overwrites whatever a client sent in it. Without it, a request that came over TLS
# would look like plain HTTP: redirected forever, and every form refused by the Origin check.
_PROXY_SSL_HEADER = environment.read_text("SECURE_PROXY_SSL_HEADER")
SECURE_PROXY_SSL_HEADER = (
    (_wsgi_header_name(_PROXY_SSL_HEADER), "https") if _PROXY_SSL_HEADER else None
)
SECURE_SSL_REDIRECT = environment.read_flag("SECURE_SSL_REDIRECT", default=True)
# A health probe from the machine itself speaks plain HTTP to the app server.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = environment.read_int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = environment.read_flag(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True
)
SECURE_HSTS_PRELOAD = environment.read_flag("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
# Origins other than the site's own that may post forms (another name the proxy answers to).
CSRF_TRUSTED_ORIGINS = environment.read_list("CSRF_TRUSTED_ORIGINS")

# Staff (operator, teller, supervisor, admins) sign in with a code from an authenticator app
# as well as their password; the demo leaves it off so that its logins work with the password.
OKRYU_STAFF_SECOND_FACTOR = True
# The reference nginx (deploy/nginx/okryu.conf) appends the client's address to
# X-Forwarded-For: the rate limits count that address, not nginx's.
OKRYU_TRUSTED_PROXY_HOPS = environment.read_int("OKRYU_TRUSTED_PROXY_HOPS", default=1)
