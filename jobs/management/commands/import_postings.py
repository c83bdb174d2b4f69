import json
import sys
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jobs.exchange import ImportFailed, read_records, save


class Command(BaseCommand):
    help = (
        "Create, or update by slug, postings from a file written by export_postings. Every record is checked "
        "first: if any has errors, they are listed and nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The JSON file, or - for standard input.")
        parser.add_argument("--dry-run", action="store_true", help="Check every record, import nothing.")

    def handle(self, *args, file, dry_run, **options):
        try:
            content = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
            records = json.loads(content.decode("utf-8-sig"), parse_float=Decimal)
        except RecursionError:
            raise CommandError(f"Cannot read {file}: its JSON is nested too deeply.") from None
        except (OSError, ValueError) as problem:  # ValueError: not UTF-8, not JSON, or an integer too long to read
            raise CommandError(f"Cannot read {file}: {problem}") from problem
        try:
            imported = read_records(records)
        except ImportFailed as failure:
            for label, messages in failure.errors:
                self.stderr.write(label)
                for message in messages:
                    self.stderr.write(f"  {message}")
            faulty = len(failure.errors)
            records = "1 record has" if faulty == 1 else f"{faulty} records have"
            raise CommandError(f"{records} errors; nothing was imported.") from None
        if dry_run:
            self.stdout.write(f"All {len(imported)} records are valid; nothing was imported (dry run).")
            return
        created = sum(was_created for _posting, was_created in save(imported))
        self.stdout.write(
            self.style.SUCCESS(f"Imported {len(imported)} postings: {created} new, {len(imported) - created} updated.")
        )
