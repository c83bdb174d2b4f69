"""The demo data: postings.json, in the format of export_postings, loaded as import_postings loads a file.

postings.json was written by `export_postings` on EXPORTED_ON (UTC). Its dates are absolute, so
the loader moves every publish and expiry date forward by the days since then: the demo looks
the same whatever the day, with the same postings live, scheduled and expired.

To change the demo data: on a fresh database, run `seed_demo`, edit the postings in the admin,
then `export_postings -o jobs/demo/postings.json` (without --base-url) and set EXPORTED_ON to that
day, all on the same day.
"""

import json
import secrets
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils import timezone

from jobs.exchange import read_records, save
from jobs.models import Company
from jobs.permissions import ensure_hr_editor_group

POSTINGS_FILE = Path(__file__).with_name("postings.json")
EXPORTED_ON = date(2026, 11, 26)
HR_USERNAME = "hr-demo"


def postings():
    """The demo postings, read and validated by jobs.exchange, dated as if the file had been written today."""
    records = json.loads(POSTINGS_FILE.read_text(encoding="utf-8"), parse_float=Decimal)
    imported = read_records(records)
    shift = timezone.now().date() - EXPORTED_ON
    for entry in imported:
        posting = entry.posting
        if posting.published_at:
            posting.published_at += shift
        if posting.valid_through:
            posting.valid_through += shift
    return imported


def seed():
    """Create the demo companies, tags and postings, or update the postings by slug; return how many postings."""
    return len(save(postings()))


def ensure_demo_hr_user():
    """An HR editor of every demo company, given a new random password each time."""
    password = secrets.token_urlsafe(12)
    user, _created = get_user_model().objects.update_or_create(
        username=HR_USERNAME, defaults={"is_staff": True, "is_active": True, "email": "hr-demo@localhost"}
    )
    user.set_password(password)
    user.save()
    user.groups.set([ensure_hr_editor_group()])
    user.companies.set(Company.objects.all())
    return user, password
