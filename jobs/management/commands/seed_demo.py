import json
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from jobs.models import Benefit, CareerStep, Company, Posting, Requirement, Responsibility, Tag

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
GROUP_NAMESPACE = uuid.UUID("6f1c1f55-5b7e-4c0e-9a54-3f1d0b1f2a10")


def load(name):
    return json.loads((DEMO_DIR / name).read_text(encoding="utf-8"))


def demo_postings():
    """The demo postings of every language in settings.LANGUAGES that has a file."""
    for code, _name in settings.LANGUAGES:
        path = DEMO_DIR / f"postings_{code}.json"
        if path.exists():
            for record in load(path.name):
                yield code, record


def seed():
    """Create or update the demo companies, tags and postings; return the number of postings."""
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    with transaction.atomic():
        companies = {
            record["slug"]: Company.objects.update_or_create(slug=record["slug"], defaults=record)[0]
            for record in load("companies.json")
        }
        tags = {record["slug"]: seed_tag(record) for record in load("tags.json")}
        count = 0
        for language, record in demo_postings():
            seed_posting(language, record, companies, tags, today)
            count += 1
    return count


def seed_tag(record):
    names = {code: record[code] for code, _name in settings.LANGUAGES if code in record}
    return Tag.objects.update_or_create(
        slug=record["slug"], defaults={"name": record["name"], "translated_names": names}
    )[0]


def seed_posting(language, record, companies, tags, today):
    salary = record["salary"] or {}
    days_ago = record["published_days_ago"]
    published_at = None if days_ago is None else today - timedelta(days=days_ago)
    valid_days = record["valid_days"]
    group_key = record["translation_group"] or record["slug"]
    posting, _created = Posting.objects.update_or_create(
        slug=record["slug"],
        defaults={
            "company": companies[record["company"]],
            "language": language,
            "translation_group": uuid.uuid5(GROUP_NAMESPACE, group_key),
            "title": record["title"],
            "summary": record["summary"],
            "description": record["description"],
            "employment_type": record["employment_type"],
            "seniority": record["seniority"],
            "workplace": record["workplace"],
            "city": record["city"],
            "country": record["country"],
            "eligible_countries": record["eligible_countries"],
            "salary_min": salary.get("min"),
            "salary_max": salary.get("max"),
            "salary_currency": salary.get("currency", ""),
            "salary_period": salary.get("period", ""),
            "experience_years": record["experience_years"],
            "apply_url": record["apply_url"] or "",
            "apply_email": record["apply_email"] or "",
            "status": record["status"],
            "published_at": published_at,
            "valid_through": published_at + timedelta(days=valid_days) if published_at and valid_days else None,
        },
    )
    posting.tags.set([tags[slug] for slug in record["tags"]])
    items = [
        (Responsibility, [{"kind": item["kind"], "text": item["text"]} for item in record["responsibilities"]]),
        (Requirement, [{"kind": item["kind"], "text": item["text"]} for item in record["requirements"]]),
        (Benefit, [{"text": text} for text in record["benefits"]]),
        (CareerStep, [{"kind": item["kind"], "text": item["title"]} for item in record["career_steps"]]),
    ]
    for model, values in items:
        model.objects.filter(posting=posting).delete()
        model.objects.bulk_create(
            model(posting=posting, position=position, **fields) for position, fields in enumerate(values, start=1)
        )
    return posting


class Command(BaseCommand):
    help = "Load the demo companies, tags and postings (safe to run again: it updates them in place)."

    def handle(self, *args, **options):
        count = seed()
        live = Posting.objects.live().count()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {count} postings ({live} live)."))
