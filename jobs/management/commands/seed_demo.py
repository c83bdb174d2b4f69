from django.core.management.base import BaseCommand

from jobs.demo import seed
from jobs.models import Posting


class Command(BaseCommand):
    help = "Load the demo companies, tags and postings (safe to run again: it updates them in place)."

    def handle(self, *args, **options):
        count = seed()
        live = Posting.objects.live().count()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {count} postings ({live} live)."))
