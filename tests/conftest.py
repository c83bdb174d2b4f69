import os
import runpy
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread
from django.utils import translation

from core import database
from core.outages import Outage
from jobs.facetindex import indexes
from jobs.sitemaps import PostingSitemap

SETTINGS = Path(__file__).resolve().parent.parent / "config" / "settings.py"
PRODUCTION_SECRET_KEY = "production-like-secret-key-for-tests-0123456789-abcdefghijklmnop"


class TakingTurns(ThreadedWSGIServer):
    """The live server (browser and concurrency tests), answering one request at a time on SQLite.

    SQLite's in-memory test database is one connection handed to every request's thread (or, when the server starts
    before the database is set up, one shared cache that each thread's connection locks table by table). Two
    requests at once (the admin's live preview arriving while the form is saved) interleave their statements and
    transactions on it, and SQLite fails with "bad parameter or other API misuse". On PostgreSQL each thread has its
    own connection: no turns.
    """

    def set_app(self, application):
        if connection.vendor != "sqlite":
            return super().set_app(application)
        turn = threading.Lock()

        def one_at_a_time(environ, start_response):
            with turn:
                response = application(environ, start_response)
                try:
                    return list(response)
                finally:
                    response.close()

        return super().set_app(one_at_a_time)


@pytest.fixture(scope="session", autouse=True)
def live_server_takes_turns():
    """Set before any test can start the (session-wide) live server."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LiveServerThread, "server_class", TakingTurns)
        yield


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with empty caches (cached sitemaps and rate-limit counts would leak between tests), and no facet
    index: each test's transaction is rolled back, so its catalogue version number comes again with other postings.
    Every cache is emptied, not only those this thread used: a live server's thread fills the same local memory."""
    yield
    for cache in caches.all():
        cache.clear()
    indexes.clear()


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a request leaves the language it chose active in the thread."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def no_database_outage(monkeypatch):
    """Each test starts without a database outage seen by an earlier one (core.database)."""
    monkeypatch.setattr(database, "outage", Outage("Database", retry_seconds=1))


@pytest.fixture
def production_settings(monkeypatch):
    """What config.settings makes of a production environment: DJANGO_SECRET_KEY and the given variables only."""

    def read(**environ):
        for name in list(os.environ):
            if name.startswith("DJANGO_"):
                monkeypatch.delenv(name)
        for name, value in {"DJANGO_SECRET_KEY": PRODUCTION_SECRET_KEY, **environ}.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(SETTINGS))

    return read


@pytest.fixture
def behind_proxy(settings, production_settings):
    """The test settings, with every setting that DJANGO_BEHIND_PROXY=true changes."""
    direct = production_settings()
    proxied = production_settings(DJANGO_BEHIND_PROXY="true")
    for name, value in proxied.items():
        if name.isupper() and (name not in direct or direct[name] != value):
            setattr(settings, name, value)


@pytest.fixture
def one_postings_sitemap_page(monkeypatch):
    """The postings sitemap on one page whatever the keys: its pages are key ranges, and keys grow across tests."""
    monkeypatch.setattr(PostingSitemap, "limit", 10**9)
