import pytest
from playwright.sync_api import expect

from jobs.rates import SHIPPED_RATES, load_rates, read_rates_file
from tests.factories import PostingFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def board():
    load_rates(read_rates_file(SHIPPED_RATES))
    PostingFactory(title="Dollar staff engineer", salary_min=110000, salary_max=140000, salary_currency="USD")
    PostingFactory(title="Euro junior developer", salary_min=40000, salary_max=50000)


def test_a_minimum_salary_in_euros_finds_a_usd_posting_in_place(live_server, page, board):
    page.goto(f"{live_server.url}/en/")
    expect(page.locator("#results .card__title")).to_have_count(2)
    page.evaluate("document.documentElement.dataset.sameDocument = 'yes'")

    # One request at a time: the live server's threads share SQLite's one in-memory connection.
    with page.expect_response(lambda response: "salary_currency=EUR" in response.url):
        page.get_by_label("Currency").select_option("EUR")
    amount = page.get_by_label("Minimum yearly salary")
    amount.fill("100000")
    amount.blur()  # the change event, as leaving the field does

    # 140,000 USD is 134,758 EUR a year at the shipped rates.
    expect(page.locator("#results .card__title")).to_have_text(["Dollar staff engineer"])
    expect(page.locator(".results__count")).to_have_text("1 job")
    expect(page).to_have_url(f"{live_server.url}/en/?salary_min=100000&salary_currency=EUR")
    expect(page.locator("html[data-same-document='yes']")).to_have_count(1)
