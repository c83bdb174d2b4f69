import html
import re
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.db import connection
from django.http import QueryDict
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from jobs import filters
from tests.factories import PostingFactory, TagFactory

pytestmark = pytest.mark.django_db


def switcher_targets(response):
    """{language: URL the switcher leads to}: through a public page's links, or the admin's set_language forms."""
    switcher = response.text[response.text.index('id="language-switcher"') :]
    switcher = switcher[: switcher.index("</nav>")]
    links = re.findall(r'<a href="/i18n/use/(\w+)/\?([^"]*)" hreflang', switcher)
    forms = re.findall(r'name="language" value="(\w+)">\s*<input type="hidden" name="next" value="([^"]*)"', switcher)
    return {code: QueryDict(html.unescape(query))["next"] for code, query in links} | {
        code: html.unescape(url) for code, url in forms
    }


def hreflangs(response):
    return dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">', response.text))


def test_root_prefers_the_language_cookie_over_the_browser(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"

    response = client.get("/", headers={"accept-language": "es"})

    assert response["Location"] == "/de/"


def test_the_listing_switcher_keeps_the_filters_that_make_sense_in_each_language(client):
    PostingFactory(language="en", country="DE", tags=[TagFactory(slug="backend")])
    PostingFactory(language="fr", country="DE")
    PostingFactory(language="de", country="AT", tags=[TagFactory(slug="backend")])

    response = client.get(
        "/en/",
        {"q": "engineer", "workplace": "hybrid", "seniority": "senior", "country": "DE", "tag": "backend", "page": "2"},
    )
    targets = switcher_targets(response)

    assert set(targets) == {"fr", "de", "es"}
    assert targets["fr"] == "/fr/?q=engineer&workplace=hybrid&seniority=senior&country=DE"
    assert targets["de"] == "/de/?q=engineer&workplace=hybrid&seniority=senior&tag=backend"
    assert targets["es"] == "/es/?q=engineer&workplace=hybrid&seniority=senior"


def test_the_switcher_follows_htmx_swaps(client):
    response = client.get("/en/", {"workplace": "remote"}, headers={"HX-Request": "true"})

    assert (
        'id="language-switcher" class="language-switcher" aria-label="Language" data-hx-swap-oob="true"'
        in response.text
    )
    assert switcher_targets(response)["fr"] == "/fr/?workplace=remote"


def test_the_posting_switcher_leads_to_translations_or_else_the_listing(client):
    english = PostingFactory(language="en")
    french = PostingFactory(language="fr", translation_group=english.translation_group)
    PostingFactory(language="de", translation_group=english.translation_group, draft=True)

    targets = switcher_targets(client.get(english.get_absolute_url()))

    assert targets == {"fr": french.get_absolute_url(), "de": "/de/", "es": "/es/"}


def test_hreflang_lists_real_translations_and_x_default_only(client):
    french = PostingFactory(language="fr")
    english = PostingFactory(language="en", translation_group=french.translation_group)
    PostingFactory(language="es", translation_group=french.translation_group, expired=True)

    links = hreflangs(client.get(french.get_absolute_url()))

    assert links == {
        "fr": f"http://testserver{french.get_absolute_url()}",
        "en": f"http://testserver{english.get_absolute_url()}",
        "x-default": f"http://testserver{english.get_absolute_url()}",
    }
    for url in links.values():
        assert client.get(url).status_code == 200


def test_a_job_without_a_default_language_version_has_no_x_default(client):
    german = PostingFactory(language="de")
    spanish = PostingFactory(language="es", translation_group=german.translation_group)

    assert hreflangs(client.get(german.get_absolute_url())) == {
        "de": f"http://testserver{german.get_absolute_url()}",
        "es": f"http://testserver{spanish.get_absolute_url()}",
    }


def test_closed_postings_have_no_hreflang(client):
    posting = PostingFactory(expired=True)
    PostingFactory(language="fr", translation_group=posting.translation_group)

    assert hreflangs(client.get(posting.get_absolute_url())) == {}


def test_the_plain_listing_has_hreflang_for_every_language(client):
    links = hreflangs(client.get("/es/"))

    assert links == {
        **{code: f"http://testserver/{code}/" for code, _name in settings.LANGUAGES},
        "x-default": "http://testserver/",
    }
    assert hreflangs(client.get("/es/?workplace=remote")) == {}


def test_similar_postings_stay_in_the_language(client):
    tag = TagFactory()
    posting = PostingFactory(language="en", tags=[tag])
    same = PostingFactory(language="en", tags=[tag], title="Same language")
    PostingFactory(language="fr", tags=[tag], title="Autre langue")

    similar = client.get(posting.get_absolute_url()).context["similar"]

    assert [posting for posting, _card in similar] == [same]


def test_few_matches_point_to_matching_postings_in_other_languages(client):
    PostingFactory(language="en", workplace="remote", title="Remote engineer")
    PostingFactory.create_batch(2, language="fr", workplace="remote")
    PostingFactory(language="fr", workplace="onsite")
    PostingFactory(language="de", workplace="remote", draft=True)

    response = client.get("/en/", {"workplace": "remote"})

    assert [(other["code"], other["count"]) for other in response.context["elsewhere"]] == [("fr", 2)]
    assert 'href="/fr/?workplace=remote"' in response.text
    assert "Matching jobs in other languages" in response.text


def test_other_languages_counts_match_a_search_only_where_it_has_postings_and_not_matched_yet(client):
    PostingFactory.create_batch(5, language="fr", title="Développeur Python", items=False)
    PostingFactory(language="de", title="Python-Entwickler", items=False)
    client.get("/fr/", {"q": "python"})  # matches "python" in French (enough there not to count other languages)

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/en/", {"q": "python"})  # none in English: counted in the other languages

    entries = re.compile(r"\"jobs_searchentry\".\"language\" IN \('(\w+)'\)")
    matched = [found[1] for query in queries if (found := entries.search(query["sql"]))]
    assert sorted(matched) == ["de", "en"]  # not in French, matched already, nor in Spanish, which has no posting
    assert not any("ts_rank" in query["sql"] for query in queries)  # nothing to rank
    assert [(other["code"], other["count"]) for other in response.context["elsewhere"]] == [("fr", 5), ("de", 1)]


def other_language_queries(client, query):
    """The English listing's tallies of other languages for `query`, and which of its queries matched search words
    in German by candidate ("probe") or in every posting ("whole")."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/en/", query)
    german = [query["sql"] for query in queries if '"jobs_searchentry"."language" IN (\'de\')' in query["sql"]]
    kinds = ["probe" if probes(sql) else "whole" for sql in german]
    return [(other["code"], other["count"], other["at_least"]) for other in response.context["elsewhere"]], kinds


def probes(sql):
    """Whether `sql` matches search words among given postings (on PostgreSQL an array of keys, on SQLite a list)."""
    return any(f'"jobs_searchentry"."posting_id" {among}' in sql for among in ["IN", "= ANY("])


def german_postings(matching, not_matching):
    """German postings, the newest first: `matching` of them found by "python", then `not_matching` not."""
    now = timezone.now()
    for age, title in enumerate(["Python-Entwickler"] * matching + ["Buchhalter"] * not_matching):
        PostingFactory(language="de", title=title, items=False, published_at=now - timedelta(hours=age + 1))


def test_other_languages_count_a_search_among_their_candidates_if_few(client, monkeypatch):
    monkeypatch.setattr(filters, "PROBED", 4)
    german_postings(matching=2, not_matching=2)

    assert other_language_queries(client, {"q": "python"}) == ([("de", 2, False)], ["probe"])


@pytest.mark.parametrize(("matching", "at_least"), [(13, 10), (9, 9)])
def test_other_languages_count_a_search_at_least_among_their_newest_candidates(client, monkeypatch, matching, at_least):
    monkeypatch.setattr(filters, "PROBED", 13)
    monkeypatch.setattr(filters, "PROBED_IN_FULL", 13)
    german_postings(matching=matching, not_matching=14 - matching)

    elsewhere, kinds = other_language_queries(client, {"q": "python"})

    assert (elsewhere, kinds) == ([("de", at_least, True)], ["probe"])
    response = client.get("/en/", {"q": "python"})
    assert re.search(rf"Deutsch</a>\s*<span>{at_least}\+ jobs</span>", response.text)


@pytest.mark.parametrize(("in_full", "kinds"), [(4, ["probe"]), (3, ["probe", "whole"])])
def test_other_languages_match_a_search_among_all_their_candidates_if_few_enough_else_everywhere(
    client, monkeypatch, in_full, kinds
):
    """Three candidates of four are the newest, none of which match: all four are matched where PROBED_IN_FULL
    allows, else every German posting."""
    monkeypatch.setattr(filters, "PROBED", 3)
    monkeypatch.setattr(filters, "PROBED_IN_FULL", in_full)
    german_postings(matching=0, not_matching=3)
    PostingFactory(
        language="de", title="Python-Entwickler", items=False, published_at=timezone.now() - timedelta(days=3)
    )

    assert other_language_queries(client, {"q": "python"}) == ([("de", 1, False)], kinds)
    if "whole" in kinds:
        # Matched everywhere, the words are remembered: another search with them is counted without a query.
        assert other_language_queries(client, {"q": "python", "workplace": "remote"})[1] == []


def test_other_languages_whose_newest_candidates_match_none_are_matched_everywhere_together(client, monkeypatch):
    monkeypatch.setattr(filters, "PROBED", 3)
    monkeypatch.setattr(filters, "PROBED_IN_FULL", 3)
    german_postings(matching=0, not_matching=3)
    now = timezone.now()
    for age in range(3):
        PostingFactory(language="fr", title="Comptable", items=False, published_at=now - timedelta(hours=age + 1))
    for language, title in [("de", "Python-Entwickler"), ("fr", "Développeur Python")]:
        PostingFactory(language=language, title=title, items=False, published_at=now - timedelta(days=3))

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/en/", {"q": "python"})

    assert sorted((other["code"], other["count"]) for other in response.context["elsewhere"]) == [("de", 1), ("fr", 1)]
    languages = re.compile(r"\"jobs_searchentry\".\"language\" IN \('(\w+)'\)")
    whole = sorted(
        sorted(languages.findall(query["sql"]))
        for query in queries
        if "jobs_searchentry" in query["sql"] and not probes(query["sql"])
    )
    # The English match, then on PostgreSQL both other languages' in one statement (a listing takes at most 8).
    assert whole == ([["de", "fr"], ["en"]] if connection.vendor == "postgresql" else [["de"], ["en"], ["fr"]])


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "€75,000–€95,000 per year"),
        ("fr", "75\u202f000–95\u202f000\u00a0€"),
        ("de", "75.000–95.000\u00a0€"),
        ("es", "75.000–95.000\u00a0€"),
    ],
)
def test_salaries_are_formatted_for_the_locale(language, expected):
    posting = PostingFactory.build(salary_min=Decimal(75000), salary_max=Decimal(95000), salary_currency="EUR")

    with translation.override(language):
        text = Template("{% load postings %}{% salary_range posting %}").render(Context({"posting": posting}))

    assert text.startswith(expected)


def test_usd_salaries_read_naturally_in_english_and_french():
    posting = PostingFactory.build(salary_min=Decimal(160000), salary_max=Decimal(220000), salary_currency="USD")
    template = Template("{% load postings %}{% salary_range posting %}")

    with translation.override("en"):
        assert template.render(Context({"posting": posting})) == "$160,000–$220,000 per year"
    with translation.override("fr"):
        assert template.render(Context({"posting": posting})).startswith("160\u202f000–220\u202f000\u00a0$US")


@pytest.mark.parametrize(
    ("language", "low", "high", "currency", "expected"),
    [
        ("es", 4000, 4000, "USD", "4000\u00a0US$ al mes"),
        ("es", 40000, 40000, "USD", "40.000\u00a0US$ al mes"),
        ("de", 4000, 4000, "USD", "4.000\u00a0$ pro Monat"),
        ("en", 105000, 120000, "CHF", "CHF\u00a0105,000–CHF\u00a0120,000 per month"),
        ("en", 4000, 4000, "USD", "$4,000 per month"),
    ],
)
def test_amounts_follow_cldr_grouping_and_currency_spacing(language, low, high, currency, expected):
    posting = PostingFactory.build(
        salary_min=Decimal(low), salary_max=Decimal(high), salary_currency=currency, salary_period="month"
    )

    with translation.override(language):
        text = Template("{% load postings %}{% salary_range posting %}").render(Context({"posting": posting}))

    assert text == expected


def test_dates_and_relative_times_are_localized(client):
    posting = PostingFactory(
        language="de", published_at=timezone.make_aware(datetime(2026, 3, 5, 9)), valid_through=None
    )

    response = client.get(posting.get_absolute_url())

    assert "5. März 2026" in response.text
    assert "vor " in client.get("/de/").text


@pytest.mark.parametrize("code", [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE])
def test_every_language_has_a_complete_compiled_catalogue(code):
    messages = Path(settings.LOCALE_PATHS[0]) / code / "LC_MESSAGES"
    catalogue = polib.pofile(messages / "django.po")

    assert (messages / "django.mo").is_file()
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []
    assert len(catalogue.translated_entries()) == len(polib.mofile(messages / "django.mo").translated_entries())


def test_the_admin_speaks_the_hr_users_language(admin_client):
    german = admin_client.get("/admin/jobs/posting/", headers={"accept-language": "de"})

    assert "Stellenanzeige" in german.text
    assert '<html lang="de"' in german.text

    response = admin_client.post("/i18n/setlang/", {"language": "es", "next": "/admin/jobs/posting/"})

    assert response["Location"] == "/admin/jobs/posting/"
    spanish = admin_client.get("/admin/jobs/posting/", headers={"accept-language": "de"})
    assert "Ofertas" in spanish.text
    assert switcher_targets(spanish)["fr"] == "/admin/jobs/posting/"


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        (datetime(2026, 3, 5, 0, 5), "Posted today"),
        (datetime(2026, 3, 4, 23, 50), "Posted yesterday"),
        (datetime(2026, 3, 4, 0, 10), "Posted yesterday"),
        (datetime(2026, 3, 3, 23, 59), "Posted 2 days ago"),
    ],
)
def test_posting_ages_count_calendar_days_not_24_hour_spans(monkeypatch, published, expected):
    monkeypatch.setattr(timezone, "now", lambda: timezone.make_aware(datetime(2026, 3, 5, 22, 0)))
    template = Template("{% load postings %}{{ moment|posted }}")

    with translation.override("en"):
        assert template.render(Context({"moment": timezone.make_aware(published)})) == expected
