"""Site-wide request handling: request ids and logs, the health check, allowed methods, an unavailable database."""

import logging
import re
import time
import uuid

from django.db import InterfaceError, OperationalError
from django.http import HttpResponseNotAllowed

from core import database, views
from core.logging import request_id

request_log = logging.getLogger("core.requests")

# An id the proxy (or a client) sent is kept when it looks like one; anything else is replaced.
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
ALLOWED_METHODS = ("GET", "HEAD", "POST")
# PostgreSQL's code for a statement that ran past statement_timeout: a slow query, not an outage.
QUERY_CANCELED = "57014"


class RequestLogMiddleware:
    """One log line per request (id, method, path, status, duration, staff user id); the id is sent back as X-Request-ID."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = request.headers.get("X-Request-ID", "")
        request.id = sent if REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
        token = request_id.set(request.id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.id
            self.log(request, response, time.perf_counter() - started)
            return response
        finally:
            request_id.reset(token)

    def log(self, request, response, duration):
        fields = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round(duration * 1000, 1),
        }
        # Only a user the request has already looked up: the log line must not cost a query.
        user = getattr(request, "_cached_user", None)
        if user is not None and user.is_staff:
            fields["user_id"] = user.pk
        if error := getattr(response, "log_error", None):
            fields["error"] = error
        if response.status_code == 503:
            level = logging.WARNING
        elif response.status_code >= 500:
            level = logging.ERROR
        else:
            level = logging.INFO
        request_log.log(level, "%s %s %s", request.method, request.path, response.status_code, extra=fields)


class HealthCheckMiddleware:
    """Answers /healthz before host validation and the HTTPS redirect: load balancers call it by address, over HTTP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz":
            return views.healthz(request)
        return self.get_response(request)


class AllowedMethodsMiddleware:
    """Only GET, HEAD and POST (for forms) are answered; TRACE, PUT, OPTIONS and the rest get 405."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ALLOWED_METHODS:
            return HttpResponseNotAllowed(ALLOWED_METHODS)
        return self.get_response(request)


class QueryDeadlineMiddleware:
    """Watches the request's PostgreSQL queries (core.database), when settings.DATABASE_QUERY_DEADLINE is set."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.watchdog = database.deadline_watchdog()

    def __call__(self, request):
        with database.watched(self.watchdog):
            return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """A database that is down, hung past its timeouts or restarting gets a 503 page, not a 500 and a traceback.

    A failure other than a statement timeout is checked on a new connection (core.database): when that
    fails too, the process answers 503 at once for the next second.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if database.outage.skipping():
            return views.database_unavailable(request, "an outage seen moments ago")
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        if not database.outage.skipping() and getattr(exception.__cause__, "sqlstate", None) != QUERY_CANCELED:
            database.database_answers()
        first_line = next(iter(str(exception).strip().splitlines()), "")
        return views.database_unavailable(request, f"{type(exception).__name__}: {first_line}")
