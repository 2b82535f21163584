"""Django's Redis cache, for which a Redis that cannot be reached is a cache miss.

The cache only saves work: freshness comes from the content version in the database
(articles/cache.py). So while Redis is down or unreachable, pages are built afresh and
edits save as usual, instead of every request failing with Django's ConnectionError.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from redis.exceptions import ConnectionError, TimeoutError

logger = logging.getLogger(__name__)

FAULTS = (ConnectionError, TimeoutError)


class RedisCache(DjangoRedisCache):
    """While Redis cannot be reached, every call behaves as a miss: `get` returns the
    default, `set` stores nothing, `add` and `delete` report False. One WARNING is logged
    when Redis goes away and one INFO when it answers again; in between Redis is tried
    once every `retry_after` seconds, so an unreachable host costs a request one
    connect timeout at most, not one per cache call. Aliases on the same server (the
    pages' and the cards', settings.py) share that state: one warning, one timeout."""

    retry_after = 5  # seconds
    # Redis answers in well under a millisecond on a working network.
    timeouts = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}

    def __init__(self, server, params):
        options = {**self.timeouts, **params.get("OPTIONS", {})}
        super().__init__(server, {**params, "OPTIONS": options})
        self._server = str(server)

    # While a server is away: when to try it again (time.time()), per LOCATION.
    _retry_at_of = {}

    @property
    def _retry_at(self):
        return self._retry_at_of.get(self._server)

    @_retry_at.setter
    def _retry_at(self, when):
        self._retry_at_of[self._server] = when

    def _call(self, missed, method, *args, **kwargs):
        if self._retry_at is not None and time.time() < self._retry_at:
            return missed
        try:
            result = method(*args, **kwargs)
        except FAULTS as error:
            if self._retry_at is None:
                logger.warning(
                    "Redis is unreachable (%s): serving without the cache, trying it "
                    "again every %s seconds.",
                    error,
                    self.retry_after,
                )
            self._retry_at = time.time() + self.retry_after
            return missed
        if self._retry_at is not None:
            self._retry_at = None
            logger.info("Redis answers again: caching resumed.")
        return result

    def get(self, key, default=None, version=None):
        return self._call(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._call({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call(False, super().has_key, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(list(data), super().set_many, data, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(False, super().add, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._call(None, super().delete_many, keys, version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        value = self._call(missing, super().incr, key, delta, version)
        if value is missing:
            raise ValueError(f"Key '{key}' not found.")  # what a miss means to incr
        return value

    def clear(self):
        return self._call(False, super().clear)
