import random
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from jobs import demo
from jobs.exchange import ITEM_LISTS
from jobs.models import Company, Posting, Status, WorkCountry, Workplace
from jobs.search import reindex

BATCH_SIZE = 500
COUNTRIES = ["DE", "FR", "ES", "CH", "AT", "BE", "NL", "IE", "GB", "US", "CA", "MX", "AR", "PT", "IT", "SE", "PL", "CO"]


class Command(BaseCommand):
    help = "Add N live postings in every language, varied from the demo postings, for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="How many postings to add.")
        parser.add_argument("--seed", type=int, default=0, help="The same seed gives the same postings.")

    def handle(self, *args, count, seed, **options):
        if not Company.objects.exists():
            demo.seed()  # the demo companies, tags and postings are what generated postings are made of
        rng = random.Random(seed)
        originals = [entry for entry in demo.postings() if entry.posting.status == Status.PUBLISHED]
        companies = list(Company.objects.all())
        first_number = (Posting.objects.aggregate(Max("pk"))["pk__max"] or 0) + 1
        with tqdm(total=count, unit="posting", desc="Generating") as progress:
            for start in range(0, count, BATCH_SIZE):
                size = min(BATCH_SIZE, count - start)
                batch = [rng.choice(originals) for _ in range(size)]
                with transaction.atomic():
                    postings = Posting.objects.bulk_create(
                        vary(rng, entry.posting, rng.choice(companies), first_number + start + n)
                        for n, entry in enumerate(batch)
                    )
                    add_items_and_tags(postings, batch)
                reindex([posting.pk for posting in postings])
                progress.update(size)
        self.stdout.write(self.style.SUCCESS(f"Added {count} postings; {Posting.objects.live().count()} are live."))


def vary(rng, original, company, number):
    """A new live posting like `original`, at another company, place, date and salary."""
    published_at = timezone.now() - timedelta(days=rng.randint(0, 40), minutes=rng.randint(0, 1440))
    workplace = rng.choice(Workplace.values)
    eligible = rng.sample(COUNTRIES, rng.randint(2, 5)) if workplace == Workplace.REMOTE else []
    salary = rng.random() > 0.15 and original.has_salary
    factor = Decimal(rng.randint(85, 125)) / 100
    return Posting(
        company=company,
        language=original.language,
        title=original.title,
        slug=f"{slugify(original.title)[:180]}-{number}",
        summary=original.summary,
        description=original.description,
        employment_type=original.employment_type,
        seniority=original.seniority,
        workplace=workplace,
        city=original.city,
        country=rng.choice(COUNTRIES),
        eligible_countries=eligible,
        salary_min=scaled(original.salary_min, factor) if salary else None,
        salary_max=scaled(original.salary_max, factor) if salary else None,
        salary_currency=original.salary_currency if salary else "",
        salary_period=original.salary_period if salary else "",
        experience_years=original.experience_years,
        experience_years_max=original.experience_years_max,
        apply_url=original.apply_url,
        apply_email=original.apply_email,
        status=Status.PUBLISHED,
        published_at=published_at,
        valid_through=published_at + timedelta(days=rng.randint(45, 90)),
    )


def scaled(amount, factor):
    return None if amount is None else round(amount * factor, -2)


def add_items_and_tags(postings, originals):
    """What Posting.save() and the admin's inlines would add, in bulk: the items and tags of each original."""
    for model in ITEM_LISTS.values():
        model.objects.bulk_create(
            item.copy(posting_id=posting.pk)
            for posting, original in zip(postings, originals, strict=True)
            for item in original.items[model]
        )
    Posting.tags.through.objects.bulk_create(
        Posting.tags.through(posting=posting, tag=tag)
        for posting, original in zip(postings, originals, strict=True)
        for tag in original.tags
    )
    WorkCountry.objects.bulk_create(
        WorkCountry(posting=posting, country=code) for posting in postings for code in posting.work_country_codes()
    )
