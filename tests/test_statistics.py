"""Posting statistics for HR: views and apply clicks per day, without personal data, bots or reloads."""

import csv
import datetime
import io
import re
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jobs import catalogue, statistics
from jobs.models import DailyStatistics
from tests.factories import CompanyFactory, HREditorFactory, PostingFactory

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
ADDRESS = "192.0.2.10"


def beacon(client, posting, event="seen", agent=FIREFOX, address=ADDRESS, method="post", **headers):
    url = reverse(f"jobs:posting_{event}", kwargs={"slug": posting.slug})
    if agent is not None:
        headers["HTTP_USER_AGENT"] = agent
    return getattr(client, method)(url, REMOTE_ADDR=address, **headers)


def reads(sql):
    """Whether a query only reads: a SELECT, or the catalogue state's query (a SELECT) prepared and run by name."""
    prepared = (f"PREPARE {catalogue.STATE_STATEMENT}".upper(), f"EXECUTE {catalogue.STATE_STATEMENT}".upper())
    return sql.lstrip("( ").upper().startswith(("SELECT", *prepared))


def counted(posting):
    return {
        row.day: (row.views, row.apply_clicks) for row in DailyStatistics.objects.filter(posting=posting).order_by()
    }


def today():
    return timezone.localdate()


@pytest.fixture(autouse=True)
def generous_rate(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "statistics": "1000/m"}


def test_a_beacon_counts_a_view_and_answers_204_uncached(client):
    posting = PostingFactory()

    response = beacon(client, posting)

    assert response.status_code == 204
    assert "no-store" in response["Cache-Control"]
    assert "Set-Cookie" not in response
    assert not response.cookies
    assert counted(posting) == {today(): (1, 0)}


def test_apply_clicks_are_counted_apart_from_views(client):
    posting = PostingFactory()

    beacon(client, posting, "seen")
    beacon(client, posting, "applied")
    beacon(client, posting, "applied", agent=CHROME)

    assert counted(posting) == {today(): (1, 2)}


def test_a_reload_counts_once_and_other_visitors_count_each(client):
    posting = PostingFactory()

    for _reload in range(3):
        beacon(client, posting)
    beacon(client, posting, agent=CHROME)
    beacon(client, posting, address="198.51.100.20")

    assert counted(posting) == {today(): (3, 0)}


def test_the_same_visitor_counts_again_after_the_repeat_window(client, monkeypatch):
    posting = PostingFactory()
    beacon(client, posting)
    started = time.time()

    monkeypatch.setattr(time, "time", lambda: started + statistics.REPEAT_SECONDS - 5)
    beacon(client, posting)
    monkeypatch.setattr(time, "time", lambda: started + statistics.REPEAT_SECONDS + 1)
    beacon(client, posting)

    assert counted(posting) == {today(): (2, 0)}


def test_a_visitor_seen_on_one_posting_counts_on_another(client):
    first, second = PostingFactory(), PostingFactory()

    beacon(client, first)
    beacon(client, second)

    assert counted(first) == counted(second) == {today(): (1, 0)}


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0 Safari/537.36",
        "curl/8.5.0",
        "python-requests/2.32.3",
        "",
        "   ",
        None,
    ],
)
def test_bots_and_requests_without_a_user_agent_are_not_counted(client, agent):
    posting = PostingFactory()

    assert beacon(client, posting, agent=agent).status_code == 204
    assert beacon(client, posting, "applied", agent=agent).status_code == 204

    assert counted(posting) == {}


@pytest.mark.parametrize(
    "header",
    [
        {"HTTP_SEC_PURPOSE": "prefetch;prerender"},
        {"HTTP_SEC_PURPOSE": "prefetch"},
        {"HTTP_PURPOSE": "prefetch"},
        {"HTTP_X_MOZ": "prefetch"},
        {"HTTP_X_PURPOSE": "preview"},
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
    ],
)
def test_prefetches_prerenders_and_other_sites_beacons_are_not_counted(client, header):
    posting = PostingFactory()

    assert beacon(client, posting, **header).status_code == 204

    assert counted(posting) == {}


def test_a_browsers_own_beacon_is_counted(client):
    posting = PostingFactory()

    beacon(client, posting, HTTP_SEC_FETCH_SITE="same-origin", HTTP_SEC_FETCH_MODE="no-cors")

    assert counted(posting) == {today(): (1, 0)}


def test_signed_in_staff_are_not_counted(client):
    posting = PostingFactory()
    client.force_login(HREditorFactory(companies=[posting.company]))

    beacon(client, posting)

    assert counted(posting) == {}


def test_views_and_clicks_are_kept_per_day(client, monkeypatch):
    posting = PostingFactory()
    yesterday = today() - datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda: yesterday)
    beacon(client, posting)
    beacon(client, posting, agent=CHROME)
    beacon(client, posting, "applied")
    monkeypatch.undo()

    beacon(client, posting)

    assert counted(posting) == {yesterday: (2, 1), today(): (1, 0)}


def test_nothing_about_the_visitor_is_stored(client):
    posting = PostingFactory()
    marker_agent = f"{FIREFOX} marker-agent"
    with CaptureQueriesContext(connection) as queries:
        beacon(client, posting, agent=marker_agent, address="203.0.113.77")
        beacon(client, posting, "applied", agent=marker_agent, address="203.0.113.77")

    columns = {field.column for field in DailyStatistics._meta.concrete_fields}
    assert columns == {"id", "posting_id", "day", "views", "apply_clicks"}
    assert counted(posting) == {today(): (1, 1)}
    written = [query["sql"] for query in queries if not reads(query["sql"])]
    assert written
    for sql in written:
        assert "203.0.113" not in sql
        assert "marker-agent" not in sql
        assert DailyStatistics._meta.db_table in sql
    # The cache holds an opaque hash for the repeat window, and a salt; neither names the visitor.
    assert not any("203.0.113" in str(key) or "marker" in str(key) for key in cache._cache)


def test_the_salt_changes_from_day_to_day():
    day = today()

    assert statistics.daily_salt(day) == statistics.daily_salt(day)
    assert statistics.daily_salt(day) != statistics.daily_salt(day + datetime.timedelta(days=1))


def test_the_posting_page_writes_nothing_and_carries_the_beacon(client):
    posting = PostingFactory(apply_email="jobs@example.com")

    with CaptureQueriesContext(connection) as queries:
        response = client.get(posting.get_absolute_url(), HTTP_USER_AGENT=FIREFOX)

    assert response.status_code == 200
    assert all(reads(query["sql"]) for query in queries)
    assert counted(posting) == {}
    html = response.text
    assert (
        f'<script src="/static/js/statistics.js" data-seen-url="/en/jobs/{posting.slug}/seen" '
        f'data-applied-url="/en/jobs/{posting.slug}/applied" defer></script>'
    ) in html
    # The apply links keep their own addresses.
    assert 'data-apply href="https://example.com/apply"' in html
    assert 'data-apply href="mailto:jobs@example.com' in html


@pytest.mark.parametrize("state", ["draft", "scheduled", "expired", "archived"])
def test_pages_of_postings_that_are_not_live_carry_no_beacon(admin_client, state):
    posting = PostingFactory(**{state: True})

    response = admin_client.get(posting.get_absolute_url())

    assert response.status_code in {200, 410}
    assert "statistics.js" not in response.text


@pytest.mark.parametrize("state", ["draft", "scheduled", "expired", "archived"])
def test_beacons_for_postings_that_are_not_live_are_refused(client, state):
    posting = PostingFactory(**{state: True})

    assert beacon(client, posting).status_code == 404
    assert beacon(client, posting, "applied").status_code == 404
    assert counted(posting) == {}


@pytest.mark.parametrize(
    "path",
    [
        "/en/jobs/no-such-posting/seen",
        "/en/jobs/no-such-posting/applied",
        "/fr/jobs/no-such-posting/seen",
        "/en/jobs/%00/seen",
        "/en/jobs/" + "a" * 5000 + "/seen",
        "/en/jobs/some-posting/seen/extra",
        "/xx/jobs/some-posting/seen",
    ],
)
def test_beacons_for_unknown_postings_get_404(client, path):
    response = client.post(path, HTTP_USER_AGENT=FIREFOX)

    assert response.status_code == 404


@pytest.mark.parametrize("method", ["get", "head", "put", "delete", "options", "patch"])
def test_beacons_take_post_only(client, method):
    posting = PostingFactory()

    response = beacon(client, posting, method=method)

    assert response.status_code == 405
    assert counted(posting) == {}


def test_a_beacon_with_a_body_is_counted_like_any(client):
    posting = PostingFactory()
    url = reverse("jobs:posting_seen", kwargs={"slug": posting.slug})

    response = client.post(
        url, data=b"\xff\xfe garbage", content_type="text/plain;charset=UTF-8", HTTP_USER_AGENT=FIREFOX
    )

    assert response.status_code == 204
    assert counted(posting) == {today(): (1, 0)}


def test_the_beacon_needs_no_csrf_token():
    posting = PostingFactory()

    assert beacon(Client(enforce_csrf_checks=True), posting).status_code == 204
    assert counted(posting) == {today(): (1, 0)}


def test_an_address_past_the_rate_is_refused(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "statistics": "3/m"}
    posting = PostingFactory()

    answers = [beacon(client, posting, agent=f"{FIREFOX} {attempt}").status_code for attempt in range(4)]

    assert answers == [204, 204, 204, 429]
    assert counted(posting) == {today(): (3, 0)}
    assert beacon(client, posting, address="198.51.100.20").status_code == 204


# The admin: HR staff see the statistics of their companies' postings.


@pytest.fixture
def two_companies():
    ours, theirs = CompanyFactory(name="Ours"), CompanyFactory(name="Theirs")
    mine = PostingFactory(company=ours, title="Our engineer")
    other = PostingFactory(company=theirs, title="Their engineer")
    old_day = today() - datetime.timedelta(days=40)
    DailyStatistics.objects.bulk_create(
        [
            DailyStatistics(posting=mine, day=today(), views=7, apply_clicks=2),
            DailyStatistics(posting=mine, day=today() - datetime.timedelta(days=29), views=5, apply_clicks=1),
            DailyStatistics(posting=mine, day=old_day, views=100, apply_clicks=50),
            DailyStatistics(posting=other, day=today(), views=11, apply_clicks=3),
        ]
    )
    editor = HREditorFactory(companies=[ours])
    return editor, mine, other


def test_the_posting_list_shows_the_last_30_days_in_one_query(client, two_companies):
    editor, mine, other = two_companies
    PostingFactory.create_batch(3, company=mine.company)
    client.force_login(editor)
    changelist = reverse("admin:jobs_posting_changelist")

    with CaptureQueriesContext(connection) as queries:
        response = client.get(changelist)

    assert response.status_code == 200
    statistics_queries = [query for query in queries if DailyStatistics._meta.db_table in query["sql"]]
    assert len(statistics_queries) == 1
    assert "Views / apply clicks (30 days)" in response.text
    row = re.search(rf"<tr>.*?{mine.title}.*?</tr>", response.text, re.S).group(0)
    assert '<td class="field-recent_statistics">12 / 3</td>' in row
    assert other.title not in response.text


def test_a_posting_without_statistics_shows_zeros_in_the_list(admin_client):
    posting = PostingFactory()

    response = admin_client.get(reverse("admin:jobs_posting_changelist"))

    row = re.search(rf"<tr>.*?{posting.title}.*?</tr>", response.text, re.S).group(0)
    assert '<td class="field-recent_statistics">0 / 0</td>' in row


def test_the_change_page_shows_totals_and_each_day(client, two_companies):
    editor, mine, _other = two_companies
    client.force_login(editor)

    response = client.get(reverse("admin:jobs_posting_change", args=[mine.pk]))

    assert response.status_code == 200
    assert "12 page views, 3 apply clicks" in response.text
    table = re.search(r'<table class="statistics-days">.*?</table>', response.text, re.S).group(0)
    assert table.count("<tr>") == 31  # the header and 30 days, newest first
    cells = re.findall(r"<tr><td>([^<]*)</td><td>(\d+)</td><td>(\d+)</td></tr>", table)
    assert [(views, clicks) for _date, views, clicks in cells[:2]] == [("7", "2"), ("0", "0")]
    assert (cells[-1][1], cells[-1][2]) == ("5", "1")


def test_hr_staff_cannot_open_the_statistics_of_another_company(client, two_companies):
    editor, _mine, other = two_companies
    client.force_login(editor)

    response = client.get(reverse("admin:jobs_posting_change", args=[other.pk]))

    assert response.status_code == 302
    assert "11 page views" not in response.text


def export(client, postings):
    data = {"action": "export_statistics", "_selected_action": [posting.pk for posting in postings]}
    response = client.post(reverse("admin:jobs_posting_changelist"), data)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_csv_export_has_each_day_of_the_selected_postings_of_the_editors_companies(client, two_companies):
    editor, mine, other = two_companies
    client.force_login(editor)

    header, *rows = export(client, [mine, other])

    assert header == ["date", "posting", "slug", "language", "page views", "apply clicks"]
    day = today().isoformat
    assert rows == [
        [(today() - datetime.timedelta(days=40)).isoformat(), "Our engineer", mine.slug, "en", "100", "50"],
        [(today() - datetime.timedelta(days=29)).isoformat(), "Our engineer", mine.slug, "en", "5", "1"],
        [day(), "Our engineer", mine.slug, "en", "7", "2"],
    ]


def test_the_csv_export_keeps_a_title_that_starts_like_a_formula_as_text(admin_client):
    posting = PostingFactory(title="=HYPERLINK(1)")
    DailyStatistics.objects.create(posting=posting, day=today(), views=1)

    _header, row = export(admin_client, [posting])

    assert row[1] == "'=HYPERLINK(1)"


def test_statistics_go_with_their_posting(client):
    posting = PostingFactory()
    beacon(client, posting)

    posting.delete()

    assert not DailyStatistics.objects.exists()
