"""Live postings in bulk for benchmarks, varied from the demo postings (the generate_postings command).

Each generated posting is a published demo posting, as the database holds it, moved to another company,
main office, date and salary, with its own visa and relocation flags. Its items, other offices, working
languages and tags are the demo posting's rows copied in the database, one
INSERT ... SELECT per table and batch, whatever fields those tables have. Its search entry and full text are
what jobs.search.reindex writes, computed once per demo posting (and company, for the entry). Postings go in
by COPY on PostgreSQL, with bulk_create elsewhere.

On PostgreSQL, outside a transaction, each batch is written by a thread of its own while the next one is made:
making a batch is Python's work, writing it mostly the database's (its COPY, constraints and indexes), and the two
then share the machine's cores where one waited for the other.
"""

import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from jobs import catalogue, demo, search
from jobs.fulltext import description_html
from jobs.models import (
    POSTING_RELATIONS,
    Company,
    ExchangeRate,
    FullText,
    Posting,
    SearchEntry,
    Status,
    WorkCountry,
    Workplace,
)

BATCH_SIZE = 5000
COUNTRIES = ["DE", "FR", "ES", "CH", "AT", "BE", "NL", "IE", "GB", "US", "CA", "MX", "AR", "PT", "IT", "SE", "PL", "CO"]
# The tables whose rows (items, other offices, working languages, tags) a generated posting copies from its demo posting.
COPIED = [Posting._meta.get_field(name).related_model for name in POSTING_RELATIONS] + [Posting.tags.through]


def demo_postings():
    """The published demo postings as the database holds them, with their sections; loaded first if missing."""
    slugs = [entry.posting.slug for entry in demo.postings() if entry.posting.status == Status.PUBLISHED]
    if Posting.objects.filter(slug__in=slugs).count() < len(slugs):
        demo.seed()
    return list(Posting.objects.filter(slug__in=slugs).with_sections().order_by("pk"))


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.originals = demo_postings()
        self.companies = list(Company.objects.order_by("pk"))
        self.next_number = (Posting.objects.aggregate(Max("pk"))["pk__max"] or 0) + 1
        self.search_fields = {}
        self.full_texts = {}
        self.rates = ExchangeRate.objects.rates()

    def make(self, count):
        """A Batch of `count` new postings and their rows, their keys given, ready to be written."""
        originals = [self.rng.choice(self.originals) for _ in range(count)]
        postings = [self.vary(original, self.rng.choice(self.companies)) for original in originals]
        numbered(Posting, postings)
        made = list(zip(postings, originals, strict=True))
        countries = [
            WorkCountry(posting_id=posting.pk, country=code)
            for posting, original in made
            for code in sorted(posting.work_country_codes(original.other_offices.all()))
        ]
        numbered(WorkCountry, countries)
        rows = {
            Posting: postings,
            SearchEntry: [
                SearchEntry(posting=posting, **self.indexed(original, posting.company)) for posting, original in made
            ],
            FullText: [FullText(posting=posting, html=self.full_text(original)) for posting, original in made],
            WorkCountry: countries,
        }
        pairs = [(posting.pk, original.pk) for posting, original in made]
        return Batch({model: prepared(model, objects) for model, objects in rows.items()}, pairs)

    def vary(self, original, company):
        """A new live posting like `original`, at `company`, in another place, with another date and salary."""
        rng = self.rng
        published_at = timezone.now() - timedelta(days=rng.randint(0, 40), minutes=rng.randint(0, 1440))
        workplace = rng.choice(Workplace.values)
        eligible = rng.sample(COUNTRIES, rng.randint(2, 5)) if workplace == Workplace.REMOTE else []
        keeps_salary = rng.random() > 0.15
        factor = Decimal(rng.randint(85, 125)) / 100
        country = rng.choice(COUNTRIES)
        # An ad for a country where ads must state their pay (PAY_REQUIRED_COUNTRIES) keeps its original's salary.
        pay_required = (set(eligible) or {country}) & set(settings.PAY_REQUIRED_COUNTRIES)
        salary = original.has_salary and (keeps_salary or bool(pay_required))
        number, self.next_number = self.next_number, self.next_number + 1
        posting = Posting(
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
            country=country,
            eligible_countries=eligible,
            salary_min=scaled(original.salary_min, factor) if salary else None,
            salary_max=scaled(original.salary_max, factor) if salary else None,
            salary_currency=original.salary_currency if salary else "",
            salary_period=original.salary_period if salary else "",
            experience_years=original.experience_years,
            experience_years_max=original.experience_years_max,
            visa_sponsorship=rng.random() < 0.3,
            relocation=rng.random() < 0.25,
            apply_url=original.apply_url,
            apply_email=original.apply_email,
            status=Status.PUBLISHED,
            published_at=published_at,
            valid_through=published_at + timedelta(days=rng.randint(45, 90)),
        )
        posting.salary_top_yearly = posting.yearly_top_in_base(self.rates)  # what save() would store
        return posting

    def full_text(self, original):
        """The full text of a copy of `original`, as jobs.search.reindex would store it: its original's."""
        if original.pk not in self.full_texts:
            self.full_texts[original.pk] = description_html(original)
        return self.full_texts[original.pk]

    def indexed(self, original, company):
        """The search entry's fields of a copy of `original` at `company`, as jobs.search.reindex would store them."""
        key = (original.pk, company.pk)
        if key not in self.search_fields:
            original.company = company  # the in-memory demo posting stands for its copies at that company
            fields = search.indexed_fields(original)
            if vector := fields.get("vector"):
                # PostgreSQL computes the vector once; every copy stores the same value.
                rows = Posting.objects.filter(pk=original.pk).annotate(computed=vector)
                fields["vector"] = rows.values_list("computed", flat=True).get()
            self.search_fields[key] = fields
        return self.search_fields[key]


def scaled(amount, factor):
    """`amount` times `factor`, rounded as pay is written: to the hundred from 1,000, else (hourly or daily pay) to
    the unit; rounding an hourly 25 to the hundred made it 0."""
    if amount is None:
        return None
    value = amount * factor
    return round(value, -2) if value >= 1000 else round(value, 0)


def numbered(model, objects):
    """Give new `objects` of `model` their primary keys, if the database numbers them, before they are written: from
    the table's sequence on PostgreSQL, after the largest key elsewhere (SQLite takes the keys it is given)."""
    if not model._meta.auto_field or not objects:
        return
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, len(objects)],
            )
            keys = [key for (key,) in cursor.fetchall()]
        else:
            start = (model.objects.aggregate(Max("pk"))["pk__max"] or 0) + 1
            keys = range(start, start + len(objects))
    for obj, key in zip(objects, keys, strict=True):
        obj.pk = key


def prepared(model, objects):
    """New `objects` of `model` as insert() takes them: on PostgreSQL, the values of their rows for COPY."""
    if connection.vendor != "postgresql":
        return objects
    fields = model._meta.concrete_fields
    return [[field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields] for obj in objects]


def insert(model, rows):
    """Save new rows of `model`, prepared(): by COPY on PostgreSQL."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(rows)
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in model._meta.concrete_fields)
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def copy_rows(model, pairs):
    """Give each new posting the rows of `model` that its original has: `pairs` of (new pk, original pk)."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    link = next(field for field in model._meta.concrete_fields if field.related_model is Posting)
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(quote(field.column) for field in fields)
    values = ", ".join("pairs.column1" if field is link else f"source.{quote(field.column)}" for field in fields)
    size = (connection.features.max_query_params or 2 * len(pairs)) // 2
    with connection.cursor() as cursor:
        for start in range(0, len(pairs), size):
            chunk = pairs[start : start + size]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {values} FROM {table} source "
                f"JOIN (VALUES {', '.join(['(%s, %s)'] * len(chunk))}) pairs "
                f"ON source.{quote(link.column)} = pairs.column2 "
                f"ORDER BY pairs.column1, source.{quote(model._meta.pk.column)}",
                [value for pair in chunk for value in pair],
            )


@dataclass
class Batch:
    rows: dict  # {model: its new rows, as prepared() gives them}, in the order they are written
    pairs: list  # (new posting's key, its original's key)

    def write(self):
        """Write the batch in one transaction: its rows, then the rows its postings copy from their originals."""
        with transaction.atomic():
            for model, rows in self.rows.items():
                insert(model, rows)
            for model in COPIED:
                copy_rows(model, self.pairs)
        return len(self.pairs)


def generate(count, seed, progress):
    """Add `count` live postings, BATCH_SIZE a transaction, calling progress(n) after each batch is written.

    Within a transaction (a test's), another thread's connection would not see the batches' originals, and SQLite's
    keys are numbered after the largest one written (numbered()): there the batches are written in turn."""
    generator = Generator(seed)
    batches = (generator.make(min(BATCH_SIZE, count - start)) for start in range(0, count, BATCH_SIZE))
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        for batch in batches:
            progress(batch.write())
    else:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="generate_postings") as writer:
            written = None
            for batch in batches:  # the next batch is made while the last one is written
                if written is not None:
                    progress(written.result())
                written = writer.submit(batch.write)
            if written is not None:
                progress(written.result())
            writer.submit(connections.close_all).result()  # the thread's own connections
    catalogue.bump()  # COPY sends no signals
