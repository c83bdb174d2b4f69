import pytest
from playwright.sync_api import expect

from tests.factories import PostingFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_visitor_opens_a_job_from_the_listing_and_sees_how_to_apply(live_server, page):
    PostingFactory(title="Platform engineer", language="en")
    PostingFactory(title="Ingénieur plateforme", language="fr")

    page.goto(f"{live_server.url}/en/")
    expect(page.get_by_text("Ingénieur plateforme")).to_have_count(0)
    page.get_by_role("link", name="Platform engineer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Platform engineer")
    expect(page.get_by_role("link", name="Apply on the company's site")).to_have_attribute(
        "href", "https://example.com/apply"
    )
