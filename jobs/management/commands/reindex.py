from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

from jobs.models import Posting
from jobs.search import reindex


class Command(BaseCommand):
    help = (
        "Write every posting's search entry and full text anew, in batches: after a release changes what they are "
        "made of (jobs.search, jobs.fulltext, the translations of the full texts' headings), or to fill those of "
        "postings written before full texts were kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500, help="Postings written per transaction.")

    def handle(self, *args, batch, **options):
        keys = Posting.objects.order_by("pk").values_list("pk", flat=True)
        last = 0
        with tqdm(total=keys.count(), unit="posting", desc="Reindexing") as progress:
            while chunk := list(keys.filter(pk__gt=last)[:batch]):
                with transaction.atomic():
                    reindex(chunk)
                progress.update(len(chunk))
                last = chunk[-1]
        self.stdout.write(self.style.SUCCESS(f"Reindexed {progress.n} postings."))
