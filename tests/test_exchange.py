"""Export and import of postings as schema.org JobPosting JSON."""

import codecs
import io
import json
import re
import sys
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from jobs.models import (
    ITEM_RELATIONS,
    Benefit,
    CareerStep,
    Company,
    Posting,
    Requirement,
    Responsibility,
    Status,
    Tag,
    WorkCountry,
)
from tests.factories import CompanyFactory, HREditorFactory, PostingFactory, TagFactory, add_items

pytestmark = pytest.mark.django_db

NOT_CONTENT = {"id", "created_at", "updated_at", "version"}


def snapshot():
    """Everything the postings hold, their companies, tags and items included, by slug."""
    postings = Posting.objects.with_sections()
    return {
        posting.slug: {
            **{
                field.attname: getattr(posting, field.attname)
                for field in Posting._meta.concrete_fields
                if field.attname not in NOT_CONTENT | {"company_id"}
            },
            "company": {
                field.attname: getattr(posting.company, field.attname)
                for field in Company._meta.concrete_fields
                if field.attname != "id"
            },
            "tags": sorted((tag.slug, tag.name, tuple(tag.translated_names.items())) for tag in posting.tags.all()),
            **{
                relation: [
                    (getattr(item, "kind", None), getattr(item, "priority", None), item.text)
                    for item in getattr(posting, relation).all()
                ]
                for relation in ITEM_RELATIONS
            },
        }
        for posting in postings
    }


def export(tmp_path, *options):
    path = tmp_path / "postings.json"
    call_command("export_postings", "--output", str(path), *options, stderr=io.StringIO())
    return path


def import_file(path, *options):
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_postings", str(path), *options, stdout=stdout, stderr=stderr)
    return stdout.getvalue()


def write(tmp_path, records):
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(records, default=str), encoding="utf-8")
    return path


@pytest.fixture
def postings():
    """Postings that between them use every field, every kind of item, every lifecycle state."""
    company = CompanyFactory(
        name="Atelier Lumière",
        slug="atelier",
        website="https://atelier.example",
        logo_url="https://atelier.example/logo.svg",
        city="Lyon",
        country="FR",
    )
    backend = TagFactory(slug="backend", name="Backend", translated_names={"fr": "Développement backend"})
    complete = PostingFactory(
        company=company,
        language="fr",
        title="Développeuse backend & API",
        summary="Vous construisez nos services <API>.",
        description="Premier paragraphe.\n\nSecond paragraphe.",
        salary_min=Decimal("42000.50"),
        salary_max=Decimal("55000.00"),
        apply_email="jobs@atelier.example",
        tags=[backend, TagFactory(slug="api", name="API")],
        items=False,
    )
    add_items(
        complete, Responsibility, ("primary", "Concevoir l'API"), ("secondary", "Astreintes"), ("primary", "Revues")
    )
    add_items(
        complete,
        Requirement,
        *[(kind, f"Exigence {kind}") for kind in reversed(Requirement.Kind.values)],
        (Requirement.Kind.TECHNICAL_SKILL, "Python"),
    )
    complete.requirements.filter(text="Python").update(priority=Requirement.Priority.PREFERRED)
    add_items(complete, Benefit, (None, "Mutuelle"), (None, "Télétravail"))
    add_items(complete, CareerStep, ("lateral", "Tech lead"), ("from", "Développeur"), ("to", "Architecte"))
    return [
        complete,
        PostingFactory(
            language="en",
            translation_group=complete.translation_group,
            company=company,
            tags=[backend],
            # A translation shares the job's pay.
            salary_min=Decimal("42000.50"),
            salary_max=Decimal("55000.00"),
            experience_years=8,
            experience_years_max=12,
        ),
        PostingFactory(remote=True, eligible_countries=["PT", "FR", "ES"], city="", experience_years=None),
        # Outside the EU, where an ad need not state its pay.
        PostingFactory(
            salary_min=None, salary_max=None, salary_currency="", salary_period="", items=False, country="CH"
        ),
        PostingFactory(salary_min=30, salary_max=30, salary_period="hour", salary_currency="CHF", language="de"),
        PostingFactory(salary_max=None, employment_type="internship", seniority="junior", language="es"),
        PostingFactory(draft=True, apply_url="", valid_through=None, experience_years=0),
        PostingFactory(scheduled=True),
        PostingFactory(expired=True),
        PostingFactory(archived=True),
    ]


def test_a_reimported_export_reproduces_the_same_postings(tmp_path, postings):
    before = snapshot()
    exported = export(tmp_path, "--base-url", "https://jobs.example.com")
    Posting.objects.all().delete()
    Company.objects.all().delete()
    Tag.objects.all().delete()

    output = import_file(exported)

    assert "Imported 10 postings: 10 new, 0 updated." in output
    assert snapshot() == before
    assert export(tmp_path, "--base-url", "https://jobs.example.com").read_text() == exported.read_text()


def test_the_export_is_schema_org_job_posting_data_plus_the_boards_own(tmp_path, postings):
    records = json.loads(export(tmp_path, "--base-url", "https://jobs.example.com").read_text())

    complete = next(record for record in records if record["identifier"]["value"] == postings[0].slug)
    assert complete["@context"] == "https://schema.org"
    assert complete["@type"] == "JobPosting"
    assert complete["inLanguage"] == "fr"
    assert complete["url"] == f"https://jobs.example.com/fr/jobs/{postings[0].slug}/"
    assert complete["baseSalary"]["value"]["minValue"] == 42000.5
    extension = complete["x-jobboard"]
    assert extension["version"] == 3
    assert extension["translationGroup"] == str(postings[0].translation_group)
    assert extension["responsibilities"] == [
        {"kind": "primary", "text": "Concevoir l'API"},
        {"kind": "secondary", "text": "Astreintes"},
        {"kind": "primary", "text": "Revues"},
    ]
    assert extension["requirements"][-1] == {"kind": "technical_skill", "priority": "preferred", "text": "Python"}
    assert extension["benefits"] == [{"text": "Mutuelle"}, {"text": "Télétravail"}]
    backend = {"slug": "backend", "name": "Backend", "translatedNames": {"fr": "Développement backend"}}
    assert backend in extension["tags"]


def test_a_version_1_file_is_imported_with_its_kinds_of_requirement_mapped_as_the_migration_maps_them(tmp_path):
    posting = PostingFactory(items=False)
    [record] = json.loads(export(tmp_path).read_text())
    posting.delete()
    extension = record["x-jobboard"]
    extension["version"] = 1
    del extension["experienceYearsMax"]
    former_kinds = ["must_have", "nice_to_have", "qualification", "hard_skill", "soft_skill", "education", "experience"]
    extension["requirements"] = [{"kind": kind, "text": f"A {kind} requirement"} for kind in former_kinds]

    import_file(write(tmp_path, [record]))

    requirements = Posting.objects.get(slug=posting.slug).requirements.all()
    assert [(item.kind, item.priority) for item in requirements] == [
        ("qualification", "required"),
        ("qualification", "preferred"),
        ("qualification", "required"),
        ("technical_skill", "required"),
        ("soft_skill", "required"),
        ("education", "required"),
        ("experience", "required"),
    ]


@pytest.mark.parametrize("version", [0, 4, True, "2", [2], {"v": 2}, 2.0])
def test_an_unknown_version_of_the_format_is_refused(tmp_path, version):
    PostingFactory(items=False)
    [record] = json.loads(export(tmp_path).read_text())
    record["x-jobboard"]["version"] = version
    stderr = io.StringIO()

    with pytest.raises(CommandError, match="1 record has errors"):
        call_command("import_postings", str(write(tmp_path, [record])), stderr=stderr)

    assert "x-jobboard: Expected version 3 of the format." in stderr.getvalue()


def test_the_export_can_be_limited_to_a_language_and_a_lifecycle_state(tmp_path, postings):
    records = json.loads(export(tmp_path, "--language", "en", "--lifecycle", "published").read_text())

    assert sorted(record["identifier"]["value"] for record in records) == sorted(
        posting.slug for posting in Posting.objects.live().in_language("en")
    )
    assert all("url" not in record for record in records)


def test_the_export_writes_to_standard_output_without_a_file(postings):
    stdout = io.StringIO()

    call_command("export_postings", stdout=stdout)

    assert len(json.loads(stdout.getvalue())) == len(postings)


def test_importing_postings_that_exist_updates_them_with_their_items(tmp_path, postings):
    records = json.loads(export(tmp_path).read_text())
    complete = next(record for record in records if record["identifier"]["value"] == postings[0].slug)
    complete["title"] = "Développeuse backend senior"
    complete["x-jobboard"]["benefits"] = [{"text": "Vélo de fonction"}]

    output = import_file(write(tmp_path, records))

    assert "0 new, 10 updated" in output
    assert Posting.objects.count() == 10
    posting = Posting.objects.get(pk=postings[0].pk)
    assert posting.title == "Développeuse backend senior"
    assert [benefit.text for benefit in posting.benefits.all()] == ["Vélo de fonction"]
    assert posting.created_at == postings[0].created_at


def test_imported_postings_are_live_filterable_and_searchable(tmp_path, client, django_capture_on_commit_callbacks):
    posting = PostingFactory(remote=True, eligible_countries=["PT"], title="Kotlin developer", items=False)
    exported = export(tmp_path)
    Posting.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        import_file(exported)

    imported = Posting.objects.get(slug=posting.slug)
    assert set(WorkCountry.objects.filter(posting=imported).values_list("country", flat=True)) == {"PT"}
    response = client.get("/en/", {"q": "kotlin", "country": "PT"})
    assert list(response.context["page"].object_list) == [imported]


def test_an_import_checks_every_record_reports_each_ones_errors_and_writes_nothing(tmp_path, postings):
    records = json.loads(export(tmp_path).read_text())
    records[0]["title"] = ""
    records[1]["employmentType"] = "SOMETIMES"
    records[1]["x-jobboard"]["requirements"][0]["kind"] = "magic"
    records[1]["x-jobboard"]["requirements"][1]["priority"] = "maybe"
    records[2]["datePosted"] = "yesterday"
    records[3]["hiringOrganization"] = {"identifier": "new-company", "name": "", "sameAs": "not a url"}
    records[4]["baseSalary"]["value"]["minValue"] = "lots"
    records[5]["x-jobboard"]["tags"] = [{"slug": "not a slug!", "name": "Oops"}]
    records[6]["x-jobboard"]["status"] = Status.PUBLISHED
    records[6]["x-jobboard"]["applyUrl"] = records[6]["x-jobboard"]["applyEmail"] = ""
    records.append({**records[8], "inLanguage": records[8]["inLanguage"]})
    records.append("not a posting")
    valid_but_new = {
        **records[9],
        "identifier": {"value": "brand-new"},
        "hiringOrganization": {"identifier": "newco", "name": "New"},
    }
    valid_but_new["x-jobboard"] = {
        **records[9]["x-jobboard"],
        "translationGroup": "2f1d3c4b-0000-4000-8000-000000000000",
    }
    records.append(valid_but_new)
    before = snapshot()
    stderr = io.StringIO()

    with pytest.raises(CommandError, match="9 records have errors; nothing was imported"):
        call_command("import_postings", str(write(tmp_path, records)), stderr=stderr)

    report = stderr.getvalue()
    for expected in [
        f"Record 1 ({records[0]['identifier']['value']})\n  title: This field cannot be blank.",
        "employmentType: Expected one of: FULL_TIME, PART_TIME, CONTRACTOR, TEMPORARY, INTERN.",
        "x-jobboard.requirements.0.kind: Value 'magic' is not a valid choice.",
        "x-jobboard.requirements.1.priority: Value 'maybe' is not a valid choice.",
        "datePosted: Expected a date and time in ISO 8601 format.",
        "hiringOrganization.name: This field cannot be blank.",
        "hiringOrganization.sameAs: Enter a valid URL.",
        "baseSalary.value.minValue: Expected a number.",
        "x-jobboard.tags.0.slug: Enter a valid",
        "x-jobboard.applyUrl: Give an application URL or e-mail address before publishing.",
        "Record 11 (",
        "identifier.value: Record 9 has the same slug.",
        "x-jobboard.translationGroup: Record 9 is the same job in the same language.",
        "Record 12\n  @type: Expected a JobPosting object.",
    ]:
        assert expected in report
    assert "employmentType: This field cannot be blank." not in report
    assert "Record 13" not in report
    assert snapshot() == before
    assert not Company.objects.filter(slug="newco").exists()


def test_each_record_naming_a_faulty_new_company_or_tag_is_reported(tmp_path, postings):
    records = json.loads(export(tmp_path).read_text())
    for record in records[:2]:
        record["hiringOrganization"] = {"identifier": "newco", "name": ""}
        record["x-jobboard"]["tags"] = [{"slug": "new-tag", "name": ""}]
    stderr = io.StringIO()

    with pytest.raises(CommandError, match="2 records have errors"):
        call_command("import_postings", str(write(tmp_path, records)), stderr=stderr)

    assert stderr.getvalue().count("hiringOrganization.name: This field cannot be blank.") == 2
    assert stderr.getvalue().count("x-jobboard.tags.0.name: This field cannot be blank.") == 2


def test_a_dry_run_checks_and_writes_nothing(tmp_path, postings):
    exported = export(tmp_path)
    Posting.objects.all().delete()

    output = import_file(exported, "--dry-run")

    assert "All 10 records are valid" in output
    assert not Posting.objects.exists()


def test_imported_text_loses_its_control_characters_and_lone_surrogates(tmp_path):
    PostingFactory(company=CompanyFactory(slug="northwind"), tags=[TagFactory(slug="data")])
    [record] = json.loads(export(tmp_path).read_text())
    Posting.objects.all().delete()
    Company.objects.all().delete()
    Tag.objects.all().delete()
    extension = record["x-jobboard"]
    record["title"] = "Data\x0bengineer\ud800"
    record["hiringOrganization"]["name"] = "North\x0cwind\x01"
    extension["summary"] = "Run\x0bthe\x00 platform.\udfff\uffff"
    extension["requirements"][0]["text"] = "Python\x0b3\x1b"
    extension["tags"][0] |= {"name": "Da\x1bta", "translatedNames": {"fr": "Don\x0bnées\ud83d", "de\x00": "Daten"}}

    import_file(write(tmp_path, [record]))

    posting = Posting.objects.select_related("company").get()
    assert (posting.title, posting.company.name, posting.summary) == (
        "Data engineer",
        "North wind",
        "Run\nthe platform.",
    )
    assert posting.requirements.first().text == "Python\n3"
    assert Tag.objects.values_list("name", "translated_names").get() == ("Data", {"fr": "Don nées", "de": "Daten"})


@pytest.mark.parametrize(
    ("path", "value", "error"),
    [
        ("x-jobboard.summary", 42, "x-jobboard.summary: Expected text."),
        ("x-jobboard.experienceYears", "five", "x-jobboard.experienceYears: Expected a whole number."),
        ("x-jobboard.experienceYears", True, "x-jobboard.experienceYears: Expected a whole number."),
        ("validThrough", "2031-02-30T09:00:00+00:00", "validThrough: Expected a date and time in ISO 8601 format."),
        ("x-jobboard.eligibleCountries", "FR", "x-jobboard.eligibleCountries: Expected a list."),
        (
            "x-jobboard.tags.0.translatedNames",
            ["fr", "Données"],
            "x-jobboard.tags.0.translatedNames: Expected an object of names by language code.",
        ),
        ("x-jobboard.benefits", "none", "x-jobboard.benefits: Expected a list."),
    ],
)
def test_a_value_of_the_wrong_kind_is_reported_at_its_path(tmp_path, path, value, error):
    PostingFactory(tags=[TagFactory()])
    [record] = json.loads(export(tmp_path).read_text())
    Tag.objects.all().delete()
    *parents, key = path.split(".")
    target = record
    for parent in parents:
        target = target[int(parent)] if parent.isdigit() else target[parent]
    target[key] = value
    stderr = io.StringIO()

    with pytest.raises(CommandError, match="1 record has errors; nothing was imported."):
        call_command("import_postings", str(write(tmp_path, [record])), stderr=stderr)

    assert stderr.getvalue().splitlines()[1:] == [f"  {error}"]


def test_a_file_that_is_not_a_list_of_records_is_refused(tmp_path):
    stderr = io.StringIO()

    with pytest.raises(CommandError, match="1 record has errors; nothing was imported."):
        call_command("import_postings", str(write(tmp_path, {"@type": "JobPosting"})), stderr=stderr)

    assert stderr.getvalue() == "File\n  Expected a JSON list of JobPosting records.\n"


def test_a_file_that_starts_with_a_byte_order_mark_is_imported(tmp_path):
    posting = PostingFactory()
    exported = export(tmp_path)
    exported.write_bytes(codecs.BOM_UTF8 + exported.read_bytes())
    posting.delete()

    assert "Imported 1 postings: 1 new, 0 updated." in import_file(exported)


def test_standard_input_that_starts_with_a_byte_order_mark_is_imported(tmp_path, monkeypatch):
    posting = PostingFactory()
    content = export(tmp_path).read_bytes()
    posting.delete()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(codecs.BOM_UTF8 + content), encoding="utf-8"))

    assert "Imported 1 postings: 1 new, 0 updated." in import_file("-")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"[" * 100_000, "its JSON is nested too deeply"),
        (b'[{"@type": "JobPosting", "title": ' + b"9" * 1_000_000 + b"}]", "Exceeds the limit"),
        (b'[{"@type": "JobPosting", "title": "D\xe9veloppeur"}]', "'utf-8' codec can't decode byte 0xe9"),
        (b"{not json", "Expecting property name enclosed in double quotes"),
    ],
    ids=["deeply nested", "a number of a million digits", "not UTF-8", "not JSON"],
)
def test_a_file_that_cannot_be_read_is_refused_with_the_reason(tmp_path, content, reason):
    path = tmp_path / "bad.json"
    path.write_bytes(content)

    with pytest.raises(CommandError, match=re.escape(f"Cannot read {path}: {reason}")):
        import_file(path)


def test_the_admin_exports_the_selected_postings(admin_client, postings):
    selected = postings[:2]

    response = admin_client.post(
        reverse("admin:jobs_posting_changelist"),
        {"action": "export_json", "_selected_action": [posting.pk for posting in selected]},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="postings.json"'
    records = json.loads(response.content)
    assert sorted(record["identifier"]["value"] for record in records) == sorted(posting.slug for posting in selected)
    assert records[0]["url"].startswith("http://testserver/")


def test_hr_staff_export_only_their_companys_postings(client):
    mine, theirs = PostingFactory(), PostingFactory()
    client.force_login(HREditorFactory(companies=[mine.company]))

    response = client.post(
        reverse("admin:jobs_posting_changelist"),
        {"action": "export_json", "_selected_action": [mine.pk, theirs.pk]},
    )

    assert [record["identifier"]["value"] for record in json.loads(response.content)] == [mine.slug]


def test_postings_published_in_the_past_keep_their_dates(tmp_path):
    published_at = timezone.now() - timedelta(days=40, microseconds=123)
    posting = PostingFactory(published_at=published_at, valid_through=published_at + timedelta(days=90))
    exported = export(tmp_path)
    posting.delete()

    import_file(exported)

    imported = Posting.objects.get(slug=posting.slug)
    assert (imported.published_at, imported.valid_through) == (published_at, published_at + timedelta(days=90))
