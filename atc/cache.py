"""The shared cache: a Redis backend that never takes a page down, and the one helper for entries
kept under a version of the data they read.

While Redis is unreachable, django-redis with `IGNORE_EXCEPTIONS` (atc/settings.py) turns every
cache call into a miss or a dropped write, logs it, and the pages compute what they need directly.
"""

import functools
import hashlib

from django.conf import settings
from django.core.cache import cache
from django_redis.cache import RedisCache, omit_exception

# What a kept value is made by: the code that computes it, the templates that render it and the
# translations they print. Static files are served under hashed names and change no kept value.
RELEASE_SOURCES = ("atc", "sites", "pilotage", "diagnostics", "evaluation", "templates", "locale")


class FailSoftRedisCache(RedisCache):
    """django-redis, where an `add` that Redis could not answer reports success.

    django-redis gives None, which callers read as "someone else holds the key": allauth's rate
    limit would then refuse every sign-in after waiting for a lock that cannot be taken, and a TOTP
    code would count as already used. With the cache down nothing is stored, as for every other call.
    """

    @omit_exception(return_value=True)
    def add(self, *args, **kwargs):
        return self.client.add(*args, **kwargs)


@functools.cache
def release() -> str:
    """The release the kept values were made by: `ATC_RELEASE` when the deployment names it, else
    a digest of the sources (the same on every server running the same code). Without it, a
    fragment kept before a deploy would serve the old markup for up to an hour afterwards."""
    if settings.ATC_RELEASE:
        return settings.ATC_RELEASE
    digest = hashlib.blake2s(digest_size=8)
    for folder in RELEASE_SOURCES:
        for path in sorted((settings.BASE_DIR / folder).rglob("*")):
            if path.suffix in {".py", ".html", ".txt", ".svg", ".mo"} and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def versioned_key(namespace: str, *parts) -> str:
    """A cache key `namespace:release:part:part…`. The parts include the version of what the value
    was computed from, so that a change makes the entry unreachable instead of having to delete it;
    the release does the same for a change of the code."""
    return ":".join(str(part) for part in (namespace, release(), *parts))


def get_or_compute(key: str, compute, timeout: int):
    """The value kept under `key`, or `compute()` kept there for `timeout` seconds.

    Unlike `cache.get_or_set`, a miss costs one read and one write, not a second read. A value of
    None is not told apart from a miss: it is computed again."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value
