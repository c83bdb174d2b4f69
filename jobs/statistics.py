"""Posting statistics for HR: page views and apply clicks per posting and day, counted without personal data.

A posting's page reports a view, and each click on an apply button, with a beacon (static/js/statistics.js
posting to jobs.views.posting_beacon): counting costs the page nothing and works when the page itself came from a
shared cache. A beacon counts unless it looks automated (see `counts`), and a visitor's repeated beacons for
the same posting count once in REPEAT_SECONDS: their address and user agent are hashed with a salt that
changes every day and lives only in the cache, and the hash is kept in the cache for REPEAT_SECONDS. The
database holds only the daily numbers (models.DailyStatistics); no cookie is set.
"""

import datetime
import hashlib
import secrets

from crawlerdetect import CrawlerDetect
from django.core.cache import cache
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from core.ratelimits import client_address
from jobs.models import DailyStatistics

EVENTS = ("views", "apply_clicks")  # what a beacon counts: a column of DailyStatistics
REPEAT_SECONDS = 30 * 60  # the same visitor's beacons for a posting within this time count once
SALT_SECONDS = 25 * 60 * 60  # a day's salt outlives its day by an hour at most
RECENT_DAYS = 30  # what the admin shows

CRAWLERS = CrawlerDetect()
# Browsers fetching a page before anyone asked for it say so (Chrome, Firefox, Safari).
PREFETCH_HEADERS = ("Sec-Purpose", "Purpose", "X-Purpose", "X-Moz")


def counts(request):
    """Whether the request is a visitor's beacon worth counting.

    Not counted: requests without a user agent or with a crawler's (crawlerdetect's list), prefetches and
    prerenders, requests a browser marks as sent from another site, and staff signed in to the admin.
    """
    agent = request.headers.get("User-Agent", "").strip()
    if not agent or CRAWLERS.is_crawler(agent):
        return False
    if any(request.headers.get(header) for header in PREFETCH_HEADERS):
        return False
    if request.headers.get("Sec-Fetch-Site", "same-origin") != "same-origin":
        return False
    return not request.user.is_staff


def daily_salt(day):
    """A random value for `day`, shared by the processes through the cache and never written anywhere else."""
    key = f"statistics:salt:{day.isoformat()}"
    salt = cache.get(key)
    if salt is None:
        cache.add(key, secrets.token_hex(16), timeout=SALT_SECONDS)
        salt = cache.get(key) or secrets.token_hex(16)
    return salt


def first_in_a_while(request, posting_id, event, day):
    """True for the first such beacon from this address and user agent in REPEAT_SECONDS."""
    visitor = "\n".join(
        [daily_salt(day), client_address(request), request.headers["User-Agent"], str(posting_id), event]
    )
    key = "statistics:seen:" + hashlib.sha256(visitor.encode()).hexdigest()
    return cache.add(key, True, timeout=REPEAT_SECONDS)


def count(request, posting_id, event):
    """Counts the beacon for `event` on the posting, if it counts and is the visitor's first in a while."""
    day = timezone.localdate()
    if counts(request) and first_in_a_while(request, posting_id, event, day):
        add(posting_id, day, event)


def add(posting_id, day, event):
    """Adds one to the posting's `event` count of `day`, in one statement (PostgreSQL and SQLite)."""
    if event not in EVENTS:
        raise ValueError(f"Unknown event {event!r}")
    quote = connection.ops.quote_name
    table, column = quote(DailyStatistics._meta.db_table), quote(event)
    numbers = {other: int(other == event) for other in EVENTS}
    columns = ", ".join(quote(name) for name in numbers)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (posting_id, day, {columns}) VALUES (%s, %s, %s, %s) "
            f"ON CONFLICT (posting_id, day) DO UPDATE SET {column} = {table}.{column} + EXCLUDED.{column}",
            [posting_id, day, *numbers.values()],
        )


def recent_days(today=None, days=RECENT_DAYS):
    """The last `days` days up to `today`, newest first."""
    today = today or timezone.localdate()
    return [today - datetime.timedelta(days=offset) for offset in range(days)]


def recent_totals(posting_ids, days=RECENT_DAYS):
    """{posting id: {"views": n, "apply_clicks": n}} over the last `days` days, in one query over the postings' rows."""
    rows = (
        DailyStatistics.objects.filter(posting__in=posting_ids, day__gte=recent_days(days=days)[-1])
        .values("posting")
        .annotate(views=Sum("views"), apply_clicks=Sum("apply_clicks"))
        .order_by()
    )
    return {row["posting"]: {event: row[event] for event in EVENTS} for row in rows}


def per_day(posting, days=RECENT_DAYS):
    """The posting's counts for each of the last `days` days, newest first, days without any with zeros."""
    dates = recent_days(days=days)
    recorded = {row.day: row for row in posting.daily_statistics.filter(day__gte=dates[-1])}
    return [recorded.get(day) or DailyStatistics(posting=posting, day=day) for day in dates]
