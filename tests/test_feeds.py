"""The Atom feed of each language's listing, read with a real feed parser."""

from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone

from jobs import feeds
from jobs.models import FullText
from tests.factories import CompanyFactory, PostingFactory, TagFactory
from tests.page_head import links

pytestmark = pytest.mark.django_db


def read_feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return feed


def entry_links(feed):
    return [entry.link for entry in feed.entries]


def absolute(posting):
    return f"http://testserver{posting.get_absolute_url()}"


def test_the_feed_has_the_languages_live_postings_newest_first(client):
    older = PostingFactory(published_at=timezone.now() - timedelta(days=5))
    newer = PostingFactory(published_at=timezone.now() - timedelta(hours=2))
    PostingFactory(language="fr")
    for trait in ["draft", "scheduled", "expired", "archived"]:
        PostingFactory(**{trait: True})

    feed = read_feed(client, "/en/feed/")

    assert feed.version == "atom10"
    assert feed.feed.language == "en"
    assert entry_links(feed) == [absolute(newer), absolute(older)]


def test_an_entry_has_the_posting_its_company_tags_and_full_text(client):
    posting = PostingFactory(
        title="Data & platform engineer",
        summary="Run the <data> platform.",
        company=CompanyFactory(name="Northwind", website="https://northwind.example"),
        tags=[TagFactory(slug="data", name="Data", translated_names={"fr": "Données"})],
    )

    [entry] = read_feed(client, "/en/feed/").entries

    assert entry.title == "Data & platform engineer"
    assert entry.id == absolute(posting)
    assert entry.author == "Northwind"
    assert entry.author_detail.href == "https://northwind.example"
    assert entry.summary == "<p>Run the &lt;data&gt; platform.</p>"
    assert [tag.term for tag in entry.tags] == ["Data"]
    assert timezone.datetime(*entry.published_parsed[:6], tzinfo=timezone.UTC) == posting.published_at.replace(
        microsecond=0
    )
    content = entry.content[0]
    assert content.type == "text/html"
    for part in ["<p>Run the &lt;data&gt; platform.</p>", "What you will do", "Responsibility 1", "Benefit 3"]:
        assert part in content.value


def test_an_entry_of_a_posting_indexed_before_full_texts_were_kept_has_its_full_text(client):
    kept = PostingFactory(published_at=timezone.now())
    older = PostingFactory(published_at=timezone.now() - timedelta(days=1))
    full_text = FullText.objects.get(posting=older).html
    FullText.objects.filter(posting=older).delete()  # as before migration 0014

    entries = read_feed(client, "/en/feed/").entries

    assert [entry.link for entry in entries] == [absolute(kept), absolute(older)]
    assert "Responsibility 1" in full_text
    assert entries[1].content[0].value == full_text
    assert entries[0].content[0].value == FullText.objects.get(posting=kept).html


def test_tags_are_named_in_the_feeds_language(client):
    PostingFactory(language="fr", tags=[TagFactory(slug="data", name="Data", translated_names={"fr": "Données"})])

    [entry] = read_feed(client, "/fr/feed/").entries

    assert [tag.term for tag in entry.tags] == ["Données"]


@pytest.fixture
def postings():
    """French postings that differ in every filtered property."""
    backend, frontend = TagFactory(slug="backend"), TagFactory(slug="frontend")
    acme = CompanyFactory(slug="acme")
    return [
        PostingFactory(language="fr", title="Développeuse Python", country="FR", tags=[backend], company=acme),
        PostingFactory(language="fr", title="Développeur React", country="FR", tags=[frontend]),
        PostingFactory(language="fr", title="Ingénieur backend", country="DE", tags=[backend], workplace="onsite"),
        PostingFactory(
            language="fr",
            remote=True,
            eligible_countries=["FR", "BE"],
            country="BE",
            tags=[backend],
            seniority="junior",
        ),
        PostingFactory(
            language="fr",
            employment_type="internship",
            country="ES",
            salary_min=None,
            salary_max=None,
            published_at=timezone.now() - timedelta(days=20),
        ),
    ]


@pytest.mark.parametrize(
    "query",
    [
        "country=FR&tag=backend",
        "country=FR&country=DE",
        "workplace=remote&workplace=onsite",
        "employment=internship",
        "seniority=junior",
        "tag=frontend",
        "company=acme",
        "salary=1",
        "posted=7",
        "q=python",
        "country=FR&sort=newest&page=1",
    ],
)
def test_the_feed_honours_every_listing_filter(client, postings, query):
    listing = client.get(f"/fr/?{query}")
    expected = [absolute(posting) for posting in listing.context["page"].object_list]

    feed = read_feed(client, f"/fr/feed/?{query}")

    assert sorted(entry_links(feed)) == sorted(expected)
    assert 0 < len(expected) < len(postings)


def test_the_feed_names_its_filters_and_links_to_the_filtered_listing(client, postings):
    feed = read_feed(client, "/fr/feed/?country=FR&tag=backend&sort=newest&page=2")

    assert "France" in feed.feed.title
    assert "Backend" in feed.feed.title
    assert feed.feed.link == "http://testserver/fr/?country=FR&tag=backend"
    [self_link] = [link.href for link in feed.feed.links if link.rel == "self"]
    assert self_link == "http://testserver/fr/feed/?country=FR&tag=backend"


@pytest.mark.parametrize("query", ["country=ZZ", "posted=abc", "workplace=moon", "tag=nothing", "country=%00"])
def test_a_malformed_filter_value_is_a_bad_request(client, postings, query):
    """A subscription to it would otherwise get every posting."""
    assert client.get(f"/fr/feed/?{query}").status_code == 400


def test_a_well_formed_filter_value_without_postings_gives_an_empty_feed(client, postings):
    assert read_feed(client, "/fr/feed/?country=AR&page=x").entries == []


def test_the_feed_is_limited_to_the_newest_postings(client, monkeypatch):
    monkeypatch.setattr(feeds, "FEED_SIZE", 2)
    postings = [PostingFactory(published_at=timezone.now() - timedelta(days=days), items=False) for days in range(4)]

    assert entry_links(read_feed(client, "/en/feed/")) == [absolute(posting) for posting in postings[:2]]


def test_the_feed_takes_as_many_queries_for_many_postings_as_for_one(client, django_assert_max_num_queries):
    PostingFactory(tags=[TagFactory()])
    with django_assert_max_num_queries(30) as few:
        read_feed(client, "/en/feed/")
    PostingFactory.create_batch(10, tags=[TagFactory()])

    with django_assert_max_num_queries(len(few.captured_queries)):
        feed = read_feed(client, "/en/feed/")

    assert len(feed.entries) == 11


def test_an_entry_shows_an_edit_of_the_postings_items_at_once(client, django_capture_on_commit_callbacks):
    posting = PostingFactory()
    client.get("/en/feed/?workplace=" + posting.workplace)  # its entry is made, and the feed kept

    benefit = posting.benefits.first()
    benefit.text = "A four-day week"
    with django_capture_on_commit_callbacks(execute=True):  # its search entry is written again once it commits
        benefit.save()

    [entry] = read_feed(client, "/en/feed/").entries
    assert "A four-day week" in entry.content[0].value


def test_the_listing_links_to_the_feed_of_its_filters(client):
    response = client.get("/fr/?country=FR&tag=backend&sort=newest&page=1")

    [feed] = [link for link in links(response, "alternate") if link.get("type") == "application/atom+xml"]
    assert feed["href"] == "http://testserver/fr/feed/?country=FR&tag=backend"
    assert feed["title"]
