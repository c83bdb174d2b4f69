"""HTTP caching of public pages: what browsers and shared caches (a CDN, a caching proxy) may keep."""

from functools import wraps

from django.utils.cache import patch_cache_control

# Browsers keep a page a minute; shared caches five, so a new or closed posting shows within minutes.
# After that, ConditionalGetMiddleware's ETag turns a revalidation into a bodiless 304 when nothing changed.
BROWSER_SECONDS = 60
SHARED_CACHE_SECONDS = 300


def shareable(view):
    """Marks the view's successful answers (200, and 410 for a closed posting) as cacheable by shared caches.

    The pages must be the same for every visitor: they read no session and carry no CSRF token, so they
    set no cookie and have no `Vary: Cookie`. A response that already says how to cache it (an HR preview
    is never cached) is left alone.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code in (200, 410) and not response.has_header("Cache-Control"):
            patch_cache_control(response, public=True, max_age=BROWSER_SECONDS, s_maxage=SHARED_CACHE_SECONDS)
        return response

    return wrapped
