"""Company pages: who the company is, and its live postings in the page's language with the listing's filters."""

from xml.etree import ElementTree

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobs.models import CompanyDescription
from tests.admin_forms import change_form_data
from tests.factories import CompanyFactory, PostingFactory
from tests.page_head import links, meta
from tests.test_listing import params, query_values, titles
from tests.test_sitemap import ORIGIN, urlset

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme():
    company = CompanyFactory(
        slug="acme", name="Acme", website="https://acme.example", logo_url="https://acme.example/logo.png"
    )
    company.descriptions.create(language="en", text="We make **anvils**.")
    company.descriptions.create(language="de", text="Wir bauen Ambosse.")
    PostingFactory(company=company, title="Acme backend", workplace="onsite")
    PostingFactory(company=company, title="Acme remote", workplace="remote", eligible_countries=["FR"])
    PostingFactory(company=company, title="Acme draft", draft=True)
    PostingFactory(company=company, title="Acme expired", expired=True)
    PostingFactory(company=company, title="Acme à Paris", language="fr")
    PostingFactory(title="Someone else's")
    return company


def page(client, language="en", slug="acme", query="", **headers):
    return client.get(f"/{language}/companies/{slug}/{query}", headers=headers)


def test_the_page_shows_the_company_and_its_live_postings_in_the_language(client, acme):
    response = page(client)

    assert response.status_code == 200
    assert titles(response) == {"Acme backend", "Acme remote"}
    assert "<h1>Acme</h1>" in response.text
    assert "<p>We make <strong>anvils</strong>.</p>" in response.text
    assert "Wir bauen Ambosse." not in response.text
    assert 'src="https://acme.example/logo.png"' in response.text
    assert 'href="https://acme.example"' in response.text
    assert [link["href"] for link in links(response, "canonical")] == ["http://testserver/en/companies/acme/"]


def test_a_language_without_a_description_shows_the_postings_alone(client, acme):
    response = page(client, "fr")

    assert titles(response) == {"Acme à Paris"}
    assert "anvils" not in response.text


def test_the_listings_filters_narrow_the_companys_postings_and_report_bad_values(client, acme):
    response = page(client, query="?workplace=remote&visa=maybe")

    assert titles(response) == {"Acme remote"}
    assert set(response.context["filterset"].errors) == {"visa"}
    assert 'action="/en/companies/acme/"' in response.text
    workplace = next(group for group in response.context["facets"] if group["name"] == "workplace")
    assert {option["value"]: option["count"] for option in workplace["options"]} == {
        "onsite": 1,
        "hybrid": 0,
        "remote": 1,
    }


def test_htmx_gets_the_results_and_facets_only(client, acme):
    response = page(client, query="?workplace=onsite", **{"HX-Request": "true"})

    assert titles(response) == {"Acme backend"}
    assert "<html" not in response.text
    assert 'id="results"' in response.text


def test_a_language_without_live_postings_points_to_the_others(client, acme):
    response = page(client, "es")

    assert response.status_code == 200
    assert "filterset" not in response.context
    assert '<a href="/en/companies/acme/" hreflang="en" lang="en">English</a>' in response.text
    assert '<a href="/fr/companies/acme/" hreflang="fr" lang="fr">Français</a>' in response.text
    assert "/de/companies/acme/" not in response.text.split("<main")[1].split("</main>")[0]
    assert meta(response, "robots") == "noindex"


def test_a_company_without_any_live_posting_is_not_found(client):
    company = CompanyFactory(slug="quiet")
    PostingFactory(company=company, draft=True)
    PostingFactory(company=company, expired=True)

    assert page(client, slug="quiet").status_code == 404
    assert page(client, slug="no-such-company").status_code == 404


def test_hreflang_names_the_languages_with_live_postings(client, acme):
    links = {link["hreflang"]: link["href"] for link in page(client).context["hreflang"]}

    assert links == {"en": "http://testserver/en/companies/acme/", "fr": "http://testserver/fr/companies/acme/"}


def test_cards_and_posting_pages_link_to_the_company_page(client, acme):
    posting = acme.postings.get(title="Acme backend")

    assert '<a href="/en/companies/acme/">Acme</a>' in client.get("/en/").text
    assert '<a href="/en/companies/acme/">Acme</a>' in client.get(posting.get_absolute_url()).text


def test_the_sitemap_lists_each_company_page_with_live_postings_and_its_other_languages(client, acme, settings):
    CompanyFactory(slug="quiet")

    urls = urlset(client, "companies")

    english, french = f"{ORIGIN}/en/companies/acme/", f"{ORIGIN}/fr/companies/acme/"
    assert english in urls and french in urls
    assert not any("/quiet/" in url for url in urls)
    assert urls[english]["alternates"] == {"en": english, "fr": french, "x-default": english}
    newest = acme.postings.filter(language="en", status="published").order_by("-updated_at").first()
    assert urls[english]["lastmod"] == newest.updated_at.date().isoformat()


def test_hr_edits_a_description_per_language_in_the_company_admin(admin_client, acme):
    url = reverse("admin:jobs_company_change", args=[acme.pk])
    data = change_form_data(admin_client.get(url))
    data |= {
        "descriptions-2-language": "fr",
        "descriptions-2-text": "Nous fabriquons des enclumes.",
        "descriptions-TOTAL_FORMS": "3",
    }

    assert admin_client.post(url, data).status_code == 302
    assert CompanyDescription.objects.get(company=acme, language="fr").text == "Nous fabriquons des enclumes."

    data = change_form_data(admin_client.get(url))
    data |= {"descriptions-3-language": "fr", "descriptions-3-text": "Encore", "descriptions-TOTAL_FORMS": "4"}
    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "The company already has a description in that language." in response.text


def test_sitemap_xml_is_well_formed_with_companies(client, acme):
    response = client.get("/sitemap-companies.xml")

    assert response.status_code == 200
    ElementTree.fromstring(response.content)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(params, query_values), max_size=8), st.sampled_from(["en", "fr", "de", "es"]))
def test_random_query_strings_never_cause_a_server_error_on_a_company_page(client, acme, pairs, language):
    response = client.get(
        f"/{language}/companies/acme/", pairs, headers={"HX-Request": "true"} if len(pairs) % 2 else {}
    )

    assert response.status_code == 200
