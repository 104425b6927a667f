"""Helpers for the pages kept in `{% figurecache %}` fragments: what a reader gets from a cache
hit must be what the plain rendering (an empty cache) gives."""

import re

from django.core.cache import caches
from django_redis.cache import RedisCache

# A page's CSRF tokens are masked anew on every response (BREACH): the only bytes that may differ.
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def without_tokens(content: bytes) -> str:
    return CSRF_TOKEN.sub('name="csrfmiddlewaretoken" value="…"', content.decode())


def empty_cache() -> None:
    """Forget every kept fragment (only this run's keys on Redis, as tests/conftest.py does)."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        cache.delete_pattern("*")
    else:
        cache.clear()
