"""What the benchmark command measures: server time and SQL queries per request, cold and warm.

Every page is requested in-process through Django's test client, with DEBUG off and over HTTPS as in
production; a request's time is its way through every middleware, the view and the template.

- cold: each request asks for parameters (a filter state, search words, a page, a posting) that no earlier
  request of the run asked for. A page with too few variants to go round (the unfiltered listing has one per
  language, a sitemap section one per page) is asked for again with the cache emptied first.
- warm: one URL of the row, requested once beforehand, then again for every timed request.

Before any row is timed, the process serves one page of each row's kind, as a server's worker has served a few
visitors (templates compiled, translations and locale data read), and the cache is emptied after: the first
request of a process is not what a cold page costs. What the process has loaded by then is frozen out of the
garbage collector's reach, as a worker's is after its warm-up (gunicorn.conf.py).

Besides its time and queries, each row says where the time went: the share spent in the database, and the share
spent rendering templates (jobs.benchmark.TemplateTimer); the rest is the views' own Python, the middleware and the
cache.

The reference is a "fortunes" view, after TechEmpower's benchmark of that name: one query of twelve rows
and a small escaped template, through the same middleware as every page. It is timed right after each
request of each row, and every figure of a row is also given as a ratio to the reference's figure from
those alternating requests, so that a machine busy with other work weighs on both alike.

This module is the run's URLconf too: the reference view is routed only while the benchmark runs.
"""

import gc
import math
import os
import random
import re
import statistics
import uuid
import warnings
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from time import perf_counter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count
from django.http import QueryDict
from django.shortcuts import render
from django.template.backends.django import Template as BackendTemplate
from django.test import Client, override_settings
from django.urls import path, reverse
from django.utils import timezone, translation

from config.urls import urlpatterns as site_urlpatterns
from jobs.admin import PostingAdmin
from jobs.catalogue import current as catalogue_state
from jobs.facetindex import indexes
from jobs.filters import facet_index
from jobs.languages import listing_url
from jobs.models import EmploymentType, Lifecycle, Posting, Seniority, Tag, Workplace
from jobs.search import fold
from jobs.sitemaps import PostingSitemap
from jobs.views import PAGE_SIZE

SAMPLE_SIZE = 2000  # live postings read to choose filter values, words and posting pages from
COMMON_WORDS = 8  # the words of titles found in the most postings, per language
RARE_WORDS = 30  # the words found in the fewest postings, per language
FIND_UNSEEN_TRIES = 200
WORD = re.compile(r"[^\W\d_]{4,}")


def fortunes(request):
    """The reference: one query of twelve rows, rendered by a small template that escapes them."""
    rows = Tag.objects.order_by("slug").values("id", "name")[:12]
    return render(request, "benchmark/fortunes.html", {"fortunes": rows})


urlpatterns = [path("benchmark/fortunes/", fortunes, name="benchmark_fortunes"), *site_urlpatterns]


@dataclass
class Catalogue:
    """What the requests ask for, drawn from the live postings."""

    live: dict  # {language: live postings}
    filters: dict  # {language: {listing parameter: values with live postings}}
    common_words: dict  # {language: words of titles found in the most postings of the sample}
    rare_words: dict  # {language: words found in the fewest postings of the sample}
    posting_urls: list
    admin_filters: dict  # {admin changelist parameter: values}

    @classmethod
    def read(cls):
        live = dict(Posting.objects.live().order_by().values_list("language").annotate(n=Count("pk")))
        sample = list(
            Posting.objects.live()
            .order_by("-pk")
            .select_related("company")
            .prefetch_related("tags", "work_countries")
            .only(
                "slug",
                "language",
                "title",
                "summary",
                "description",
                "workplace",
                "employment_type",
                "seniority",
                "company__slug",
            )[:SAMPLE_SIZE]
        )
        filters, titles, documents = {}, {}, {}
        for posting in sample:
            values = filters.setdefault(posting.language, {})
            for name, value in [
                ("workplace", posting.workplace),
                ("employment", posting.employment_type),
                ("seniority", posting.seniority),
                ("company", posting.company.slug),
                *(("country", country.country.code) for country in posting.work_countries.all()),
                *(("tag", tag.slug) for tag in posting.tags.all()),
            ]:
                values.setdefault(name, set()).add(value)
            titles.setdefault(posting.language, set()).update(WORD.findall(fold(posting.title)))
            text = fold(f"{posting.title} {posting.summary} {posting.description}")
            documents.setdefault(posting.language, Counter()).update(set(WORD.findall(text)))
        for values in filters.values():
            values |= {"salary": {"1"}, "posted": {"1", "7", "30"}}
        return cls(
            live=live,
            filters={code: {name: sorted(found) for name, found in values.items()} for code, values in filters.items()},
            common_words={
                code: [word for word in by_count(counts) if word in titles[code]][:COMMON_WORDS]
                for code, counts in documents.items()
            },
            rare_words={code: by_count(counts)[::-1][:RARE_WORDS] for code, counts in documents.items()},
            posting_urls=[posting.get_absolute_url() for posting in sample],
            admin_filters={
                "lifecycle": Lifecycle.values,
                "language__exact": sorted(live),
                "workplace__exact": Workplace.values,
                "employment_type__exact": EmploymentType.values,
                "seniority__exact": Seniority.values,
                "country": sorted({code for values in filters.values() for code in values.get("country", [])}),
            },
        )

    @property
    def languages(self):
        return sorted(self.filters)


def by_count(counts):
    """The words of a Counter, the most frequent first, equals in alphabetical order: the same in every run (a
    Counter orders equals as they came, here from sets, whose order changes with each process's hash seed)."""
    return [word for word, _n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def with_query(url, pairs):
    """`url` with the query string of these (parameter, value) pairs."""
    params = QueryDict(mutable=True)
    for name, value in pairs:
        params.appendlist(name, value)
    return f"{url}?{params.urlencode()}" if params else url


@dataclass
class Row:
    """A line of the table: a kind of request, and how to draw one of its URLs at random."""

    label: str
    draw: object  # random.Random -> URL
    headers: dict = field(default_factory=dict)


def listing_rows(catalogue):
    """The public pages' rows."""

    def language(rng):
        return rng.choice(catalogue.languages)

    def chosen_filters(rng, code, count):
        available = catalogue.filters[code]
        names = rng.sample(sorted(available), min(count, len(available)))
        return [(name, rng.choice(available[name])) for name in names]

    def listing(count, words=None):
        def draw(rng):
            code = language(rng)
            pairs = [("q", rng.choice(words[code]))] if words and words.get(code) else []
            return with_query(listing_url(code), pairs + chosen_filters(rng, code, count))

        return draw

    def deep_page(rng):
        code = language(rng)
        pages = max(1, math.ceil(catalogue.live.get(code, 0) / PAGE_SIZE))
        return with_query(listing_url(code), [("page", rng.randint(math.ceil(pages / 2), pages))])

    def feed(rng):
        code = language(rng)
        with translation.override(code):
            url = reverse("jobs:feed")
        return with_query(url, chosen_filters(rng, code, rng.randint(0, 1)))

    def sitemap_postings(rng):
        pages = max(1, math.ceil(sum(catalogue.live.values()) / PostingSitemap.limit))
        return with_query(reverse("sitemap_section", kwargs={"section": "postings"}), [("p", rng.randint(1, pages))])

    htmx = {"HX-Request": "true"}
    return [
        Row("listing", listing(0)),
        Row("listing, htmx fragment", listing(0), htmx),
        Row("listing, 1 filter", listing(1)),
        Row("listing, 1 filter, htmx fragment", listing(1), htmx),
        Row("listing, 2 filters", listing(2)),
        Row("listing, 3 filters", listing(3)),
        Row("search, common word", listing(0, catalogue.common_words)),
        Row("search, rare word", listing(0, catalogue.rare_words)),
        Row("search, common word + 2 filters", listing(2, catalogue.common_words)),
        Row("listing, deep page", deep_page),
        Row("posting page", lambda rng: rng.choice(catalogue.posting_urls)),
        Row("feed", feed),
        Row("sitemap index", lambda rng: reverse("sitemap")),
        Row("sitemap, listings", lambda rng: reverse("sitemap_section", kwargs={"section": "listings"})),
        Row("sitemap, postings page", sitemap_postings),
    ]


def admin_rows(catalogue):
    """The admin's posting list, as a superuser sees it."""
    changelist = reverse("admin:jobs_posting_changelist")
    pages = max(1, math.ceil(sum(catalogue.live.values()) / PostingAdmin.list_per_page))

    def page(rng):
        return with_query(changelist, [("p", rng.randint(1, min(pages, 50)))])

    def filtered(rng):
        names = rng.sample(sorted(catalogue.admin_filters), rng.randint(1, 2))
        return with_query(changelist, [(name, rng.choice(catalogue.admin_filters[name])) for name in names])

    def search(words):
        every_language = [word for code in catalogue.languages for word in words[code]]

        def draw(rng):
            return with_query(changelist, [("q", rng.choice(every_language))])

        return draw

    return [
        Row("admin: posting list", page),
        Row("admin: posting list, 1-2 filters", filtered),
        Row("admin: search, common word", search(catalogue.common_words)),
        Row("admin: search, rare word", search(catalogue.rare_words)),
    ]


@dataclass
class Timing:
    ms: float
    queries: int
    sql_ms: float
    template_ms: float


class QueryCounter:
    """A database execute wrapper that counts the queries and the time spent in them."""

    def __init__(self):
        self.queries = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries += 1
            self.seconds += perf_counter() - started


class TemplateTimer:
    """Times what Django's template engine renders through its backend (a page, a partial, render_to_string), a
    render within another counted once."""

    def __init__(self):
        self.seconds = 0.0
        self.rendering = False

    @contextmanager
    def installed(self):
        render = BackendTemplate.render

        def timed_render(template, *args, **kwargs):
            if self.rendering:
                return render(template, *args, **kwargs)
            self.rendering = True
            started = perf_counter()
            try:
                return render(template, *args, **kwargs)
            finally:
                self.rendering = False
                self.seconds += perf_counter() - started

        BackendTemplate.render = timed_render
        try:
            yield
        finally:
            BackendTemplate.render = render


class BenchmarkError(Exception):
    pass


def timed(client, url, headers=None):
    counter, templates = QueryCounter(), TemplateTimer()
    with connection.execute_wrapper(counter), templates.installed():
        started = perf_counter()
        response = client.get(url, headers=headers, secure=True)
        elapsed = perf_counter() - started
    if response.status_code != 200:
        raise BenchmarkError(f"{url} answered {response.status_code}")
    return Timing(elapsed * 1000, counter.queries, counter.seconds * 1000, templates.seconds * 1000)


def percentile(values, percent):
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


@dataclass
class Series:
    """The timings of a row's requests, cold or warm, and of the reference requests alternating with them."""

    timings: list = field(default_factory=list)
    reference: list = field(default_factory=list)

    def figures(self):
        times = [timing.ms for timing in self.timings]
        reference = [timing.ms for timing in self.reference]
        queries = [timing.queries for timing in self.timings]
        p50, p95 = statistics.median(times), percentile(times, 95)
        return {
            "p50": p50,
            "p50x": p50 / statistics.median(reference),
            "p95": p95,
            "p95x": p95 / percentile(reference, 95),
            "queries": f"{min(queries)}" if min(queries) == max(queries) else f"{min(queries)}-{max(queries)}",
            "sql": 100 * sum(timing.sql_ms for timing in self.timings) / sum(times),
            "templates": 100 * sum(timing.template_ms for timing in self.timings) / sum(times),
        }


@dataclass
class Result:
    row: Row
    example: str
    cold: Series
    warm: Series


class Run:
    def __init__(self, requests, only=""):
        self.requests = requests
        self.only = only
        self.rng = random.Random(0)  # the same URLs in the same order every run
        self.seen = set()
        host = (settings.ALLOWED_HOSTS or ["localhost"])[0].lstrip(".")
        self.host = "localhost" if host == "*" else host
        self.visitor = Client(HTTP_HOST=self.host)
        self.reference_url = reverse("benchmark_fortunes")

    def unseen(self, row):
        """A URL of the row no request of the run asked for yet, or None when the row has none left."""
        for _ in range(FIND_UNSEEN_TRIES):
            url = row.draw(self.rng)
            if url not in self.seen:
                self.seen.add(url)
                return url
        return None

    def alternating(self, client, url, row, series):
        series.timings.append(timed(client, url, row.headers))
        series.reference.append(timed(self.visitor, self.reference_url))

    def measure(self, row, client):
        cold, warm = Series(), Series()
        for _ in range(self.requests):
            url = self.unseen(row)
            if url is None:
                url = row.draw(self.rng)
                cache.clear()
            self.alternating(client, url, row, cold)
        example = self.unseen(row) or row.draw(self.rng)
        timed(client, example, row.headers)
        for _ in range(self.requests):
            self.alternating(client, example, row, warm)
        return Result(row, example, cold, warm)

    def chosen(self, rows):
        return [row for row in rows if self.only in row.label]

    def measured(self, rows, client):
        """The rows' results, after one untimed request of each (with URLs of their own: the timed ones stay the
        same from run to run) and the cache emptied."""
        warm_up = random.Random(1)
        for row in rows:
            timed(client, row.draw(warm_up), row.headers)
        cache.clear()
        gc.freeze()  # as a server's worker does after its warm-up (gunicorn.conf.py)
        return [self.measure(row, client) for row in rows]

    def results(self, catalogue):
        results = self.measured(self.chosen(listing_rows(catalogue)), self.visitor)
        if not (admin := self.chosen(admin_rows(catalogue))):
            return results
        with transaction.atomic():
            # The superuser, and the session it logs in with, exist only for this part of the run.
            user = get_user_model().objects.create(
                username=f"benchmark-{uuid.uuid4()}", is_staff=True, is_superuser=True
            )
            staff = Client(HTTP_HOST=self.host)
            staff.force_login(user)
            results += self.measured(admin, staff)
            transaction.set_rollback(True)
        return results


def reference_figures(results):
    """The reference's figures over the whole run."""
    timings = [timing for result in results for series in (result.cold, result.warm) for timing in series.reference]
    return Series(timings, timings).figures()


COLUMNS = "{label:34} {p50:>8} {p50x:>7} {p95:>8} {p95x:>7} {queries:>7} {sql:>5} {templates:>9}"


def cells(figures):
    return {
        "p50": f"{figures['p50']:.1f}",
        "p50x": f"{figures['p50x']:.3g}×",
        "p95": f"{figures['p95']:.1f}",
        "p95x": f"{figures['p95x']:.3g}×",
        "queries": figures["queries"],
        "sql": f"{figures['sql']:.0f}%",
        "templates": f"{figures['templates']:.0f}%",
    }


def table(results):
    """One line per row, cold then warm, after the reference's; then each row's warm URL."""
    header = {
        "p50": "p50 ms",
        "p50x": "×",
        "p95": "p95 ms",
        "p95x": "×",
        "queries": "queries",
        "sql": "SQL",
        "templates": "templates",
    }
    lines = [COLUMNS.format(label="", **header)]
    reference = reference_figures(results)
    lines.append(COLUMNS.format(label="fortunes (reference)", **cells(reference)))
    for kind in ("cold", "warm"):
        lines.append(f"{kind}:")
        for result in results:
            lines.append(COLUMNS.format(label=f"  {result.row.label}", **cells(getattr(result, kind).figures())))
    lines.append("warm URLs (cold ones are drawn alike):")
    lines += [f"  {result.row.label}: {result.example}" for result in results]
    return lines


def index_reads(catalogue):
    """The line on reading each language's facet index, which happens once per catalogue version and process (after
    every change HR makes), timed before the rows: their requests find the index read, as the database's buffers."""
    indexes.clear()
    read = {}
    for code in sorted(catalogue.live):
        start = perf_counter()
        index = facet_index(code, timezone.now(), catalogue_state())
        read[code] = f"{(perf_counter() - start) * 1000:.0f} ms, {index.nbytes / 2**20:.1f} MiB"
    each = "; ".join(f"{code} {figures}" for code, figures in read.items())
    return f"facet index read once per catalogue version, per language (jobs.facetindex): {each}"


def index_updates(catalogue):
    """The line on bringing each language's facet index up to date after HR save a posting, timed after the rows (in
    a transaction rolled back after it: the database is left as it was)."""
    with transaction.atomic():
        Posting.objects.live().order_by("-pk").first().save()
        state, now = catalogue_state(), timezone.now()
        updated = {}
        for code in sorted(catalogue.live):
            start = perf_counter()
            facet_index(code, now, state)
            updated[code] = f"{(perf_counter() - start) * 1000:.0f} ms"
        transaction.set_rollback(True)
    each = "; ".join(f"{code} {figure}" for code, figure in updated.items())
    return f"facet index brought up to date after a posting is saved: {each}"


def load_average():
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def heading(catalogue, requests, load_before):
    by_language = ", ".join(f"{code} {count:,}" for code, count in sorted(catalogue.live.items()))
    return [
        f"{sum(catalogue.live.values()):,} live postings ({by_language}) on {connection.vendor}, "
        f"{requests} requests per row cold and warm, load average {load_before} before, {load_average()} after",
        "cold: parameters no earlier request asked for (pages without enough variants: the cache emptied first); "
        "warm: one URL again and again.",
        "×: the figure divided by the fortunes view's, timed alternately with the row; "
        "SQL: share of the time spent in the database; templates: share spent rendering templates (with any SQL "
        "they run; the rest is the views' own Python, the middleware and the cache).",
    ]


def run(requests, write, only=""):
    """Measure every row, or those whose label contains `only`, and write the report line by line."""
    # Static URLs come from the plain storage: the benchmark needs no collectstatic, and the manifest lookup it
    # skips costs microseconds.
    staticfiles = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with (
        override_settings(
            DEBUG=False, ROOT_URLCONF=__name__, STORAGES={**settings.STORAGES, "staticfiles": staticfiles}
        ),
        warnings.catch_warnings(),
    ):
        # WhiteNoise, started with DEBUG off, notes that collectstatic has not run.
        warnings.filterwarnings("ignore", "No directory at", UserWarning)
        gc.freeze()  # as config/wsgi.py does once the application is loaded
        load_before = load_average()
        catalogue = Catalogue.read()
        if not catalogue.live:
            raise BenchmarkError("No live postings: run seed_demo or generate_postings first.")
        reads = index_reads(catalogue)
        results = Run(requests, only).results(catalogue)
        if not results:
            raise BenchmarkError(f"No row's label contains {only!r}.")
        updates = index_updates(catalogue)
        for line in [*heading(catalogue, requests, load_before), reads, updates, *table(results)]:
            write(line)
