"""The listing and posting pages on phones and tablets, and what the visitor sees while and after filters load."""

import pytest
from playwright.sync_api import expect

from jobs.filters import MAX_LOCATION_LENGTH
from jobs.models import CareerStep, Office, WorkingLanguage
from tests.factories import CompanyFactory, PostingFactory, add_items

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def board():
    PostingFactory(title="Berlin platform engineer", country="DE", workplace="onsite")
    PostingFactory(title="Madrid data analyst", country="ES", workplace="hybrid")
    posting = PostingFactory(
        title="Remote support agent with a rather long title",
        country="FR",
        workplace="remote",
        eligible_countries=["FR", "BE", "NL", "PT", "IT", "AT", "CH", "PL", "SE"],
    )
    add_items(posting, CareerStep, ("from", "Customer service representative in a busy contact centre"))
    return posting


def widest(page):
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("width", [320, 360, 390])
def test_nothing_is_wider_than_a_phone(live_server, browser, board, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    paths = [
        "/en/",
        "/en/?workplace=remote&country=FR",
        "/en/?q=engineer&location=Germany",
        f"/en/?location={'x' * (MAX_LOCATION_LENGTH + 1)}",  # reported on the search bar
        board.get_absolute_url(),
    ]
    for path in paths:
        page.goto(f"{live_server.url}{path}")

        assert widest(page) <= width, path
    page.goto(f"{live_server.url}/en/")
    page.get_by_role("button", name="Filters").click()
    assert widest(page) <= width
    context.close()


def test_on_a_phone_the_filters_open_as_a_sheet_that_shows_the_count(live_server, browser, board):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/en/")
    sheet = page.locator("#facet-sheet")
    expect(sheet).to_be_hidden()

    page.get_by_role("button", name="Filters").click()
    page.get_by_label("Spain").check()

    expect(sheet.get_by_role("button", name="Show 1 job")).to_be_visible()
    sheet.get_by_role("button", name="Show 1 job").click()
    expect(sheet).to_be_hidden()
    expect(page.get_by_role("heading", name="1 job in Spain")).to_be_in_viewport()
    expect(page.get_by_role("button", name="Filters (1)")).to_be_visible()
    context.close()


@pytest.fixture
def rich_postings():
    """The same job in English and German with everything a posting's header could hold, and a long title."""
    rich = {
        "company": CompanyFactory(),
        "city": "Rotterdam",
        "country": "NL",
        "salary_currency": "CHF",
        "salary_min": 105000,
        "salary_max": 125000,
        "experience_years": 5,
        "experience_years_max": 10,
        "visa_sponsorship": True,
        "relocation": True,
        "bonus_percent": 15,
        "equity": True,
        "allowances": 2400,
        "collective_agreement": "TV-L E13",
    }
    english = PostingFactory(title="Senior site reliability engineer, payments platform (Kubernetes)", **rich)
    german = PostingFactory(
        language="de",
        title="Senior Site Reliability Engineer (m/w/d) – Zahlungsplattform (Kubernetes)",
        translation_group=english.translation_group,
        **rich,
    )
    places = [("Berlin", "DE"), ("Amsterdam", "NL"), ("Barcelona", "ES"), ("Lisbon", "PT"), ("Vienna", "AT")]
    for posting in [english, german]:
        Office.objects.bulk_create(Office(posting=posting, city=city, country=country) for city, country in places)
        posting.sync_work_countries()
        WorkingLanguage.objects.bulk_create(
            WorkingLanguage(posting=posting, language=language, level=level)
            for language, level in [("en", "C1"), ("de", "B2"), ("nl", "B1")]
        )
    return {"en": english, "de": german}


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 360, "height": 740}])
@pytest.mark.parametrize("language", ["en", "de"])
def test_the_posting_text_starts_on_a_phones_first_screen(live_server, browser, rich_postings, viewport, language):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{live_server.url}{rich_postings[language].get_absolute_url()}")

    summary = page.locator(".lead").bounding_box()
    # Its first line is above the apply bar at the bottom of the screen, so it can be read there.
    assert summary["y"] + 28 < page.locator(".apply--end").bounding_box()["y"]
    assert widest(page) <= viewport["width"]
    # The rest of the facts come after the posting's text, none left out.
    details = page.locator(
        "section", has=page.get_by_role("heading", name="Job details" if language == "en" else "Details zur Stelle")
    )
    expect(details.get_by_role("listitem")).to_have_count(10)
    assert details.bounding_box()["y"] > summary["y"]
    expect(page.locator(".posting__aside")).to_contain_text("Vienna")
    context.close()


def test_the_filters_stay_usable_when_a_tablet_turns(live_server, browser, board):
    context = browser.new_context(viewport={"width": 768, "height": 1024})
    page = context.new_page()
    page.goto(f"{live_server.url}/en/")
    page.get_by_role("button", name="Filters").click()
    expect(page.get_by_label("Spain")).to_be_visible()

    page.set_viewport_size({"width": 1024, "height": 768})

    expect(page.get_by_role("button", name="Filters")).to_be_hidden()
    page.get_by_label("Spain").check()
    expect(page.locator("#results .card__title")).to_have_text(["Madrid data analyst"])
    context.close()


def test_the_filters_are_open_from_the_start_on_a_wide_screen(live_server, page, board):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/en/")

    expect(page.get_by_label("Spain")).to_be_visible()
    expect(page.get_by_role("button", name="Filters")).to_be_hidden()


def test_the_live_region_announces_the_new_count(live_server, page, board):
    page.goto(f"{live_server.url}/en/")
    status = page.get_by_role("status")
    status.evaluate("element => { element.dataset.kept = 'yes'; }")

    page.get_by_label("Germany").check()

    expect(status).to_have_text("1 job in Germany")
    # The same element, so screen readers hear the change rather than a new region.
    expect(page.locator("#results-status[data-kept='yes']")).to_have_count(1)
    expect(page).to_have_title("1 job in Germany · Job board")


def test_a_failed_request_says_so_keeps_the_form_and_url_consistent_and_can_be_retried(live_server, page, board):
    page.goto(f"{live_server.url}/en/")
    failing = True

    def answer(route):
        if failing and route.request.headers.get("hx-request"):
            route.fulfill(status=500, body="Server error")
        else:
            route.continue_()

    page.route("**/en/?*", answer)
    # click(), not check(): the box is unticked again as soon as the request fails, which check() would refuse.
    page.get_by_label("Spain").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The results could not be updated")
    expect(page).to_have_url(f"{live_server.url}/en/")
    expect(page.get_by_label("Spain")).not_to_be_checked()
    expect(page.locator("#results")).to_have_attribute("aria-busy", "false")

    failing = False
    alert.get_by_role("button", name="Try again").click()

    expect(page.locator("#results .card__title")).to_have_text(["Madrid data analyst"])
    expect(page).to_have_url(f"{live_server.url}/en/?country=ES")
    expect(page.get_by_label("Spain")).to_be_checked()
    expect(alert).to_be_hidden()


def test_an_unreachable_server_shows_the_message_too(live_server, page, board):
    page.goto(f"{live_server.url}/en/")
    page.route("**/en/?*", lambda route: route.abort())

    page.get_by_label("Germany").click()

    expect(page.get_by_role("alert")).to_contain_text("The results could not be updated")
    expect(page.locator("#results .card__title")).to_have_count(3)


def test_focus_goes_to_the_result_heading_when_a_removed_chip_takes_it_away(live_server, page, board):
    page.goto(f"{live_server.url}/en/?country=ES")

    page.get_by_role("link", name="Country: Spain").focus()
    page.keyboard.press("Enter")

    expect(page.locator("#results .card__title")).to_have_count(3)
    expect(page.get_by_role("heading", name="3 jobs")).to_be_focused()


def test_the_skip_link_leads_to_the_first_job_in_two_presses(live_server, page, board):
    page.goto(f"{live_server.url}/en/")

    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to results")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")

    expect(page.locator("#results .card__title a").first).to_be_focused()
