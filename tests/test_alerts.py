"""Job alerts: subscribing to a listing's filters, double opt-in, abuse limits, links, and managing an alert."""

import time
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.test import Client

from alerts.digests import deliver
from alerts.models import Frequency, Subscription
from alerts.tokens import CONFIRM_MAX_AGE, MANAGE_MAX_AGE, confirmation_token, manage_token
from jobs.models import Workplace
from tests.alerts_helpers import confirmed, link, subscribe
from tests.factories import PostingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def alert_rates(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "alert_subscribe": "10/h", "alert_confirmation": "3/h"}


def test_the_listing_links_to_an_alert_for_its_filters_and_language(client):
    PostingFactory(language="fr", country="FR", workplace=Workplace.REMOTE, eligible_countries=["FR"])

    page = client.get("/fr/?workplace=remote&country=FR&sort=newest&page=1&posted=7&utm_source=x")

    # The filters that choose postings, in a fixed order; not the order, page, age (all alerts are of new jobs).
    assert '<a href="/fr/alerts/?country=FR&amp;workplace=remote">' in page.text
    assert client.get("/en/").text.count('<a href="/en/alerts/">') == 1


def test_the_subscription_page_says_in_words_what_the_alert_matches_in_the_page_language(client):
    page = client.get("/fr/alerts/?country=FR&country=ES&workplace=remote&q=python")

    assert page.status_code == 200
    text = page.text
    assert (
        "Les nouvelles offres qui répondent à tous ces critères" in text and "Langue\u00a0:</strong> Français" in text
    )
    assert "France" in text and "Espagne" in text and "Télétravail" in text and "python" in text
    assert 'name="csrfmiddlewaretoken"' in text


def test_the_language_switcher_of_the_subscription_page_keeps_the_filters_that_apply_in_each_language(client):
    PostingFactory(language="en", company__slug="acme")

    page = client.get("/en/alerts/?workplace=remote&company=acme")

    for code in ("fr", "de"):
        assert f'href="/i18n/use/{code}/?{urlencode({"next": f"/{code}/alerts/?workplace=remote"})}"' in page.text


def test_the_subscription_page_reports_and_leaves_out_malformed_filters(client):
    page = client.get("/en/alerts/?country=ZZZ&workplace=remote")

    assert page.status_code == 200
    assert "left out" in page.text
    assert "Remote" in page.text
    subscribe(client, "?country=ZZZ&workplace=remote")
    assert Subscription.objects.get().query == "country=ZZZ&workplace=remote"


def test_subscribing_sends_a_confirmation_and_nothing_else_until_it_is_used(client):
    answer = subscribe(client, "?workplace=remote", email=" Ada@Example.com ", frequency="weekly")

    assert answer.status_code == 302 and answer["Location"] == "/en/alerts/sent/"
    subscription = Subscription.objects.get()
    assert (subscription.email, subscription.query, subscription.language) == (
        "ada@example.com",
        "workplace=remote",
        "en",
    )
    assert not subscription.is_confirmed
    [confirmation] = mail.outbox
    assert confirmation.to == ["ada@example.com"]
    assert "Remote" in confirmation.body
    # Postings appear, time passes: an unconfirmed alert sends nothing.
    PostingFactory(workplace=Workplace.REMOTE, eligible_countries=["FR"], country="", city="")
    subscription.checked_at = subscription.created_at
    subscription.save()
    assert not deliver(subscription.pk)
    assert len(mail.outbox) == 1


def test_the_confirmation_link_asks_and_the_button_confirms_with_the_frequency_asked_for(client):
    subscribe(client, "?workplace=remote", frequency="weekly")
    confirm = link(mail.outbox[0], "/confirm/")

    assert client.get(confirm).status_code == 200
    assert not Subscription.objects.get().is_confirmed

    answer = client.post(confirm)

    subscription = Subscription.objects.get()
    assert subscription.is_confirmed and subscription.frequency == Frequency.WEEKLY
    assert answer.status_code == 302 and "/en/alerts/manage/" in answer["Location"]


def test_the_answer_is_the_same_whether_or_not_the_address_already_has_the_alert(client):
    first = subscribe(client, "?workplace=remote")
    client.post(link(mail.outbox[0], "/confirm/"))

    again = subscribe(client, "?workplace=remote", frequency="weekly")
    other = subscribe(client, "?workplace=remote", email="bob@example.com")

    assert first.status_code == again.status_code == other.status_code == 302
    assert first["Location"] == again["Location"] == other["Location"]
    assert [message.to for message in mail.outbox] == [["ada@example.com"], ["ada@example.com"], ["bob@example.com"]]
    assert mail.outbox[1].subject == mail.outbox[2].subject
    # Still one alert for the address; its frequency changes only when the new link is used, which resumes it.
    Subscription.objects.filter(email="ada@example.com").update(paused=True)
    assert Subscription.objects.filter(email="ada@example.com").get().frequency == Frequency.DAILY
    client.post(link(mail.outbox[1], "/confirm/"))
    again = Subscription.objects.filter(email="ada@example.com").get()
    assert (again.frequency, again.paused) == (Frequency.WEEKLY, False)


def test_confirmation_mails_to_one_address_are_limited_and_the_answer_does_not_tell(client):
    answers = [
        subscribe(client, f"?workplace={place}", address=f"192.0.2.{n}") for n, place in enumerate(Workplace.values * 2)
    ]

    assert {answer.status_code for answer in answers} == {302}
    assert len(mail.outbox) == 3


def test_subscriptions_from_one_client_address_are_limited(client):
    answers = [subscribe(client, email=f"user{n}@example.com") for n in range(11)]

    assert [answer.status_code for answer in answers] == [302] * 10 + [429]
    assert len(mail.outbox) == 10
    assert subscribe(client, email="other@example.com", address="198.51.100.7").status_code == 302


def test_a_mail_server_that_cannot_be_reached_is_reported_on_the_form(client):
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=ConnectionRefusedError):
        answer = subscribe(client)

    assert answer.status_code == 200
    assert "could not be sent" in answer.text


def test_an_invalid_e_mail_address_is_reported_on_the_form(client):
    answer = subscribe(client, email="not an address")

    assert answer.status_code == 200
    assert "email-errors" in answer.text
    assert not mail.outbox


@pytest.mark.parametrize("view", ["confirm", "manage", "unsubscribe"])
def test_tampered_links_are_refused(client, view):
    subscription = confirmed()
    token = confirmation_token(subscription, "daily") if view == "confirm" else manage_token(subscription)
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")

    for method in (client.get, client.post):
        answer = method(f"/en/alerts/{view}/{tampered}/")
        assert answer.status_code == 400
        assert "does not work" in answer.text
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_a_confirmation_token_cannot_be_used_to_manage_or_unsubscribe(client):
    subscription = confirmed()
    token = confirmation_token(subscription, "daily")

    assert client.post(f"/en/alerts/unsubscribe/{token}/").status_code == 400
    assert client.get(f"/en/alerts/manage/{token}/").status_code == 400
    assert Subscription.objects.filter(pk=subscription.pk).exists()


@pytest.mark.parametrize(("view", "max_age"), [("confirm", CONFIRM_MAX_AGE), ("unsubscribe", MANAGE_MAX_AGE)])
def test_links_expire(client, view, max_age):
    subscription = Subscription.objects.create(email="ada@example.com", language="en")
    token = confirmation_token(subscription, "daily") if view == "confirm" else manage_token(subscription)
    later = time.time() + max_age.total_seconds() + 1

    with mock.patch("django.core.signing.time.time", return_value=later):
        answer = client.post(f"/en/alerts/{view}/{token}/")

    assert answer.status_code == 400
    assert "expired" in answer.text
    assert Subscription.objects.get().confirmed_at is None


def test_the_one_click_unsubscription_needs_no_cookie_or_csrf_token():
    subscription = confirmed()
    mail_client = Client(enforce_csrf_checks=True)

    answer = mail_client.post(
        f"/en/alerts/unsubscribe/{manage_token(subscription)}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert answer.status_code == 200
    assert not Subscription.objects.exists()
    # Again (a mail client retrying): still the same answer.
    assert mail_client.post(f"/en/alerts/unsubscribe/{manage_token(subscription)}/").status_code == 200


def test_the_unsubscribe_link_asks_before_deleting(client):
    subscription = confirmed(query="workplace=remote")
    url = f"/en/alerts/unsubscribe/{manage_token(subscription)}/"

    page = client.get(url)

    assert page.status_code == 200 and "Remote" in page.text
    assert Subscription.objects.exists()
    client.post(url)
    assert not Subscription.objects.exists()


def test_the_manage_page_changes_the_frequency_and_pauses(client):
    subscription = confirmed()
    url = f"/en/alerts/manage/{manage_token(subscription)}/"

    assert client.get(url).status_code == 200
    answer = client.post(url, {"frequency": "weekly", "paused": "on"})

    assert answer.status_code == 200 and "saved" in answer.text
    subscription.refresh_from_db()
    assert subscription.frequency == Frequency.WEEKLY and subscription.paused
    assert not Subscription.objects.due().exists()


def test_the_manage_page_of_a_deleted_alert_says_so(client):
    subscription = confirmed()
    token = manage_token(subscription)
    subscription.delete()

    assert client.get(f"/en/alerts/manage/{token}/").status_code == 404


def test_the_manage_page_refuses_a_bad_frequency(client):
    subscription = confirmed()

    answer = client.post(f"/en/alerts/manage/{manage_token(subscription)}/", {"frequency": "hourly"})

    assert answer.status_code == 200
    subscription.refresh_from_db()
    assert subscription.frequency == Frequency.DAILY


def test_an_alert_keeps_the_value_the_listing_reads_of_a_single_value_parameter(client):
    subscribe(client, "?q=python&q=django&country=FR&country=DE&country=FR")

    assert Subscription.objects.get().query == "country=DE&country=FR&q=django"


def test_filters_too_long_to_keep_are_reported_on_the_form(client):
    answer = subscribe(client, "?" + "&".join(f"tag=tag-number-{n}" for n in range(300)))

    assert answer.status_code == 200
    assert "too many to keep" in answer.text
    assert not Subscription.objects.exists() and not mail.outbox


def test_alert_pages_are_not_cached(client):
    subscription = confirmed()

    for url in ["/en/alerts/", f"/en/alerts/manage/{manage_token(subscription)}/"]:
        assert "no-store" in client.get(url)["Cache-Control"]
