"""The admin login resists password guessing without locking everybody out."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.urls import reverse

from tests.factories import HREditorFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
PASSWORD = "correct horse battery"
PROXY = "127.0.0.1"
INCORRECT = "Please enter the correct username and password for a staff account."


@pytest.fixture
def editor():
    return HREditorFactory(username="alice", raw_password=PASSWORD)


def log_in(client, username, password, address="192.0.2.1", **headers):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def guess(client, username, times, address="192.0.2.1", **headers):
    for attempt in range(times):
        log_in(client, username, f"guess {attempt}", address, **headers)


def test_a_username_is_locked_out_from_an_address_after_repeated_failures(client, editor):
    guess(client, "alice", settings.AXES_FAILURE_LIMIT - 1)
    assert log_in(client, "alice", "wrong").status_code == 429

    response = log_in(client, "alice", PASSWORD)

    assert response.status_code == 429
    assert "Too many failed logins" in response.text
    assert f"failed {settings.AXES_FAILURE_LIMIT} times in a row" in response.text
    assert "Try again in 15 minutes." in response.text
    assert "_auth_user_id" not in client.session


def test_fewer_failures_do_not_lock_out_and_a_success_starts_the_count_again(client, editor):
    guess(client, "alice", settings.AXES_FAILURE_LIMIT - 1)
    assert log_in(client, "alice", PASSWORD).status_code == 302
    client.logout()

    guess(client, "alice", settings.AXES_FAILURE_LIMIT - 1)

    assert log_in(client, "alice", PASSWORD).status_code == 302


def test_the_same_person_logs_in_from_another_address(client, editor):
    guess(client, "alice", settings.AXES_FAILURE_LIMIT)

    assert log_in(client, "alice", PASSWORD, address="198.51.100.7").status_code == 302


def test_colleagues_behind_the_same_address_still_log_in(client, editor):
    HREditorFactory(username="bob", raw_password=PASSWORD)
    guess(client, "alice", settings.AXES_FAILURE_LIMIT)

    assert log_in(client, "bob", PASSWORD).status_code == 302


def test_a_made_up_forwarded_for_header_does_not_dodge_the_lockout(client, editor):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "alice", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}")

    assert log_in(client, "alice", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429


def test_without_the_proxy_setting_forwarded_for_is_not_the_address(client, editor):
    guess(client, "alice", settings.AXES_FAILURE_LIMIT, HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert log_in(client, "alice", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 429
    assert log_in(client, "alice", PASSWORD, address="198.51.100.7").status_code == 302


@pytest.mark.parametrize("sent", ["203.0.113.{}", "unknown, 203.0.113.{}", "not-an-address-{}"])
def test_behind_the_proxy_what_the_client_puts_in_forwarded_for_does_not_dodge_the_lockout(
    client, editor, behind_proxy, sent
):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "alice", "wrong", PROXY, HTTP_X_FORWARDED_FOR=f"{sent.format(attempt)}, 198.51.100.7")

    assert (
        log_in(client, "alice", PASSWORD, PROXY, HTTP_X_FORWARDED_FOR="203.0.113.99, 198.51.100.7").status_code == 429
    )


def test_behind_the_proxy_a_lockout_holds_for_the_address_the_proxy_appended_and_no_other(client, editor, behind_proxy):
    guess(client, "alice", settings.AXES_FAILURE_LIMIT, PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}
    assert log_in(client, "alice", PASSWORD, PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    assert log_in(client, "alice", PASSWORD, PROXY, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 302


@pytest.mark.parametrize(
    ("username", "password", "headers"),
    [
        ("a" * 300, "wrong", {}),
        ("alice", "x" * 1_000_000, {}),
        ("alice", "wrong", {"HTTP_USER_AGENT": "u" * 10_000, "HTTP_ACCEPT": "a" * 10_000}),
    ],
    ids=["long username", "huge password", "long headers"],
)
def test_over_long_credentials_and_headers_are_refused_like_a_wrong_password(
    client, editor, username, password, headers
):
    response = client.post(f"{LOGIN}?next={'n' * 10_000}", {"username": username, "password": password}, **headers)

    assert response.status_code == 200
    assert INCORRECT in response.text
    assert "_auth_user_id" not in client.session
    for model in (AccessAttempt, AccessFailureLog):
        for record in model.objects.all():
            for field in model._meta.concrete_fields:
                value = getattr(record, field.attname)
                assert not field.max_length or value is None or len(value) <= field.max_length, field.name


@pytest.mark.parametrize(("username", "password"), [("al\x00ice", PASSWORD), ("alice", "correct\x00horse")])
def test_nul_bytes_in_credentials_are_refused_like_a_wrong_password(client, editor, username, password):
    response = client.post(LOGIN, {"username": username, "password": password})

    assert response.status_code == 200
    assert INCORRECT in response.text
    assert "Null characters" not in response.text
    assert "_auth_user_id" not in client.session
