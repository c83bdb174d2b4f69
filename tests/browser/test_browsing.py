import pytest
from playwright.sync_api import expect

from jobs.models import Requirement, Responsibility
from tests.factories import PostingFactory, add_items

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def test_a_visitor_opens_a_job_from_the_listing_and_sees_how_to_apply(live_server, page):
    PostingFactory(title="Platform engineer", language="en")
    PostingFactory(title="Ingénieur plateforme", language="fr")

    page.goto(f"{live_server.url}/en/")
    expect(page.get_by_text("Ingénieur plateforme")).to_have_count(0)
    page.get_by_role("link", name="Platform engineer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Platform engineer")
    # Beside the posting, and again after its last section.
    expect(page.get_by_role("link", name="Apply on the company's site")).to_have_count(2)
    for link in page.get_by_role("link", name="Apply on the company's site").all():
        expect(link).to_have_attribute("href", "https://example.com/apply")


def test_all_jobs_leads_back_to_the_listing_with_the_visitors_filters(live_server, page):
    PostingFactory(title="Berlin platform engineer", country="DE", workplace="onsite")
    PostingFactory(title="Madrid data analyst", country="ES", workplace="hybrid")
    page.goto(f"{live_server.url}/en/")
    page.get_by_label("Spain").check()
    expect(page).to_have_url(f"{live_server.url}/en/?country=ES")

    page.get_by_role("link", name="Madrid data analyst").click()
    page.get_by_role("link", name="All jobs").click()

    expect(page).to_have_url(f"{live_server.url}/en/?country=ES")
    expect(page.locator("#results .card__title")).to_have_text(["Madrid data analyst"])
    expect(page.get_by_label("Spain")).to_be_checked()


@pytest.fixture
def long_posting():
    posting = PostingFactory(
        title="Principal platform architect",
        apply_email="applications.principalplatformarchitect@recruiting.northwindlaboratories.example",
        items=False,
    )
    add_items(posting, Responsibility, *[f"Responsibility number {n} of a long list of duties" for n in range(40)])
    add_items(posting, Requirement, *[("technical_skill", f"Technical skill {n}") for n in range(20)])
    return posting


def test_on_a_phone_the_apply_bar_stays_at_the_bottom_of_the_screen_while_the_posting_is_read(
    live_server, browser, long_posting
):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}{long_posting.get_absolute_url()}")
    bar = page.locator(".apply--end")

    page.get_by_text("Responsibility number 20 of").scroll_into_view_if_needed()

    box = bar.bounding_box()
    assert box["y"] + box["height"] == pytest.approx(PHONE["height"], abs=1)
    expect(bar.get_by_role("link", name="Apply on the company's site")).to_be_in_viewport()
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}], ids=["phone", "desktop"])
def test_a_long_e_mail_address_wraps_inside_its_apply_button(live_server, browser, long_posting, viewport):
    long_posting.apply_url = ""
    long_posting.save()
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{live_server.url}{long_posting.get_absolute_url()}")

    for button in page.locator(".button--email:visible").all():
        fits = button.evaluate("element => element.scrollWidth <= element.clientWidth")
        box, section = button.bounding_box(), button.locator("xpath=..").bounding_box()
        assert fits
        assert section["x"] <= box["x"] and box["x"] + box["width"] <= section["x"] + section["width"]
        assert box["x"] + box["width"] <= viewport["width"]
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_printed_posting_is_black_on_white_without_the_site_and_says_where_to_apply(live_server, browser, scheme):
    posting = PostingFactory(apply_email="jobs@example.com", description="Read [our blog](https://blog.example/).")
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.emulate_media(media="print")
    page.goto(f"{live_server.url}{posting.get_absolute_url()}")

    for chrome in [".site-header", ".site-footer", ".back", ".apply--end"]:
        expect(page.locator(chrome)).to_be_hidden()
    apply = page.locator(".posting__aside .apply")
    expect(apply).to_be_visible()
    expect(apply).to_contain_text("Apply by e-mail (jobs@example.com)")
    after = "element => getComputedStyle(element, '::after').content"
    assert (
        apply.get_by_role("link", name="Apply on the company's site").evaluate(after)
        == '" (https://example.com/apply)"'
    )
    assert page.get_by_role("link", name="our blog").evaluate(after) == '" (https://blog.example/)"'
    body = page.locator("body").evaluate(
        "element => [getComputedStyle(element).color, getComputedStyle(element).backgroundColor]"
    )
    assert body == ["rgb(0, 0, 0)", "rgb(255, 255, 255)"]
    context.close()
