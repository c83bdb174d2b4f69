"""The schema.org JobPosting data of posting pages, read from the pages as a search engine reads it."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from jobs.models import Benefit, CareerStep, FullText, Office, Requirement, Responsibility, WorkingLanguage
from tests.factories import CompanyFactory, HREditorFactory, PostingFactory, TagFactory, add_items
from tests.page_head import json_ld, meta

pytestmark = pytest.mark.django_db

Kind = Requirement.Kind


def job_posting(client, posting):
    response = client.get(posting.get_absolute_url())
    assert response.status_code == 200
    [data] = json_ld(response)
    return data


@pytest.fixture
def posting():
    company = CompanyFactory(
        name="Northwind Labs",
        slug="northwind",
        website="https://northwind.example",
        logo_url="https://northwind.example/logo.png",
    )
    posting = PostingFactory(
        company=company,
        title="Senior Backend Engineer",
        slug="senior-backend-engineer",
        summary="Build the services behind our product.",
        description="We are forty people.\n\nYou join the platform team.",
        city="Berlin",
        country="DE",
        experience_years=5,
        salary_min=75000,
        salary_max=95000,
        salary_currency="EUR",
        salary_period="year",
        published_at=datetime(2026, 3, 2, 9, 30, tzinfo=timezone.UTC),
        valid_through=timezone.now() + timedelta(days=30),
        tags=[TagFactory(slug="backend", name="Backend")],
        items=False,
    )
    add_items(posting, Responsibility, ("primary", "Design the API"), ("secondary", "Join the on-call rotation"))
    add_items(
        posting,
        Requirement,
        (Kind.EXPERIENCE, "Five years of backend work"),
        (Kind.TECHNICAL_SKILL, "Python and Django"),
        (Kind.QUALIFICATION, "APIs in production"),
        (Kind.EDUCATION, "A degree in computer science or equivalent experience"),
        (Kind.SOFT_SKILL, "Clear writing"),
        (Kind.TECHNICAL_SKILL, "Kubernetes"),
        (Kind.QUALIFICATION, "AWS certification"),
        (Kind.LANGUAGE, "Fluent English"),
        (Kind.EDUCATION, "A master's degree"),
        (Kind.EXPERIENCE, "Some years in fintech"),
    )
    posting.requirements.filter(text__in=["Kubernetes", "A master's degree", "Some years in fintech"]).update(
        priority=Requirement.Priority.PREFERRED
    )
    add_items(posting, Benefit, "30 days of holiday", "Learning budget")
    add_items(posting, CareerStep, (CareerStep.Kind.TO, "Staff engineer"))
    return posting


def test_a_live_posting_has_every_property_google_requires_and_recommends(client, posting):
    data = job_posting(client, posting)

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "JobPosting"
    assert data["title"] == "Senior Backend Engineer"
    assert data["datePosted"] == "2026-03-02T09:30:00+00:00"
    assert datetime.fromisoformat(data["validThrough"]) == posting.valid_through
    assert data["employmentType"] == "FULL_TIME"
    assert data["hiringOrganization"] == {
        "@type": "Organization",
        "identifier": "northwind",
        "name": "Northwind Labs",
        "sameAs": "https://northwind.example",
        "logo": "https://northwind.example/logo.png",
        "address": {"@type": "PostalAddress", "addressLocality": "Berlin", "addressCountry": "DE"},
    }
    assert data["jobLocation"] == {
        "@type": "Place",
        "address": {"@type": "PostalAddress", "addressLocality": "Berlin", "addressCountry": "DE"},
    }
    assert "jobLocationType" not in data
    assert "applicantLocationRequirements" not in data
    assert data["baseSalary"] == {
        "@type": "MonetaryAmount",
        "currency": "EUR",
        "value": {"@type": "QuantitativeValue", "minValue": 75000, "maxValue": 95000, "unitText": "YEAR"},
    }
    assert data["experienceRequirements"] == {
        "@type": "OccupationalExperienceRequirements",
        "monthsOfExperience": 60,
        "description": "Five years of backend work",
    }
    assert data["educationRequirements"] == [
        {
            "@type": "EducationalOccupationalCredential",
            "description": "A degree in computer science or equivalent experience",
        }
    ]
    assert data["skills"] == ["Python and Django", "Clear writing"]
    assert data["qualifications"] == [
        "APIs in production",
        "AWS certification",
        "Fluent English",
        "Kubernetes",
        "A master's degree",
        "Some years in fintech",
    ]
    assert data["responsibilities"] == ["Design the API", "Join the on-call rotation"]
    assert data["jobBenefits"] == ["30 days of holiday", "Learning budget"]
    assert data["identifier"] == {
        "@type": "PropertyValue",
        "name": "Northwind Labs",
        "value": "senior-backend-engineer",
    }
    assert data["directApply"] is False
    assert data["url"] == "http://testserver/en/jobs/senior-backend-engineer/"


def test_the_description_is_the_html_of_every_section_in_order(client, posting):
    description = job_posting(client, posting)["description"]

    parts = [
        "<p>Build the services behind our product.</p>",
        "<p>We are forty people.</p>",
        "<p>You join the platform team.</p>",
        "<h2>What you will do</h2>",
        "<li>Design the API</li>",
        "<h3>Secondary responsibilities</h3>",
        "<li>Join the on-call rotation</li>",
        "<h2>What we are looking for</h2>",
        "<h3>Qualifications</h3>",
        "<h3>Experience</h3>",
        "<li>Five years of backend work</li>",
        "<h4>Nice to have</h4>",
        "<li>Some years in fintech</li>",
        "<h3>Education</h3>",
        "<h3>Technical skills</h3>",
        "<li>Python and Django</li>",
        "<h4>Nice to have</h4><ul><li>Kubernetes</li>",
        "<h3>Soft skills</h3>",
        "<h3>Languages</h3>",
        "<h2>What we offer</h2>",
        "<li>Learning budget</li>",
        "<h2>Career path</h2>",
        "<h3>Leads to</h3>",
        "<li>Staff engineer</li>",
    ]
    assert [description.index(part) for part in parts] == sorted(description.index(part) for part in parts)


def test_the_description_is_the_full_text_kept_for_the_feed(client, posting):
    description = job_posting(client, posting)["description"]

    assert FullText.objects.get(posting=posting).html == description


def test_the_description_headings_are_in_the_postings_language(client):
    posting = PostingFactory(language="fr")

    description = job_posting(client, posting)["description"]

    with translation.override("fr"):
        assert f"<h2>{gettext('What you will do')}</h2>" in description
        assert f"<h3>{gettext('Technical skills')}</h3>" in description


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Bachelor's degree in computer science", "bachelor degree"),
        ("Currently enrolled in a bachelor's or master's programme", "bachelor degree"),
        ("Master’s degree or PhD in statistics", "postgraduate degree"),
        ("Doctorat ou master en statistique", "postgraduate degree"),
        ("Grado en Ingeniería Informática", "bachelor degree"),
        ("Abitur oder Fachhochschulreife", "high school"),
        ("High school diploma", "high school"),
        ("Bac+2 en logistique", "associate degree"),
        ("ISTQB Foundation Level certificate", "professional certificate"),
        ("A degree in engineering", None),
        ("Masterclass attendance", None),
    ],
)
def test_required_education_names_googles_credential_category_where_one_is_recognisable(client, text, category):
    posting = PostingFactory(items=False)
    add_items(posting, Requirement, (Kind.EDUCATION, text))

    [education] = job_posting(client, posting)["educationRequirements"]

    assert education.get("credentialCategory") == category
    assert education["description"] == text


def test_what_is_only_nice_to_have_is_never_an_education_experience_or_skill_requirement(client):
    posting = PostingFactory(experience_years=8, experience_years_max=12, items=False)
    add_items(
        posting,
        Requirement,
        (Kind.EDUCATION, "A master's degree"),
        (Kind.EXPERIENCE, "Leading teams"),
        (Kind.TECHNICAL_SKILL, "Rust"),
    )
    posting.requirements.update(priority=Requirement.Priority.PREFERRED)

    data = job_posting(client, posting)

    assert data["experienceRequirements"] == {"@type": "OccupationalExperienceRequirements", "monthsOfExperience": 96}
    for absent in ["educationRequirements", "skills"]:
        assert absent not in data
    assert data["qualifications"] == ["A master's degree", "Leading teams", "Rust"]


def test_a_fully_remote_posting_is_telecommute_with_the_countries_candidates_may_work_from(client):
    posting = PostingFactory(remote=True, eligible_countries=["FR", "DE", "ES"], city="", country="")

    data = job_posting(client, posting)

    assert data["jobLocationType"] == "TELECOMMUTE"
    assert data["applicantLocationRequirements"] == [
        {"@type": "Country", "name": "France"},
        {"@type": "Country", "name": "Germany"},
        {"@type": "Country", "name": "Spain"},
    ]
    assert "jobLocation" not in data


def test_the_countries_of_a_remote_posting_are_named_in_its_language(client):
    posting = PostingFactory(language="de", remote=True, eligible_countries=["FR", "DE", "ES"], country="")

    assert [country["name"] for country in job_posting(client, posting)["applicantLocationRequirements"]] == [
        "Deutschland",
        "Frankreich",
        "Spanien",
    ]


def test_a_remote_posting_with_an_office_has_its_place_too(client):
    posting = PostingFactory(remote=True, eligible_countries=["FR"], city="Berlin", country="DE")

    data = job_posting(client, posting)

    assert data["jobLocation"] == {
        "@type": "Place",
        "address": {"@type": "PostalAddress", "addressLocality": "Berlin", "addressCountry": "DE"},
    }
    assert data["applicantLocationRequirements"] == [{"@type": "Country", "name": "France"}]


def test_a_remote_posting_without_eligible_countries_is_open_to_its_own_country(client):
    posting = PostingFactory(remote=True, eligible_countries=[], country="FR")

    assert job_posting(client, posting)["applicantLocationRequirements"] == [{"@type": "Country", "name": "France"}]


def place(city, country):
    address = {"@type": "PostalAddress", "addressLocality": city, "addressCountry": country}
    return {"@type": "Place", "address": {key: value for key, value in address.items() if value}}


def with_offices(posting, *places):
    Office.objects.bulk_create(Office(posting=posting, city=city, country=country) for city, country in places)
    posting.sync_work_countries()
    return posting


def assert_google_location_rules(data):
    """Google's JobPosting rules for where the job is: an office job has a jobLocation, each Place an address
    with its country; a remote job (TELECOMMUTE) names the countries applicants may work from."""
    places = data.get("jobLocation", [])
    places = [places] if isinstance(places, dict) else places
    for each in places:
        assert each["@type"] == "Place"
        assert each["address"]["@type"] == "PostalAddress" and len(each["address"]["addressCountry"]) == 2
    if data.get("jobLocationType") == "TELECOMMUTE":
        assert data["applicantLocationRequirements"]
        assert all(
            country["@type"] == "Country" and country["name"] for country in data["applicantLocationRequirements"]
        )
    else:
        assert places, "a job that is not fully remote needs its jobLocation"
        assert "applicantLocationRequirements" not in data


def test_a_posting_with_several_offices_has_a_job_location_for_each_main_office_first(client):
    posting = with_offices(PostingFactory(city="Berlin", country="DE"), ("Paris", "FR"), ("", "NL"))

    data = job_posting(client, posting)

    assert data["jobLocation"] == [place("Berlin", "DE"), place("Paris", "FR"), place("", "NL")]
    assert "jobLocationType" not in data
    assert_google_location_rules(data)


def test_a_remote_posting_with_several_offices_is_telecommute_with_each_office_as_a_place(client):
    posting = with_offices(
        PostingFactory(remote=True, eligible_countries=["PT", "ES"], city="Berlin", country="DE"), ("Paris", "FR")
    )

    data = job_posting(client, posting)

    assert data["jobLocationType"] == "TELECOMMUTE"
    assert data["jobLocation"] == [place("Berlin", "DE"), place("Paris", "FR")]
    assert data["applicantLocationRequirements"] == [
        {"@type": "Country", "name": "Portugal"},
        {"@type": "Country", "name": "Spain"},
    ]
    assert_google_location_rules(data)


@pytest.mark.parametrize(
    ("fields", "offices"),
    [
        ({"workplace": "onsite"}, []),
        ({"workplace": "hybrid"}, [("Lyon", "FR")]),
        ({"workplace": "remote", "eligible_countries": ["FR"], "city": "", "country": ""}, []),
        ({"workplace": "remote", "eligible_countries": [], "country": "FR"}, [("", "BE")]),
    ],
)
def test_googles_location_rules_hold_for_every_kind_of_workplace(client, fields, offices):
    assert_google_location_rules(job_posting(client, with_offices(PostingFactory(**fields), *offices)))


def test_a_remote_posting_with_offices_but_no_eligible_countries_is_open_to_their_countries(client):
    posting = with_offices(PostingFactory(remote=True, eligible_countries=[], country="FR"), ("", "BE"))

    assert job_posting(client, posting)["applicantLocationRequirements"] == [
        {"@type": "Country", "name": "Belgium"},
        {"@type": "Country", "name": "France"},
    ]


def test_working_languages_visa_and_relocation_are_text_in_the_postings_language(client):
    posting = PostingFactory(language="de", visa_sponsorship=True, relocation=True, items=False)
    WorkingLanguage.objects.create(posting=posting, language="de", level="C1")
    WorkingLanguage.objects.create(posting=posting, language="en", level="B2")

    data = job_posting(client, posting)

    # The posting's own language stays what inLanguage means; the languages the job requires are qualifications.
    assert data["qualifications"] == ["Deutsch C1", "Englisch B2"]
    with translation.override("de"):
        assert data["eligibilityToWorkRequirement"] == gettext("The company sponsors a work visa if one is needed.")
        assert data["jobBenefits"] == [gettext("Relocation assistance")]
    assert data["eligibilityToWorkRequirement"] != "The company sponsors a work visa if one is needed."


def test_without_visa_or_relocation_there_is_no_such_text(client):
    data = job_posting(client, PostingFactory(items=False))

    assert "eligibilityToWorkRequirement" not in data
    assert "jobBenefits" not in data


def test_the_hiring_organization_is_described_in_the_postings_language(client):
    company = CompanyFactory()
    company.descriptions.create(language="en", text="Who we are.")
    company.descriptions.create(language="fr", text="Qui nous sommes.")

    data = job_posting(client, PostingFactory(company=company, language="fr"))

    assert data["hiringOrganization"]["description"] == "Qui nous sommes."


def test_a_posting_without_salary_has_no_base_salary(client):
    posting = PostingFactory(salary_min=None, salary_max=None, salary_currency="", salary_period="")

    assert "baseSalary" not in job_posting(client, posting)


@pytest.mark.parametrize(
    ("low", "high", "value"),
    [
        (50000, 50000, {"value": 50000}),
        (50000, None, {"minValue": 50000}),
        (None, 60000, {"maxValue": 60000}),
        ("42.50", "55.25", {"minValue": 42.5, "maxValue": 55.25}),
    ],
)
def test_a_single_amount_or_an_open_range_stays_what_it_is(client, low, high, value):
    posting = PostingFactory(salary_min=low, salary_max=high)

    assert job_posting(client, posting)["baseSalary"]["value"] == {
        "@type": "QuantitativeValue",
        **value,
        "unitText": "YEAR",
    }


@pytest.mark.parametrize(("period", "unit"), [("hour", "HOUR"), ("day", "DAY"), ("month", "MONTH"), ("year", "YEAR")])
def test_salary_periods_are_googles_units(client, period, unit):
    posting = PostingFactory(salary_period=period)

    assert job_posting(client, posting)["baseSalary"]["value"]["unitText"] == unit


@pytest.mark.parametrize(
    ("employment_type", "value"),
    [
        ("full_time", "FULL_TIME"),
        ("part_time", "PART_TIME"),
        ("contract", "CONTRACTOR"),
        ("temporary", "TEMPORARY"),
        ("internship", "INTERN"),
    ],
)
def test_employment_types_are_googles_values(client, employment_type, value):
    posting = PostingFactory(employment_type=employment_type)

    assert job_posting(client, posting)["employmentType"] == value


def test_optional_properties_are_left_out_rather_than_empty(client):
    posting = PostingFactory(
        company=CompanyFactory(website="", logo_url="", city="", country=""),
        experience_years=None,
        valid_through=None,
        items=False,
    )

    data = job_posting(client, posting)

    assert data["hiringOrganization"] == {
        "@type": "Organization",
        "identifier": posting.company.slug,
        "name": posting.company.name,
    }
    for absent in ["validThrough", "experienceRequirements", "educationRequirements", "skills", "jobBenefits"]:
        assert absent not in data


def test_experience_requirements_without_a_minimum_of_years_are_text(client):
    posting = PostingFactory(experience_years=None, items=False)
    add_items(posting, Requirement, (Kind.EXPERIENCE, "Some retail experience"))

    assert job_posting(client, posting)["experienceRequirements"] == ["Some retail experience"]


def test_no_text_of_a_posting_can_break_out_of_the_script_element(client):
    attack = '</script><script>alert("x")</script><!--'
    posting = PostingFactory(
        title=attack, summary=f"Fish & chips {attack}", company=CompanyFactory(name=attack), items=False
    )
    add_items(posting, Benefit, attack)

    response = client.get(posting.get_absolute_url())

    assert "<script>alert" not in response.text
    [data] = json_ld(response)
    assert data["title"] == attack
    assert data["hiringOrganization"]["name"] == attack
    assert data["jobBenefits"] == [attack]
    assert "&lt;/script&gt;&lt;script&gt;alert" in data["description"]
    assert "Fish &amp; chips" in data["description"]


@pytest.mark.parametrize("trait", ["expired", "archived"])
def test_closed_postings_have_no_job_posting_data_and_are_noindex(client, trait):
    posting = PostingFactory(**{trait: True})

    response = client.get(posting.get_absolute_url())

    assert response.status_code == 410
    assert json_ld(response) == []
    assert meta(response, "robots") == "noindex"


@pytest.mark.parametrize("trait", ["draft", "scheduled"])
def test_previews_for_hr_staff_have_no_job_posting_data(client, trait):
    posting = PostingFactory(**{trait: True})
    client.force_login(HREditorFactory(companies=[posting.company]))

    response = client.get(posting.get_absolute_url())

    assert response.status_code == 200
    assert json_ld(response) == []
