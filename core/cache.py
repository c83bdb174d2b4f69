"""The cache as an optimisation that may fail: a tolerant Redis backend, and cache keys that clients cannot multiply."""

from functools import wraps

from django.core.cache.backends.redis import RedisCache
from django.http import QueryDict
from django.utils.module_loading import import_string
from redis.exceptions import RedisError

from core.outages import Outage

OUTAGES = {}  # per Redis server


def _tolerant(name):
    def operation(self, *args, **kwargs):
        return self._call(name, *args, **kwargs)

    operation.__name__ = name
    return operation


class TolerantRedisCache(RedisCache):
    """Django's Redis cache, for a Redis that may be down or hung.

    An operation that fails (refused, or unanswered within the socket timeouts) is answered by the
    FALLBACK cache instead (by default a DummyCache: every read a miss, every write dropped), and so
    is every operation for the next RETRY_SECONDS, so that a hung Redis costs a process one timeout
    every few seconds rather than one per request. The outage is logged once when it starts and
    once when Redis answers again.
    """

    RETRY_SECONDS = 5

    def __init__(self, server, params):
        super().__init__(server, params)
        fallback = import_string(params.get("FALLBACK", "django.core.cache.backends.dummy.DummyCache"))
        inherited = {name: params[name] for name in ("TIMEOUT", "KEY_PREFIX", "VERSION") if name in params}
        self._fallback = fallback(f"fallback:{server}", inherited)
        self._outage = OUTAGES.setdefault(server, Outage(f"Cache {server}", self.RETRY_SECONDS))

    def _call(self, name, *args, **kwargs):
        if self._outage.skipping():
            return getattr(self._fallback, name)(*args, **kwargs)
        try:
            result = getattr(RedisCache, name)(self, *args, **kwargs)
        except RedisError as error:
            self._outage.failed(error)
            return getattr(self._fallback, name)(*args, **kwargs)
        self._outage.succeeded()
        return result

    add = _tolerant("add")
    get = _tolerant("get")
    set = _tolerant("set")
    touch = _tolerant("touch")
    delete = _tolerant("delete")
    get_many = _tolerant("get_many")
    has_key = _tolerant("has_key")
    incr = _tolerant("incr")
    set_many = _tolerant("set_many")
    delete_many = _tolerant("delete_many")
    clear = _tolerant("clear")


def page_number(value):
    """A page number as the paginator reads it ("01", " 1" and "+1" are page 1), or the value as sent if it is none."""
    try:
        return str(int(value))
    except ValueError:
        return value


def sitemap_page_only(view):
    """A sitemap view that sees its page number (`p`) alone, in its canonical form, in the query.

    Other query parameters (trackers, cache busters) neither bypass its cache nor fill it with copies: the view sees
    the canonical query string, and so does the cache key.
    """

    @wraps(view)
    def canonical(request, *args, **kwargs):
        query = QueryDict(mutable=True)
        if (page := page_number(request.GET.get("p", "1"))) != "1":
            query["p"] = page
        request.GET = query
        request.META["QUERY_STRING"] = query.urlencode()
        return view(request, *args, **kwargs)

    return canonical
