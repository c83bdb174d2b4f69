"""The search bar's location ("where"): offices' cities and countries by name or code, in every language."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from alerts.digests import deliver
from alerts.models import Subscription
from jobs.filters import MAX_LOCATION_LENGTH
from jobs.models import Office
from tests.alerts_helpers import confirmed, subscribe
from tests.factories import PostingFactory
from tests.test_listing import facet, listed, titles

pytestmark = pytest.mark.django_db


@pytest.fixture
def board():
    """English postings in Berlin, Munich (with an office in Zürich) and Madrid, a remote one open to France and
    Germany, and a French one in Berlin."""
    munich = PostingFactory(title="Munich analyst", city="München", country="DE", workplace="hybrid")
    Office.objects.create(posting=munich, city="Zürich", country="CH")
    munich.sync_work_countries()
    PostingFactory(title="Berlin engineer", city="Berlin", country="DE", workplace="onsite")
    PostingFactory(title="Madrid designer", city="Madrid", country="ES", workplace="onsite")
    PostingFactory(title="Remote writer", city="", country="", workplace="remote", eligible_countries=["FR", "DE"])
    PostingFactory(title="Développeur à Berlin", language="fr", city="Berlin", country="DE", workplace="onsite")


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("Berlin", {"Berlin engineer"}),
        (" berlin ", {"Berlin engineer"}),
        ("MUNCHEN", {"Munich analyst"}),  # letter case and accents aside
        ("zurich", {"Munich analyst"}),  # another office's city
        ("Spain", {"Madrid designer"}),
        ("france", {"Remote writer"}),  # a country the remote job can be done from
        ("Germany", {"Munich analyst", "Berlin engineer", "Remote writer"}),
        ("DE", {"Munich analyst", "Berlin engineer", "Remote writer"}),
        ("deu", {"Munich analyst", "Berlin engineer", "Remote writer"}),
        ("ch", {"Munich analyst"}),
    ],
)
def test_the_location_matches_offices_cities_and_the_countries_a_job_can_be_done_from(
    client, board, location, expected
):
    assert titles(listed(client, "?" + f"location={location}".replace(" ", "+"))) == expected


@pytest.mark.parametrize(
    ("language", "name", "expected"),
    [
        ("en", "Germany", {"Munich analyst", "Berlin engineer", "Remote writer"}),
        ("fr", "Allemagne", {"Développeur à Berlin"}),
        ("en", "Deutschland", {"Munich analyst", "Berlin engineer", "Remote writer"}),
        ("en", "Alemania", {"Munich analyst", "Berlin engineer", "Remote writer"}),
        ("en", "Espagne", {"Madrid designer"}),
    ],
)
def test_a_country_is_named_in_any_of_the_sites_languages(client, board, language, name, expected):
    """The page's language first; any other keeps a link working through the language switcher."""
    response = listed(client, f"?location={name}", language=language)

    assert titles(response) == expected


def test_the_heading_title_and_chip_name_the_place_in_the_pages_language(client, board):
    response = listed(client, "?location=deutschland&workplace=remote")

    assert '<h2 id="results-heading" class="results__count" tabindex="-1">1 remote job in Germany</h2>' in response.text
    assert "<title>1 remote job in Germany · Job board</title>" in response.text
    assert '<a href="?workplace=remote" data-hx-boost="false">Location: Germany' in response.text
    assert 'name="location" value="deutschland"' in response.text


def test_a_city_is_named_as_its_postings_spell_it(client, board):
    response = listed(client, "?location=munchen")

    assert "1 job in München</h2>" in response.text


def test_an_unknown_place_narrows_to_nothing_and_says_so(client, board):
    response = listed(client, "?location=Atlantis&workplace=onsite")

    assert titles(response) == set()
    assert "0 jobs in Atlantis</h2>" in response.text
    assert "No jobs match all of these filters" in response.text
    # Dropping the location would give the two on-site jobs.
    assert '<a href="?workplace=onsite">Without “Location: Atlantis”: 2 jobs</a>' in response.text
    assert 'aria-invalid="true"' not in response.text


@pytest.mark.parametrize(
    ("location", "count"),
    [
        ("x" * (MAX_LOCATION_LENGTH + 1), 4),  # ignored
        ("%EF%BF%BF", 4),  # U+FFFF, dropped: no location
        ("'; DROP TABLE--", 0),
        ("Ber%0Alin", 0),  # "Ber lin"
        ("%F0%9F%8C%8D", 0),
    ],
)
def test_odd_locations_never_fail(client, board, location, count):
    assert len(titles(listed(client, f"?location={location}"))) == count


def test_an_oversized_location_is_reported_on_the_form_and_ignored(client, board):
    response = listed(client, "?location=" + "x" * (MAX_LOCATION_LENGTH + 1))

    assert len(titles(response)) == 4
    assert 'aria-invalid="true" aria-describedby="location-errors"' in response.text
    assert f"Ensure this value has at most {MAX_LOCATION_LENGTH} characters" in response.text


def test_control_characters_do_not_change_the_place(client, board):
    assert titles(listed(client, "?location=Ber%00lin%1F")) == {"Berlin engineer"}


def test_the_facet_counts_follow_the_location(client, board):
    response = listed(client, "?location=Germany")

    assert facet(response, "workplace") == {"onsite": 1, "hybrid": 1, "remote": 1}
    # The country facet counts the other countries the matching jobs can be done from, given the location.
    assert facet(response, "country") == {"CH": 1, "DE": 3, "ES": 0, "FR": 1}
    narrowed = listed(client, "?location=Germany&workplace=hybrid")
    assert facet(narrowed, "workplace") == {"onsite": 1, "hybrid": 1, "remote": 1}
    assert facet(narrowed, "country") == {"CH": 1, "DE": 1, "ES": 0, "FR": 0}


def test_the_location_suggests_the_places_of_the_languages_postings(client, board):
    response = listed(client, "")

    assert '<input type="search" id="id_location" name="location" value="" form="filters"' in response.text
    assert 'list="places"' in response.text
    places = response.text.split('<datalist id="places">')[1].split("</datalist>")[0]
    assert places == "".join(
        f'<option value="{place}"></option>'
        for place in ["Berlin", "France", "Germany", "Madrid", "München", "Spain", "Switzerland", "Zürich"]
    )
    french = listed(client, "", language="fr").text
    assert '<option value="Allemagne"></option>' in french and "Madrid" not in french.split("<datalist")[1]


def test_htmx_gets_the_results_for_the_location_and_without_javascript_the_form_submits_it(client, board):
    fragment = listed(client, "?location=Madrid", HX_Request="true")

    assert "<html" not in fragment.text
    assert "<title>1 job in Madrid · Job board</title>" in fragment.text
    assert titles(fragment) == {"Madrid designer"}
    page = listed(client, "?location=Madrid")
    assert "<html" in page.text
    assert 'form="filters"' in page.text.split('id="id_location"')[1].split(">")[0]
    assert "change from:#id_location" in page.text


def test_the_location_survives_the_way_to_a_posting_and_back(client, board):
    page = listed(client, "?location=Madrid&utm_source=x")
    posting = page.context["page"].object_list[0]

    detail = client.get(posting.get_absolute_url() + page.context["from_listing"])

    assert detail.context["listing_url"] == "/en/?location=Madrid"


def test_the_language_switcher_keeps_the_location(client, board):
    page = listed(client, "?location=Germany")

    assert page.context["language_urls"]["de"] == "/de/?location=Germany"


def test_an_alert_keeps_the_location_and_sends_only_jobs_there(client, board):
    page = client.get("/en/alerts/?location=Madrid")
    assert "Location" in page.text and "Madrid" in page.text
    subscribe(client, "?location=Madrid&workplace=onsite")
    assert Subscription.objects.get().query == "location=Madrid&workplace=onsite"

    alert = confirmed(query="location=Madrid", email="bob@example.com")
    now = timezone.now() - timedelta(minutes=1)
    PostingFactory(title="New Madrid engineer", city="Madrid", country="ES", published_at=now)
    PostingFactory(title="New Berlin engineer", city="Berlin", country="DE", published_at=now)
    mail.outbox.clear()

    deliver(alert.pk)

    body = mail.outbox[0].body
    assert "New Madrid engineer" in body and "New Berlin engineer" not in body


def test_a_company_page_filters_by_location_too(client, board):
    posting = PostingFactory(title="Acme in Madrid", city="Madrid", country="ES", company__slug="acme")
    PostingFactory(title="Acme in Berlin", city="Berlin", country="DE", company=posting.company)

    response = client.get("/en/companies/acme/?location=madrid")

    assert titles(response) == {"Acme in Madrid"}
