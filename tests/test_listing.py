import re
from datetime import timedelta

import pytest
from django.http import QueryDict
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobs.filters import PostingFilter
from jobs.models import Posting
from tests.factories import CompanyFactory, PostingFactory, TagFactory

pytestmark = pytest.mark.django_db


def listed(client, query="", language="en", **headers):
    response = client.get(f"/{language}/{query}", headers=headers)
    assert response.status_code == 200
    return response


def titles(response):
    return {posting.title for posting in response.context["page"].object_list}


def facet(response, name):
    group = next(group for group in response.context["facets"] if group["name"] == name)
    return {option["value"]: option["count"] for option in group["options"]}


@pytest.fixture
def board():
    """A small board: three English postings and a French one."""
    backend, design = TagFactory(slug="backend", name="Backend"), TagFactory(slug="design", name="Design")
    acme = CompanyFactory(slug="acme", name="Acme")
    return {
        "berlin": PostingFactory(
            title="Berlin backend", country="DE", workplace="onsite", tags=[backend], company=acme
        ),
        "remote": PostingFactory(
            title="Remote backend",
            country="DE",
            workplace="remote",
            eligible_countries=["FR", "ES"],
            employment_type="contract",
            seniority="junior",
            tags=[backend],
            salary_min=None,
            salary_max=None,
        ),
        "paris": PostingFactory(
            title="Paris designer",
            country="FR",
            workplace="hybrid",
            tags=[design],
            published_at=timezone.now() - timedelta(days=10),
        ),
        "french": PostingFactory(title="Développeur à Lyon", language="fr", country="FR", workplace="onsite"),
    }


def test_no_filter_lists_every_live_posting_of_the_language(client, board):
    assert titles(listed(client)) == {"Berlin backend", "Remote backend", "Paris designer"}
    assert titles(listed(client, language="fr")) == {"Développeur à Lyon"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?country=DE", {"Berlin backend"}),
        ("?country=FR", {"Remote backend", "Paris designer"}),
        ("?country=ES&country=DE", {"Berlin backend", "Remote backend"}),
        ("?workplace=remote&workplace=hybrid", {"Remote backend", "Paris designer"}),
        ("?employment=contract", {"Remote backend"}),
        ("?seniority=senior", {"Berlin backend", "Paris designer"}),
        ("?tag=backend", {"Berlin backend", "Remote backend"}),
        ("?tag=backend&tag=design", {"Berlin backend", "Remote backend", "Paris designer"}),
        ("?company=acme", {"Berlin backend"}),
        ("?salary=1", {"Berlin backend", "Paris designer"}),
        ("?posted=7", {"Berlin backend", "Remote backend"}),
        ("?posted=30", {"Berlin backend", "Remote backend", "Paris designer"}),
        ("?tag=backend&country=FR", {"Remote backend"}),
        ("?tag=backend&workplace=hybrid", set()),
        ("?country=DE&country=DE&country=DE", {"Berlin backend"}),
    ],
)
def test_filters_or_within_a_parameter_and_across_parameters(client, board, query, expected):
    assert titles(listed(client, query)) == expected


def test_country_options_are_the_countries_with_live_postings_in_the_language(client, board):
    PostingFactory(language="en", country="IT", draft=True)
    PostingFactory(language="de", country="AT")

    english = facet(listed(client), "country")
    french = facet(listed(client, language="fr"), "country")

    assert set(english) == {"DE", "FR", "ES"}
    assert set(french) == {"FR"}


def test_country_names_are_in_the_interface_language(client, board):
    PostingFactory(language="de", country="FR")

    assert ("FR", "France") in listed(client).context["filterset"].form.fields["country"].choices
    assert ("FR", "Frankreich") in listed(client, language="de").context["filterset"].form.fields["country"].choices


def test_a_remote_posting_counts_under_each_country_it_accepts(client, board):
    assert facet(listed(client), "country") == {"DE": 1, "ES": 1, "FR": 2}


def test_facet_counts_apply_every_other_filter(client, board):
    response = listed(client, "?tag=backend&workplace=remote")

    # Workplace counts ignore the chosen workplace but honour the tag.
    assert facet(response, "workplace") == {"onsite": 1, "hybrid": 0, "remote": 1}
    # Tag counts ignore the chosen tag but honour the workplace.
    assert facet(response, "tag") == {"backend": 1, "design": 0}
    assert facet(response, "country") == {"DE": 0, "ES": 1, "FR": 1}
    assert facet(response, "salary") == {"1": 0}
    assert facet(response, "posted") == {"1": 0, "7": 1, "30": 1}


def test_facet_counts_stay_in_the_language(client, board):
    assert facet(listed(client, language="fr"), "workplace") == {"onsite": 1, "hybrid": 0, "remote": 0}


@pytest.mark.parametrize(
    ("query", "reported"),
    [
        ("?country=XX", {"country"}),
        ("?country=de", {"country"}),
        ("?workplace=moon", {"workplace"}),
        ("?posted=5", {"posted"}),
        ("?posted=-1", {"posted"}),
        ("?salary=yes", {"salary"}),
        ("?sort=oldest", {"sort"}),
        ("?company=nobody", {"company"}),
        ("?tag=" + "x" * 5000, {"tag"}),
        ("?q=" + "word " * 100, {"q"}),
        ("?country=%00&tag=%00&company=%00", {"country", "tag", "company"}),
        ("?q=%00", set()),
        ("?q=%27%22%3B--", set()),
    ],
)
def test_bad_values_are_reported_and_ignored(client, board, query, reported):
    response = listed(client, query)

    assert set(response.context["filterset"].errors) == reported
    assert titles(response) == {"Berlin backend", "Remote backend", "Paris designer"}


def test_an_unknown_country_is_reported_on_the_form_and_the_rest_still_filters(client, board):
    response = listed(client, "?country=XX&workplace=remote")

    assert titles(response) == {"Remote backend"}
    assert "Select a valid choice. XX is not one of the available choices." in response.text


def test_an_oversized_search_is_reported(client, board):
    response = listed(client, "?q=" + "a" * 300)

    assert titles(response) == {"Berlin backend", "Remote backend", "Paris designer"}
    assert "Ensure this value has at most 200 characters" in response.text


def test_search_on_any_database_finds_words_without_accents(client, board):
    assert titles(listed(client, "?q=developpeur", language="fr")) == {"Développeur à Lyon"}
    assert titles(listed(client, "?q=Paris+designer")) == {"Paris designer"}


def test_results_are_newest_first_and_pages_keep_the_filters(client):
    for days in range(25):
        PostingFactory(title=f"Job {days:02}", published_at=timezone.now() - timedelta(days=days, hours=1), items=False)

    first = listed(client, "?posted=30")
    second = listed(client, "?posted=30&page=2")

    assert [p.title for p in first.context["page"].object_list][:3] == ["Job 00", "Job 01", "Job 02"]
    assert len(titles(second)) == 5
    assert 'href="?posted=30&amp;page=2"' in first.text


def sort_options(response):
    """(value, label, selected) of each option of the sort select."""
    select = response.text.split('<select id="id_sort" name="sort">')[1].split("</select>")[0]
    return [
        (value, label, bool(selected))
        for value, selected, label in re.findall(r'<option value="(\w*)"( selected)?>(\w+)</option>', select)
    ]


@pytest.mark.parametrize(
    ("query", "chosen"), [("", "Relevance"), ("?q=backend", "Relevance"), ("?sort=newest", "Newest")]
)
def test_the_default_order_is_the_sort_option_without_a_value(client, board, query, chosen):
    """So that a new search is ranked unless the visitor chose another order, and URLs leave the default out."""
    options = sort_options(listed(client, query))

    assert options == [("", "Relevance", chosen == "Relevance"), ("newest", "Newest", chosen == "Newest")]


def test_a_filterset_narrows_the_queryset_it_is_given_and_offers_its_options(board):
    acme = Posting.objects.filter(company__slug="acme")

    filterset = PostingFilter(QueryDict("tag=backend&tag=nothing"), acme, language="en")

    assert list(filterset.qs) == [board["berlin"]]
    assert [slug for slug, _name in filterset.form.fields["tag"].choices] == ["backend"]
    assert "tag" in filterset.errors


@pytest.mark.parametrize(
    ("query", "chip"),
    [
        ("?country=AR", "Country: Argentina"),
        ("?tag=cooking", "Category: Cooking"),
        ("?company=bistro", "Company: Bistro"),
    ],
)
def test_a_well_formed_value_without_postings_in_the_language_narrows_to_none(client, board, query, chip):
    """Never to the whole listing, which a job alert or feed subscription would then send."""
    PostingFactory(
        language="es",
        country="AR",
        tags=[TagFactory(slug="cooking", name="Cooking")],
        company=CompanyFactory(slug="bistro", name="Bistro"),
    )

    response = listed(client, query)

    assert titles(response) == set()
    name, value = query[1:].split("=")
    assert response.context["filterset"].errors == {}
    assert facet(response, name)[value] == 0
    assert f'name="{name}" value="{value}" checked' in response.text or f'value="{value}" selected' in response.text
    assert f"{chip} <span" in response.text
    assert [language["code"] for language in response.context["elsewhere"]] == ["es"]


def test_the_chosen_country_is_offered_with_the_countries_that_have_postings(client, board):
    assert set(facet(listed(client, "?country=AR"), "country")) == {"AR", "DE", "FR", "ES"}


def test_the_parameters_that_mean_the_same_in_every_language_are_the_filters_but_the_per_language_ones():
    assert PostingFilter.language_neutral() == [
        "q",
        "location",
        "workplace",
        "employment",
        "seniority",
        "salary",
        "salary_min",
        "salary_currency",
        "salary_period",
        "requires",
        "not_requires",
        "visa",
        "relocation",
        "posted",
        "sort",
    ]


def test_an_empty_result_says_which_filter_to_loosen(client, board):
    response = listed(client, "?tag=design&workplace=remote")

    assert titles(response) == set()
    loosen = {option["label"]: option["count"] for option in response.context["loosen"]}
    assert loosen == {"Workplace": 1, "Category": 1}
    assert "No jobs match all of these filters" in response.text
    assert 'href="?tag=design"' in response.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?q=designer&workplace=remote", {"Keywords": 1, "Workplace": 1}),
        ("?q=backend&location=France&workplace=onsite", {"Location": 1, "Workplace": 2}),
        ("?q=designer&salary_min=1000000000", {"Minimum salary": 1}),
    ],
)
def test_each_way_to_loosen_an_empty_result_counts_what_its_link_lists(client, board, query, expected):
    response = listed(client, query)

    assert titles(response) == set()
    loosen = {option["label"]: option for option in response.context["loosen"]}
    assert {label: option["count"] for label, option in loosen.items()} == expected
    for option in loosen.values():
        assert listed(client, option["url"]).context["page"].paginator.count == option["count"]


@pytest.mark.parametrize(
    ("language", "words", "written"),
    [
        ("en", "Without “Keywords: designer”: 24,939 jobs", "24,939"),
        ("de", "Ohne „Suchbegriffe: designer“: 24.939 Jobs", "24.939"),
        ("fr", "designer\xa0»\xa0: 24\xa0939 offres", "24\xa0939"),
    ],
)
def test_counts_are_written_with_their_thousands_grouped(client, board, monkeypatch, language, words, written):
    monkeypatch.setattr(PostingFilter, "count_without", lambda self, name: 24939)
    counts = PostingFilter.count_filtered

    def many(filterset):
        found = counts(filterset)
        found.options["workplace"]["onsite"] = 12345
        return found

    monkeypatch.setattr(PostingFilter, "count_filtered", many)
    response = listed(client, "?q=designer&workplace=remote", language=language)

    assert words in response.text
    written_onsite = written.replace("24", "12").replace("939", "345")
    assert f'<span class="facet__count" aria-hidden="true">{written_onsite}</span>' in response.text


@pytest.mark.parametrize(
    ("language", "checkbox", "option"),
    [
        ("en", '<span class="visually-hidden">(2 jobs)</span>', '<option value="acme">Acme &amp; Co (1 job)</option>'),
        (
            "de",
            '<span class="visually-hidden">(2 Stellen)</span>',
            '<option value="acme">Acme &amp; Co (1 Stelle)</option>',
        ),
    ],
)
def test_each_option_says_its_count_in_words_of_the_language(client, language, checkbox, option):
    acme = CompanyFactory(slug="acme", name="Acme & Co")
    PostingFactory(language=language, country="DE", workplace="onsite", company=acme)
    PostingFactory(language=language, country="DE", workplace="onsite")

    page = listed(client, language=language).text

    assert checkbox in page  # the two postings in Germany
    assert option in page


def test_an_htmx_request_gets_the_results_and_the_facets_only(client, board):
    response = listed(client, "?workplace=remote", HX_Request="true")

    assert response.text.lstrip().startswith("<title>1 remote job · Job board</title>")
    assert '<section id="results"' in response.text
    assert 'id="facets" class="facets" data-hx-swap-oob="true"' in response.text
    assert "<html" not in response.text
    assert response["Vary"].count("HX-Request") == 1


def test_a_history_restore_request_gets_the_full_page(client, board):
    response = listed(client, "?workplace=remote", HX_Request="true", HX_History_Restore_Request="true")

    assert "<html" in response.text
    assert "HX-History-Restore-Request" in response["Vary"]


def test_the_whole_page_and_the_htmx_fragment_are_cached_apart(client, board):
    whole = listed(client, "?workplace=remote")
    fragment = listed(client, "?workplace=remote", HX_Request="true")
    restored = listed(client, "?workplace=remote", HX_Request="true", HX_History_Restore_Request="true")

    assert "<html" in whole.text
    assert "<html" not in fragment.text
    assert restored.text == whole.text
    assert listed(client, "?workplace=remote", HX_Request="true").text == fragment.text


def test_the_form_works_without_javascript(client, board):
    response = listed(client, "?workplace=remote")

    assert '<form id="filters" class="filters" action="/en/" method="get"' in response.text
    assert 'name="workplace" value="remote" checked' in response.text


@pytest.mark.parametrize("count", [1, 12, 80])
@pytest.mark.parametrize("htmx", [{}, {"HX-Request": "true"}])
def test_the_listing_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, django_assert_max_num_queries, count, htmx
):
    """Whatever the page holds and however many options the facets have (each posting brings its own company, tag
    and country here).

    After a catalogue change: the state with the exchange rates, the facet index of each language (the language
    switcher asks each whether it has the chosen tag and countries), the names of tags and companies, the page's
    postings by key and their tags, offices and working languages (one query). Then a filter state never asked for:
    the state, the page's postings and the details of those whose cards are not cached yet; the page's keys, however
    deep, the counts of matches in other languages below five results, and the offices' cities that the whole
    page's location field suggests come from the facet indexes. Cached, one query. After the next change, as after the first: each facet index is brought up
    to date in one query, the changed postings and the list of changes together."""
    tag = TagFactory()
    for number in range(count):
        country = ["DE", "FR", "ES", "IT", "PT"][number % 5]
        PostingFactory(tags=[tag, TagFactory()], country=country, workplace="hybrid", items=False)
    url = "?workplace=hybrid&country=DE&country=FR&tag=" + tag.slug

    with django_assert_num_queries(8):
        listed(client, url, **htmx)
    with django_assert_max_num_queries(3):  # 2 where the page is the first, its cards cached
        listed(client, url + "&country=ES&page=2", **htmx)
    with django_assert_num_queries(1):
        listed(client, url, **htmx)
    PostingFactory(tags=[tag], country="DE", workplace="hybrid", items=False)  # each index brought up to date
    with django_assert_num_queries(8):
        listed(client, url, **htmx)


@pytest.mark.parametrize("count", [1, 6, 30])
def test_the_posting_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    tag = TagFactory()
    posting = PostingFactory(tags=[tag, TagFactory()])
    for _ in range(count):
        PostingFactory(tags=[tag, TagFactory()])
    PostingFactory(language="fr", translation_group=posting.translation_group)

    # The catalogue state, the posting with its company and the company's description, its items, its translations,
    # similar postings, the tags, offices and working languages of them all (one query). Cached, the state alone.
    with django_assert_num_queries(6):
        client.get(posting.get_absolute_url())
    with django_assert_num_queries(1):
        client.get(posting.get_absolute_url())


query_values = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=80)
params = st.sampled_from(
    [
        "q",
        "location",
        "country",
        "workplace",
        "employment",
        "seniority",
        "tag",
        "company",
        "salary",
        "requires",
        "not_requires",
        "visa",
        "relocation",
        "posted",
        "sort",
        "page",
        "x",
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(params, query_values), max_size=8), st.sampled_from(["en", "fr", "de", "es"]))
def test_random_query_strings_never_cause_a_server_error(client, board, pairs, language):
    response = client.get(f"/{language}/", pairs, headers={"HX-Request": "true"} if len(pairs) % 2 else {})

    assert response.status_code == 200
