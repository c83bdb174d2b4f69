"""What search results and link previews show of a page: title, description, canonical URL, Open Graph."""

import pytest

from tests.factories import CompanyFactory, PostingFactory
from tests.page_head import links, meta, parse

pytestmark = pytest.mark.django_db


def title(response):
    parser = parse(response)
    start = response.text.index("<title>") + len("<title>")
    assert [tag for tag, _attributes in parser.tags].count("title") == 1
    return response.text[start : response.text.index("</title>")]


def canonical(response):
    [link] = links(response, "canonical")
    return link["href"]


def test_a_posting_page_has_its_title_description_canonical_url_and_open_graph(client):
    summary = 'We build "Lumière", the booking app of 300 cinemas. ' * 5
    posting = PostingFactory(
        title="Android developer",
        summary=summary,
        company=CompanyFactory(name="Lumière", logo_url="https://lumiere.example/logo.png"),
    )

    response = client.get(posting.get_absolute_url())

    url = f"http://testserver/en/jobs/{posting.slug}/"
    assert title(response) == "Android developer · Lumière"
    description = meta(response, "description")
    assert len(description) <= 160
    assert summary.startswith(description.removesuffix("…"))
    assert canonical(response) == url
    assert meta(response, "og:type") == "website"
    assert meta(response, "og:site_name") == "Job board"
    assert meta(response, "og:title") == "Android developer · Lumière"
    assert summary.startswith(meta(response, "og:description").removesuffix("…"))
    assert meta(response, "og:url") == url
    assert meta(response, "og:image") == "https://lumiere.example/logo.png"


def test_a_company_without_a_logo_gives_no_preview_image(client):
    posting = PostingFactory(company=CompanyFactory(logo_url=""))

    assert meta(client.get(posting.get_absolute_url()), "og:image") is None


def test_a_closed_posting_keeps_its_canonical_url_and_is_noindex(client):
    posting = PostingFactory(expired=True)

    response = client.get(posting.get_absolute_url())

    assert canonical(response) == f"http://testserver{posting.get_absolute_url()}"
    assert meta(response, "robots") == "noindex"


def test_the_listing_has_its_title_description_canonical_url_and_open_graph(client):
    PostingFactory.create_batch(3, items=False)

    response = client.get("/en/")

    assert title(response) == "3 jobs · Job board"
    assert meta(response, "description").startswith("3 open jobs: ")
    assert canonical(response) == "http://testserver/en/"
    assert meta(response, "og:type") == "website"
    assert meta(response, "og:title") == "Find your next job"
    assert meta(response, "og:description") == meta(response, "description")
    assert meta(response, "og:url") == "http://testserver/en/"
    assert meta(response, "robots") is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?country=DE&sort=newest", "/fr/?country=DE"),
        ("?country=DE&page=1", "/fr/?country=DE"),
        ("?page=2", "/fr/?page=2"),
        ("?page=99", "/fr/?page=2"),
        ("?q=python&tag=backend&tag=data&page=1", "/fr/?q=python&tag=backend&tag=data"),
    ],
)
def test_the_listings_canonical_url_keeps_its_filters_and_page_without_the_sort_order(client, query, expected):
    PostingFactory.create_batch(21, language="fr", items=False)

    assert canonical(client.get(f"/fr/{query}")) == f"http://testserver{expected}"


def test_the_listing_describes_one_job_in_the_singular(client):
    PostingFactory(language="en", items=False)

    assert meta(client.get("/en/"), "description").startswith("1 open job: ")
