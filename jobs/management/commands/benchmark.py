from django.core.management.base import BaseCommand, CommandError

from jobs import benchmark


class Command(BaseCommand):
    help = (
        "Time the public pages and the admin's posting list against the current database, cold and warm, "
        "beside a one-query reference view, and print the table (see jobs/benchmark.py and generate_postings)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=20, help="Timed requests per row, cold and warm each.")
        parser.add_argument("--only", default="", help='Only the rows whose label contains this text, e.g. "admin".')

    def handle(self, *args, requests, only, **options):
        try:
            benchmark.run(requests, self.stdout.write, only)
        except benchmark.BenchmarkError as error:
            raise CommandError(error) from error
