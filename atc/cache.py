"""A Redis cache that never takes a page down.

Django's RedisCache raises as soon as Redis does not answer, so a cache outage would turn every page
that touches the cache (sign-in rate limits, cached figures) into an error. While Redis is
unreachable, this backend behaves like Django's DummyCache — nothing is stored, every read misses,
`add` succeeds — and the pages compute what they need directly. After a failure it stops calling
Redis for a few seconds, so that an outage costs one failed connection per process and pause, not
one per cache call.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Long enough to spare a page dozens of failed calls, short enough to use Redis again soon after it
# is back.
PAUSE_SECONDS = 5.0


class TolerantRedisCache(RedisCache):
    """RedisCache whose calls fall back to a cache miss when Redis is unreachable."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.pause_seconds = float(options.pop("pause_seconds", PAUSE_SECONDS))
        super().__init__(server, {**params, "OPTIONS": options})
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def _call(self, name, fallback, *args, **kwargs):
        if time.monotonic() < self._paused_until:
            return fallback
        try:
            return getattr(super(), name)(*args, **kwargs)
        except RedisError as exc:
            with self._lock:
                already_paused = time.monotonic() < self._paused_until
                self._paused_until = time.monotonic() + self.pause_seconds
            if not already_paused:
                logger.warning(
                    "Cache unreachable (%s: %s); pages compute without it for %.0f s",
                    type(exc).__name__,
                    exc,
                    self.pause_seconds,
                )
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", True, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        result = self._call("incr", missing, key, delta, version)
        if result is missing:
            # What Django's caches do for a key they do not hold.
            raise ValueError(f"Key '{key}' not found.")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def clear(self):
        return self._call("clear", False)
