"""Postings as schema.org JobPosting JSON: export, and an import that rebuilds them exactly.

A record is the posting's JobPosting data (jobs.structured_data) plus `inLanguage` and an
"x-jobboard" object holding what schema.org cannot express exactly. The import reads the
properties listed in FIELDS and the item lists of ITEM_LISTS; the other schema.org
properties (description, skills, responsibilities, …) are derived from those and ignored.
The README ("Export and import") documents the format.
"""

import json
from dataclasses import dataclass
from decimal import Decimal

import reversion
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs import structured_data
from jobs.models import (
    FORMER_REQUIREMENT_KINDS,
    Benefit,
    CareerStep,
    Company,
    CompanyDescription,
    Office,
    Posting,
    Requirement,
    Responsibility,
    Tag,
    WorkingLanguage,
)
from jobs.structured_data import EMPLOYMENT_TYPES, SALARY_UNITS, job_posting
from jobs.text import clean_line, clean_text

EXTENSION = "x-jobboard"
FORMAT_VERSION = 3
# Version 1 had one kind per requirement; its kinds are read as FORMER_REQUIREMENT_KINDS maps them. Version 3 added
# several offices (jobLocation as a list), working languages, visa sponsorship, relocation and company descriptions.
READABLE_VERSIONS = {1, 2, FORMAT_VERSION}
ITEM_LISTS = {
    "responsibilities": Responsibility,
    "requirements": Requirement,
    "benefits": Benefit,
    "careerSteps": CareerStep,
}


# Export.


def item_data(item):
    fields = [name for name in ("kind", "priority", "text") if hasattr(item, name)]
    return {name: getattr(item, name) for name in fields}


def export_record(posting, url=None):
    """The posting as a JobPosting record: its public JobPosting data and everything else it holds."""
    return {
        **job_posting(posting, url),
        "inLanguage": posting.language,
        EXTENSION: {
            "version": FORMAT_VERSION,
            "status": posting.status,
            "translationGroup": str(posting.translation_group),
            "summary": posting.summary,
            "description": posting.description,
            "seniority": posting.seniority,
            "workplace": posting.workplace,
            "eligibleCountries": [country.code for country in posting.eligible_countries],
            "salaryBasis": posting.salary_basis,
            "bonusPercent": posting.bonus_percent,
            "equity": posting.equity,
            "allowances": structured_data.number(posting.allowances) if posting.allowances is not None else None,
            "collectiveAgreement": posting.collective_agreement,
            "experienceYears": posting.experience_years,
            "experienceYearsMax": posting.experience_years_max,
            "applyUrl": posting.apply_url,
            "applyEmail": posting.apply_email,
            "visaSponsorship": posting.visa_sponsorship,
            "relocation": posting.relocation,
            "workingLanguages": [
                {"language": language.language, "level": language.level} for language in posting.working_languages.all()
            ],
            "tags": [
                {"slug": tag.slug, "name": tag.name, "translatedNames": tag.translated_names}
                for tag in posting.tags.all()
            ],
            **{
                key: [item_data(item) for item in getattr(posting, model._meta.default_related_name).all()]
                for key, model in ITEM_LISTS.items()
            },
        },
    }


def postings_json(postings, absolute_url=None):
    """The JSON text of `postings`; `absolute_url(path)` gives each record's url (none without it)."""
    postings = postings.with_sections().order_by("pk")
    records = [
        export_record(posting, absolute_url(posting.get_absolute_url()) if absolute_url else None)
        for posting in postings
    ]
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


@admin.action(
    description=gettext_lazy("Export selected postings as JSON (schema.org JobPosting)"), permissions=["view"]
)
def export_json(modeladmin, request, queryset):
    return HttpResponse(
        postings_json(queryset, request.build_absolute_uri),
        content_type="application/json; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="postings.json"'},
    )


# Import.


class Invalid(ValueError):
    """A value of a record that cannot be used; its message says why."""


def paragraphs(value):
    """Text that may run over several lines."""
    if not isinstance(value, str):
        raise Invalid(_("Expected text."))
    return clean_text(value)


def text(value):
    """A single line of text: its line breaks become spaces."""
    return clean_line(paragraphs(value))


def whole_number(value):
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(_("Expected a whole number."))
    return value


def boolean(value):
    if not isinstance(value, bool):
        raise Invalid(_("Expected true or false."))
    return value


def amount(value):
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise Invalid(_("Expected a number."))
    return Decimal(value)


def moment(value):
    try:
        parsed = parse_datetime(text(value))
    except ValueError:  # Invalid, or a well-formed but impossible date such as 2025-02-30
        parsed = None
    if parsed is None:
        raise Invalid(_("Expected a date and time in ISO 8601 format."))
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def texts(value):
    if not isinstance(value, list):
        raise Invalid(_("Expected a list."))
    return [text(entry) for entry in value]


def names(value):
    if not isinstance(value, dict) or not all(isinstance(name, str) for name in value.values()):
        raise Invalid(_("Expected an object of names by language code."))
    return {clean_line(code): clean_line(name) for code, name in value.items()}


def one_of(mapping):
    """A reader of the schema.org values of `mapping` (model value -> schema.org value)."""
    model_values = {schema_value: model_value for model_value, schema_value in mapping.items()}

    def read(value):
        if value not in model_values:
            raise Invalid(_("Expected one of: %(values)s.") % {"values": ", ".join(model_values)})
        return model_values[value]

    return read


# Posting field: (where it is in a record, how to read it). A missing value is the field's default.
FIELDS = {
    "language": ("inLanguage", text),
    "title": ("title", text),
    "slug": ("identifier.value", text),
    "employment_type": ("employmentType", one_of(EMPLOYMENT_TYPES)),
    "published_at": ("datePosted", moment),
    "valid_through": ("validThrough", moment),
    "salary_currency": ("baseSalary.currency", text),
    "salary_min": ("baseSalary.value.minValue", amount),
    "salary_max": ("baseSalary.value.maxValue", amount),
    "salary_period": ("baseSalary.value.unitText", one_of(SALARY_UNITS)),
    "translation_group": (f"{EXTENSION}.translationGroup", text),
    "status": (f"{EXTENSION}.status", text),
    "summary": (f"{EXTENSION}.summary", paragraphs),
    "description": (f"{EXTENSION}.description", paragraphs),
    "seniority": (f"{EXTENSION}.seniority", text),
    "workplace": (f"{EXTENSION}.workplace", text),
    "eligible_countries": (f"{EXTENSION}.eligibleCountries", texts),
    "salary_basis": (f"{EXTENSION}.salaryBasis", text),
    "bonus_percent": (f"{EXTENSION}.bonusPercent", whole_number),
    "equity": (f"{EXTENSION}.equity", boolean),
    "allowances": (f"{EXTENSION}.allowances", amount),
    "collective_agreement": (f"{EXTENSION}.collectiveAgreement", text),
    "experience_years": (f"{EXTENSION}.experienceYears", whole_number),
    "experience_years_max": (f"{EXTENSION}.experienceYearsMax", whole_number),
    "apply_url": (f"{EXTENSION}.applyUrl", text),
    "apply_email": (f"{EXTENSION}.applyEmail", text),
    "visa_sponsorship": (f"{EXTENSION}.visaSponsorship", boolean),
    "relocation": (f"{EXTENSION}.relocation", boolean),
}
# The offices: one Place, or a list of them whose first is the main office (the posting's city and country).
LOCATIONS = "jobLocation"
OFFICE_FIELDS = {"city": "address.addressLocality", "country": "address.addressCountry"}
WORKING_LANGUAGES = f"{EXTENSION}.workingLanguages"
SINGLE_SALARY = "baseSalary.value.value"
COMPANY = "hiringOrganization"
COMPANY_FIELDS = {
    "slug": "identifier",
    "name": "name",
    "website": "sameAs",
    "logo_url": "logo",
    "city": "address.addressLocality",
    "country": "address.addressCountry",
}
COMPANY_DESCRIPTION = f"{COMPANY}.description"
TAGS = f"{EXTENSION}.tags"


class Record:
    """One record of a file being read, and what is wrong with it."""

    def __init__(self, data):
        self.data = data
        self.errors = []
        self.faulty = set()

    def error(self, path, messages):
        """Report `messages` about the value at `path` (None: about the whole record)."""
        self.faulty.add(path)
        self.errors.extend(f"{path}: {message}" if path else message for message in messages)

    def get(self, path, read=None, default=None):
        """The value at `path` (keys and list indexes joined by dots), read by `read`; `default` if missing or wrong."""
        value = self.data
        for key in path.split("."):
            if isinstance(value, list) and key.isdigit() and int(key) < len(value):
                value = value[int(key)]
            elif isinstance(value, dict) and value.get(key) is not None:
                value = value[key]
            else:
                return default
        try:
            return read(value) if read else value
        except Invalid as problem:
            self.error(path, [str(problem)])
            return default

    def entries(self, path):
        """The indexes of the list at `path` (none if it is missing or not a list)."""
        value = self.get(path, default=[])
        if not isinstance(value, list):
            self.error(path, [_("Expected a list.")])
            return range(0)
        return range(len(value))

    def validated(self, instance, paths, where=None, exclude=None):
        """`instance` if it passes model validation, else None with its errors reported.

        `paths` gives the record path of each field, `where` that of the instance as a whole.
        A value already reported as unreadable is not reported again.
        """
        try:
            instance.full_clean(exclude=exclude)
        except ValidationError as invalid:
            for name, messages in invalid.message_dict.items():
                path = paths.get(name, where)
                if path not in self.faulty or path == where:
                    self.error(path, messages)
            return None
        return instance


def read_company(record, companies):
    """The hiring organization: the company of that slug as it is, else a new one made from the record."""
    slug = record.get(f"{COMPANY}.identifier", text, "")
    company = companies.get(slug) or Company.objects.filter(slug=slug).first()
    if company is None:
        company = Company(**{name: record.get(f"{COMPANY}.{path}", text, "") for name, path in COMPANY_FIELDS.items()})
        company = record.validated(
            company, {name: f"{COMPANY}.{path}" for name, path in COMPANY_FIELDS.items()}, COMPANY
        )
    if company is not None:
        companies[slug] = company
    return company


def read_tags(record, known):
    """The posting's tags: those of these slugs as they are, new ones made from the record."""
    tags = []
    for index in record.entries(TAGS):
        path = f"{TAGS}.{index}"
        slug = record.get(f"{path}.slug", text, "")
        tag = known.get(slug) or Tag.objects.filter(slug=slug).first()
        if tag is None:
            tag = Tag(
                slug=slug,
                name=record.get(f"{path}.name", text, ""),
                translated_names=record.get(f"{path}.translatedNames", names, {}),
            )
            tag = record.validated(tag, {"slug": f"{path}.slug", "name": f"{path}.name"}, path)
        if tag is not None:
            known[slug] = tag
            tags.append(tag)
    return tags


def read_items(record, version):
    """{item model: unsaved items in the record's order} for each list of ITEM_LISTS."""
    items = {}
    for key, model in ITEM_LISTS.items():
        items[model] = []
        for index in record.entries(f"{EXTENSION}.{key}"):
            path = f"{EXTENSION}.{key}.{index}"
            item = model(position=index + 1, text=record.get(f"{path}.text", paragraphs, ""))
            if hasattr(item, "kind"):
                item.kind = record.get(f"{path}.kind", text, "")
            if model is Requirement and version == 1:
                item.kind, item.priority = FORMER_REQUIREMENT_KINDS.get(item.kind, (item.kind, item.priority))
            elif model is Requirement:
                item.priority = record.get(f"{path}.priority", text, item.priority)
            paths = {"text": f"{path}.text", "kind": f"{path}.kind", "priority": f"{path}.priority"}
            if record.validated(item, paths, path, exclude=["posting"]):
                items[model].append(item)
    return items


def office_paths(record):
    """The record path of each office, the main one first."""
    locations = record.get(LOCATIONS)
    if isinstance(locations, list):
        return [f"{LOCATIONS}.{index}" for index in range(len(locations))]
    return [LOCATIONS] if locations is not None else []


def office_fields(record, path):
    """{field: (record path, value)} of the office at `path`."""
    return {name: (f"{path}.{where}", record.get(f"{path}.{where}", text, "")) for name, where in OFFICE_FIELDS.items()}


def read_other_offices(record):
    """The offices after the main one, unsaved."""
    offices = []
    for path in office_paths(record)[1:]:
        fields = office_fields(record, path)
        office = Office(**{name: value for name, (_path, value) in fields.items()})
        if record.validated(office, {name: where for name, (where, _value) in fields.items()}, path, ["posting"]):
            offices.append(office)
    return offices


def read_working_languages(record):
    languages = []
    for index in record.entries(WORKING_LANGUAGES):
        path = f"{WORKING_LANGUAGES}.{index}"
        language = WorkingLanguage(
            language=record.get(f"{path}.language", text, ""), level=record.get(f"{path}.level", text, "")
        )
        paths = {"language": f"{path}.language", "level": f"{path}.level"}
        if record.validated(language, paths, path, exclude=["posting"]):
            languages.append(language)
    return languages


def read_posting(record, company):
    """The posting of that slug, or a new one, with every field set from the record."""
    posting = Posting.objects.filter(slug=record.get(FIELDS["slug"][0], text, "")).first() or Posting()
    for name, (path, read) in FIELDS.items():
        setattr(posting, name, record.get(path, read, Posting._meta.get_field(name).get_default()))
    if (single := record.get(SINGLE_SALARY, amount)) is not None:
        posting.salary_min = posting.salary_max = single
    posting.company = company
    paths = {name: path for name, (path, _read) in FIELDS.items()} | {"company": COMPANY}
    if main := office_paths(record)[:1]:
        for name, (path, value) in office_fields(record, main[0]).items():
            setattr(posting, name, value)
            paths[name] = path
    else:
        posting.city, posting.country = "", ""
        paths["country"] = LOCATIONS
    exclude = ["company"] if company is None or company._state.adding else None
    return record.validated(posting, paths, exclude=exclude)


@dataclass
class ImportedPosting:
    """A record read and validated, ready to be saved."""

    posting: Posting
    tags: list
    items: dict
    offices: list
    working_languages: list
    company_description: str


def read_record(record, companies, tags):
    """The record's posting, tags and items; None, with the reasons in record.errors, if it has errors."""
    if not isinstance(record.data, dict) or record.data.get("@type") != "JobPosting":
        record.error("@type", [_("Expected a JobPosting object.")])
        return None
    version = record.get(f"{EXTENSION}.version")
    if type(version) is not int or version not in READABLE_VERSIONS:
        record.error(EXTENSION, [_("Expected version %(version)s of the format.") % {"version": FORMAT_VERSION}])
    company = read_company(record, companies)
    imported = ImportedPosting(
        read_posting(record, company),
        read_tags(record, tags),
        read_items(record, version),
        read_other_offices(record),
        read_working_languages(record),
        record.get(COMPANY_DESCRIPTION, paragraphs, ""),
    )
    return None if record.errors else imported


def check_unique_in_file(record, number, seen):
    """Report an earlier record of the file with the same slug, or for the same job in the same language."""
    checks = {
        "identifier.value": (["slug"], _("Record %(number)s has the same slug.")),
        f"{EXTENSION}.translationGroup": (
            ["translation_group", "language"],
            _("Record %(number)s is the same job in the same language."),
        ),
    }
    for path, (names, message) in checks.items():
        values = [record.get(FIELDS[name][0]) for name in names]
        if not all(isinstance(value, str) for value in values):
            continue
        key = (path, *map(clean_line, values))
        if key in seen:
            record.error(path, [message % {"number": seen[key]}])
        seen.setdefault(key, number)


class ImportFailed(Exception):
    """The records that cannot be imported: [(record label, [messages])]."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


def record_label(number, record):
    slug = record.get("identifier.value")
    if isinstance(slug, str) and slug:
        return _("Record %(number)s (%(slug)s)") % {"number": number, "slug": clean_line(slug)}
    return _("Record %(number)s") % {"number": number}


def read_records(records):
    """Every record read and validated; ImportFailed with each faulty record's errors if any has one."""
    if not isinstance(records, list):
        raise ImportFailed([(_("File"), [_("Expected a JSON list of JobPosting records.")])])
    imported, errors = [], []
    companies, tags, seen = {}, {}, {}
    for number, data in enumerate(records, start=1):
        record = Record(data)
        entry = read_record(record, companies, tags)
        check_unique_in_file(record, number, seen)
        if record.errors:
            errors.append((record_label(number, record), record.errors))
        else:
            imported.append(entry)
    if errors:
        raise ImportFailed(errors)
    return imported


IMPORT_BATCH = 100


def save(imported):
    """Save what read_records read, IMPORT_BATCH postings a transaction: [(posting, created)].

    Every record was validated before this runs, so a file goes in whole unless the database
    itself refuses a row; committing in batches keeps rows from being locked for the whole file.
    """
    saved = []
    for start in range(0, len(imported), IMPORT_BATCH):
        with transaction.atomic():
            saved.extend(save_entry(entry) for entry in imported[start : start + IMPORT_BATCH])
    return saved


def save_entry(entry):
    """Save one posting with its new company and tags, its items, offices and working languages, as one revision.

    A company description in the posting's language is added to a company that has none in that language.

    The file's version replaces the posting whole; an editor who opened the posting before is then
    refused by the version check, with the import's version to compare with.
    """
    posting = entry.posting
    created = posting._state.adding
    with reversion.create_revision(manage_manually=True):
        reversion.set_comment(_("Imported from a JobPosting file."))
        for new in [posting.company, *entry.tags]:
            if new._state.adding:
                new.save()
        posting.save()
        posting.tags.set(entry.tags)
        rows = {**entry.items, Office: entry.offices, WorkingLanguage: entry.working_languages}
        for model, items in rows.items():
            model.objects.filter(posting=posting).delete()
            for item in items:
                item.posting = posting
            model.objects.bulk_create(items)
        posting.sync_work_countries()
        if entry.company_description:
            CompanyDescription.objects.get_or_create(
                company=posting.company, language=posting.language, defaults={"text": entry.company_description}
            )
        reversion.add_to_revision(posting)
    return posting, created
