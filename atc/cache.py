"""The shared cache: a Redis backend that never takes a page down.

While Redis is unreachable, django-redis with `IGNORE_EXCEPTIONS` (atc/settings.py) turns every
cache call into a miss or a dropped write, logs it, and the pages compute what they need directly.
"""

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

