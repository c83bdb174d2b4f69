"""Entering a real ad in the admin as HR does, counting what they do: a pasted list costs one action, whatever its length."""

import pytest
from playwright.sync_api import expect

from jobs.models import Lifecycle, Posting, Requirement
from tests.factories import CompanyFactory, HREditorFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"


class Actions:
    """The page, driven as a user does; each visit, click, fill (typing or pasting a text) and choice counts one."""

    def __init__(self, page):
        self.page = page
        self.count = 0

    def goto(self, url):
        self.count += 1
        self.page.goto(url)

    def click(self, locator):
        self.count += 1
        locator.click()

    def fill(self, locator, text):
        self.count += 1
        locator.fill(text)

    def select(self, locator, value):
        self.count += 1
        locator.select_option(value)


def log_in_and_add_a_posting(actions, live_server):
    company = CompanyFactory(name="Northwind")
    HREditorFactory(username="hr", raw_password=PASSWORD, companies=[company])
    page = actions.page
    actions.goto(f"{live_server.url}/admin/jobs/posting/add/")
    actions.fill(page.get_by_label("Username"), "hr")
    actions.fill(page.get_by_label("Password"), PASSWORD)
    actions.click(page.get_by_role("button", name="Log in"))


def fill_the_essentials(actions, title):
    page = actions.page
    actions.select(page.locator("#id_language"), "en")
    actions.fill(page.locator("#id_title"), title)
    actions.fill(page.locator("#id_summary"), "Lead the **backend** of our payment platform.")
    actions.select(page.locator("#id_employment_type"), "full_time")
    actions.select(page.locator("#id_seniority"), "senior")
    actions.select(page.locator("#id_workplace"), "onsite")
    # Switzerland: an ad there need not state its pay (see the pay-required countries).
    actions.select(page.locator("#id_country"), "CH")
    actions.fill(page.locator("#id_apply_url"), "https://northwind.example/jobs")


def paste(actions, section, kind, lines):
    """Paste `lines` into the box of `kind` in `section`, opening the section's paste area first if it is closed."""
    area = actions.page.locator(f"#{section}-paste")
    if area.get_attribute("open") is None:
        actions.click(area.locator("summary"))
    actions.fill(area.locator(f"[name='{section}-paste-{kind}']"), "\n".join(lines))


def publish(actions):
    actions.select(actions.page.locator("#id_status"), "published")
    actions.click(actions.page.get_by_role("button", name="Save", exact=True))
    expect(actions.page.locator(".messagelist")).to_contain_text("was added successfully")


# Everything an HR editor does to log in, fill what a posting needs, paste one list and publish.
ACTIONS_FOR_ONE_PASTED_LIST = 16


@pytest.mark.parametrize("length", [30, 60])
def test_a_pasted_list_of_any_length_is_entered_and_published_in_the_same_few_actions(live_server, page, length):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    actions = Actions(page)
    lines = [f"{'•' if n % 2 else '1.'}\tSkill number {n}" for n in range(1, length + 1)]

    log_in_and_add_a_posting(actions, live_server)
    fill_the_essentials(actions, "Backend engineer")
    paste(actions, "requirements", Requirement.Kind.TECHNICAL_SKILL, lines)
    publish(actions)

    assert actions.count == ACTIONS_FOR_ONE_PASTED_LIST
    posting = Posting.objects.get()
    assert posting.lifecycle == Lifecycle.PUBLISHED
    assert [item.text for item in posting.requirements.all()] == [f"Skill number {n}" for n in range(1, length + 1)]
    page.goto(f"{live_server.url}{posting.get_absolute_url()}")
    expect(page.locator("ul.items li")).to_have_count(length)
    expect(page.locator("ul.items li").last).to_have_text(f"Skill number {length}")
    assert not errors


LEAD_AD_DESCRIPTION = """Northwind runs the payments of four European banks.

# What you'll do
You own the architecture of our ledger and lead a team of six.

# Leadership mindset
- You decide with data
- You write things down
"""


def bullets(label, count):
    return [f"•\t**{label} {n}:** something the ad asks for, in a sentence of its own." for n in range(1, count + 1)]


def test_a_sixty_bullet_lead_ad_is_entered_in_at_most_forty_actions(live_server, page):
    """The ad that took 246 actions with one row per bullet: prose with headings, and 61 bullets of 11 kinds."""
    actions = Actions(page)
    log_in_and_add_a_posting(actions, live_server)
    fill_the_essentials(actions, "Lead backend engineer")
    actions.fill(page.locator("#id_description"), LEAD_AD_DESCRIPTION)
    for field, value in [
        ("experience_years", "8"),
        ("city", "Berlin"),
        ("salary_min", "95000"),
        ("salary_max", "120000"),
    ]:
        actions.fill(page.locator(f"#id_{field}"), value)
    actions.select(page.locator("#id_salary_currency"), "EUR")
    actions.select(page.locator("#id_salary_period"), "year")
    expect(page.locator(".text-preview h3").first).to_have_text("What you'll do")
    groups = [
        ("responsibilities", "primary", 12),
        ("responsibilities", "secondary", 6),
        ("requirements", "qualification", 10),
        ("requirements", "technical_skill-preferred", 6),
        ("requirements", "technical_skill", 8),
        ("requirements", "soft_skill", 5),
        ("requirements", "education", 2),
        ("requirements", "experience", 1),
        ("benefits", "items", 8),
        ("career_steps", "from", 1),
        ("career_steps", "to", 2),
    ]
    for section, kind, count in groups:
        paste(actions, section, kind, bullets(kind, count))
    publish(actions)

    assert actions.count <= 40, actions.count
    posting = Posting.objects.get()
    assert sum(count for _section, _kind, count in groups) == 61
    assert (
        sum(
            getattr(posting, relation).count()
            for relation in ["responsibilities", "requirements", "benefits", "career_steps"]
        )
        == 61
    )
    page.goto(f"{live_server.url}{posting.get_absolute_url()}")
    expect(page.locator(".rich-text h3")).to_have_text(["What you'll do", "Leadership mindset"])
    expect(page.locator(".items strong").first).to_have_text("primary 1:")
