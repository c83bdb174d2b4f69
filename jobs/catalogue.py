"""What the public pages show, as a cache key: results cached under it are exact until the next change.

The catalogue changes in two ways. HR changes it (a posting, its items, tags, company saved or deleted, an import,
an admin action, a restore, the search index following them): each change adds one to CatalogueVersion in the same
transaction, and records which postings it touched (CatalogueChange), from which the facet indexes (jobs.facetindex)
read those postings alone again. Time changes it: a scheduled posting goes live, a live one expires, a posting
leaves a "posted within" window, or a new day begins (pages say "Posted yesterday"). The earliest such moment still
ahead is the state's boundary. A result cached under (version, boundary) stays right until one of them moves, and
both are read in one query per request, so that:

- every process sharing the cache sees a change at once;
- a change made while Redis was down is not lost (the version is in the database), and a Redis outage is only
  cache misses (core.cache);
- nothing needs purging: old keys are never asked for again and expire after CACHE_SECONDS.
"""

import functools
import hashlib
import itertools
import json
import re
import weakref
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import wraps
from wsgiref.util import setup_testing_defaults

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router, transaction
from django.db.models import F, Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.middleware.gzip import re_accepts_gzip
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers, set_response_etag
from django.utils.text import compress_string

from jobs.facetindex import in_thread
from jobs.filters import POSTED_WITHIN
from jobs.models import (
    Benefit,
    CareerStep,
    CatalogueChange,
    CatalogueVersion,
    Company,
    CompanyDescription,
    ExchangeRate,
    Office,
    Posting,
    Requirement,
    Responsibility,
    Status,
    Tag,
    WorkingLanguage,
    rates_table,
)

CACHE_SECONDS = 15 * 60
GZIP_MIN_LENGTH = 200  # GZipMiddleware leaves shorter bodies as they are
NAMED_AT_MOST = 10_000  # postings a change names: one touching more counts as touching any
POSTED_WINDOWS = [int(value) for value, _label in POSTED_WITHIN]  # days


def bump(postings=None):
    """Count one change to the catalogue, and the keys of the `postings` it touched (None: possibly any), for what
    is brought up to date by reading those alone again (jobs.facetindex). Writes that send no signals call it.

    The new version and its changes are committed together, even where the write itself was not in a transaction:
    a version seen without its changes would read as touching no posting."""
    with transaction.atomic(savepoint=False):
        if not CatalogueVersion.objects.filter(pk=1).update(number=F("number") + 1):
            CatalogueVersion.objects.bulk_create([CatalogueVersion(pk=1, number=1)], ignore_conflicts=True)
        number = CatalogueVersion.objects.values_list("number", flat=True).get(pk=1)
        keys = [None] if postings is None else postings
        CatalogueChange.objects.bulk_create(CatalogueChange(version=number, posting=key) for key in keys)
        if number % CatalogueChange.KEPT == 0:
            CatalogueChange.objects.filter(version__lte=number - CatalogueChange.KEPT).delete()


def changed(sender, instance, signal, reverse=False, pk_set=None, **kwargs):
    """A signal receiver: bump() for a write through a model, naming the postings it touched."""
    if pk_set is not None and not pk_set:  # tags added or removed that were already there or not
        return
    if reverse:  # a tag's postings added or removed (pk_set: None when they are all removed)
        bump(pk_set)
    else:
        bump(touched(instance, deleted=signal is post_delete))


def touched(instance, deleted):
    """The keys of the postings a saved or deleted object belongs to (a company or tag: those that have it); None
    if they cannot be told, or are more than NAMED_AT_MOST."""
    if isinstance(instance, Posting):
        return [instance.pk]
    if hasattr(instance, "posting_id"):  # a posting's item, office or working language
        return [instance.posting_id]
    if isinstance(instance, Tag):
        if deleted:  # its postings' links to it are gone with it
            return None
        postings = Posting.objects.filter(tags=instance)
    else:  # a company or one of its descriptions
        postings = Posting.objects.filter(company=getattr(instance, "company_id", instance.pk))
    keys = list(postings.using(instance._state.db).values_list("pk", flat=True)[: NAMED_AT_MOST + 1])
    return keys if len(keys) <= NAMED_AT_MOST else None


def connect_signals():
    """Every write HR makes through models bumps the version; bulk writes call bump() themselves."""
    written = (Posting, Responsibility, Requirement, Benefit, CareerStep, Office, WorkingLanguage, Company, Tag)
    for model in (*written, CompanyDescription):
        post_save.connect(changed, sender=model, dispatch_uid=f"catalogue-{model.__name__}-save")
        post_delete.connect(changed, sender=model, dispatch_uid=f"catalogue-{model.__name__}-delete")
    m2m_changed.connect(changed, sender=Posting.tags.through, dispatch_uid="catalogue-tags")


def first_after(field, moment, **conditions):
    """The earliest value of `field` after `moment` among postings (read from the start of an index range)."""
    later = Posting.objects.filter(**conditions, **{f"{field}__gt": moment}).order_by(field)
    return Subquery(later.values(field)[:1])


@dataclass(frozen=True)
class State:
    version: int | None  # None in a database without the version row (emptied by hand): nothing is cached then
    boundary: datetime | None  # when the live set or a "posted within" window next changes by the clock
    # The exchange rates as ExchangeRate.objects.summary() gives them ("" for none; None if not read), read with the
    # version: every listing shows them, and a refresh bumps it.
    rates: str | None = None

    @functools.cached_property
    def exchange_table(self):
        """ExchangeRate.objects.table(), read from `rates` when first asked for: a page served from the cache is not."""
        return None if self.rates is None else rates_table(self.rates)

    def key(self, *parts, clock=True):
        """A cache key for a result that depends on this state and on `parts` (JSON-serialisable); with `clock`
        False, on the version and `parts` alone, not on the boundary: for a result that the clock does not change."""
        digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]
        boundary = self.boundary.timestamp() if self.boundary else "none"
        return f"catalogue:{self.version}:{boundary if clock else 'any'}:{digest}"

    def cached(self, compute, *parts, keep=None):
        """compute(), or its result cached under key(*parts); with `keep`, only a result that keep(result) approves
        is cached."""
        if self.version is None:
            return compute()
        key = self.key(*parts)
        result = cache.get(key)
        if result is None:
            result = compute()
            if keep is None or keep(result):
                cache.set(key, result, CACHE_SECONDS)
        return result

    def cached_each(self, compute, items, *parts):
        """compute(items) (a value per item, in order), each value cached under key(*parts, item.pk) for as long as
        the version holds: one cache round trip for them all, compute() given only the items whose value was not
        cached. For values that the clock does not change but for the day, which `parts` then name: the next
        publish or expiry (every few seconds in a large catalogue) does not make them again."""
        if self.version is None:
            return compute(items)
        keys = [self.key(*parts, item.pk, clock=False) for item in items]
        found = cache.get_many(keys)
        missing = [(key, item) for key, item in zip(keys, items, strict=True) if key not in found]
        if missing:
            made = dict(zip([key for key, _item in missing], compute([item for _key, item in missing]), strict=True))
            cache.set_many(made, CACHE_SECONDS)
            found |= made
        return [found[key] for key in keys]


def cached_response(*headers, statuses=(200,), parameters=None):
    """A view decorator: the view's responses cached under the catalogue state and everything they vary on (scheme,
    host, path, query parameters in order, the language, and the request `headers` the response varies by), so that
    a page, a feed or a sitemap changes the moment the catalogue does. The view finds the state as
    `request.catalogue`.

    Only responses of `statuses` that may be stored are cached: not one that says "Cache-Control: no-store", as an HR
    preview does. The view's answer must be the same for every visitor otherwise: no session, user or CSRF token.
    With `parameters` (the query parameters the view reads), a request with any other is answered without the cache,
    so that made-up parameters (a tracking tag, or a flood of random ones) cannot fill it.
    """

    def decorator(view):
        def storable(response):
            return response.status_code in statuses and not forbids_storing(response)

        def made(request, *args, **kwargs):
            response = rendered(view(request, *args, **kwargs))
            return prepared(response) if storable(response) else response

        @wraps(view)
        def cached_view(request, *args, **kwargs):
            request.catalogue = current()
            if parameters is not None and not set(request.GET) <= parameters:
                return view(request, *args, **kwargs)
            address = (request.scheme, request.get_host(), request.path, sorted(request.GET.lists()))
            varying = (translation.get_language(), [request.headers.get(header) for header in headers])
            response = request.catalogue.cached(
                lambda: made(request, *args, **kwargs), "response", *address, *varying, keep=storable
            )
            return served(request, response) if storable(response) else response

        return cached_view

    return decorator


def forbids_storing(response):
    directives = {directive.split("=")[0].strip().lower() for directive in response.get("Cache-Control", "").split(",")}
    return "no-store" in directives


def rendered(response):
    """The response, a template response rendered, as the cache can hold it."""
    if hasattr(response, "render"):
        response.render()
    return response


def prepared(response):
    """The response with what each request would otherwise compute again, for the cache: its ETag (as
    ConditionalGetMiddleware makes it) and its body compressed, as GZipMiddleware would (and only where it would)."""
    set_response_etag(response)
    if len(response.content) >= GZIP_MIN_LENGTH:
        response.compressed = compress_string(response.content)
    return response


def served(request, response):
    """A prepared response as this request takes it: compressed if the client accepts gzip, with the Vary and ETag
    headers GZipMiddleware would give it. It is compressed once for everyone, without GZipMiddleware's random padding
    against BREACH: a cached page is the same for every visitor and holds no secret to guess."""
    patch_vary_headers(response, ("Accept-Encoding",))
    compressed = getattr(response, "compressed", None)
    if compressed is None or not re_accepts_gzip.search(request.headers.get("Accept-Encoding", "")):
        return response
    response.content = compressed
    response.headers["Content-Length"] = str(len(compressed))
    response.headers["Content-Encoding"] = "gzip"
    response.headers["ETag"] = re.sub(r'^"', 'W/"', response.headers["ETag"])
    return response


# The state's query is compiled once per database for this moment, then run with the moments of each request in
# place of the ones derived from it: building it with the ORM took most of a cached page's time.
COMPILED_AT = datetime(2000, 1, 1, tzinfo=UTC)
# The moments the query compares with: now, and now minus each "posted within" window.
OFFSETS = [timedelta(0), *(timedelta(days=days) for days in POSTED_WINDOWS)]


def state_query(now):
    """The version, the exchange rates, and the moments after `now` when the live set next changes by the clock."""
    moments = {
        "publishing": first_after("published_at", now),
        "expiring": first_after("valid_through", now, status=Status.PUBLISHED),
        **{f"leaving_{days}": first_after("published_at", now - timedelta(days=days)) for days in POSTED_WINDOWS},
    }
    return CatalogueVersion.objects.filter(pk=1).values(
        "number", rates=Subquery(ExchangeRate.objects.summary()), **moments
    )


@functools.cache
def compiled(alias):
    """(SQL, parameters, {parameter's index: its offset from now}, column names) of the state's query on `alias`."""
    queryset = state_query(COMPILED_AT)
    sql, params = queryset.query.get_compiler(alias).as_sql()
    adapt = connections[alias].ops.adapt_datetimefield_value
    offsets = {adapt(COMPILED_AT - offset): offset for offset in OFFSETS}
    moments = {
        index: offsets[param] for index, param in enumerate(params) if isinstance(param, Hashable) and param in offsets
    }
    if set(moments.values()) != set(OFFSETS):
        raise RuntimeError("The state's query does not carry its moments as parameters: compile it for each request.")
    query = queryset.query
    return sql, params, moments, [*query.extra_select, *query.values_select, *query.annotation_select]


# The names under which PostgreSQL's sessions hold the state's query prepared: planning its seven subqueries took
# 0.5 ms of the 0.8 it took to run, on every request, cached pages included.
STATE_STATEMENT = "jobs_catalogue_state_"  # the prefix of those names, a number after it
state_statements = weakref.WeakKeyDictionary()  # {database session (psycopg connection): name}
prepared_numbers = itertools.count(1)  # next() of a count is atomic: threads may prepare at once


def executed_prepared(cursor, session, sql, values):
    """Run the state's query `sql` with `values` as the statement `session` holds prepared, preparing it first in the
    same round trip if the session does not hold it yet. A prepared statement lasts as long as its session, whatever
    becomes of the transaction it was prepared in; one prepared by a statement that then failed is left unused, and
    the next is prepared under a new name."""
    execute = f"EXECUTE {{}}({', '.join(['%s'] * len(values))})"
    if name := state_statements.get(session):
        cursor.execute(execute.format(name), values)
        return
    name = f"{STATE_STATEMENT}{next(prepared_numbers)}"
    positions = itertools.count(1)
    numbered = re.sub("%s", lambda _placeholder: f"${next(positions)}", sql)
    cursor.execute(f"PREPARE {name} AS {numbered}; {execute.format(name)}", values)
    cursor.nextset()
    state_statements[session] = name


def as_moment(value):
    """A moment as the database gave it: SQLite gives text, in UTC, for a value computed by a subquery."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value and value.tzinfo is None else value


def next_midnight(now):
    """The start of the day after `now`'s in the site's time zone, when "Posted today" becomes "Posted yesterday"."""
    return timezone.make_aware(datetime.combine(timezone.localdate(now) + timedelta(days=1), time.min))


def current(now=None):
    """The catalogue's state at `now`, with the exchange rates, in one query."""
    now = now or timezone.now()
    alias = router.db_for_read(CatalogueVersion)
    sql, params, moments, names = compiled(alias)
    connection = connections[alias]
    adapt = connection.ops.adapt_datetimefield_value
    values = [adapt(now - moments[index]) if index in moments else param for index, param in enumerate(params)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            executed_prepared(cursor, connection.connection, sql, values)
        else:
            cursor.execute(sql, values)
        found = cursor.fetchone()
    if found is None:
        return State(None, None)
    row = dict(zip(names, found, strict=True))
    upcoming = [as_moment(row["publishing"]), as_moment(row["expiring"])]
    upcoming += [
        as_moment(row[f"leaving_{days}"]) + timedelta(days=days) for days in POSTED_WINDOWS if row[f"leaving_{days}"]
    ]
    boundary = min(moment for moment in [*upcoming, next_midnight(now)] if moment)
    return State(row["number"], boundary, row["rates"] or "")


def warm_up(application, then=None):
    """Make a new process ready for its first visitors, in a thread of its own: serve each language's listing once
    through `application`, the WSGI application, which reads the language's facet index as visitors' requests read
    it (they then find it read, or wait for the read under way, jobs.facetindex, instead of each reading it again),
    and imports the URLconf, compiles the templates and reads the translations and locale data that the first
    requests would otherwise wait for; then call then(), if given. Started by gunicorn in each new worker
    (gunicorn.conf.py); the thread, to wait for it."""

    def work():
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                serve(application, reverse("jobs:posting_list"))
        if then is not None:
            then()

    return in_thread("warm-up", work, "A new process could not be warmed up.")


def serve(application, path):
    """A GET of `path` over HTTPS served by the WSGI `application`, as from the first host the site answers to;
    an answer other than 200 raises WarmUpError."""
    host = next((host.lstrip(".") for host in settings.ALLOWED_HOSTS if host != "*"), "localhost")
    environ = {"PATH_INFO": path, "HTTP_HOST": host, "wsgi.url_scheme": "https", "HTTP_X_FORWARDED_PROTO": "https"}
    setup_testing_defaults(environ)
    answers = []
    body = application(environ, lambda status, headers, exc_info=None: answers.append(status))
    try:
        for _chunk in body:
            pass
    finally:
        if hasattr(body, "close"):
            body.close()
    if not answers[0].startswith("200"):
        raise WarmUpError(f"{path} answered {answers[0]}")


class WarmUpError(Exception):
    pass
