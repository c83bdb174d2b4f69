"""Cached pages change the moment the catalogue does: HR's changes, and postings going live or expiring by date."""

import pickle
import re
import threading
import time
import weakref
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from django.core.cache import caches
from django.db import DataError, connection, transaction
from django.http.response import HttpResponseBase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from jobs import catalogue, views
from jobs.models import CatalogueChange, CompanyDescription, Posting, Responsibility
from tests.factories import HREditorFactory, PostingFactory, TagFactory
from tests.test_cache import redis  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def shown_count(page, name, value):
    """The count a page shows beside a facet's option, 0 if it has no such option (read from the HTML: a page served
    from the cache has no template context)."""
    found = re.search(rf'for="f-{name}-{value}">.*?class="facet__count"[^>]*>(\d+)<', page.text, re.DOTALL)
    return int(found[1]) if found else 0


def seen(client, posting):
    """What the listing, its facets, the feed and the posting's page show of `posting`, each once cached."""
    listing = client.get("/en/")
    feed = feedparser.parse(client.get("/en/feed/").content)
    page = client.get(f"/en/jobs/{posting.slug}/")
    return {
        "listed": escape(posting.title) in listing.text,
        "counted": shown_count(listing, "country", "PT"),
        "in feed": posting.title in {entry.title for entry in feed.entries},
        "page": page.status_code,
    }


def cached_twice(client, posting):
    """seen(), asked for twice so that the second answers come from the cache."""
    seen(client, posting)
    return seen(client, posting)


@pytest.fixture
def board():
    PostingFactory.create_batch(3, country="DE", tags=[TagFactory()])


def test_pages_are_cached_under_the_catalogue_state(client, board, django_assert_num_queries):
    client.get("/en/")

    with django_assert_num_queries(1):
        client.get("/en/")


def test_an_hr_edit_shows_at_once(client, board):
    posting = PostingFactory(title="Before the edit", country="PT")
    cached_twice(client, posting)

    posting.title = "After the edit"
    posting.save()

    assert seen(client, posting) == {"listed": True, "counted": 1, "in feed": True, "page": 200}
    assert "After the edit" in client.get(f"/en/jobs/{posting.slug}/").text


def test_a_card_shows_an_edit_of_its_company_at_once(client, board):
    posting = PostingFactory(company__name="Before & Co", country="PT")
    client.get("/en/", {"country": "PT"})

    posting.company.name = "After & Co"
    posting.company.save()

    page = client.get("/en/", {"workplace": posting.workplace}).text
    assert "After &amp; Co" in page
    assert "Before &amp; Co" not in page


def test_a_card_is_rendered_once_for_every_listing_that_shows_it_each_title_leading_back_to_its_own(
    client, board, monkeypatch
):
    posting = PostingFactory(country="PT", workplace="remote")
    rendered = []
    real_details = views.card_details
    monkeypatch.setattr(views, "card_details", lambda postings: rendered.extend(postings) or real_details(postings))

    first = client.get("/en/", {"country": "PT"}).text
    second = client.get("/en/", {"workplace": "remote", "country": "PT"}).text

    assert rendered == [posting]
    assert f'{posting.get_absolute_url()}?from=country%3DPT"' in first
    assert f'{posting.get_absolute_url()}?from=workplace%3Dremote%26country%3DPT"' in second
    assert escape(posting.company.name) in second


def test_a_card_is_not_rendered_again_when_another_posting_goes_live(client, board, monkeypatch):
    PostingFactory(country="PT")
    scheduled = PostingFactory(country="PT", published_at=timezone.now() + timedelta(minutes=1))
    client.get("/en/", {"country": "PT"})
    rendered = []
    real_details = views.card_details
    monkeypatch.setattr(views, "card_details", lambda postings: rendered.extend(postings) or real_details(postings))
    later = timezone.now() + timedelta(minutes=2)
    if timezone.localdate(later) != timezone.localdate():
        pytest.skip("a new day begins within two minutes: every card says when it was posted anew")
    monkeypatch.setattr(timezone, "now", lambda: later)

    page = client.get("/en/", {"country": "PT"})

    assert shown_count(page, "country", "PT") == 2
    assert rendered == [scheduled]  # the card of the posting gone live alone


def test_a_feed_entry_shows_an_edit_of_its_items_at_once_in_every_feed(
    client, board, django_capture_on_commit_callbacks
):
    posting = PostingFactory(country="PT")
    with django_capture_on_commit_callbacks(execute=True):  # the posting's search entry is written on commit
        item = Responsibility.objects.create(posting=posting, text="Before the edit")
    assert "Before the edit" in client.get("/en/feed/", {"country": "PT"}).text

    item.text = "After the edit"
    with django_capture_on_commit_callbacks(execute=True):
        item.save()

    assert "After the edit" in client.get("/en/feed/").text


def test_values_cached_each_are_computed_only_for_the_items_not_cached_yet(board):
    state = catalogue.current()
    postings = list(Posting.objects.order_by("pk"))
    asked = []

    def compute(items):
        asked.append(items)
        return [f"value of {item.pk}" for item in items]

    state.cached_each(compute, postings[:2], "test")
    values = state.cached_each(compute, postings, "test")

    assert values == [f"value of {posting.pk}" for posting in postings]
    assert asked == [postings[:2], postings[2:]]
    assert catalogue.State(version=None, boundary=None).cached_each(compute, postings, "test") == values


def test_a_card_says_posted_yesterday_from_midnight(client, board, monkeypatch):
    posting = PostingFactory(published_at=timezone.now() - timedelta(minutes=1), country="PT")
    assert "Posted today" in client.get("/en/", {"country": "PT"}).text

    tomorrow = catalogue.next_midnight(timezone.now()) + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)

    assert "Posted yesterday" in client.get("/en/", {"country": "PT"}).text
    assert escape(posting.title) in client.get("/en/", {"country": "PT"}).text


def test_publishing_shows_at_once(client, board):
    draft = PostingFactory(status="draft", published_at=None, country="PT")
    assert cached_twice(client, draft) == {"listed": False, "counted": 0, "in feed": False, "page": 404}

    draft.publish_now()
    draft.save()

    assert seen(client, draft) == {"listed": True, "counted": 1, "in feed": True, "page": 200}


def test_archiving_shows_at_once(client, board):
    posting = PostingFactory(country="PT")
    assert cached_twice(client, posting)["listed"]

    posting.archive()
    posting.save()

    assert seen(client, posting) == {"listed": False, "counted": 0, "in feed": False, "page": 410}


def test_the_posting_page_and_the_company_page_are_served_from_the_cache_in_one_query(
    client, board, django_assert_num_queries
):
    posting = PostingFactory(title="Before the edit")
    pages = [posting.get_absolute_url(), posting.company.get_absolute_url("en")]
    for url in pages:
        client.get(url)

    for url in pages:
        with django_assert_num_queries(1):
            assert "Before the edit" in client.get(url).text


def cached_responses():
    """The responses in the (local memory) cache."""
    store = caches["default"]
    return [value for value in map(pickle.loads, store._cache.values()) if isinstance(value, HttpResponseBase)]


@pytest.mark.parametrize(("url", "made_up"), [("/en/?workplace=remote", "&utm_source=x"), ("/en/feed/", "?ref=1")])
def test_a_page_asked_for_with_a_parameter_it_does_not_read_is_answered_but_not_cached(client, board, url, made_up):
    """Made-up parameters (a tracking tag, or a flood of random ones) must not fill the cache with copies of a page."""
    first, second = client.get(url + made_up), client.get(url + made_up)
    made_up_cached = cached_responses()
    client.get(url)

    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert made_up_cached == []
    assert len(cached_responses()) == 1  # the page without it is cached


def test_the_posting_page_and_the_company_page_change_at_once(client, board):
    posting = PostingFactory(title="Before the edit")
    pages = [posting.get_absolute_url(), posting.company.get_absolute_url("en")]
    for url in pages * 2:
        client.get(url)

    posting.title = "After the edit"
    posting.save()
    CompanyDescription.objects.create(company=posting.company, language="en", text="Who we are")

    for url in pages:
        page = client.get(url).text
        assert "After the edit" in page
        assert "Who we are" in page


def test_an_hr_preview_is_never_cached(client):
    draft = PostingFactory(draft=True)
    client.force_login(HREditorFactory(companies=[draft.company]))
    client.get(draft.get_absolute_url())

    again = client.get(draft.get_absolute_url())
    client.logout()

    assert "Preview, not public" in again.text
    assert "no-store" in again["Cache-Control"]
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_a_cached_public_page_is_served_to_staff_too(client, django_assert_num_queries):
    posting = PostingFactory()
    client.get(posting.get_absolute_url())
    client.force_login(HREditorFactory(companies=[posting.company]))

    with django_assert_num_queries(1):
        page = client.get(posting.get_absolute_url())

    assert page.status_code == 200
    assert "Preview, not public" not in page.text


@pytest.mark.parametrize(
    ("published_ago", "expires_in", "boundary"),
    [
        (timedelta(hours=2), timedelta(days=10), "leaves the last 24 hours"),
        (timedelta(days=3), timedelta(days=10), "leaves the last 7 days"),
        (timedelta(days=3), timedelta(days=2), "expires"),
        (timedelta(days=40), timedelta(days=2), "expires"),
    ],
)
def test_the_state_ends_at_the_next_moment_the_live_set_changes_by_the_clock(published_ago, expires_in, boundary):
    now = timezone.now()
    posting = PostingFactory(published_at=now - published_ago, valid_through=now + expires_in)
    moments = {
        "leaves the last 24 hours": posting.published_at + timedelta(days=1),
        "leaves the last 7 days": posting.published_at + timedelta(days=7),
        "expires": posting.valid_through,
    }

    state = catalogue.current(now)

    assert state.boundary == min(moments[boundary], catalogue.next_midnight(now))
    assert state.version is not None


def test_the_state_ends_at_the_next_midnight_when_the_clock_changes_nothing_sooner(settings):
    settings.TIME_ZONE = "Europe/Paris"
    now = datetime(2026, 3, 28, 22, 30, tzinfo=UTC)  # 23:30 in Paris, the night before summer time begins
    PostingFactory(published_at=now - timedelta(days=40), valid_through=None)

    assert catalogue.current(now).boundary == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)


@pytest.fixture
def new_session(monkeypatch):
    """PostgreSQL's session as a new one would be: holding no statement prepared for the state."""
    if connection.vendor != "postgresql":
        pytest.skip("the state's query is prepared on PostgreSQL alone")
    monkeypatch.setattr(catalogue, "state_statements", weakref.WeakKeyDictionary())


def prepared_names():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM pg_prepared_statements WHERE starts_with(name, %s)", [catalogue.STATE_STATEMENT]
        )
        return {name for (name,) in cursor.fetchall()}


def test_a_session_prepares_the_state_query_once_in_the_round_trip_that_first_runs_it(board, new_session):
    before = prepared_names()
    with CaptureQueriesContext(connection) as first:
        state = catalogue.current()
    with CaptureQueriesContext(connection) as second:
        again = catalogue.current()

    [name] = prepared_names() - before
    assert [query["sql"].split()[:2] for query in first] == [["PREPARE", name]]
    assert [query["sql"].split("(")[0] for query in second] == [f"EXECUTE {name}"]
    assert again == state
    assert state.version == catalogue.CatalogueVersion.objects.get().number


def test_a_state_query_that_failed_after_preparing_is_prepared_again_under_another_name(
    board, new_session, monkeypatch
):
    before = prepared_names()
    with monkeypatch.context() as failing:
        failing.setattr(connection.ops, "adapt_datetimefield_value", lambda moment: "not a moment")
        with pytest.raises(DataError), transaction.atomic():
            catalogue.current()
    failed = prepared_names() - before  # prepared, then its execution failed

    state = catalogue.current()

    assert len(failed) == 1
    assert len(prepared_names() - before - failed) == 1
    assert state.version == catalogue.CatalogueVersion.objects.get().number


def test_a_posting_going_live_and_expiring_by_date_shows_at_once(client, board):
    now = timezone.now()
    posting = PostingFactory(
        country="PT", published_at=now + timedelta(seconds=1), valid_through=now + timedelta(seconds=2)
    )
    assert cached_twice(client, posting)["listed"] is False

    time.sleep(max(0, (posting.published_at - timezone.now()).total_seconds()) + 0.05)
    assert seen(client, posting) == {"listed": True, "counted": 1, "in feed": True, "page": 200}
    assert seen(client, posting)["listed"]

    time.sleep(max(0, (posting.valid_through - timezone.now()).total_seconds()) + 0.05)
    assert seen(client, posting) == {"listed": False, "counted": 0, "in feed": False, "page": 410}


def test_a_change_without_signals_is_seen_once_bumped(client, board):
    """Bulk writes (generate_postings' COPY, queryset updates) call bump() themselves."""
    posting = PostingFactory(country="PT")
    cached_twice(client, posting)
    Posting.objects.filter(pk=posting.pk).update(status="archived")

    assert seen(client, posting)["listed"]
    catalogue.bump()
    assert not seen(client, posting)["listed"]


def test_each_change_names_the_postings_it_touched(board):
    """What the facet index reads again (jobs.facetindex): the postings a change touched, None for possibly any."""
    posting, other = PostingFactory(items=False), PostingFactory(items=False)
    tag = TagFactory()

    def touched(change):
        before = catalogue.current().version
        change()
        return set(CatalogueChange.objects.after(before, catalogue.current().version).values_list("posting", flat=True))

    assert touched(posting.save) == {posting.pk}
    assert touched(lambda: Responsibility.objects.create(posting=other, position=1, text="Run it")) == {other.pk}
    assert touched(lambda: posting.tags.add(tag)) == {posting.pk}
    assert touched(lambda: tag.postings.add(posting, other)) == {other.pk}  # the posting had it already
    assert touched(lambda: tag.postings.remove(posting, other)) == {posting.pk, other.pk}
    key = other.pk
    assert touched(other.delete) == {key}
    assert touched(posting.company.save) == {posting.pk}
    assert touched(lambda: CompanyDescription.objects.create(company=posting.company, language="en", text="Hi")) == {
        posting.pk
    }
    assert touched(lambda: tag.postings.add(posting)) == {posting.pk}
    assert touched(tag.save) == {posting.pk}
    assert touched(TagFactory) == set()  # no posting has a new tag yet
    assert touched(tag.delete) == {None}  # its postings are no longer found by it
    assert touched(catalogue.bump) == {None}


def test_a_company_with_too_many_postings_to_name_counts_as_touching_any(board, monkeypatch):
    monkeypatch.setattr(catalogue, "NAMED_AT_MOST", 2)
    company = PostingFactory(items=False).company
    PostingFactory.create_batch(2, company=company, items=False)
    before = catalogue.current().version

    company.save()

    assert list(CatalogueChange.objects.after(before, before + 1).values_list("posting", flat=True)) == [None]


@pytest.mark.django_db(transaction=True)
def test_a_version_is_committed_with_its_changes_even_after_a_write_outside_a_transaction(monkeypatch):
    """Else a process could read the new version before its changes, as a change touching no posting."""
    company = PostingFactory(items=False).company
    before = catalogue.current().version

    def failing(*args, **kwargs):
        raise RuntimeError("the changes could not be written")

    monkeypatch.setattr(CatalogueChange.objects, "bulk_create", failing)
    with pytest.raises(RuntimeError):
        company.save()  # in autocommit mode: the company's row is committed at once

    assert catalogue.current().version == before


def test_changes_no_longer_kept_are_not_given(board, monkeypatch):
    monkeypatch.setattr(CatalogueChange, "KEPT", 2)
    posting = PostingFactory(items=False)
    before = catalogue.current().version

    for _ in range(4):
        posting.save()

    assert (
        list(CatalogueChange.objects.after(before + 2, before + 4).values_list("posting", flat=True))
        == [posting.pk] * 2
    )
    assert CatalogueChange.objects.after(before, before + 4) is None
    newest = before + 4
    last_pruned_at = newest - newest % 2
    assert not CatalogueChange.objects.filter(version__lte=last_pruned_at - 2).exists()


def in_another_process(operation):
    """Run `operation` in another thread: its own database connection and its own client of the cache server, as
    another application process would have."""
    errors = []

    def run():
        try:
            operation()
        except Exception as error:  # noqa: BLE001 (reported to the test below)
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
def test_processes_sharing_redis_see_each_others_changes_at_once(client, redis, settings):  # noqa: F811
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "core.cache.TolerantRedisCache", "LOCATION": redis.url},
    }
    PostingFactory.create_batch(2, country="DE")
    posting = PostingFactory(title="Shared", country="PT")
    cached_twice(client, posting)
    assert caches["default"].get(catalogue.current().key("choices", "en")) is not None  # cached in Redis

    ours = caches["default"]

    def archive():
        assert caches["default"] is not ours
        other = Posting.objects.get(pk=posting.pk)
        other.archive()
        other.save()

    in_another_process(archive)

    assert seen(client, posting) == {"listed": False, "counted": 0, "in feed": False, "page": 410}


@pytest.mark.django_db(transaction=True)
def test_a_change_made_while_redis_is_down_is_not_lost(client, redis, settings):  # noqa: F811
    """The version lives in the database: what Redis held before the change (Redis hung, not emptied) is not read
    again."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "core.cache.TolerantRedisCache", "LOCATION": redis.url},
    }
    posting = PostingFactory(title="Kept", country="PT")
    assert cached_twice(client, posting)["listed"]
    redis.pause()

    posting.archive()
    posting.save()
    redis.resume()
    time.sleep(0.6)  # the cache tries Redis again half a second after a failure

    assert seen(client, posting)["listed"] is False
