"""Per-address rate limits on the forms anyone can post, refused before any password is checked."""

from types import SimpleNamespace
from unittest import mock

import pytest
from django.contrib.auth.backends import ModelBackend
from django.urls import reverse

from tests.factories import HREditorFactory
from tests.test_login import LOGIN, PASSWORD, PROXY, log_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def login_rate(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "10/m", "set_language": "30/m"}


@pytest.fixture(autouse=True)
def one_window():
    """The limits count in fixed windows of the clock: a test's requests all fall in one, however slow the machine
    (eleven logins that straddled the end of a minute were counted as one, then ten)."""
    with mock.patch("django_ratelimit.core.time", SimpleNamespace(time=lambda: 1_800_000_000)):
        yield


def spray(client, times, address="192.0.2.1", **headers):
    """Wrong passwords for made-up usernames, as a password sprayer sends them."""
    return [log_in(client, f"user{attempt}", "Winter2026!", address, **headers) for attempt in range(times)]


def test_an_address_that_posts_too_many_logins_is_refused_before_any_password_is_checked(client):
    HREditorFactory(username="alice", raw_password=PASSWORD)
    with mock.patch.object(ModelBackend, "authenticate", autospec=True, return_value=None) as checked:
        answers = spray(client, 10)
        assert checked.call_count == 10

        refused = log_in(client, "alice", PASSWORD)

    assert {answer.status_code for answer in answers} == {200}
    assert checked.call_count == 10
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "Too many attempts" in refused.text
    assert "_auth_user_id" not in client.session


def test_other_addresses_still_log_in_while_one_is_refused(client):
    HREditorFactory(username="alice", raw_password=PASSWORD)
    spray(client, 11)

    assert log_in(client, "alice", PASSWORD, address="198.51.100.7").status_code == 302


def test_the_login_page_itself_is_not_limited(client):
    spray(client, 11)

    assert client.get(LOGIN, REMOTE_ADDR="192.0.2.1").status_code == 200


def test_behind_the_proxy_the_limit_holds_for_the_address_the_proxy_appended(client, behind_proxy):
    HREditorFactory(username="alice", raw_password=PASSWORD)
    for attempt in range(10):
        log_in(client, f"user{attempt}", "wrong", PROXY, HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}, 198.51.100.7")

    assert (
        log_in(client, "alice", PASSWORD, PROXY, HTTP_X_FORWARDED_FOR="203.0.113.99, 198.51.100.7").status_code == 429
    )
    assert log_in(client, "alice", PASSWORD, PROXY, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 302


def test_the_language_switcher_is_limited_per_address(client):
    url = reverse("set_language")
    answers = [client.post(url, {"language": "fr", "next": "/fr/"}, REMOTE_ADDR="192.0.2.1") for _ in range(31)]

    assert {answer.status_code for answer in answers[:30]} == {302}
    assert answers[30].status_code == 429
    assert client.post(url, {"language": "fr"}, REMOTE_ADDR="192.0.2.2").status_code == 302
