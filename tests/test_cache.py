"""The cache is an optimisation: a Redis that is down or hung costs a timeout, not a page; clients cannot multiply its keys."""

import logging
import math
import shutil
import time

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from core.cache import OUTAGES, TolerantRedisCache
from jobs.sitemaps import PostingSitemap
from ops.services import Redis
from tests.factories import PostingFactory
from tests.test_login import PASSWORD, log_in
from tests.test_ratelimits import spray


@pytest.fixture
def redis(tmp_path, monkeypatch):
    """A redis-server of the test's own on a free port; the cache tries it again half a second after a failure."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    monkeypatch.setattr(TolerantRedisCache, "RETRY_SECONDS", 0.5)
    server = Redis(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.resume()
        server.stop()
    OUTAGES.clear()


def tolerant(redis, **params):
    return TolerantRedisCache(
        redis.url, {"OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}, **params}
    )


def timed(operation):
    started = time.monotonic()
    result = operation()
    return result, time.monotonic() - started


def test_a_redis_that_stops_is_a_miss_logged_once_and_recovery_needs_no_restart(redis, caplog):
    cache = tolerant(redis)
    cache.set("key", "value")
    redis.stop()

    answers = [timed(lambda: cache.get("key", "missed")) for _ in range(20)]
    cache.set("key", "other")
    cache.delete("key")

    assert {answer for answer, _seconds in answers} == {"missed"}
    assert max(seconds for _answer, seconds in answers) < 0.5
    [warning] = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert warning.getMessage().startswith(f"Cache {redis.url} unavailable: ConnectionError")

    redis.start()
    time.sleep(0.5)
    cache.set("key", "back")

    assert cache.get("key") == "back"
    assert caplog.records[-1].getMessage() == f"Cache {redis.url} available again"


def test_a_hung_redis_costs_one_timeout_then_nothing_until_the_next_try(redis, caplog):
    cache = tolerant(redis)
    cache.set("key", "value")
    redis.pause()

    (first, first_seconds) = timed(lambda: cache.get("key", "missed"))
    later = [timed(lambda: cache.get("key", "missed")) for _ in range(20)]

    assert first == "missed"
    assert 0.2 < first_seconds < 1
    assert max(seconds for _answer, seconds in later) < 0.01
    assert len([record for record in caplog.records if record.levelno >= logging.WARNING]) == 1

    redis.resume()
    time.sleep(0.5)

    assert cache.get("key") == "value"


@pytest.mark.django_db
def test_pages_and_sitemaps_are_served_while_redis_is_down(client, settings, redis):
    PostingFactory(language="en", title="Platform engineer")
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "core.cache.TolerantRedisCache", "LOCATION": redis.url},
    }
    redis.stop()

    for path in ["/en/", "/en/feed/", "/sitemap.xml", "/sitemap-postings.xml", "/sitemap-listings.xml"]:
        assert client.get(path).status_code == 200, path


@pytest.mark.django_db
def test_the_login_limit_holds_while_redis_is_down(client, settings, redis):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "10/m"}
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "core.cache.TolerantRedisCache",
            "LOCATION": redis.url,
            "FALLBACK": "django.core.cache.backends.locmem.LocMemCache",
        },
    }
    redis.stop()

    spray(client, 10)

    assert log_in(client, "alice", PASSWORD).status_code == 429
    assert isinstance(caches["ratelimit"]._fallback, LocMemCache)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["?utm_source=x", "?p=1", "?p=01&p=1", "?p=+1", "?cachebuster=1&p=1&x=%00", "?" + "a=1&" * 500]
)
def test_unknown_query_parameters_neither_bypass_nor_fill_the_sitemap_cache(client, django_assert_num_queries, query):
    PostingFactory(language="en", slug="cached-posting")
    first = client.get("/sitemap-postings.xml")

    with django_assert_num_queries(1):  # the catalogue's state, the cache key
        again = client.get(f"/sitemap-postings.xml{query}")

    assert again.status_code == 200
    assert again.content == first.content
    assert len(caches["default"]._cache) == 1


@pytest.mark.django_db
def test_sitemap_pages_are_cached_apart_and_a_page_that_does_not_exist_is_not_cached(client, settings):
    posting = PostingFactory(language="en", slug="only-posting")
    # Pages are ranges of keys, and the last is that of the largest key (which PostgreSQL's sequences make any).
    last_page = math.ceil(posting.pk / PostingSitemap.limit)

    assert client.get(f"/sitemap-postings.xml?p={last_page + 1}").status_code == 404
    assert client.get("/sitemap-postings.xml?p=two").status_code == 404
    assert "only-posting" in client.get(f"/sitemap-postings.xml?p={last_page}").text
    assert len(caches["default"]._cache) == 1
