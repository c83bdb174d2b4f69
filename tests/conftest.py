import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (cached pages, such as the sitemaps, would leak between tests)."""
    yield
    cache.clear()
