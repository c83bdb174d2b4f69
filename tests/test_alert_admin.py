"""Operators: alert counts per language, a subscriber's data exported and erased by address, cut-off digests;
and the mail settings read from the environment."""

import json
from datetime import timedelta
from html import escape
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from alerts.checks import site_url
from alerts.digests import deliver
from alerts.models import Digest, DigestState, Subscription
from tests.alerts_helpers import confirmed
from tests.factories import PostingFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/alerts/subscription/"


@pytest.fixture
def operator(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_admin_counts_alerts_per_language(operator):
    confirmed(email="a@example.com")
    confirmed(email="b@example.com")
    confirmed(email="c@example.com", language="fr")
    Subscription.objects.filter(email="b@example.com").update(paused=True)
    Subscription.objects.create(email="d@example.com", language="de")

    page = operator.get(CHANGELIST)

    assert page.status_code == 200
    rows = {row["name"]: row for row in page.context["counts_per_language"]}
    assert (rows["English"]["confirmed"], rows["English"]["paused"], rows["English"]["unconfirmed"]) == (1, 1, 0)
    assert (rows["French"]["confirmed"], rows["German"]["unconfirmed"], rows["Spanish"]["confirmed"]) == (1, 1, 0)
    assert "Job alerts per language" in page.text


def test_the_admin_exports_and_erases_every_alert_of_the_selected_addresses(operator):
    ada = confirmed(email="ada@example.com")
    confirmed(email="ada@example.com", query="q=python")
    confirmed(email="bob@example.com")

    export = operator.post(CHANGELIST, {"action": "export_subscribers", "_selected_action": [ada.pk]})

    assert export["Content-Type"] == "application/json"
    [data] = json.loads(export.content)
    assert data["email"] == "ada@example.com" and len(data["alerts"]) == 2

    operator.post(CHANGELIST, {"action": "erase_subscribers", "_selected_action": [ada.pk]})

    assert list(Subscription.objects.values_list("email", flat=True)) == ["bob@example.com"]


def test_an_operator_sends_a_cut_off_digest_again_from_the_admin(operator):
    subscription = confirmed()
    PostingFactory()
    with mock.patch.object(mail.EmailMessage, "send", side_effect=SystemExit), pytest.raises(SystemExit):
        deliver(subscription.pk)  # the process dies while the mail server has the message
    Digest.objects.update(handed_at=timezone.now() - timedelta(hours=2))
    digest = Digest.objects.get(state=DigestState.SENDING)

    listed = operator.get("/admin/alerts/digest/?unconfirmed=1")
    assert escape(digest.message_id) in listed.text
    operator.post("/admin/alerts/digest/", {"action": "send_again", "_selected_action": [digest.pk]})

    assert [message.extra_headers["Message-ID"] for message in mail.outbox] == [digest.message_id]
    assert Digest.objects.get().state == DigestState.SENT


def test_mail_goes_to_the_console_unless_email_url_names_a_server(production_settings):
    assert production_settings()["MAILERS"] == {
        "default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    }

    smtp = production_settings(EMAIL_URL="smtp://jobs%40example.com:p%3Ass@mail.example.com:587?starttls")
    assert smtp["MAILERS"]["default"] == {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": "mail.example.com",
            "port": 587,
            "username": "jobs@example.com",
            "password": "p:ss",
            "use_ssl": False,
            "use_tls": True,
            "timeout": 10,
        },
    }
    smtps = production_settings(EMAIL_URL="smtps://mail.example.com")["MAILERS"]["default"]["OPTIONS"]
    assert (smtps["port"], smtps["use_ssl"], smtps["use_tls"]) == (465, True, False)


def test_an_unknown_email_url_is_refused(production_settings):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        production_settings(EMAIL_URL="sendmail://localhost")


def test_the_deployment_check_asks_for_the_sites_public_address(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    assert [warning.id for warning in site_url(None)] == ["alerts.W001"]
    settings.SITE_URL = "https://jobs.example.com"
    assert site_url(None) == []
