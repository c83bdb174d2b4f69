import re

import pytest
from playwright.sync_api import expect

from tests.factories import PostingFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def board():
    PostingFactory(title="Berlin platform engineer", country="DE", workplace="onsite")
    PostingFactory(title="Madrid data analyst", country="ES", workplace="hybrid")
    PostingFactory(title="Remote support agent", country="FR", workplace="remote", eligible_countries=["FR", "BE"])
    PostingFactory(title="Ingénieur à Paris", language="fr", country="FR")


def results(page):
    return page.locator("#results .card__title")


def mark_document(page):
    """Tag the current document so a full page load (which would drop the tag) can be detected."""
    page.evaluate("document.documentElement.dataset.sameDocument = 'yes'")


def expect_same_document(page):
    expect(page.locator("html[data-same-document='yes']")).to_have_count(1)


def test_choosing_a_country_updates_the_results_in_place_and_the_url(live_server, page, board):
    page.goto(f"{live_server.url}/en/")
    expect(results(page)).to_have_count(3)
    mark_document(page)

    page.get_by_label("Spain").check()

    expect(results(page)).to_have_text(["Madrid data analyst"])
    expect(page).to_have_url(f"{live_server.url}/en/?country=ES")
    expect_same_document(page)
    # The facet counts were swapped too: with Spain chosen, one hybrid job remains.
    expect(page.locator("label[for='f-workplace-hybrid'] .facet__count")).to_have_text("1")
    expect(page.locator("label[for='f-workplace-onsite'] .facet__count")).to_have_text("0")


def test_back_restores_the_previous_results(live_server, page, board):
    page.goto(f"{live_server.url}/en/")
    page.get_by_label("Germany").check()
    expect(results(page)).to_have_text(["Berlin platform engineer"])
    page.locator("#f-workplace-remote").check()
    expect(results(page)).to_have_count(0)

    page.go_back()

    expect(results(page)).to_have_text(["Berlin platform engineer"])
    expect(page.get_by_label("Germany")).to_be_checked()
    expect(page.locator("#f-workplace-remote")).not_to_be_checked()


def test_typing_a_search_updates_the_results(live_server, page, board):
    page.goto(f"{live_server.url}/en/")
    mark_document(page)

    page.get_by_label("Keywords").press_sequentially("analyst", delay=30)

    expect(results(page)).to_have_text(["Madrid data analyst"])
    expect(page).to_have_url(f"{live_server.url}/en/?q=analyst")
    expect_same_document(page)
    expect(page.get_by_label("Keywords")).to_be_focused()


def test_a_search_keeps_the_default_order_until_the_visitor_picks_another(live_server, page, board):
    page.goto(f"{live_server.url}/en/")
    page.get_by_label("Keywords").fill("analyst")
    page.get_by_label("Keywords").press("Enter")
    expect(page).to_have_url(f"{live_server.url}/en/?q=analyst")

    page.get_by_label("Sort by").select_option(label="Newest")

    expect(page).to_have_url(f"{live_server.url}/en/?q=analyst&sort=newest")
    expect(page.get_by_label("Sort by")).to_have_value("newest")


def test_a_location_updates_the_results_and_its_chip_clears_the_field(live_server, page, board):
    page.goto(f"{live_server.url}/en/")
    mark_document(page)

    page.get_by_label("Location", exact=True).fill("spain")
    page.get_by_label("Location", exact=True).press("Enter")

    expect(results(page)).to_have_text(["Madrid data analyst"])
    expect(page).to_have_url(f"{live_server.url}/en/?location=spain")
    expect(page).to_have_title("1 job in Spain · Job board")
    expect_same_document(page)

    page.get_by_role("link", name="Location: Spain").click()

    expect(results(page)).to_have_count(3)
    expect(page).to_have_url(f"{live_server.url}/en/?")
    expect(page.get_by_label("Location", exact=True)).to_have_value("")


def test_a_place_picked_from_the_suggestions_applies_at_once(live_server, page, board):
    page.goto(f"{live_server.url}/en/")
    expect(page.locator("#places option")).to_have_count(5)  # Belgium, Berlin (every office), France, Germany, Spain

    # What a browser sends when a suggestion is picked: the whole value replaced at once.
    page.get_by_label("Location", exact=True).evaluate(
        "field => { field.value = 'Germany';"
        " field.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertReplacementText'})); }"
    )

    expect(results(page)).to_have_text(["Berlin platform engineer"])
    expect(page).to_have_url(f"{live_server.url}/en/?location=Germany")


def test_the_form_filters_with_javascript_off(live_server, browser, board):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/en/")

    page.locator("#f-workplace-remote").check()
    page.get_by_role("button", name="Show 3 jobs").click()

    expect(page).to_have_url(re.compile(r"workplace=remote"))
    expect(results(page)).to_have_text(["Remote support agent"])
    page.get_by_label("Location", exact=True).fill("belgium")
    page.get_by_role("button", name="Search").click()

    expect(page).to_have_url(re.compile(r"location=belgium"))
    expect(page.get_by_role("heading", name="1 remote job in Belgium")).to_be_visible()
    context.close()


def test_a_cards_company_name_leads_to_the_company_page_and_the_rest_of_the_card_to_the_posting(
    live_server, page, board
):
    page.goto(f"{live_server.url}/en/?country=DE")
    card = page.locator("#results .card").first
    company = card.locator(".card__company a")
    company_url = company.get_attribute("href")

    company.click()

    expect(page).to_have_url(f"{live_server.url}{company_url}")
    page.go_back()
    page.locator("#results .card").first.click(position={"x": 10, "y": 10})  # the card's corner, away from both links
    expect(page).to_have_url(re.compile(r"/en/jobs/"))
