"""robots.txt and the sitemap, read as XML the way crawlers read them."""

import math
from datetime import timedelta
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from django.contrib.sitemaps import views as sitemap_views
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jobs import sitemaps
from jobs.sitemaps import SITEMAPS, PostingSitemap
from tests.factories import PostingFactory

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}
ORIGIN = "http://testserver"


@pytest.fixture(autouse=True)
def postings_on_one_page(one_postings_sitemap_page):
    """Tests that split the sitemap over pages set their own page size."""


def xml(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    return ElementTree.fromstring(response.content)


def section_urls(client):
    """The sitemap index's sitemaps by section name ("listings", "postings")."""
    index = xml(client, "/sitemap.xml")
    assert index.tag == f"{{{NS['sm']}}}sitemapindex"
    locations = [element.text for element in index.findall("sm:sitemap/sm:loc", NS)]
    return {urlsplit(location).path.removeprefix("/sitemap-").removesuffix(".xml"): location for location in locations}


def urlset(client, section):
    """{location: {"lastmod": …, "alternates": {hreflang: href}}} of a section of the sitemap."""
    root = xml(client, section_urls(client)[section])
    return {
        url.findtext("sm:loc", namespaces=NS): {
            "lastmod": url.findtext("sm:lastmod", namespaces=NS),
            "alternates": {
                link.get("hreflang"): link.get("href")
                for link in url.findall("xhtml:link", NS)
                if link.get("rel") == "alternate"
            },
        }
        for url in root.findall("sm:url", NS)
    }


def absolute(posting):
    return f"{ORIGIN}{posting.get_absolute_url()}"


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_the_admin(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert f"Sitemap: {ORIGIN}/sitemap.xml" in lines


def test_the_sitemap_index_names_the_listings_postings_and_companies_sitemaps(client):
    assert section_urls(client) == {
        "listings": f"{ORIGIN}/sitemap-listings.xml",
        "postings": f"{ORIGIN}/sitemap-postings.xml",
        "companies": f"{ORIGIN}/sitemap-companies.xml",
    }


def test_every_languages_listing_is_listed_with_the_others_as_alternates(client):
    newest_french = PostingFactory(language="fr", published_at=timezone.now() - timedelta(days=3))
    PostingFactory(language="fr", published_at=timezone.now() - timedelta(days=9))

    urls = urlset(client, "listings")

    every_language = {
        "en": f"{ORIGIN}/en/",
        "fr": f"{ORIGIN}/fr/",
        "de": f"{ORIGIN}/de/",
        "es": f"{ORIGIN}/es/",
        "x-default": f"{ORIGIN}/",
    }
    assert list(urls) == [every_language[code] for code in ["en", "fr", "de", "es"]]
    for url in urls.values():
        assert url["alternates"] == every_language
    assert urls[f"{ORIGIN}/fr/"]["lastmod"] == newest_french.published_at.date().isoformat()
    assert urls[f"{ORIGIN}/de/"]["lastmod"] is None


def test_live_postings_are_listed_with_their_last_change(client):
    live = PostingFactory()
    remote = PostingFactory(language="de", remote=True)
    for trait in ["draft", "scheduled", "expired", "archived"]:
        PostingFactory(**{trait: True})

    urls = urlset(client, "postings")

    assert set(urls) == {absolute(live), absolute(remote)}
    assert urls[absolute(live)]["lastmod"] == live.updated_at.date().isoformat()


def test_alternates_name_only_live_translations(client):
    english = PostingFactory(language="en")
    french = PostingFactory(language="fr", translation_group=english.translation_group)
    PostingFactory(language="de", translation_group=english.translation_group, draft=True)
    PostingFactory(language="es", translation_group=english.translation_group, expired=True)
    alone = PostingFactory(language="en")

    urls = urlset(client, "postings")

    cluster = {"en": absolute(english), "fr": absolute(french), "x-default": absolute(english)}
    assert urls[absolute(english)]["alternates"] == cluster
    assert urls[absolute(french)]["alternates"] == cluster
    assert urls[absolute(alone)]["alternates"] == {}


def test_a_job_without_a_default_language_version_has_no_x_default(client):
    french = PostingFactory(language="fr")
    german = PostingFactory(language="de", translation_group=french.translation_group)

    urls = urlset(client, "postings")

    assert urls[absolute(french)]["alternates"] == {"fr": absolute(french), "de": absolute(german)}


def test_the_postings_sitemap_takes_as_many_queries_for_many_postings_as_for_two(client, django_assert_num_queries):
    def translated_pair():
        english = PostingFactory(language="en", items=False)
        PostingFactory(language="fr", translation_group=english.translation_group, items=False)

    translated_pair()
    # The catalogue's state (the cache key), the last key for pagination, the postings, their translations.
    with django_assert_num_queries(4):
        client.get("/sitemap-postings.xml")
    for _pair in range(10):
        translated_pair()

    with django_assert_num_queries(4):
        response = client.get("/sitemap-postings.xml")

    assert response.text.count("<url>") == 22


def test_the_sitemaps_are_cached_until_the_catalogue_changes(client, django_assert_num_queries):
    PostingFactory()
    client.get("/sitemap-postings.xml")
    with django_assert_num_queries(1):  # the catalogue's state
        client.get("/sitemap-postings.xml")
    PostingFactory(title="Posted since")

    assert "posted-since" in client.get("/sitemap-postings.xml").text


def test_many_postings_are_split_over_sitemap_pages_by_key_range(client, monkeypatch):
    monkeypatch.setattr(PostingSitemap, "limit", 2)
    postings = PostingFactory.create_batch(5, items=False)
    postings[2].archive()
    postings[2].save()

    index = xml(client, "/sitemap.xml")
    pages = [loc.text for loc in index.findall("sm:sitemap/sm:loc", NS) if "sitemap-postings" in loc.text]
    listed = [[loc.text for loc in xml(client, page).findall("sm:url/sm:loc", NS)] for page in pages]

    assert len(pages) == math.ceil(postings[-1].pk / 2)
    assert all(len(urls) <= 2 for urls in listed)
    assert sorted(url for urls in listed for url in urls) == sorted(
        absolute(posting) for posting in postings[:2] + postings[3:]
    )
    assert client.get("/sitemap-postings.xml", {"p": len(pages) + 1}).status_code == 404


def test_a_deep_sitemap_page_neither_counts_nor_skips_postings(client, monkeypatch):
    monkeypatch.setattr(PostingSitemap, "limit", 2)
    last = PostingFactory.create_batch(5, items=False)[-1]

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/sitemap-postings.xml", {"p": math.ceil(last.pk / 2)})

    assert absolute(last) in response.text
    assert not [query["sql"] for query in queries if "OFFSET" in query["sql"] or "COUNT(" in query["sql"]]


def test_the_sitemap_index_lists_what_djangos_template_lists(rf, monkeypatch, settings):
    settings.TIME_ZONE = "Europe/Berlin"  # the template writes dates in local time
    monkeypatch.setattr(PostingSitemap, "limit", 2)
    PostingFactory.create_batch(5, items=False)
    request = rf.get("/sitemap.xml")
    arguments = {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"}

    def entries(content):
        found = ElementTree.fromstring(content).findall("sm:sitemap", NS)
        return [
            (entry.findtext("sm:loc", namespaces=NS), entry.findtext("sm:lastmod", namespaces=NS)) for entry in found
        ]

    written = entries(sitemaps.index(request, **arguments).content)

    assert written == entries(sitemap_views.index(request, **arguments).render().content)
    assert len(written) > 3 and all(lastmod for _location, lastmod in written)
