"""Pay: the salary floor across currencies and periods, the exchange rates, pay transparency."""

import json
from datetime import date
from decimal import ROUND_FLOOR, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from jobs.models import ExchangeRate, Posting, SalaryPeriod, yearly_in_base
from jobs.rates import SHIPPED_RATES, load_rates, read_rates_file
from jobs.structured_data import job_posting
from tests.factories import PostingFactory

pytestmark = pytest.mark.django_db

HEADER = "Date, USD, GBP, CHF, "


@pytest.fixture(autouse=True)
def rates():
    """The shipped rates of 31 December 2024 (a transactional test elsewhere may have emptied the table)."""
    load_rates(read_rates_file(SHIPPED_RATES))
    return ExchangeRate.objects.rates()


def card_titles(response):
    return sorted(part.split("</a>")[0].split('">')[-1] for part in response.text.split('class="card__title">')[1:])


def listed(client, query, language="en"):
    response = client.get(f"/{language}/?{query}")
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    ("amount", "period", "yearly"),
    [("40", "hour", 83200), ("300", "day", 78000), ("5000", "month", 60000), ("60000", "year", 60000)],
)
def test_hourly_daily_and_monthly_pay_annualise_with_the_documented_factors(rates, amount, period, yearly):
    assert yearly_in_base(Decimal(amount), "EUR", period, rates) == yearly
    assert SalaryPeriod(period).per_year * Decimal(amount) == yearly


def test_a_salary_converts_to_euros_at_the_reference_rate(rates):
    # 1 EUR = 1.0389 USD on 31 December 2024: 100,000 USD is 96,255.65 EUR, 96,256 to the euro.
    assert rates["USD"] == Decimal("1.0389")
    assert yearly_in_base(Decimal(100000), "USD", "year", rates) == 96256
    assert yearly_in_base(Decimal(5000), "GBP", "month", rates) == 72361  # 60,000 GBP / 0.82918 = 72,360.6
    assert yearly_in_base(Decimal(100), "COP", "year", rates) is None  # no ECB rate


def test_a_usd_posting_matches_a_floor_in_euros_by_the_top_of_its_range(client):
    PostingFactory(title="Dollars", salary_min=60000, salary_max=80000, salary_currency="USD")  # top: 77,004 EUR
    PostingFactory(title="Euros", salary_min=50000, salary_max=70000)

    assert card_titles(listed(client, "salary_min=60000&salary_currency=EUR")) == ["Dollars", "Euros"]
    assert card_titles(listed(client, "salary_min=75000&salary_currency=EUR")) == ["Dollars"]
    assert card_titles(listed(client, "salary_min=78000&salary_currency=EUR")) == []


def test_a_floor_in_one_currency_and_period_matches_postings_in_others(client):
    PostingFactory(
        title="Monthly pounds", salary_min=4000, salary_max=5000, salary_currency="GBP", salary_period="month"
    )
    PostingFactory(title="Hourly francs", salary_min=None, salary_max=45, salary_currency="CHF", salary_period="hour")
    PostingFactory(title="Yearly dollars", salary_min=50000, salary_max=60000, salary_currency="USD")

    # 72,361 EUR, 99,448 EUR and 57,754 EUR a year; 30 USD an hour is 60,062 EUR a year.
    query = "salary_min=30&salary_currency=USD&salary_period=hour"
    assert card_titles(listed(client, query)) == ["Hourly francs", "Monthly pounds"]


def test_a_posting_of_exactly_the_floor_matches_in_its_own_currency(client):
    PostingFactory(title="Exact", salary_min=None, salary_max=Decimal("105230.00"), salary_currency="USD")

    assert card_titles(listed(client, "salary_min=105230&salary_currency=USD")) == ["Exact"]
    assert card_titles(listed(client, "salary_min=105240&salary_currency=USD")) == []


def test_postings_without_a_salary_or_a_rate_never_match_a_floor(client):
    PostingFactory(title="Unpaid", unfinished=True, country="CH")
    PostingFactory(title="Pesos", salary_currency="COP", salary_min=9000000, salary_max=12000000)
    PostingFactory(title="Paid")

    assert card_titles(listed(client, "")) == ["Paid", "Pesos", "Unpaid"]
    assert card_titles(listed(client, "salary_min=0")) == ["Paid"]


def test_the_floor_currency_defaults_per_language(client, settings):
    settings.SALARY_CURRENCY_BY_LANGUAGE = {"en": "USD", "fr": "EUR"}
    PostingFactory(title="Ninety thousand euros", salary_min=None, salary_max=90000)
    PostingFactory(language="fr", title="Quatre-vingt-dix mille euros", salary_min=None, salary_max=90000)

    # 93,000 USD is 89,518 EUR; 93,000 EUR is more than 90,000 EUR.
    assert card_titles(listed(client, "salary_min=93000")) == ["Ninety thousand euros"]
    assert card_titles(listed(client, "salary_min=93000", "fr")) == []
    response = listed(client, "salary_min=93000")
    assert "Minimum salary: $93,000 per year" in response.text
    # The default is sent as no value, so that URLs stay short.
    assert '<option value="" selected>USD – US Dollar</option>' in response.text


def test_facet_counts_and_the_feed_honour_the_floor(client):
    PostingFactory(title="Well paid", workplace="remote", salary_max=120000)
    PostingFactory(title="Less paid", workplace="remote", salary_min=40000, salary_max=50000)

    response = listed(client, "salary_min=100000&salary_currency=EUR")
    [workplace] = [group for group in response.context["facets"] if group["name"] == "workplace"]
    assert {option["value"]: option["count"] for option in workplace["options"]}["remote"] == 1

    feed = client.get("/en/feed/?salary_min=100000&salary_currency=EUR")
    assert feed.status_code == 200
    assert b"Well paid" in feed.content and b"Less paid" not in feed.content


def test_the_floor_is_part_of_the_listing_form_and_keeps_its_values(client):
    response = listed(client, "salary_min=4000&salary_currency=GBP&salary_period=month")

    form = response.text.split('<form id="filters"')[1].split("</form>")[0]
    floor = form.split('class="facet salary-floor"')[1].split("</fieldset>")[0]
    assert 'name="salary_min"' in floor and 'value="4000"' in floor
    assert '<option value="GBP" selected>GBP – British Pound</option>' in floor
    assert '<option value="month" selected>per month</option>' in floor


def test_the_listing_says_which_date_the_conversion_uses(client):
    response = listed(client, "")

    assert "converted at the ECB reference rates of Dec. 31, 2024" in response.text


BAD_FLOORS = [
    ("salary_min=sixty", "Enter a number."),
    ("salary_min=-1", "Ensure this value is greater than or equal to 0."),
    ("salary_min=1e400", "Ensure this value is less than or equal to 100000000000."),
    ("salary_min=99999999999999999999999", "Ensure this value is less than or equal to 100000000000."),
    ("salary_min=NaN", "Enter a number."),
    ("salary_min=Infinity", "Enter a number."),
    ("salary_min=0x10", "Enter a number."),
    ("salary_min=12.345", "Ensure that there are no more than 2 decimal places."),
    ("salary_min=50000&salary_currency=XYZ", "Select a valid choice. XYZ is not one of the available choices."),
    ("salary_min=50000&salary_currency=COP", "Select a valid choice. COP is not one of the available choices."),
    ("salary_min=50000&salary_period=week", "Select a valid choice. week is not one of the available choices."),
    ("salary_min=%00", "Enter a number."),
]


@pytest.mark.parametrize(("query", "error"), BAD_FLOORS)
def test_bad_floor_values_are_reported_and_ignored(client, query, error):
    PostingFactory(title="Paid", salary_min=50000, salary_max=60000)
    PostingFactory(title="Unpaid", unfinished=True, country="CH")

    response = listed(client, query)

    assert error in response.text
    # Only the malformed parameter is ignored: a valid floor still filters in the default currency.
    expected = ["Paid"] if "salary_currency" in query or "salary_period" in query else ["Paid", "Unpaid"]
    assert card_titles(response) == expected
    assert client.get(f"/en/feed/?{query}").status_code == 400


@pytest.mark.parametrize("amount", ["99999999999", "99999999999.99", "0.01", "0"])
@pytest.mark.parametrize("period", SalaryPeriod.values)
@pytest.mark.parametrize("currency", ["EUR", "IDR", "GBP"])
def test_the_largest_and_smallest_floors_in_every_period_are_answered(client, rates, amount, period, currency):
    """The database compares them without overflow (PostgreSQL's bigint) whatever the currency."""
    posting = PostingFactory(
        salary_min=None, salary_max=Decimal("9999999999.99"), salary_period="hour", salary_currency="GBP"
    )

    response = listed(client, f"salary_min={amount}&salary_currency={currency}&salary_period={period}")

    assert 'class="errors"' not in response.text
    floor = yearly_in_base(Decimal(amount), currency, period, rates, ROUND_FLOOR)
    assert len(card_titles(response)) == (posting.salary_top_yearly >= floor)


def rates_file(tmp_path, content):
    path = tmp_path / "eurofxref.csv"
    path.write_text(content, encoding="utf-8")
    return path


def test_loading_rates_replaces_the_table_and_recomputes_yearly_salaries(tmp_path):
    posting = PostingFactory(salary_min=None, salary_max=100000, salary_currency="USD")
    assert posting.salary_top_yearly == 96256

    call_command("load_exchange_rates", rates_file(tmp_path, f"{HEADER}\n2 January 2025, 1.25, 0.8, 0.9,\n"))

    assert ExchangeRate.objects.rates() == {
        "EUR": 1,
        "USD": Decimal("1.25"),
        "GBP": Decimal("0.8"),
        "CHF": Decimal("0.9"),
    }
    assert set(ExchangeRate.objects.values_list("date", flat=True)) == {date(2025, 1, 2)}
    posting.refresh_from_db()
    assert posting.salary_top_yearly == 80000


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("", "Expected a header row"),
        ("USD, GBP\n1.0, 0.8\n", "Expected a header row"),
        (f"{HEADER}\n", "Expected a header row"),
        (f"{HEADER}\n31 December 2024, 1.0, 0.8,\n", "has 3 values for 4 columns"),
        (f"{HEADER}\n2024-12-31, 1.0, 0.8, 0.9,\n", "Expected a date"),
        (f"{HEADER}\n31 December 2024, 1.0, -0.8, 0.9,\n", "The rate of GBP"),
        (f"{HEADER}\n31 December 2024, 1.0, 0, 0.9,\n", "The rate of GBP"),
        (f"{HEADER}\n31 December 2024, N/A, 0.8, 0.9,\n", "The rate of USD"),
        (f"{HEADER}\n31 December 2024, NaN, 0.8, 0.9,\n", "The rate of USD"),
        (f"{HEADER}\n31 December 2024, 1e999, 0.8, 0.9,\n", "The rate of USD"),
        ("Date, USD, USD,\n31 December 2024, 1.0, 1.1,\n", "USD is given twice"),
        ("Date, usd,\n31 December 2024, 1.0,\n", "“usd” is not a currency code"),
        ("Date, EUR,\n31 December 2024, 1.0,\n", "“EUR” is not a currency code"),
        ("Date,\n31 December 2024,\n", "The file has no rates"),
        ("Date, GBP, CHF,\n31 December 2024, 0.8, 0.9,\n", "The file has no rate for USD, which postings use"),
    ],
)
def test_a_bad_rates_file_is_refused_and_the_table_kept(tmp_path, content, error):
    PostingFactory(salary_currency="USD")
    before = list(ExchangeRate.objects.values_list("currency", "rate", "date"))
    yearly = list(Posting.objects.values_list("salary_top_yearly", flat=True))

    with pytest.raises(CommandError, match=error):
        call_command("load_exchange_rates", rates_file(tmp_path, content))

    assert list(ExchangeRate.objects.values_list("currency", "rate", "date")) == before
    assert list(Posting.objects.values_list("salary_top_yearly", flat=True)) == yearly


def test_a_rates_file_that_is_not_text_is_refused(tmp_path):
    path = tmp_path / "rates.zip"
    path.write_bytes(b"PK\x03\x04\xff\xfe")

    with pytest.raises(CommandError, match="Cannot read"):
        call_command("load_exchange_rates", path)
    assert ExchangeRate.objects.count() == 30


def test_the_shipped_rates_are_the_ecbs_of_a_dated_day():
    shipped = read_rates_file(SHIPPED_RATES)

    assert shipped.date == date(2024, 12, 31)
    assert len(shipped.rates) == 30 and shipped.rates["JPY"] == Decimal("163.06")


@pytest.mark.parametrize(
    ("place", "required"),
    [
        ({"country": "DE"}, True),
        ({"country": "PL"}, True),
        ({"country": "CH"}, False),
        ({"country": "US"}, False),
        ({"country": "", "workplace": "remote", "eligible_countries": ["GB", "MT"]}, True),
        ({"country": "", "workplace": "remote", "eligible_countries": ["GB", "US"]}, False),
    ],
)
def test_an_ad_for_a_country_of_the_directive_cannot_be_published_without_pay(place, required):
    posting = PostingFactory.build(salary_min=None, salary_max=90000, **place)

    if required:
        with pytest.raises(ValidationError) as refused:
            posting.full_clean(exclude=["company", "slug"])
        assert "must state the pay" in refused.value.message_dict["salary_min"][0]
    else:
        posting.full_clean(exclude=["company", "slug"])


def test_a_draft_may_lack_its_pay_and_the_readiness_panel_says_why_it_needs_one():
    posting = PostingFactory(draft=True, unfinished=True, country="PL")

    posting.full_clean()
    assert posting.readiness_gaps()["salary"].startswith("Job ads for Poland must state the pay")


def test_the_countries_that_require_pay_are_a_setting(settings):
    settings.PAY_REQUIRED_COUNTRIES = ["CH"]

    PostingFactory.build(country="DE", unfinished=True).full_clean(exclude=["company", "slug"])
    with pytest.raises(ValidationError):
        PostingFactory.build(country="CH", unfinished=True).full_clean(exclude=["company", "slug"])


def test_a_posting_in_a_currency_without_a_rate_is_flagged_in_its_readiness():
    posting = PostingFactory(salary_currency="COP", salary_min=9000000, salary_max=12000000)

    assert "An exchange rate for COP" in posting.readiness_gaps()["exchange_rate"]


def test_the_translations_of_a_job_share_its_pay_edited_once():
    english = PostingFactory(salary_min=60000, salary_max=80000, bonus_percent=10)
    french = PostingFactory(
        language="fr", translation_group=english.translation_group, salary_min=60000, salary_max=80000
    )
    french_version = Posting.objects.get(pk=french.pk).version

    english.salary_max = 85000
    english.salary_basis = "net"
    english.collective_agreement = "Syntec"
    english.save()

    french.refresh_from_db()
    assert (french.salary_max, french.salary_basis, french.collective_agreement, french.bonus_percent) == (
        85000,
        "net",
        "Syntec",
        10,
    )
    assert french.salary_top_yearly == 85000
    # A form opened on the French posting before cannot write the old pay back.
    assert french.version != french_version
    english.refresh_from_db()
    assert job_posting(french)["baseSalary"] == job_posting(english)["baseSalary"]


def test_saving_a_posting_with_the_same_pay_leaves_its_translations_alone():
    english = PostingFactory()
    french = PostingFactory(language="fr", translation_group=english.translation_group)
    version = Posting.objects.get(pk=french.pk).version

    english.title = "Another title"
    english.save()

    assert Posting.objects.get(pk=french.pk).version == version


def test_the_posting_page_shows_the_pay_details(client):
    posting = PostingFactory(bonus_percent=15, equity=True, allowances=2400, collective_agreement="TV-L E13")

    response = client.get(posting.get_absolute_url())

    for detail in [
        "€70,000–€90,000 per year",
        "Gross",
        "Target bonus: 15% of the salary",
        "Equity (shares or stock options)",
        "Allowances: €2,400 per year",
        "Collective agreement: TV-L E13",
    ]:
        assert detail in response.text


def test_a_card_says_when_its_salary_is_net(client):
    PostingFactory(title="Net", salary_basis="net")
    PostingFactory(title="Gross")

    cards = listed(client, "").text.split('class="card__salary">')[1:]

    assert sorted(card.split("</p>")[0] for card in cards) == [
        "€70,000–€90,000 per year",
        "€70,000–€90,000 per year, net",
    ]


def test_the_exchange_format_carries_the_pay_details(tmp_path):
    PostingFactory(salary_basis="net", bonus_percent=5, equity=True, allowances=1200, collective_agreement="Syntec")
    path = tmp_path / "postings.json"
    call_command("export_postings", "--output", str(path))
    record = json.loads(path.read_text())[0]["x-jobboard"]
    assert (record["salaryBasis"], record["bonusPercent"], record["equity"], record["allowances"]) == (
        "net",
        5,
        True,
        1200,
    )
    Posting.objects.all().delete()

    call_command("import_postings", str(path))

    posting = Posting.objects.get()
    assert (posting.salary_basis, posting.bonus_percent, posting.equity, posting.allowances) == ("net", 5, True, 1200)
    assert posting.collective_agreement == "Syntec"
