import os
import runpy
from pathlib import Path

import pytest
from django.core.cache import cache

SETTINGS = Path(__file__).resolve().parent.parent / "config" / "settings.py"
PRODUCTION_SECRET_KEY = "production-like-secret-key-for-tests-0123456789-abcdefghijklmnop"


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (cached pages, such as the sitemaps, would leak between tests)."""
    yield
    cache.clear()


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
