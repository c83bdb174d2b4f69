"""Subscribing to a job alert from a filtered listing and confirming it from the e-mail, with and without JavaScript."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from alerts.digests import deliver
from alerts.models import Frequency, Subscription
from tests.alerts_helpers import LINK, confirmed
from tests.factories import PostingFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def board(settings, live_server):
    settings.SITE_URL = live_server.url
    PostingFactory(title="Berlin platform engineer", country="DE", workplace="onsite")
    PostingFactory(title="Madrid data analyst", country="ES", workplace="hybrid")


@pytest.mark.parametrize("javascript", [True, False], ids=["with JavaScript", "without JavaScript"])
def test_subscribing_from_a_filtered_listing_and_confirming_from_the_mail(live_server, browser, board, javascript):
    page = browser.new_context(java_script_enabled=javascript).new_page()
    page.goto(f"{live_server.url}/en/")
    page.get_by_label("Spain").check()
    if not javascript:
        page.get_by_role("button", name=re.compile(r"^Show \d+ jobs?$")).click()
    expect(page.locator("#results .card__title")).to_have_text(["Madrid data analyst"])

    page.get_by_role("link", name="E-mail me new jobs like these").click()

    expect(page).to_have_url(f"{live_server.url}/en/alerts/?country=ES")
    expect(page.locator(".alert-description")).to_contain_text("Country: Spain")
    page.get_by_label("Your e-mail address").fill("ada@example.com")
    page.get_by_label("Weekly").check()
    page.get_by_role("button", name="Create alert").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    assert not Subscription.objects.confirmed().exists()

    [confirmation] = mail.outbox
    confirm_url = next(url for url in LINK.findall(confirmation.body) if "/confirm/" in url)
    page.goto(confirm_url)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Your job alert")).to_be_visible()
    expect(page.get_by_label("Weekly")).to_be_checked()
    subscription = Subscription.objects.confirmed().get()
    assert (subscription.email, subscription.query, subscription.frequency) == (
        "ada@example.com",
        "country=ES",
        Frequency.WEEKLY,
    )
    page.context.close()


def test_a_digest_link_leads_to_the_posting_and_its_unsubscribe_link_stops_the_alert(live_server, page, board):
    subscription = confirmed(query="country=ES", days_ago=2)
    PostingFactory(title="Valencia backend engineer", country="ES")  # published a day ago
    assert deliver(subscription.pk)

    [digest] = mail.outbox
    urls = LINK.findall(digest.body)
    page.goto(next(url for url in urls if "/jobs/valencia" in url))
    expect(page.get_by_role("heading", level=1)).to_have_text("Valencia backend engineer")
    page.goto(next(url for url in urls if "/unsubscribe/" in url))
    page.get_by_role("button", name="Stop these e-mails to ada@example.com").click()

    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    assert not Subscription.objects.exists()
