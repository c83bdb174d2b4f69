import pytest
from django.urls import reverse

from jobs.models import Posting, Tag
from tests.factories import CompanyFactory, PostingFactory, TagFactory

pytestmark = pytest.mark.django_db


def inline_management(prefix, total):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0"}


def test_admin_add_view_creates_a_posting_with_its_items(admin_client):
    company = CompanyFactory()
    tag = TagFactory()
    data = {
        "company": company.pk,
        "language": "fr",
        "title": "Développeuse backend",
        "slug": "developpeuse-backend",
        "summary": "Vous construisez nos services.",
        "employment_type": "full_time",
        "seniority": "mid",
        "experience_years": "2",
        "tags": [tag.pk],
        "workplace": "remote",
        "city": "Lyon",
        "country": "FR",
        "eligible_countries": ["FR", "BE"],
        "salary_min": "45000",
        "salary_max": "55000",
        "salary_currency": "EUR",
        "salary_period": "year",
        "apply_email": "jobs@example.com",
        "status": "published",
        "published_at_0": "2026-01-05",
        "published_at_1": "09:00:00",
        "translation_group": "7b0a4c1e-2f65-4a55-9a36-2a3c5e7d9f10",
        **inline_management("responsibilities", 1),
        "responsibilities-0-position": "1",
        "responsibilities-0-kind": "primary",
        "responsibilities-0-text": "Concevoir l'API",
        **inline_management("requirements", 2),
        "requirements-0-position": "1",
        "requirements-0-kind": "must_have",
        "requirements-0-text": "Python",
        "requirements-1-position": "2",
        "requirements-1-kind": "soft_skill",
        "requirements-1-text": "Curiosité",
        **inline_management("benefits", 2),
        "benefits-0-position": "2",
        "benefits-0-text": "Télétravail",
        "benefits-1-position": "1",
        "benefits-1-text": "Mutuelle",
        **inline_management("career_steps", 0),
    }

    response = admin_client.post(reverse("admin:jobs_posting_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    posting = Posting.objects.get(slug="developpeuse-backend")
    assert posting.language == "fr"
    assert [str(c) for c in posting.eligible_countries] == ["BE", "FR"]
    assert [r.text for r in posting.requirements.all()] == ["Python", "Curiosité"]
    assert [b.text for b in posting.benefits.all()] == ["Mutuelle", "Télétravail"]
    assert list(posting.tags.all()) == [tag]


def test_admin_rejects_a_salary_without_currency(admin_client):
    company = CompanyFactory()
    data = {
        "company": company.pk,
        "language": "en",
        "title": "Analyst",
        "slug": "analyst",
        "summary": "Numbers.",
        "employment_type": "full_time",
        "seniority": "mid",
        "workplace": "onsite",
        "country": "DE",
        "salary_min": "40000",
        "status": "draft",
        "translation_group": "2b0a4c1e-2f65-4a55-9a36-2a3c5e7d9f10",
        **inline_management("responsibilities", 0),
        **inline_management("requirements", 0),
        **inline_management("benefits", 0),
        **inline_management("career_steps", 0),
    }

    response = admin_client.post(reverse("admin:jobs_posting_add"), data)

    assert response.status_code == 200
    assert "Give the currency of the salary." in response.text
    assert not Posting.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?status__exact=published",
        "?language__exact=fr",
        "?workplace__exact=remote",
        "?country__exact=DE",
        "?q=engineer",
    ],
)
def test_admin_posting_list_with_filters_and_search(admin_client, query):
    PostingFactory(title="Backend engineer")

    response = admin_client.get(reverse("admin:jobs_posting_changelist") + query)

    assert response.status_code == 200


def test_admin_change_page_has_view_on_site(admin_client):
    posting = PostingFactory()

    response = admin_client.get(reverse("admin:jobs_posting_change", args=[posting.pk]))

    assert response.status_code == 200
    assert "View on site" in response.text


def test_admin_tag_form_stores_a_name_per_language(admin_client):
    data = {
        "name": "Backend development",
        "slug": "backend",
        "name_fr": "Développement backend",
        "name_de": "",
        "name_es": "Desarrollo backend",
    }

    response = admin_client.post(reverse("admin:jobs_tag_add"), data)

    assert response.status_code == 302
    tag = Tag.objects.get(slug="backend")
    assert tag.translated_names == {"fr": "Développement backend", "es": "Desarrollo backend"}
    assert tag.label("fr") == "Développement backend"
    assert tag.label("de") == "Backend development"
