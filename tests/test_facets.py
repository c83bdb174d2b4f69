"""The facet counts, and the postings listed, are what a naive recount of the postings finds, whatever the filters
chosen."""

import random
import threading
import time
from collections import Counter
from datetime import timedelta

import numpy as np
import pytest
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import connection, connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.database import QueryWatchdog
from jobs import catalogue, facetindex
from jobs.facetindex import indexes, keys_of
from jobs.filters import FACETS, count_facets, facet_index
from jobs.models import Company, Office, Posting, Status, Tag, WorkingLanguage
from jobs.views import PAGE_SIZE
from tests.factories import CompanyFactory, PostingFactory, TagFactory

pytestmark = pytest.mark.django_db

COUNTRIES = ["DE", "FR", "ES", "PT"]
WORKPLACES = ["onsite", "hybrid", "remote"]
EMPLOYMENT = ["full_time", "part_time", "contract"]
SENIORITY = ["junior", "senior", "lead"]
TAGS = ["backend", "design", "data"]
COMPANIES = ["acme", "globex"]
LANGUAGES = ["de", "en", "fr"]
CHOICES = {
    "country": COUNTRIES,
    "workplace": WORKPLACES,
    "employment": EMPLOYMENT,
    "seniority": SENIORITY,
    "tag": TAGS,
    "company": COMPANIES,
    "salary": ["1"],
    "requires": LANGUAGES,
    "not_requires": LANGUAGES,
    "visa": ["1"],
    "relocation": ["1"],
    "posted": ["1", "7", "30"],
}
SINGLE = {"company", "salary", "visa", "relocation", "posted"}  # one value at most
ALL_OF = {"not_requires"}  # a posting meets it when it has every value chosen (requires none of those languages)


@pytest.fixture
def board():
    """Twenty-four English postings of varied places, kinds, tags, companies, salaries and ages, a French one, and
    postings that are not live; returns what each live English posting offers to each parameter (and the posting)."""
    rng = random.Random(7)
    now = timezone.now()
    tags = {slug: TagFactory(slug=slug, name=slug.title()) for slug in TAGS}
    companies = {slug: CompanyFactory(slug=slug) for slug in COMPANIES}
    offers = []
    for number in range(24):
        # The first requires every language, so that each is an option of the working-language filters.
        required = LANGUAGES if number == 0 else rng.sample(LANGUAGES, rng.randint(0, 2))
        workplace = rng.choice(WORKPLACES)
        eligible = rng.sample(COUNTRIES, 2) if workplace == "remote" else []
        chosen_tags = rng.sample(TAGS, rng.randint(0, 2))
        age = timedelta(hours=rng.choice([2, 30, 24 * 5, 24 * 20, 24 * 40]))
        posting = PostingFactory(
            country=rng.choice(COUNTRIES),
            workplace=workplace,
            eligible_countries=eligible,
            employment_type=rng.choice(EMPLOYMENT),
            seniority=rng.choice(SENIORITY),
            tags=[tags[slug] for slug in chosen_tags],
            company=companies[rng.choice(COMPANIES)],
            salary_min=None if rng.random() < 0.3 else 50000,
            salary_max=None,
            published_at=now - age,
            visa_sponsorship=rng.random() < 0.4,
            relocation=rng.random() < 0.4,
            items=False,
        )
        WorkingLanguage.objects.bulk_create(
            WorkingLanguage(posting=posting, language=code, level="B2") for code in required
        )
        offers.append(
            {
                "country": posting.work_country_codes(),
                "workplace": {posting.workplace},
                "employment": {posting.employment_type},
                "seniority": {posting.seniority},
                "tag": set(chosen_tags),
                "company": {posting.company.slug},
                "salary": {"1"} if posting.has_salary else set(),
                "requires": set(required),
                "not_requires": set(LANGUAGES) - set(required),
                "visa": {"1"} if posting.visa_sponsorship else set(),
                "relocation": {"1"} if posting.relocation else set(),
                "posted": {days for days in ("1", "7", "30") if age < timedelta(days=int(days))},
                "posting": posting,
            }
        )
    PostingFactory(language="fr", country="DE", items=False)
    PostingFactory(status="draft", country="DE", items=False)
    PostingFactory(expired=True, country="DE", items=False)
    return offers


def naive_counts(offers, chosen):
    """{parameter: {value: count}}: for each option, the postings that meet every other chosen parameter and it."""

    def meets(offer, names):
        return all(
            set(chosen[name]) <= offer[name] if name in ALL_OF else offer[name] & set(chosen[name]) for name in names
        )

    counts = {}
    for name in FACETS:
        others = [other for other in chosen if other != name]
        counts[name] = {
            value: sum(1 for offer in offers if meets(offer, others) and value in offer[name])
            for value in CHOICES[name]
        }
    matching = [offer["posting"] for offer in offers if meets(offer, chosen)]
    return counts, sorted(matching, key=lambda posting: (posting.published_at, posting.pk), reverse=True)


states = st.fixed_dictionaries(
    {},
    optional={
        name: st.lists(st.sampled_from(values), min_size=1, max_size=1 if name in SINGLE else len(values), unique=True)
        for name, values in CHOICES.items()
    },
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(states)
def test_facet_counts_equal_a_naive_recount(client, board, chosen):
    cache.clear()  # examples repeat filter states: this one's page is rendered, with its context, not cached
    response = client.get("/en/", [(name, value) for name, values in chosen.items() for value in values])

    expected, matching = naive_counts(board, chosen)
    shown = {
        group["name"]: {option["value"]: option["count"] for option in group["options"]}
        for group in response.context["facets"]
    }
    assert {name: {value: shown[name].get(value, 0) for value in CHOICES[name]} for name in FACETS} == expected
    assert response.context["page"].paginator.count == len(matching)
    assert list(response.context["page"]) == matching[:PAGE_SIZE]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(states, st.lists(st.booleans(), min_size=24, max_size=24))
def test_facet_counts_from_the_whole_less_the_rest_equal_those_counted_directly(board, chosen, narrowed):
    """As a common search word's are counted: over more than half of the live postings, the unfiltered counts less
    those of the postings it leaves out."""
    PostingFactory(published_at=timezone.now() + timedelta(days=1), items=False)  # in the index, not live
    now = timezone.now()
    index = facet_index("en", now, None)
    live = index.live(now)
    among = live.copy()
    among[np.flatnonzero(live)] = narrowed  # the postings some search words match
    whole = (live, count_facets(index, live, now, {}))

    assert count_facets(index, among, now, chosen, whole) == count_facets(index, among, now, chosen)


def test_an_option_that_only_the_postings_left_out_yield_is_not_counted(board):
    now = timezone.now()
    index = facet_index("en", now, None)
    live = index.live(now)
    whole = (live, count_facets(index, live, now, {}))
    company = min(COMPANIES, key=whole[1].options["company"].get)
    among = live & ~FACETS["company"].matching(index, [company], now)  # a search that no posting of it matches

    counts = count_facets(index, among, now, {}, whole)

    assert counts.without["company"] > whole[1].total / 2
    assert company in whole[1].options["company"] and company not in counts.options["company"]
    assert counts == count_facets(index, among, now, {})


def test_facet_counts_honour_the_search_words(client):
    """Search words are no facet: the database matches them, once, and the facets count the matching postings."""
    PostingFactory(title="Python developer", workplace="remote", items=False)
    PostingFactory(title="Python tester", workplace="onsite", items=False)
    PostingFactory(title="Designer", workplace="remote", items=False)

    for workplace in ["remote", "onsite"]:
        response = client.get("/en/", {"q": "python", "workplace": workplace})

        counts = {
            group["name"]: {option["value"]: option["count"] for option in group["options"]}
            for group in response.context["facets"]
        }
        assert counts["workplace"] == {"onsite": 1, "hybrid": 0, "remote": 1}
        assert response.context["page"].paginator.count == 1


def test_a_tag_that_does_not_exist_is_reported_and_left_out_of_the_counts(client):
    """The tag is reported as an invalid choice, and the other parameters count as if it had not been chosen."""
    PostingFactory(workplace="remote", items=False)
    PostingFactory(workplace="onsite", items=False)

    response = client.get("/en/", {"tag": "nothing-by-this-name", "workplace": "remote"})

    assert set(response.context["filterset"].form.errors) == {"tag"}
    [workplace] = [group for group in response.context["facets"] if group["name"] == "workplace"]
    assert {option["value"]: option["count"] for option in workplace["options"]} == {
        "onsite": 1,
        "hybrid": 0,
        "remote": 1,
    }
    assert response.context["page"].paginator.count == 1


def test_the_facet_index_is_read_once_per_catalogue_version_and_follows_the_clock(django_assert_num_queries):
    """The index holds scheduled postings and every publish and expiry moment: postings going live, expiring and
    leaving a "posted within" window are counted at the exact moment without reading it again; an HR change reads it
    again."""
    now = timezone.now()
    older = PostingFactory(country="DE", published_at=now - timedelta(days=2), items=False)
    scheduled = PostingFactory(
        country="PT", published_at=now + timedelta(hours=1), valid_through=now + timedelta(hours=2), items=False
    )
    state = catalogue.current(now)
    index = facet_index("en", now, state)

    def counted(name, moment):
        return count_facets(index, index.live(moment), moment, {}).options[name]

    with django_assert_num_queries(0):
        assert facet_index("en", now, state) is index
        assert counted("country", now) == {"DE": 1}
        assert counted("country", scheduled.published_at - timedelta(microseconds=1)) == {"DE": 1}
        assert counted("country", scheduled.published_at) == {"DE": 1, "PT": 1}
        assert counted("posted", scheduled.published_at) == {"1": 1, "7": 2, "30": 2}
        assert counted("country", scheduled.valid_through) == {"DE": 1}
        a_day_on = older.published_at + timedelta(days=1)
        assert counted("posted", a_day_on)["1"] == 1
        assert counted("posted", a_day_on + timedelta(microseconds=1))["1"] == 0

    older.title = "Renamed"
    older.save()
    assert facet_index("en", now, catalogue.current(now)) is not index


def test_the_search_words_are_matched_once_per_catalogue_version(client, django_assert_num_queries):
    """The facet index remembers which of its postings the words match: another filter state with the same words
    asks the database only for the page; a new posting with the words is found at once."""
    PostingFactory.create_batch(5, title="Python developer", workplace="remote", items=False)
    PostingFactory(title="Python tester", workplace="onsite", items=False)
    client.get("/en/", {"q": "python"})

    with django_assert_num_queries(2):  # the state, the page (its postings' cards, details and all, are cached)
        response = client.get("/en/", {"q": "python", "workplace": "remote", "sort": "newest"})
    assert response.context["page"].paginator.count == 5

    PostingFactory(title="Python architect", workplace="remote", items=False)
    response = client.get("/en/", {"q": "python", "workplace": "remote", "sort": "newest"})
    assert response.context["page"].paginator.count == 6


def test_keys_of_postings_known_to_match_nothing_are_none():
    PostingFactory(items=False)

    assert keys_of(Posting.objects.none()).tolist() == []
    assert keys_of(Posting.objects.filter(pk__in=[])).tolist() == []
    assert keys_of(Posting.objects.all()).tolist() == list(Posting.objects.values_list("pk", flat=True))


def held(index):
    """What a facet index holds, whatever the order of its labels: each posting's key and moments in the index's
    order, each column's values in that order, and each related table's (key, value) rows."""
    moments = [array.tolist() for array in (index.keys, index.published, index.expires, index.updated)]
    columns = {alias: [labels[code] for code in codes.tolist()] for alias, (labels, codes) in index.columns.items()}
    related = {
        name: Counter(zip(index.keys[positions].tolist(), [labels[code] for code in codes.tolist()], strict=True))
        for name, (positions, labels, codes) in index.related.items()
    }
    return moments, columns, related


def some_posting(rng, **conditions):
    return rng.choice(list(Posting.objects.filter(**conditions).order_by("pk")))


def edit(rng):
    posting = some_posting(rng)
    posting.workplace, posting.seniority = rng.choice(WORKPLACES), rng.choice(SENIORITY)
    posting.salary_min = rng.choice([None, 40000, 60000])
    posting.visa_sponsorship = not posting.visa_sponsorship
    posting.save()


def retag(rng):
    posting, tag = some_posting(rng), rng.choice(list(Tag.objects.order_by("pk")))
    (posting.tags.remove if rng.random() < 0.5 else posting.tags.add)(tag)


def tag_postings(rng):
    """From the tag's side: m2m_changed names the postings by their keys."""
    tag = rng.choice(list(Tag.objects.order_by("pk")))
    tag.postings.add(*rng.sample(list(Posting.objects.order_by("pk")), 2))


def translated(posting, language):
    return Posting.objects.filter(translation_group=posting.translation_group, language=language).exists()


def translate(rng):
    posting = some_posting(rng)
    language = "fr" if posting.language == "en" else "en"
    if not translated(posting, language):
        posting.language = language
        posting.save()


def archive_or_publish(rng):
    posting = some_posting(rng)
    posting.status = Status.ARCHIVED if posting.status == Status.PUBLISHED else Status.PUBLISHED
    posting.save()


def expire(rng):
    posting = some_posting(rng)
    posting.valid_through = timezone.now() - timedelta(minutes=rng.randint(1, 60))
    posting.save()


def delete(rng):
    some_posting(rng).delete()


def add(rng):
    PostingFactory(
        company=rng.choice(list(Company.objects.order_by("pk"))),
        country=rng.choice(COUNTRIES),
        published_at=timezone.now() + timedelta(hours=rng.choice([-50, -2, 3])),  # a scheduled one too
        items=False,
    )


def translate_with_other_pay(rng):
    """A translation saved with another pay gives it to the posting it translates, by an update."""
    posting = some_posting(rng, language="en")
    if translated(posting, "fr"):
        return
    PostingFactory(
        language="fr",
        translation_group=posting.translation_group,
        company=posting.company,
        salary_min=None if posting.has_salary else 30000,
        salary_max=None,
        items=False,
    )


def require(rng):
    WorkingLanguage.objects.update_or_create(
        posting=some_posting(rng), language=rng.choice(LANGUAGES), defaults={"level": rng.choice(["B1", "C1"])}
    )


def unrequire(rng):
    if required := list(WorkingLanguage.objects.order_by("pk")):
        rng.choice(required).delete()


def open_office(rng):
    Office.objects.create(posting=some_posting(rng), city=rng.choice(["Porto", "Lyon", ""]), country="PT")


def rename_company(rng):
    company = rng.choice(list(Company.objects.order_by("pk")))
    company.slug = f"{company.slug}-{rng.randint(0, 999)}"
    company.save()


def rename_tag(rng):
    tag = rng.choice(list(Tag.objects.order_by("pk")))
    tag.slug = f"{tag.slug}-{rng.randint(0, 999)}"
    tag.save()


def delete_tag(rng):
    """A change that may touch any posting: the index is read whole again. One tag is left for the other changes."""
    if len(tags := list(Tag.objects.order_by("pk"))) > 1:
        rng.choice(tags).delete()


CHANGES = [edit, retag, tag_postings, translate, archive_or_publish, expire, delete, add, require, unrequire]
CHANGES += [translate_with_other_pay, open_office, rename_company, rename_tag, delete_tag]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(CHANGES), min_size=1, max_size=4), st.randoms(use_true_random=False))
def test_an_index_brought_up_to_date_holds_what_a_new_read_finds(board, changes, rng):
    """After HR's changes, the held index with the changed postings read again equals the index read whole; only a
    change that may touch any posting has it read whole."""
    indexes.clear()
    with transaction.atomic():  # rolled back: each example starts from the same board
        now = timezone.now()
        for language in ["en", "fr"]:
            facet_index(language, now, catalogue.current(now))
        read_whole_at = {key: read_at for key, (_version, read_at, _index) in indexes.held.items()}
        for change in changes:
            change(rng)
        updated = {language: facet_index(language, now, catalogue.current(now)) for language in ["en", "fr"]}
        if delete_tag not in changes:
            assert {key: read_at for key, (_version, read_at, _index) in indexes.held.items()} == read_whole_at
        indexes.clear()

        for language, index in updated.items():
            assert held(index) == held(facet_index(language, now, catalogue.current(now)))
        transaction.set_rollback(True)


def background_reads_ended():
    for thread in threading.enumerate():
        if thread.name.startswith("facet index"):
            thread.join()


@pytest.mark.django_db(transaction=True)
def test_an_index_read_whole_long_ago_is_read_again_in_the_background(monkeypatch):
    """Requests are served by the index held meanwhile; the new read finds even a write that recorded no change."""
    posting = PostingFactory(workplace="onsite", items=False)
    now = timezone.now()
    index = facet_index("en", now, catalogue.current(now))
    Posting.objects.filter(pk=posting.pk).update(workplace="remote")  # no signal, no bump()
    monkeypatch.setattr(facetindex, "MAX_AGE", timedelta(0))

    assert facet_index("en", now, catalogue.current(now)) is index
    background_reads_ended()
    again = facet_index("en", now, catalogue.current(now))
    background_reads_ended()

    assert again is not index
    assert again.tally("workplace", again.live(now)) == {"remote": 1}


def test_threads_wanting_the_same_index_wait_for_one_read():
    """At a process's start (or after a change), its threads asking for one index read it once, not each."""
    held, reads, start = facetindex.Indexes(), [], threading.Barrier(4)

    def read():
        reads.append(threading.get_ident())
        time.sleep(0.2)
        return object()

    def ask(found):
        start.wait()
        found.append(held.get(("default", "en"), 1, read))

    found = []
    threads = [threading.Thread(target=ask, args=(found,)) for _thread in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(reads) == 1
    assert len(found) == 4 and len({id(index) for index in found}) == 1


@pytest.mark.django_db(transaction=True)
def test_a_new_worker_reads_the_facet_indexes_and_serves_each_listing_before_its_first_requests(
    client, django_assert_num_queries, caplog
):
    PostingFactory(items=False)
    PostingFactory(language="fr", items=False)

    catalogue.warm_up(get_wsgi_application()).join()
    now = timezone.now()
    state = catalogue.current(now)

    with django_assert_num_queries(0):
        found = [facet_index(language, now, state) for language in ["de", "en", "es", "fr"]]
    assert [index.size for index in found] == [0, 1, 0, 1]
    for language in ["de", "en", "es", "fr"]:
        with django_assert_num_queries(1):  # the catalogue state: the page was served, and cached, by the warm-up
            assert client.get(f"/{language}/").status_code == 200
    assert not [record for record in caplog.records if record.levelname == "ERROR"]


@pytest.mark.django_db(transaction=True)
def test_a_warm_up_calls_back_once_every_listing_is_served():
    application, served, called = get_wsgi_application(), [], []

    def serving(environ, start_response):
        served.append(environ["PATH_INFO"])
        return application(environ, start_response)

    catalogue.warm_up(serving, then=lambda: called.append(list(served))).join()

    assert called == [["/en/", "/fr/", "/de/", "/es/"]]


@pytest.mark.django_db(transaction=True)
def test_a_warm_up_answered_other_than_200_is_logged(caplog):
    catalogue.warm_up(lambda environ, start_response: start_response("503 Service Unavailable", []) or []).join()

    [record] = [record for record in caplog.records if record.name == "jobs.facetindex"]
    assert record.getMessage() == "A new process could not be warmed up."
    assert "answered 503 Service Unavailable" in record.exc_text


def test_a_background_read_that_fails_is_logged(caplog):
    def work():
        raise RuntimeError("the database is unavailable")

    facetindex.in_thread("facet indexes", work, "The facet indexes could not be read.").join()

    [record] = [record for record in caplog.records if record.name == "jobs.facetindex"]
    assert record.getMessage() == "The facet indexes could not be read."
    assert "the database is unavailable" in record.exc_text


def test_a_background_read_that_gets_no_answer_ends_at_the_query_deadline(monkeypatch, caplog):
    """As a request's would: it cannot hold an index's lock for longer (core.database)."""
    if connection.vendor != "postgresql":
        pytest.skip("the deadline watches PostgreSQL connections")
    monkeypatch.setattr(facetindex, "background_watchdog", lambda: QueryWatchdog(0.5, interval=0.1))

    def work():
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_sleep(5)")

    started = time.monotonic()
    facetindex.in_thread("facet indexes", work, "The facet indexes could not be read.").join()

    assert time.monotonic() - started < 2
    assert [record.getMessage() for record in caplog.records if record.name == "jobs.facetindex"] == [
        "The facet indexes could not be read."
    ]
