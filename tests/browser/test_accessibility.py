"""axe-core (vendored under tests/browser/vendor, injected into each page, never served) finds no WCAG 2.2 A/AA violation.

Public pages are also held to axe's best practices; the admin's posting pages, Django's widgets included, to WCAG alone.
"""

import json
from pathlib import Path

import pytest
from django.conf import settings

from jobs.filters import MAX_LOCATION_LENGTH
from tests.factories import HREditorFactory, PostingFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PASSWORD = "correct horse battery"
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def violations(page, tags=(*WCAG, "best-practice")):
    """axe's violations in the page as it is now, as short readable lines (the context bypasses the CSP)."""
    page.add_script_tag(path=AXE)
    options = {"runOnly": {"type": "tag", "values": list(tags)}}
    found = page.evaluate(f"async () => (await axe.run(document, {json.dumps(options)})).violations")
    return [
        f"{violation['id']}: {node['target']} {node['failureSummary']}"
        for violation in found
        for node in violation["nodes"]
    ]


@pytest.fixture
def postings():
    """In each language: a live posting with every section, and a closed one."""
    tag = TagFactory(slug="backend")
    live = {}
    closed = {}
    for code in LANGUAGES:
        live[code] = PostingFactory(language=code, tags=[tag], remote=True)
        PostingFactory(language=code, country="FR", workplace="onsite", salary_min=None, salary_max=None)
        closed[code] = PostingFactory(language=code, expired=True)
    return live, closed


def public_pages(postings, code):
    live, closed = postings
    return {
        "listing": f"/{code}/",
        "filtered listing": f"/{code}/?workplace=remote&country=DE&tag=backend&q=engineer&location=DE",
        # The location too long: reported on the search bar.
        "empty listing": f"/{code}/?country=JP&location={'x' * (MAX_LOCATION_LENGTH + 1)}",
        "posting": live[code].get_absolute_url(),
        "closed posting": closed[code].get_absolute_url(),
        "404": f"/{code}/jobs/no-such-job/",
    }


@pytest.mark.parametrize("code", LANGUAGES)
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 900}], ids=["phone", "desktop"]
)
def test_public_pages_have_no_violations(live_server, browser, postings, code, scheme, viewport):
    context = browser.new_context(viewport=viewport, color_scheme=scheme, bypass_csp=True)
    page = context.new_page()
    found = {}
    for name, path in public_pages(postings, code).items():
        page.goto(f"{live_server.url}{path}")
        if problems := violations(page):
            found[name] = problems

    assert found == {}
    context.close()


def test_the_phone_filter_sheet_has_no_violations(live_server, browser, postings):
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/en/?workplace=remote")
    page.get_by_role("button", name="Filters (1)").click()

    assert violations(page) == []
    context.close()


@pytest.mark.parametrize("superuser", [False, True], ids=["hr editor", "superuser"])
def test_the_admin_posting_pages_have_no_violations(live_server, browser, postings, superuser):
    live, _closed = postings
    if superuser:
        UserFactory(username="alice", raw_password=PASSWORD, is_staff=True, is_superuser=True)
    else:
        HREditorFactory(username="alice", raw_password=PASSWORD, companies=[live["en"].company])
    page = browser.new_context(bypass_csp=True).new_page()
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    found = {}
    for name, path in {"list": "", "add form": "add/", "change form": f"{live['en'].pk}/change/"}.items():
        page.goto(f"{live_server.url}/admin/jobs/posting/{path}")
        if problems := violations(page, tags=WCAG):
            found[name] = problems

    assert found == {}
