import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jobs import filters, search
from jobs.models import Posting, Requirement, SearchEntry
from jobs.search import SEARCH_CONFIGS, fold, reindex
from tests.factories import CompanyFactory, PostingFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("stemmed full-text search needs PostgreSQL (set DATABASE_URL)")


def found(client, query, language="en"):
    response = client.get(f"/{language}/", {"q": query})
    return [posting.title for posting in response.context["page"].object_list]


def test_every_language_has_a_search_configuration():
    assert {code for code, _name in settings.LANGUAGES} <= set(SEARCH_CONFIGS)


def test_fold_removes_case_and_accents():
    assert fold("Développeuse Straße ÉCOLE") == "developpeuse strasse ecole"


def test_english_search_is_stemmed(client, postgres):
    PostingFactory(title="Senior engineer", items=False)
    PostingFactory(title="Accountant", items=False)

    assert found(client, "engineers") == ["Senior engineer"]
    assert found(client, "engineering") == ["Senior engineer"]


def test_french_search_is_stemmed_and_accent_insensitive(client, postgres):
    PostingFactory(language="fr", title="Développeurs Python confirmés")
    PostingFactory(language="fr", title="Comptable")

    assert found(client, "developpeur", "fr") == ["Développeurs Python confirmés"]
    assert found(client, "DÉVELOPPEUR confirmé", "fr") == ["Développeurs Python confirmés"]


def test_german_and_spanish_search_are_stemmed(client, postgres):
    PostingFactory(language="de", title="Softwareentwicklerin für Zahlungssysteme", summary="Wir bauen Plattformen.")
    PostingFactory(language="es", title="Desarrolladores backend", summary="Buscamos personas.")

    assert found(client, "plattform", "de") == ["Softwareentwicklerin für Zahlungssysteme"]
    assert found(client, "desarrollador", "es") == ["Desarrolladores backend"]


def test_search_covers_items_tags_and_company(client):
    posting = PostingFactory(
        title="Engineer", company=CompanyFactory(name="Zephyrion"), tags=[TagFactory(name="Kubernetes")]
    )
    Requirement.objects.create(posting=posting, text="Experience with Terraform", kind="technical_skill")
    reindex([posting.pk])

    for word in ["zephyrion", "kubernetes", "terraform", "Responsibility", "Benefit"]:
        assert found(client, word) == ["Engineer"], word


def test_relevance_ranks_title_above_summary_above_items(client, postgres):
    now = timezone.now()
    in_items = PostingFactory(title="Office manager", summary="Keep the office running.", published_at=now)
    Requirement.objects.create(posting=in_items, text="Some Rust knowledge", kind="qualification", priority="preferred")
    reindex([in_items.pk])
    PostingFactory(
        title="Accountant", summary="Our books are written in Rust, strangely.", published_at=now - timedelta(1)
    )
    PostingFactory(title="Rust developer", summary="Systems work.", published_at=now - timedelta(2))

    assert found(client, "rust") == ["Rust developer", "Accountant", "Office manager"]
    newest = client.get("/en/", {"q": "rust", "sort": "newest"}).context["page"].object_list
    assert [posting.title for posting in newest] == ["Office manager", "Accountant", "Rust developer"]


def test_a_keyword_typed_in_the_listing_form_is_ranked_by_relevance(client, postgres):
    """The form sends the sort order it shows; on a fresh listing that must not be "Newest"."""
    PostingFactory(title="Rust developer", published_at=timezone.now() - timedelta(days=3), items=False)
    PostingFactory(title="Accountant", summary="Our books are written in Rust.", items=False)
    listing = client.get("/en/").text
    shown_sort = re.search(r'<option value="(\w*)" selected>', listing.split('name="sort"')[1])[1]

    response = client.get("/en/", {"q": "rust", "sort": shown_sort})

    assert [posting.title for posting in response.context["page"].object_list] == ["Rust developer", "Accountant"]


def test_search_excludes_other_languages():
    english = PostingFactory(language="en", title="Python developer")
    PostingFactory(language="fr", title="Développeur Python")

    assert list(Posting.objects.search("python", "en")) == [english]


def test_each_languages_search_vectors_have_a_gin_index_in_a_table_that_keeps_them_out_of_line(postgres):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'jobs_searchentry'")
        definitions = {name: definition for name, definition in cursor.fetchall() if "USING gin" in definition}
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'jobs_searchentry'")
        (options,) = cursor.fetchone()
    assert definitions.keys() == {f"search_entry_vector_{code}" for code, _name in settings.LANGUAGES}
    for code, _name in settings.LANGUAGES:
        definition = definitions[f"search_entry_vector_{code}"]
        assert f"USING gin (vector) WHERE ((language)::text = '{code}'::text)" in definition
    assert options == ["toast_tuple_target=128"]


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_search_reads_its_languages_index_alone(postgres, language):
    PostingFactory(language=language, title="Team lead")
    entries = search.matching("team", [language]).values("pk")
    sql, params = entries.query.sql_with_params()

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert f"search_entry_vector_{language}" in plan
    assert [code for code, _name in settings.LANGUAGES if f"search_entry_vector_{code}" in plan] == [language]


def indexed(posting):
    return SearchEntry.objects.get(posting=posting).document


def test_the_index_follows_edits_of_the_posting_and_every_related_object(django_capture_on_commit_callbacks):
    posting = PostingFactory(title="Engineer", company=CompanyFactory(name="Acme"))
    requirement = posting.requirements.first()

    with django_capture_on_commit_callbacks(execute=True):
        requirement.text = "Fluent in Haskell"
        requirement.save()
    assert "haskell" in indexed(posting)

    with django_capture_on_commit_callbacks(execute=True):
        requirement.delete()
    assert "haskell" not in indexed(posting)

    with django_capture_on_commit_callbacks(execute=True):
        posting.benefits.create(text="Sabbatical after five years", position=9)
        posting.tags.add(TagFactory(name="Observability"))
        posting.title = "Staff engineer"
        posting.save()
    assert {"sabbatical", "observability", "staff"} <= set(indexed(posting).split())

    with django_capture_on_commit_callbacks(execute=True):
        posting.company.name = "Umbrella"
        posting.company.save()
    assert "umbrella" in indexed(posting)


def test_search_keeps_the_postings_that_have_every_word():
    haskell = PostingFactory(title="Haskell developer", items=False)
    PostingFactory(title="Haskell accountant", items=False)
    PostingFactory(title="Python developer", items=False)

    assert list(Posting.objects.search("developer haskell", "en")) == [haskell]


@pytest.mark.parametrize("text", ["", "  ", "?!"])
def test_a_search_without_words_keeps_every_posting(text):
    postings = PostingFactory.create_batch(2, items=False)

    assert set(Posting.objects.search(text, "en")) == set(postings)


def test_a_search_without_a_language_matches_postings_of_every_language(postgres):
    english = PostingFactory(language="en", title="Python developer", items=False)
    french = PostingFactory(language="fr", title="Développeur Python", items=False)
    PostingFactory(language="de", title="Buchhalter", items=False)

    assert set(Posting.objects.search("python")) == {english, french}


def test_keys_matching_are_read_in_one_statement_in_the_language(postgres):
    english = PostingFactory(language="en", title="Python developers", items=False)
    french = PostingFactory(language="fr", title="Développeurs Python", items=False)
    PostingFactory(language="es", title="Contable", items=False)

    with CaptureQueriesContext(connection) as queries:
        keys = search.matching_keys("developer python", "en")

    assert len([query for query in queries if "jobs_searchentry" in query["sql"]]) == 1
    assert keys.tolist() == [english.pk]
    assert search.matching_keys("developer python", "fr").tolist() == []  # "developer" is stemmed in English only
    assert search.matching_keys("python", "fr").tolist() == [french.pk]
    assert search.matching_keys("python", "es").tolist() == []


def test_by_relevance_puts_the_best_matches_first(postgres):
    in_summary = PostingFactory(title="Accountant", summary="Our books are written in Rust.", items=False)
    in_title = PostingFactory(title="Rust developer", published_at=timezone.now() - timedelta(days=5), items=False)

    assert list(Posting.objects.search("rust", "en").by_relevance("rust", "en")) == [in_title, in_summary]


def test_ranked_keys_are_in_the_order_by_relevance_gives_their_postings(postgres):
    now = timezone.now()
    texts = [("Rust developer", ""), ("Accountant", "Rust"), ("Rust developer", "Rust and Rust"), ("Baker", "")]
    postings = [
        PostingFactory(title=title, summary=summary, published_at=now - timedelta(days=days), items=False)
        for days, (title, summary) in enumerate(texts * 2)
    ]
    newest_first = [posting.pk for posting in postings]
    expected = Posting.objects.filter(pk__in=newest_first).by_relevance("rust", "en").values_list("pk", flat=True)

    assert search.ranked(newest_first, "rust", "en") == list(expected)


def test_by_relevance_without_words_to_rank_by_is_newest_first():
    older = PostingFactory(published_at=timezone.now() - timedelta(days=5), items=False)
    newer = PostingFactory(items=False)

    assert list(Posting.objects.order_by("pk").by_relevance("", "en")) == [newer, older]


def test_renaming_a_tag_reindexes_its_postings(client, django_capture_on_commit_callbacks):
    tag = TagFactory(name="Observability")
    PostingFactory(title="Engineer", tags=[tag], items=False)
    PostingFactory(language="fr", title="Ingénieur", tags=[tag], items=False)

    with django_capture_on_commit_callbacks(execute=True):
        tag.name = "Telemetry"
        tag.translated_names = {"fr": "Télémétrie"}
        tag.save()

    assert found(client, "telemetry") == ["Engineer"]
    assert found(client, "observability") == []
    assert found(client, "telemetrie", "fr") == ["Ingénieur"]


def test_the_last_word_also_matches_the_start_of_a_word(client):
    """For search as you type, on every database."""
    postgresql = PostingFactory(title="PostgreSQL administrator", items=False)
    PostingFactory(title="Accountant", items=False)

    assert found(client, "postgre") == [postgresql.title]
    assert found(client, "administrator postg") == [postgresql.title]


def test_the_start_of_a_word_is_not_stemmed(client, postgres):
    PostingFactory(title="Flyer distribution", items=False)

    # The English stemmer makes "fly" "fli", which starts no word of "flyer".
    assert found(client, "fly") == ["Flyer distribution"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"postgre', []),
        ('"sql postgre', []),
        ("postgre administrator", []),
        ("po", []),
        ("administrator -postgre", ["PostgreSQL administrator"]),
        ("administrator -postgresql", []),
    ],
)
def test_only_an_unfinished_last_word_matches_as_the_start_of_a_word(client, postgres, query, expected):
    """Not a word in quotes, a negated one, one followed by others or one too short to narrow the search."""
    PostingFactory(title="PostgreSQL administrator", items=False)
    PostingFactory(title="Poet", summary="Writes.", items=False)

    assert found(client, query) == expected


def test_a_search_past_one_page_ranks_the_newest_matches_first_then_the_rest_newest_first(
    client, postgres, monkeypatch
):
    """The facet index lists the matches newest first; the database ranks the newest RANKED of them, which come
    first, and reads only those."""
    now = timezone.now()
    PostingFactory(title="Rust developer", published_at=now - timedelta(days=9), items=False)
    for hours in range(21):
        PostingFactory(
            title=f"Accountant {hours}", summary="Our books are in Rust.", published_at=now - timedelta(hours=hours)
        )

    first = client.get("/en/", {"q": "rust"}).context["page"]
    assert first.paginator.count == 22
    assert [posting.title for posting in first.object_list][:3] == ["Rust developer", "Accountant 0", "Accountant 1"]

    monkeypatch.setattr(filters, "RANKED", 21)  # the title match is now older than every ranked one
    second = client.get("/en/", {"q": "rust", "page": 2}).context["page"]
    assert [posting.title for posting in second.object_list] == ["Accountant 20", "Rust developer"]
