from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core import database

# Seconds a client is asked to wait before trying again.
DATABASE_RETRY_AFTER = 30
RATE_LIMIT_RETRY_AFTER = 60


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links to."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


@require_safe
@never_cache
def healthz(request):
    """For load balancers: 200 when the database takes a new connection and answers, 503 when not, within the connect
    timeout (at once during an outage this process has seen). The cache is not consulted."""
    if database.outage.skipping() or not database.database_answers():
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def database_unavailable(request, reason):
    """The 503 page, in the visitor's language, rendered without the database; `reason` goes to the request's log line."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER)
    add_never_cache_headers(response)
    response.log_error = f"database unavailable: {reason}"
    return response


def too_many_requests(request, exception):
    """django-ratelimit's answer when a client address posts a form too often (settings.RATE_LIMITS)."""
    response = HttpResponse(render_to_string("429.html"), status=429)
    response["Retry-After"] = str(RATE_LIMIT_RETRY_AFTER)
    return response


@require_safe
@never_cache
def choose_language(request, code):
    """The public language switcher's plain link: remembers `code` in the language cookie, then goes to `next`.

    A GET, so the public pages need no CSRF-protected form (and no CSRF cookie) to switch languages;
    the cookie only decides where / leads next time, since every other public URL names its language.
    """
    if code not in dict(settings.LANGUAGES):
        raise Http404
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = f"/{code}/"
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
