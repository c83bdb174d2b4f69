import re

import pytest
from playwright.sync_api import expect

from tests.factories import PostingFactory

pytestmark = pytest.mark.django_db(transaction=True)


def switch_to(page, language_name):
    page.locator("#language-switcher").get_by_role("link", name=language_name).click()


def test_switching_language_on_the_listing_keeps_the_filters_that_apply(live_server, page):
    PostingFactory(title="Remote engineer", language="en", workplace="remote", country="DE")
    PostingFactory(title="Ingénieure à distance", language="fr", workplace="remote", country="FR")

    page.goto(f"{live_server.url}/en/")
    page.locator("#f-workplace-remote").check()
    expect(page).to_have_url(re.compile(r"workplace=remote"))
    page.get_by_label("Germany").check()
    expect(page).to_have_url(re.compile(r"country=DE"))

    switch_to(page, "Français")

    expect(page).to_have_url(re.compile(r"/fr/\?workplace=remote$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#results .card__title")).to_have_text(["Ingénieure à distance"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Trouvez votre prochain emploi")


def test_switching_language_on_a_posting_opens_its_translation_or_the_listing(live_server, page):
    english = PostingFactory(title="Data engineer", language="en")
    PostingFactory(title="Ingénieur données", language="fr", translation_group=english.translation_group)

    page.goto(f"{live_server.url}{english.get_absolute_url()}")
    switch_to(page, "Français")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ingénieur données")

    switch_to(page, "Deutsch")
    expect(page).to_have_url(f"{live_server.url}/de/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Finden Sie Ihren nächsten Job")

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/de/")
