"""Per-address rate limits on the forms anyone can post (settings.RATE_LIMITS), checked before the form is."""

from axes.helpers import get_client_ip_address
from django.conf import settings
from django_ratelimit.decorators import ratelimit


def client_address(request):
    """The client's address as django-axes sees it: the connection's, or behind the proxy the one it appended."""
    return get_client_ip_address(request) or request.META["REMOTE_ADDR"]


def rate(group, request):
    return settings.RATE_LIMITS[group]


def limit_posts(group):
    """Refuses a client address's POSTs past the group's rate with 429 (core.views.too_many_requests)."""
    return ratelimit(group=group, key="ip", rate=rate, method="POST")
