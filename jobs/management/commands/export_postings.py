from functools import partial
from pathlib import Path
from urllib.parse import urljoin

from django.conf import settings
from django.core.management.base import BaseCommand

from jobs.exchange import postings_json
from jobs.models import Lifecycle, Posting


class Command(BaseCommand):
    help = "Write postings as schema.org JobPosting JSON (format: README, “Export and import”), for import_postings."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", type=Path, help="File to write; standard output when not given.")
        parser.add_argument("--language", choices=[code for code, _name in settings.LANGUAGES])
        parser.add_argument("--lifecycle", choices=Lifecycle.values, help="Only postings in this state.")
        parser.add_argument(
            "--base-url", help="The site's address, e.g. https://jobs.example.com, for each posting's url."
        )

    def handle(self, *args, output, language, lifecycle, base_url, **options):
        postings = Posting.objects.all()
        if language:
            postings = postings.in_language(language)
        if lifecycle:
            postings = postings.in_lifecycle(lifecycle)
        content = postings_json(postings, partial(urljoin, base_url) if base_url else None)
        if output:
            output.write_text(content, encoding="utf-8")
            self.stderr.write(f"{postings.count()} postings written to {output}.")
        else:
            self.stdout.write(content, ending="")
