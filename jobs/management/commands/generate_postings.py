import random
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from jobs.management.commands import seed_demo
from jobs.models import (
    Benefit,
    CareerStep,
    Company,
    Posting,
    Requirement,
    Responsibility,
    Status,
    Tag,
    WorkCountry,
    Workplace,
)
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
            seed_demo.seed()  # the demo companies, tags and postings are what generated postings are made of
        rng = random.Random(seed)
        originals = [
            (language, record) for language, record in seed_demo.demo_postings() if record["status"] == "published"
        ]
        companies = list(Company.objects.all())
        tags = {tag.slug: tag for tag in Tag.objects.all()}
        first_number = (Posting.objects.aggregate(Max("pk"))["pk__max"] or 0) + 1
        with tqdm(total=count, unit="posting", desc="Generating") as progress:
            for start in range(0, count, BATCH_SIZE):
                size = min(BATCH_SIZE, count - start)
                batch = [rng.choice(originals) for _ in range(size)]
                with transaction.atomic():
                    postings = Posting.objects.bulk_create(
                        vary(rng, language, record, rng.choice(companies), first_number + start + n)
                        for n, (language, record) in enumerate(batch)
                    )
                    add_items_and_tags(postings, [record for _language, record in batch], tags)
                reindex([posting.pk for posting in postings])
                progress.update(size)
        self.stdout.write(self.style.SUCCESS(f"Added {count} postings; {Posting.objects.live().count()} are live."))


def vary(rng, language, record, company, number):
    """A new live posting like `record`, at another company, place, date and salary."""
    published_at = timezone.now() - timedelta(days=rng.randint(0, 40), minutes=rng.randint(0, 1440))
    workplace = rng.choice(Workplace.values)
    eligible = rng.sample(COUNTRIES, rng.randint(2, 5)) if workplace == Workplace.REMOTE else []
    salary = record["salary"] if rng.random() > 0.15 else None
    factor = Decimal(rng.randint(85, 125)) / 100
    return Posting(
        company=company,
        language=language,
        title=record["title"],
        slug=f"{slugify(record['title'])[:180]}-{number}",
        summary=record["summary"],
        description=record["description"],
        employment_type=record["employment_type"],
        seniority=record["seniority"],
        workplace=workplace,
        city=record["city"],
        country=rng.choice(COUNTRIES),
        eligible_countries=eligible,
        salary_min=round(salary["min"] * factor, -2) if salary else None,
        salary_max=round(salary["max"] * factor, -2) if salary else None,
        salary_currency=salary["currency"] if salary else "",
        salary_period=salary["period"] if salary else "",
        experience_years=record["experience_years"],
        apply_url=record["apply_url"] or "",
        apply_email=record["apply_email"] or "",
        status=Status.PUBLISHED,
        published_at=published_at,
        valid_through=published_at + timedelta(days=rng.randint(45, 90)),
    )


def add_items_and_tags(postings, records, tags):
    """What Posting.save() and the admin's inlines would add, in bulk."""
    items = {Responsibility: [], Requirement: [], Benefit: [], CareerStep: []}
    for posting, record in zip(postings, records, strict=True):
        for position, item in enumerate(record["responsibilities"], start=1):
            items[Responsibility].append(Responsibility(posting=posting, position=position, **item))
        for position, item in enumerate(record["requirements"], start=1):
            items[Requirement].append(Requirement(posting=posting, position=position, **item))
        for position, text in enumerate(record["benefits"], start=1):
            items[Benefit].append(Benefit(posting=posting, position=position, text=text))
        for position, step in enumerate(record["career_steps"], start=1):
            items[CareerStep].append(
                CareerStep(posting=posting, position=position, kind=step["kind"], text=step["title"])
            )
    for model, objects in items.items():
        model.objects.bulk_create(objects)
    Posting.tags.through.objects.bulk_create(
        Posting.tags.through(posting=posting, tag=tags[slug])
        for posting, record in zip(postings, records, strict=True)
        for slug in record["tags"]
    )
    WorkCountry.objects.bulk_create(
        WorkCountry(posting=posting, country=code) for posting in postings for code in posting.work_country_codes()
    )
