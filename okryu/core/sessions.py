"""Sessions kept in the database and read through the cache, unknown keys included.

Django's ``cached_db`` engine answers a known session from the cache, but asks the database
again on every request that carries a key it does not know: a cookie left from an expired or
signed-out session, or one made up. Behind one address a whole district sends such cookies, and
each would cost a query before the page is served from the cache. This engine also remembers,
for a short while, that a key is unknown. Django never adopts a key the browser sends (a new
session always gets a fresh random key), so remembering a key as unknown can hide no session:
saving one under that key overwrites the mark, and signing out deletes both.
"""

from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.core.cache import caches
from typing_extensions import override

# What the cache holds for a key the database does not know. A session's data is a dict, so a
# string can never be mistaken for one.
UNKNOWN_SESSION_MARK = "okryu:unknown-session"
UNKNOWN_SESSION_SECONDS = 300


class SessionStore(CachedDBStore):
    @override
    def load(self) -> dict[str, Any]:
        session_key = self.session_key
        if session_key is None:
            # No key (or a malformed one): nothing can be stored under it.
            return {}
        cache_key = self.cache_key_prefix + session_key
        # Redis and the file cache take any key (Django's own guard is for memcached).
        cache = caches[settings.SESSION_CACHE_ALIAS]
        data = cache.get(cache_key)
        if data == UNKNOWN_SESSION_MARK:
            self._session_key = None
            return {}
        if data is not None:
            return data  # type: ignore[no-any-return]
        # The stubs do not declare the database engine's own read.
        stored = self._get_session_from_db()  # type: ignore[attr-defined]
        if stored is None:
            cache.set(cache_key, UNKNOWN_SESSION_MARK, UNKNOWN_SESSION_SECONDS)
            return {}
        loaded: dict[str, Any] = self.decode(stored.session_data)
        cache.set(cache_key, loaded, self.get_expiry_age(expiry=stored.expire_date))
        return loaded
