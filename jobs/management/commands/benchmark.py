import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jobs.models import Posting


def timed(client, url, requests):
    """Milliseconds of each of `requests` GETs of `url` (after one warm-up), and the queries of the last."""
    client.get(url)
    times = []
    for _ in range(requests):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")
    return times, len(queries)


class Command(BaseCommand):
    help = "Time the public pages against the current database and print the figures (see generate_postings)."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=20, help="Requests per page.")

    def handle(self, *args, requests, **options):
        posting = Posting.objects.live().order_by("-published_at").first()
        if posting is None:
            raise CommandError("No live postings: run seed_demo or generate_postings first.")
        language = settings.LANGUAGE_CODE
        urls = [f"/{code}/" for code, _name in settings.LANGUAGES] + [
            f"/{language}/?q=engineer",
            f"/{language}/?workplace=remote&workplace=hybrid&seniority=senior&salary=1",
            f"/{language}/?country=DE&country=FR&posted=30&page=2",
            posting.get_absolute_url(),
            f"/{language}/feed/",
            "/sitemap-postings.xml",
        ]
        client = Client(HTTP_HOST=(settings.ALLOWED_HOSTS or ["localhost"])[0])
        self.stdout.write(
            f"{Posting.objects.live().count()} live postings, {requests} requests per page, {connection.vendor}"
        )
        self.stdout.write(f"{'page':70} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
        for url in urls:
            times, queries = timed(client, url, requests)
            p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
            self.stdout.write(f"{url:70} {statistics.median(times):10.1f} {p95:8.1f} {queries:8}")
