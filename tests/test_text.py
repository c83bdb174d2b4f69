"""Control characters, typed into a search or stored in a posting, never break a page, a feed or a sitemap."""

from xml.etree import ElementTree

import feedparser
import pytest

from jobs.models import Responsibility
from jobs.text import clean_line, clean_text
from tests.factories import CompanyFactory, PostingFactory, TagFactory, add_items
from tests.page_head import json_ld

pytestmark = pytest.mark.django_db

# Every C0 control character, delete, and percent-encoded bytes that are not UTF-8 text: a surrogate (ED A0 80), a
# byte that never starts a character (FF), an overlong NUL (C0 80), and the noncharacters U+FFFE and U+FFFF.
ODD_QUERY_TEXT = [f"%{code:02X}" for code in [*range(0x20), 0x7F]] + [
    "%ED%A0%80",
    "%FF",
    "%C0%80",
    "%EF%BF%BE",
    "%EF%BF%BF",
    "%C2%85",
]
# What Word and careless copying put into text: a manual line break (vertical tab), a page break (form feed), an
# escape, a C1 control, delete, and noncharacters. PostgreSQL cannot store NUL, so no field holds it.
STORED = "\x0b\x0c\x1b\x01\x85\x9b\x7f\ufffe\uffff"


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("line\x0bbreak", "line\nbreak"),
        ("page\x0cbreak", "page\nbreak"),
        ("old\rmac\r\nand windows", "old\nmac\r\nand windows"),
        ("next\x85line", "next\nline"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("\x00nul \x1b[31mescape\x7f \x9bcsi", "nul [31mescape csi"),
        ("\ud800lone surrogates\udfff", "lone surrogates"),
        ("non\ufffecharacters\uffff", "noncharacters"),
        ("Développeuse 🐍 \u2028 ok", "Développeuse 🐍 \u2028 ok"),
    ],
)
def test_clean_text_keeps_line_breaks_as_newlines_and_drops_other_control_characters(text, clean):
    assert clean_text(text) == clean


def test_clean_line_makes_line_breaks_spaces():
    assert clean_line("Senior\x0bbackend\r\nengineer\n\x01") == "Senior backend engineer "


def test_a_search_with_control_characters_finds_what_it_would_without_them(client):
    PostingFactory(title="Python developer")
    PostingFactory(title="Designer")

    response = client.get("/en/", {"q": "\x00py\x01th\x1bon\x7f"})

    assert response.status_code == 200
    assert [posting.title for posting in response.context["page"].object_list] == ["Python developer"]
    assert 'name="q" value="python"' in response.text


def test_the_feed_of_a_search_with_control_characters_is_the_feed_of_the_search_without_them(client):
    PostingFactory(title="Python developer")
    PostingFactory(title="Designer")

    response = client.get("/en/feed/", {"q": "py\x01th\x1bon" + "".join(map(chr, range(0x20)))})

    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert [entry.title for entry in feed.entries] == ["Python developer"]
    assert feed.feed.title.startswith("Jobs: python ·")


@pytest.mark.parametrize(("path", "malformed_status"), [("/en/", 200), ("/en/feed/", 400)])
def test_no_odd_character_in_a_query_causes_a_server_error(client, path, malformed_status):
    """The listing reports malformed values on its form; the feed refuses them."""
    PostingFactory(tags=[TagFactory(slug="data")], company=CompanyFactory(slug="acme"))
    odd_text = "".join(ODD_QUERY_TEXT)
    expected = {f"q=a{odd}b": 200 for odd in ODD_QUERY_TEXT} | {
        "&".join(
            f"{name}={odd_text}" for name in ["q", "tag", "company", "country", "workplace", "sort", "page"]
        ): malformed_status
    }

    failures = {
        query: status
        for query, wanted in expected.items()
        if (status := client.get(f"{path}?{query}").status_code) != wanted
    }

    assert failures == {}


@pytest.fixture
def stored():
    """A live posting with control characters in every text the feed, the page and the sitemap show."""
    posting = PostingFactory(
        title=f"Data{STORED}engineer",
        summary=f"Run{STORED}the platform.",
        description=f"We are{STORED}forty people.",
        city=f"Ber{STORED}lin",
        company=CompanyFactory(name=f"North{STORED}wind"),
        tags=[TagFactory(name=f"Da{STORED}ta", translated_names={"fr": f"Don{STORED}nées"})],
        items=False,
    )
    add_items(posting, Responsibility, ("primary", f"Own{STORED}the API"))
    return posting


def test_stored_control_characters_are_cleaned_out_of_the_feed(client, stored):
    response = client.get("/en/feed/")

    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    [entry] = feed.entries
    assert entry.title == "Data\n\n\nengineer"
    assert entry.summary == "<p>Run\n\n\nthe platform.</p>"
    assert entry.author == "North\n\n\nwind"
    assert [tag.term for tag in entry.tags] == ["Da\n\n\nta"]
    for part in ["We are\n\n\nforty people.", "Own\n\n\nthe API"]:
        assert part in entry.content[0].value


def test_a_posting_page_with_stored_control_characters_has_valid_job_posting_data(client, stored):
    response = client.get(stored.get_absolute_url())

    assert response.status_code == 200
    [data] = json_ld(response)
    assert data["title"] == stored.title
    assert data["responsibilities"] == [f"Own{STORED}the API"]


def test_the_sitemap_lists_a_posting_with_stored_control_characters(client, stored, one_postings_sitemap_page):
    response = client.get("/sitemap-postings.xml")

    assert response.status_code == 200
    locations = ElementTree.fromstring(response.content).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    assert [location.text for location in locations] == [f"http://testserver{stored.get_absolute_url()}"]
