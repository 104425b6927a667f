"""The shared cache: a Redis backend that never takes a page down, and the one helper for entries
kept under a version of the data they read.

While Redis is unreachable, django-redis with `IGNORE_EXCEPTIONS` (atc/settings.py) turns every
cache call into a miss or a dropped write, logs it, and the pages compute what they need directly.
"""

from django.core.cache import cache
from django_redis.cache import RedisCache, omit_exception


class FailSoftRedisCache(RedisCache):
    """django-redis, where an `add` that Redis could not answer reports success.

    django-redis gives None, which callers read as "someone else holds the key": allauth's rate
    limit would then refuse every sign-in after waiting for a lock that cannot be taken, and a TOTP
    code would count as already used. With the cache down nothing is stored, as for every other call.
    """

    @omit_exception(return_value=True)
    def add(self, *args, **kwargs):
        return self.client.add(*args, **kwargs)


def versioned_key(namespace: str, *parts) -> str:
    """A cache key `namespace:part:part…`. The parts include the version of what the value was
    computed from, so that a change makes the entry unreachable instead of having to delete it."""
    return ":".join(str(part) for part in (namespace, *parts))


def get_or_compute(key: str, compute, timeout: int):
    """The value kept under `key`, or `compute()` kept there for `timeout` seconds.

    Unlike `cache.get_or_set`, a miss costs one read and one write, not a second read. A value of
    None is not told apart from a miss: it is computed again."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value
