import time

import pytest
from playwright.sync_api import expect

from jobs.models import DailyStatistics
from tests.factories import PostingFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Headless Chromium names itself HeadlessChrome, which is rightly left out as a robot.
DESKTOP_CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def counts_become(posting, expected, seconds=5):
    """The posting's (views, apply clicks) of all days, once they are `expected` or the time is up."""
    deadline = time.monotonic() + seconds
    while True:
        rows = DailyStatistics.objects.filter(posting=posting)
        found = (sum(row.views for row in rows), sum(row.apply_clicks for row in rows))
        if found == expected or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


@pytest.fixture
def visitor(browser):
    context = browser.new_context(user_agent=DESKTOP_CHROME)
    # The apply link leads to another site, which the tests do not reach.
    context.route("https://example.com/**", lambda route: route.fulfill(body="Thank you"))
    yield context.new_page()
    context.close()


def test_a_visit_counts_once_across_reloads_and_an_apply_click_counts(live_server, visitor):
    posting = PostingFactory(title="Platform engineer")
    problems = []
    visitor.on("console", lambda message: message.type == "error" and problems.append(message.text))

    visitor.goto(f"{live_server.url}{posting.get_absolute_url()}")
    assert counts_become(posting, (1, 0)) == (1, 0)
    visitor.reload()
    visitor.wait_for_load_state("networkidle")

    with visitor.context.expect_page() as company_site:
        visitor.get_by_role("link", name="Apply on the company's site").first.click()
    expect(company_site.value.get_by_text("Thank you")).to_be_visible()

    assert counts_become(posting, (1, 1)) == (1, 1)
    assert problems == []
