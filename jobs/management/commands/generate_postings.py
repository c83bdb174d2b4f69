from django.core.management.base import BaseCommand
from tqdm import tqdm

from jobs.demo.generator import generate
from jobs.models import Posting


class Command(BaseCommand):
    help = "Add N live postings in every language, varied from the demo postings, for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="How many postings to add.")
        parser.add_argument("--seed", type=int, default=0, help="The same seed gives the same postings.")

    def handle(self, *args, count, seed, **options):
        with tqdm(total=count, unit="posting", desc="Generating") as progress:
            generate(count, seed, progress.update)
        self.stdout.write(self.style.SUCCESS(f"Added {count} postings; {Posting.objects.live().count()} are live."))
