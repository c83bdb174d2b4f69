"""Public pages can be kept by shared caches: no cookie, no Vary: Cookie, Cache-Control, ETags and 304s, gzip."""

import gzip

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import HREditorFactory, PostingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def posting():
    return PostingFactory(language="fr")


def public_pages(posting):
    closed = PostingFactory(language="en", expired=True)
    return ["/en/", "/en/?workplace=remote&q=engineer", "/fr/", posting.get_absolute_url(), closed.get_absolute_url()]


def test_anonymous_public_pages_set_no_cookie_and_do_not_vary_on_it(client, posting):
    for url in public_pages(posting):
        response = client.get(url)

        assert response.status_code in (200, 410), url
        assert "Set-Cookie" not in response.headers, url
        assert not response.cookies, url
        assert "cookie" not in response.get("Vary", "").lower(), url
        assert "csrfmiddlewaretoken" not in response.text, url


def test_public_pages_are_for_shared_caches(client, posting):
    for url in public_pages(posting):
        cache_control = client.get(url)["Cache-Control"]

        assert "public" in cache_control, url
        assert "s-maxage=" in cache_control, url


def test_an_unchanged_page_is_answered_304_by_its_etag(client, posting):
    first = client.get(posting.get_absolute_url(), headers={"accept-encoding": "gzip"})

    again = client.get(posting.get_absolute_url(), headers={"if-none-match": first["ETag"], "accept-encoding": "gzip"})

    assert first.status_code == 200
    assert again.status_code == 304
    assert again.content == b""


def test_pages_are_compressed_with_gzip(client, posting):
    response = client.get("/fr/", headers={"accept-encoding": "gzip, br"})

    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert b'<html lang="fr">' in gzip.decompress(response.content)


@pytest.mark.parametrize("path", ["/fr/", "/fr/feed/", "/sitemap.xml"])
def test_a_page_from_the_cache_is_compressed_and_tagged_as_a_fresh_one_is(client, posting, path):
    """The cache keeps a page's ETag and compressed body: the answer is the same, with or without gzip, fresh or
    cached, and a client that does not take gzip gets the page as it is."""
    fresh, cached = (client.get(path, headers={"accept-encoding": "gzip"}) for _ in range(2))
    plain = client.get(path)

    assert fresh["Content-Encoding"] == cached["Content-Encoding"] == "gzip"
    assert gzip.decompress(fresh.content) == gzip.decompress(cached.content) == plain.content
    assert fresh["ETag"] == cached["ETag"] == "W/" + plain["ETag"]
    assert "Accept-Encoding" in cached["Vary"] and "Accept-Encoding" in plain["Vary"]
    assert int(cached["Content-Length"]) == len(cached.content)
    assert not plain.has_header("Content-Encoding")
    again = client.get(path, headers={"if-none-match": cached["ETag"], "accept-encoding": "gzip"})
    assert again.status_code == 304


def test_an_hr_preview_is_never_kept(client):
    draft = PostingFactory(draft=True)
    client.force_login(HREditorFactory(companies=[draft.company]))

    response = client.get(draft.get_absolute_url())

    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_the_language_links_remember_the_choice_in_a_cookie_and_go_on(client):
    response = client.get(reverse("choose_language", args=["de"]), {"next": "/de/?workplace=remote"})

    assert response.status_code == 302
    assert response["Location"] == "/de/?workplace=remote"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    assert client.get("/", headers={"accept-language": "es"})["Location"] == "/de/"


def test_the_language_links_go_nowhere_else(client):
    elsewhere = client.get(reverse("choose_language", args=["fr"]), {"next": "https://evil.example/"})
    unknown = client.get(reverse("choose_language", args=["xx"]))

    assert elsewhere["Location"] == "/fr/"
    assert unknown.status_code == 404
