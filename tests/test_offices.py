"""Postings with several offices: where the job can be done, the country filter and facet, pages, admin, exchange."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from jobs.exchange import postings_json, read_records, save
from jobs.models import Office, Posting, WorkCountry, WorkingLanguage
from tests.admin_forms import change_form_data
from tests.factories import PostingFactory
from tests.test_listing import facet, listed, titles

pytestmark = pytest.mark.django_db


def with_offices(posting, *places):
    """`posting` with other offices at `places`, (city, country) each, its work countries synced."""
    Office.objects.bulk_create(Office(posting=posting, city=city, country=country) for city, country in places)
    posting.sync_work_countries()
    return posting


@pytest.fixture
def board():
    return {
        "europe": with_offices(
            PostingFactory(title="Europe-wide", city="Berlin", country="DE", workplace="hybrid"),
            ("Paris", "FR"),
            ("Munich", "DE"),
        ),
        "madrid": PostingFactory(title="Madrid only", city="Madrid", country="ES", workplace="onsite"),
    }


def test_the_job_can_be_done_in_the_country_of_each_office(board):
    assert board["europe"].work_country_codes() == {"DE", "FR"}
    assert [str(office) for office in board["europe"].offices()] == [
        "Berlin, Germany",
        "Paris, France",
        "Munich, Germany",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?country=FR", {"Europe-wide"}),
        ("?country=DE", {"Europe-wide"}),
        ("?country=ES", {"Madrid only"}),
        ("?country=FR&country=ES", {"Europe-wide", "Madrid only"}),
    ],
)
def test_the_country_filter_matches_any_office(client, board, query, expected):
    assert titles(listed(client, query)) == expected


def test_each_office_is_counted_under_its_country_once_per_posting(client, board):
    response = listed(client)

    assert facet(response, "country") == {"DE": 1, "ES": 1, "FR": 1}
    assert [value for value, _label in response.context["filterset"].form.fields["country"].choices] == [
        "FR",
        "DE",
        "ES",
    ]


def test_cards_and_pages_show_every_office_main_office_first(client, board):
    card = listed(client, "?country=FR").text
    page = client.get(board["europe"].get_absolute_url()).text

    for html in [card, page]:
        assert "Berlin, Germany; Paris, France; Munich, Germany · Hybrid" in html


def test_a_remote_posting_lists_its_offices_beside_the_countries_candidates_may_work_from(client):
    posting = with_offices(
        PostingFactory(remote=True, eligible_countries=["PT"], city="Berlin", country="DE"), ("", "NL")
    )

    page = client.get(posting.get_absolute_url()).text

    assert "Office: Berlin, Germany; Netherlands</p>" in page
    assert posting.work_country_codes() == {"PT"}


def test_copies_and_translations_keep_the_offices_and_working_languages(board):
    WorkingLanguage.objects.create(posting=board["europe"], language="de", level="C1")

    copy = Posting.objects.with_sections().get(pk=board["europe"].pk).copy(language="fr")

    assert [str(office) for office in copy.offices()] == ["Berlin, Germany", "Paris, France", "Munich, Germany"]
    assert [str(language) for language in copy.working_languages.all()] == ["German C1"]
    assert set(WorkCountry.objects.filter(posting=copy).values_list("country", flat=True)) == {"DE", "FR"}


def test_hr_adds_and_removes_offices_in_the_admin_and_the_work_countries_follow(admin_client, board):
    posting = board["madrid"]
    url = reverse("admin:jobs_posting_change", args=[posting.pk])
    data = change_form_data(admin_client.get(url))
    data |= {"other_offices-0-city": "Lisbon", "other_offices-0-country": "PT", "other_offices-TOTAL_FORMS": "1"}
    data |= {"working_languages-0-language": "es", "working_languages-0-level": "B2"}
    data |= {"working_languages-TOTAL_FORMS": "1", "visa_sponsorship": "on"}

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    posting.refresh_from_db()
    assert posting.visa_sponsorship
    assert [str(office) for office in posting.offices()] == ["Madrid, Spain", "Lisbon, Portugal"]
    assert [str(language) for language in posting.working_languages.all()] == ["Spanish B2"]
    assert titles(listed(admin_client, "?country=PT")) == {"Madrid only"}

    data = change_form_data(admin_client.get(url))
    data["other_offices-0-DELETE"] = "on"
    assert admin_client.post(url, data).status_code == 302

    assert set(WorkCountry.objects.filter(posting=posting).values_list("country", flat=True)) == {"ES"}


def test_the_admin_refuses_an_office_without_a_country_and_a_language_twice(admin_client, board):
    url = reverse("admin:jobs_posting_change", args=[board["madrid"].pk])
    data = change_form_data(admin_client.get(url))
    data |= {"other_offices-0-city": "Lisbon", "other_offices-0-country": "", "other_offices-TOTAL_FORMS": "1"}
    data |= {"working_languages-TOTAL_FORMS": "2"}
    for index in range(2):
        data |= {f"working_languages-{index}-language": "es", f"working_languages-{index}-level": "B2"}

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "other_offices-0-country" in response.text
    errors = [str(error) for formset in response.context["inline_admin_formsets"] for error in formset.formset.errors]
    assert any("country" in error for error in errors)
    assert "Please correct the duplicate data for language" in response.text
    assert not Office.objects.filter(posting=board["madrid"]).exists()


def test_the_exchange_format_carries_offices_languages_flags_and_company_descriptions(board):
    posting = board["europe"]
    posting.visa_sponsorship = posting.relocation = True
    posting.save()
    WorkingLanguage.objects.create(posting=posting, language="de", level="C1")
    posting.company.descriptions.create(language="en", text="Who we are.")
    records = json.loads(postings_json(Posting.objects.filter(pk=posting.pk)))
    [record] = records
    assert [place["address"]["addressCountry"] for place in record["jobLocation"]] == ["DE", "FR", "DE"]
    assert record["hiringOrganization"]["description"] == "Who we are."

    Posting.objects.all().delete()
    posting.company.descriptions.all().delete()
    [(imported, created)] = save(read_records(records))

    assert created
    assert [str(office) for office in imported.offices()] == ["Berlin, Germany", "Paris, France", "Munich, Germany"]
    assert [str(language) for language in imported.working_languages.all()] == ["German C1"]
    assert (imported.visa_sponsorship, imported.relocation) == (True, True)
    assert set(WorkCountry.objects.filter(posting=imported).values_list("country", flat=True)) == {"DE", "FR"}
    assert imported.company.description_in("en").text == "Who we are."


def test_an_import_reports_a_faulty_office_or_language_by_its_place_in_the_record(board, tmp_path):
    [record] = json.loads(postings_json(Posting.objects.filter(pk=board["europe"].pk)))
    record["jobLocation"][1]["address"]["addressCountry"] = "XX"
    record["x-jobboard"]["workingLanguages"] = [{"language": "klingon", "level": "C1"}, {"language": "de"}]
    record["x-jobboard"]["visaSponsorship"] = "yes"
    path = tmp_path / "postings.json"
    path.write_text(json.dumps([record]))

    stderr = io.StringIO()

    with pytest.raises(CommandError, match="1 record has errors"):
        call_command("import_postings", str(path), stderr=stderr)

    reported = stderr.getvalue()
    assert "jobLocation.1.address.addressCountry: " in reported
    assert "x-jobboard.workingLanguages.0.language: " in reported
    assert "x-jobboard.workingLanguages.1.level: " in reported
    assert "x-jobboard.visaSponsorship: Expected true or false." in reported
    assert Posting.objects.count() == 2
