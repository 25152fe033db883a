"""The demo: what ``make run`` serves on one machine, with no configuration at all.

Whatever secret the environment does not give, the demo makes once and keeps under ``var/``,
readable by its owner only, beside the database it protects: Django's secret key and the card
issuer's key (version 1). Each is marked with ``OKRYU_DEMO_SECRET_PREFIX``, so production
settings refuse it. The demo's logins and cards come from ``manage.py load_demo_data``, which
production settings refuse too.
"""

import os
import secrets

from config.settings.base import *  # noqa: F403
from config.settings.base import (
    ALLOWED_HOSTS,
    LOOPBACK_HOSTS,
    OKRYU_CARD_ISSUER_KEYS,
    OKRYU_DEMO_SECRET_PREFIX,
    SECRET_KEY,
    VAR_DIR,
)


def _demo_secret(file_name: str) -> str:
    """Return the demo's secret kept in ``var/<file_name>``, made on first use.

    Several processes start at once (the app server's workers, the job runner): the secret is
    written to a private file and linked into place, so exactly one of them makes it. A file
    made by an earlier demo, unmarked, is kept as it is, so its cards and sessions stay valid.
    """
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / file_name
    if not path.exists():
        draft = VAR_DIR / f".{file_name}.{os.getpid()}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as draft_file:
            draft_file.write(OKRYU_DEMO_SECRET_PREFIX + secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # Another process made it first; use theirs.
        finally:
            draft.unlink()
    return path.read_text().strip()


SECRET_KEY = SECRET_KEY or _demo_secret("secret_key")
# Nobody's real phone gets the demo's SMS: the demo shows them on its own phone page.
OKRYU_DEMO_PHONE = True
ALLOWED_HOSTS = ALLOWED_HOSTS or list(LOOPBACK_HOSTS)
if not OKRYU_CARD_ISSUER_KEYS:
    OKRYU_CARD_ISSUER_KEYS = {1: _demo_secret("card_issuer_master_key")}
    OKRYU_CARD_ISSUER_KEY_VERSION = 1
