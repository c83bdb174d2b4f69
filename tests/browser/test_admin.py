import pytest
from playwright.sync_api import expect

from jobs.models import Lifecycle, Posting, Tag
from tests.factories import CompanyFactory, HREditorFactory, TagFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"


def texts(page, prefix):
    """The texts of an inline's filled rows, in the order shown."""
    return [
        value
        for value in page.locator(f"tr.form-row:not(.empty-form) [name^='{prefix}-'][name$='-text']").evaluate_all(
            "inputs => inputs.map(input => input.value)"
        )
        if value
    ]


def test_an_hr_editor_writes_reorders_and_publishes_a_posting(live_server, page):
    company = CompanyFactory(name="Acme")
    HREditorFactory(username="alice", raw_password=PASSWORD, companies=[company])
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Postings", exact=True).first.click()
    page.get_by_role("link", name="Add posting").click()

    page.locator("#id_language").select_option("en")
    page.locator("#id_title").fill("Site reliability engineer")
    page.locator("#id_summary").fill("Keep our platform fast and available.")
    expect(page.locator("#id_slug")).to_have_value("site-reliability-engineer")
    page.locator("#id_employment_type").select_option("full_time")
    page.locator("#id_seniority").select_option("senior")
    page.locator("#id_workplace").select_option("onsite")
    page.locator("#id_country").select_option("CH")  # where an ad need not state its pay
    page.locator("#id_apply_url").fill("https://acme.example/jobs/sre")
    for index, text in enumerate(["Linux", "Kubernetes", "On-call experience"]):
        if index:
            page.get_by_role("button", name="Add another Requirement").click()
        page.locator(f"#id_requirements-{index}-text").fill(text)
    for index, text in enumerate(["Remote Fridays", "Conference budget"]):
        if index:
            page.get_by_role("button", name="Add another Benefit").click()
        page.locator(f"#id_benefits-{index}-text").fill(text)

    page.locator("#requirements-2").get_by_role("button", name="Move up").click()
    page.locator("#benefits-1").get_by_role("button", name="Move up").click()
    expect(page.locator("#id_requirements-2-position")).to_have_value("2")
    assert texts(page, "requirements") == ["Linux", "On-call experience", "Kubernetes"]
    page.get_by_role("button", name="Save and continue editing").click()

    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert texts(page, "requirements") == ["Linux", "On-call experience", "Kubernetes"]
    assert texts(page, "benefits") == ["Conference budget", "Remote Fridays"]
    expect(page.locator(".readiness")).to_contain_text("A salary range")

    # Reorder the saved items once more, then publish from the list.
    page.locator("#requirements-0").get_by_role("button", name="Move down").click()
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert texts(page, "requirements") == ["On-call experience", "Linux", "Kubernetes"]
    page.locator(".breadcrumbs").get_by_role("link", name="Postings", exact=True).click()
    page.get_by_role("checkbox", name="Select this object for an action - Site reliability engineer").check()
    page.locator("select[name=action]").select_option("publish_now")
    page.get_by_role("button", name="Run").click()
    expect(page.locator(".messagelist")).to_contain_text("published now")
    assert Posting.objects.get().lifecycle == Lifecycle.PUBLISHED

    page.goto(f"{live_server.url}/en/")
    page.get_by_role("link", name="Site reliability engineer").click()
    expect(page.locator(".items").first).to_contain_text("On-call experience")
    expect(page.get_by_text("Preview, not public")).to_have_count(0)
    page.goto(f"{live_server.url}/fr/")
    expect(page.get_by_text("Site reliability engineer")).to_have_count(0)
    assert not [error for error in errors if "Content Security Policy" in error]


def test_tags_are_filtered_by_what_is_typed_and_a_new_one_added_in_the_popup_is_chosen(live_server, page):
    company = CompanyFactory(name="Acme")
    TagFactory(name="Python", slug="python")
    TagFactory(name="Go", slug="go")
    HREditorFactory(username="alice", raw_password=PASSWORD, companies=[company])
    page.goto(f"{live_server.url}/admin/jobs/posting/add/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    tags = page.locator(".field-tags")
    tags.get_by_label("Show only the choices containing").fill("pyt")
    expect(tags.get_by_role("checkbox", name="Python")).to_be_visible()
    expect(tags.get_by_role("checkbox", name="Go")).to_be_hidden()
    tags.get_by_role("checkbox", name="Python").check()
    with page.expect_popup() as popup_info:
        tags.locator("#add_id_tags").click()
    popup = popup_info.value
    popup.locator("#id_name").fill("Kotlin")
    popup.get_by_role("button", name="Save", exact=True).click()

    expect(tags.get_by_role("checkbox", name="Kotlin")).to_be_checked()
    assert tags.locator("input:checked").evaluate_all("inputs => inputs.map(input => input.value)") == [
        str(Tag.objects.get(slug="kotlin").pk),
        str(Tag.objects.get(slug="python").pk),
    ]
