"""The languages a job requires, visa sponsorship and relocation: filters, facet counts and display."""

import pytest
from django.db import IntegrityError
from django.utils import translation

from jobs.models import WorkingLanguage
from tests.factories import PostingFactory
from tests.test_listing import facet, listed, titles

pytestmark = pytest.mark.django_db


def requiring(posting, *levels):
    """`posting`, now requiring each (language, level) of `levels`."""
    WorkingLanguage.objects.bulk_create(
        WorkingLanguage(posting=posting, language=language, level=level) for language, level in levels
    )
    return posting


@pytest.fixture
def board():
    return {
        "zurich": requiring(PostingFactory(title="Zurich designer"), ("de", "C1"), ("en", "B2")),
        "london": requiring(PostingFactory(title="London engineer", visa_sponsorship=True), ("en", "C1")),
        "lisbon": PostingFactory(title="Lisbon analyst", relocation=True, visa_sponsorship=True),
        "french": requiring(PostingFactory(title="Poste à Lyon", language="fr"), ("de", "B2")),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?requires=de", {"Zurich designer"}),
        ("?requires=de&requires=en", {"Zurich designer", "London engineer"}),
        # Jobs in English where German is not required.
        ("?not_requires=de", {"London engineer", "Lisbon analyst"}),
        ("?requires=en&not_requires=de", {"London engineer"}),
        ("?not_requires=de&not_requires=en", {"Lisbon analyst"}),
        ("?visa=1", {"London engineer", "Lisbon analyst"}),
        ("?relocation=1", {"Lisbon analyst"}),
        ("?visa=1&not_requires=en", {"Lisbon analyst"}),
    ],
)
def test_working_language_visa_and_relocation_filters(client, board, query, expected):
    response = listed(client, query)

    assert titles(response) == expected
    assert response.context["filterset"].errors == {}


def test_a_known_language_that_no_posting_requires_narrows_to_nothing(client, board):
    response = listed(client, "?requires=it")

    assert titles(response) == set()
    assert response.context["filterset"].errors == {}
    assert facet(response, "requires")["it"] == 0


@pytest.mark.parametrize(
    "query", ["?requires=xx", "?requires=de-ch", "?not_requires=%00", "?visa=yes", "?relocation=0", "?visa=1&visa=2"]
)
def test_malformed_values_are_reported_and_ignored(client, board, query):
    response = listed(client, query)

    assert response.context["filterset"].errors
    assert titles(response) == {"Zurich designer", "London engineer", "Lisbon analyst"}
    assert 'class="errors"' in response.text


def test_facet_counts_say_how_many_postings_each_option_yields_given_the_other_filters(client, board):
    response = listed(client, "?visa=1")

    # Of the two postings with visa sponsorship, one requires English, none German.
    assert facet(response, "requires") == {"de": 0, "en": 1}
    assert facet(response, "not_requires") == {"de": 2, "en": 1}
    # The visa filter's own count ignores itself; relocation's counts within visa sponsorship.
    assert facet(response, "visa") == {"1": 2}
    assert facet(response, "relocation") == {"1": 1}


def test_the_language_options_are_those_required_by_live_postings_in_the_listings_language(client, board):
    requiring(PostingFactory(title="Draft", draft=True), ("it", "B1"))

    response = listed(client)

    # By name in the visitor's language.
    assert [option["value"] for option in facet_group(response, "requires")["options"]] == ["en", "de"]
    assert [option["label"] for option in facet_group(response, "not_requires")["options"]] == ["English", "German"]


def facet_group(response, name):
    return next(group for group in response.context["facets"] if group["name"] == name)


def test_cards_and_posting_pages_show_the_languages_and_flags(client, board):
    requiring(board["lisbon"], ("pt", "B1"))

    card = listed(client, "?relocation=1").text
    page = client.get(board["lisbon"].get_absolute_url()).text

    for html in [card, page]:
        assert "Languages: Portuguese B1</li>" in html
        assert "<li>Visa sponsorship</li>" in html
        assert "<li>Relocation assistance</li>" in html


def test_languages_are_named_in_the_visitors_language(client):
    posting = requiring(PostingFactory(language="de"), ("fr", "C1"), ("en", "B2"))

    page = client.get(posting.get_absolute_url()).text

    assert "Sprachen: Französisch C1, Englisch B2</li>" in page


def test_a_posting_requires_each_language_once(client):
    posting = requiring(PostingFactory(), ("de", "C1"))

    with pytest.raises(IntegrityError):
        requiring(posting, ("de", "B1"))


@pytest.mark.parametrize("language", ["en", "fr", "de", "es"])
def test_a_working_language_is_named_as_its_choices_name_it_in_the_active_language(language):
    with translation.override(language):
        choices = list(WorkingLanguage._meta.get_field("language").choices)
        assert len(choices) > 50
        for code, name in choices:
            assert WorkingLanguage(language=code, level="B2").get_language_display() == name
        assert str(WorkingLanguage(language="xx", level="B2")) == "xx B2"
