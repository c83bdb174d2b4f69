"""Digests: only new, matching, live postings in the alert's language, once each, whatever crashes or runs twice."""

import email.policy
import json
import re
import smtplib
import threading
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from alerts import digests
from alerts.digests import deliver
from alerts.models import Delivery, Digest, DigestState, Subscription
from alerts.tasks import send_digest
from jobs.models import Workplace
from tests.alerts_helpers import confirmed, link
from tests.factories import PostingFactory

pytestmark = pytest.mark.django_db


def new_posting(**fields):
    """A live posting published just now (after any subscription made by `confirmed()`)."""
    return PostingFactory(published_at=timezone.now() - timedelta(minutes=1), **fields)


def sent_titles(messages=None):
    """The posting titles of the digests sent (every test posting's title ends with "engineer"), in order."""
    return [
        line for message in (messages or mail.outbox) for line in message.body.splitlines() if line.endswith("engineer")
    ]


def make_due(subscription):
    Subscription.objects.filter(pk=subscription.pk).update(checked_at=timezone.now() - timedelta(days=2))


def test_a_digest_holds_only_new_matching_live_postings_in_the_alerts_language():
    subscription = confirmed(query="workplace=remote")
    wanted = new_posting(
        title="Remote engineer", workplace=Workplace.REMOTE, eligible_countries=["FR"], country="", city=""
    )
    new_posting(title="Office engineer")  # does not match
    PostingFactory(
        title="Old engineer",
        workplace=Workplace.REMOTE,
        eligible_countries=["FR"],
        published_at=timezone.now() - timedelta(days=3),
    )
    new_posting(title="French engineer", language="fr", workplace=Workplace.REMOTE, eligible_countries=["FR"])
    expired = new_posting(title="Gone engineer", workplace=Workplace.REMOTE, eligible_countries=["FR"])
    expired.valid_through = timezone.now() - timedelta(seconds=1)
    expired.save()
    new_posting(title="Draft engineer", draft=True, workplace=Workplace.REMOTE, eligible_countries=["FR"])

    assert deliver(subscription.pk)

    [digest] = mail.outbox
    assert sent_titles() == ["Remote engineer"]
    assert digest.subject == "1 new job for your alert"
    html, mimetype = digest.alternatives[0]
    assert mimetype == "text/html" and "Remote engineer" in html and wanted.get_absolute_url() in html
    assert f"http://127.0.0.1:8000{wanted.get_absolute_url()}" in digest.body


def test_a_digest_is_written_in_the_alerts_language():
    subscription = confirmed(query="workplace=remote", language="de")
    new_posting(title="Remote engineer", language="de", workplace=Workplace.REMOTE, eligible_countries=["DE"])
    new_posting(title="Other engineer", language="de", workplace=Workplace.REMOTE, eligible_countries=["DE"])

    deliver(subscription.pk)

    [digest] = mail.outbox
    assert digest.subject == "2 neue Stellen für Ihren Suchauftrag"
    assert "Remote" in digest.body and "/de/jobs/" in digest.body and "/de/alerts/unsubscribe/" in digest.body


def test_a_digest_has_one_click_unsubscription_headers_and_a_manage_link(client):
    subscription = confirmed()
    new_posting()
    deliver(subscription.pk)
    [digest] = mail.outbox
    # As the SMTP backend writes it: one URL in angle brackets on one line, not folded into encoded words.
    headers = digest.message(policy=email.policy.SMTP).as_bytes().decode().split("\r\n\r\n")[0].split("\r\n")

    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in headers
    [header] = [line.removeprefix("List-Unsubscribe: ") for line in headers if line.startswith("List-Unsubscribe: ")]
    assert re.fullmatch(r"<http://127\.0\.0\.1:8000/en/alerts/unsubscribe/[\w:-]+/>", header)
    assert client.get(link(digest, "/manage/")).status_code == 200
    assert client.post(header[1:-1].removeprefix("http://127.0.0.1:8000")).status_code == 200
    assert not Subscription.objects.exists()


def test_nothing_is_sent_twice_across_runs_and_only_new_postings_follow():
    subscription = confirmed()
    new_posting(title="First engineer")

    assert deliver(subscription.pk)
    assert not deliver(subscription.pk)  # not due again yet
    make_due(subscription)
    assert not deliver(subscription.pk)  # due, but nothing new
    new_posting(title="Second engineer")
    make_due(subscription)
    assert deliver(subscription.pk)

    assert sent_titles() == ["First engineer", "Second engineer"]
    # What was sent is kept without the bodies, which were stored only to be sent.
    assert list(Digest.objects.values_list("state", "text", "html")) == [(DigestState.SENT, "", "")] * 2


def test_paused_and_unconfirmed_alerts_send_nothing_and_weekly_ones_wait_a_week():
    paused = confirmed(email="paused@example.com")
    Subscription.objects.filter(pk=paused.pk).update(paused=True)
    weekly = confirmed(email="weekly@example.com", frequency="weekly", days_ago=3)
    new_posting()

    assert not deliver(paused.pk)
    assert not deliver(weekly.pk)
    Subscription.objects.filter(pk=weekly.pk).update(checked_at=timezone.now() - timedelta(days=7))
    assert deliver(weekly.pk)
    assert [message.to for message in mail.outbox] == [["weekly@example.com"]]


def test_two_workers_that_find_the_same_pending_digest_send_it_once():
    subscription = confirmed()
    new_posting()
    first = digests.claim(subscription.pk)
    second = digests.claim(subscription.pk)  # another worker, before the first hands it over

    assert first.pk == second.pk
    assert digests.hand_over(first)
    assert not digests.hand_over(second)
    assert len(mail.outbox) == 1


def test_a_posting_another_worker_claimed_meanwhile_is_refused_by_the_unique_constraint():
    subscription = confirmed()
    posting = new_posting()
    assert deliver(subscription.pk)
    make_due(subscription)

    # As if this worker had looked for new postings before the other worker's claim was committed.
    with mock.patch("alerts.digests.new_postings", return_value=[posting]):
        assert not deliver(subscription.pk)

    assert len(mail.outbox) == 1
    assert Digest.objects.count() == 1


def test_a_failure_before_the_claim_is_recorded_leaves_nothing_behind():
    subscription = confirmed()
    new_posting(title="First engineer")

    crash = mock.patch("alerts.digests.digest_content", side_effect=RuntimeError("crash while rendering"))
    with crash, pytest.raises(RuntimeError):
        deliver(subscription.pk)

    assert not Digest.objects.exists() and not Delivery.objects.exists()
    assert deliver(subscription.pk)
    assert sent_titles() == ["First engineer"]


@pytest.mark.django_db(transaction=True)  # the worker closes its connection between tasks
def test_a_mail_server_refusal_leaves_the_digest_pending_and_the_next_run_sends_the_same_message():
    subscription = confirmed()
    new_posting(title="First engineer")

    refusal = mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=smtplib.SMTPServerDisconnected
    )
    with refusal, pytest.raises(smtplib.SMTPServerDisconnected):
        deliver(subscription.pk)
    digest = Digest.objects.get()
    assert (digest.state, digest.failures) == (DigestState.PENDING, 1)
    assert not mail.outbox

    new_posting(title="Second engineer")
    assert call_command_output("enqueue_digests").startswith("1 digests queued")  # the pending one
    run_worker()

    assert [message.extra_headers["Message-ID"] for message in mail.outbox] == [digest.message_id]
    assert sent_titles() == ["First engineer"]
    assert Digest.objects.get().state == DigestState.SENT
    make_due(subscription)
    assert deliver(subscription.pk)
    assert sent_titles() == ["First engineer", "Second engineer"]


def test_a_crash_after_the_claim_and_before_the_hand_over_is_sent_by_the_next_run():
    subscription = confirmed()
    new_posting(title="First engineer")

    with mock.patch("alerts.digests.hand_over", side_effect=SystemExit), pytest.raises(SystemExit):
        deliver(subscription.pk)
    assert Digest.objects.get().state == DigestState.PENDING

    assert deliver(subscription.pk)
    assert sent_titles() == ["First engineer"]


def test_a_crash_between_sending_and_recording_never_sends_the_postings_again():
    """The process dies after the mail server took the message and before the digest is marked sent."""
    subscription = confirmed()
    new_posting(title="First engineer")
    real_send = mail.EmailMessage.send

    def send_then_die(message, *args, **kwargs):
        real_send(message, *args, **kwargs)
        raise SystemExit  # the worker is killed

    with mock.patch.object(mail.EmailMessage, "send", send_then_die), pytest.raises(SystemExit):
        deliver(subscription.pk)
    assert Digest.objects.get().state == DigestState.SENDING

    new_posting(title="Second engineer")
    for _run in range(3):
        make_due(subscription)
        deliver(subscription.pk)

    assert sent_titles() == ["First engineer", "Second engineer"]
    # An hour on, the cut-off digest is reported for an operator to check against the mail server's log.
    Digest.objects.filter(state=DigestState.SENDING).update(handed_at=timezone.now() - timedelta(hours=2))
    errors = StringIO()
    call_command("enqueue_digests", stdout=StringIO(), stderr=errors)
    assert "1 digests were cut off" in errors.getvalue()
    cut_off = Digest.objects.unconfirmed().get()
    assert digests.send_again(cut_off)
    assert sent_titles() == ["First engineer", "Second engineer", "First engineer"]
    assert not Digest.objects.unconfirmed().exists()


def call_command_output(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def run_worker():
    """What `manage.py db_worker` does in production, until no task is left."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=StringIO())


@pytest.mark.django_db(transaction=True)  # the worker closes its connection between tasks
def test_the_cron_command_queues_due_digests_for_the_worker_and_a_second_run_sends_nothing_more():
    subscriptions = [confirmed(email=f"user{n}@example.com") for n in range(3)]
    Subscription.objects.filter(pk=subscriptions[2].pk).update(checked_at=timezone.now())  # not due
    new_posting()

    assert call_command_output("enqueue_digests").startswith("2 digests queued")
    assert not mail.outbox  # the worker sends them
    assert call_command_output("enqueue_digests").startswith("2 digests queued")  # cron ran twice
    run_worker()

    assert sorted(message.to[0] for message in mail.outbox) == ["user0@example.com", "user1@example.com"]
    assert call_command_output("enqueue_digests").startswith("0 digests queued")


def test_the_cron_command_deletes_alerts_never_confirmed_in_time():
    Subscription.objects.create(email="late@example.com", language="en", created_at=timezone.now() - timedelta(days=4))
    Subscription.objects.create(email="recent@example.com", language="en", query="q=x")

    assert "1 unconfirmed alerts deleted" in call_command_output("enqueue_digests")
    assert list(Subscription.objects.values_list("email", flat=True)) == ["recent@example.com"]


def test_a_subscribers_data_is_exported_and_erased_by_address():
    subscription = confirmed(query="workplace=remote", email="ada@example.com")
    confirmed(query="q=python", email="ada@example.com", language="fr")
    confirmed(email="bob@example.com")
    new_posting(title="Remote engineer", workplace=Workplace.REMOTE, eligible_countries=["FR"])
    deliver(subscription.pk)

    exported = json.loads(call_command_output("alert_subscriber", "export", "ADA@example.com"))

    assert exported["email"] == "ada@example.com"
    assert sorted(alert["filters"] for alert in exported["alerts"]) == ["q=python", "workplace=remote"]
    [remote] = [alert for alert in exported["alerts"] if alert["filters"] == "workplace=remote"]
    assert remote["digests"][0]["postings"] == ["Remote engineer"]

    assert call_command_output("alert_subscriber", "erase", "Ada@Example.com ").startswith("2 alerts erased")
    assert list(Subscription.objects.values_list("email", flat=True)) == ["bob@example.com"]
    assert not Digest.objects.exists() and not Delivery.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_workers_at_once_send_each_posting_once():
    if connection.vendor != "postgresql":
        pytest.skip("Row locks and concurrent transactions need PostgreSQL (SQLite serialises every write)")
    subscriptions = [confirmed(email=f"user{n}@example.com") for n in range(4)]
    for trial in range(5):
        new_posting(title=f"Trial {trial} engineer")
        for subscription in subscriptions:
            make_due(subscription)
        start = threading.Barrier(4)

        def worker(start=start):
            start.wait()
            try:
                for subscription in subscriptions:
                    send_digest.call(subscription.pk)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    for subscription in subscriptions:
        titles = sent_titles([message for message in mail.outbox if message.to == [subscription.email]])
        assert sorted(titles) == [f"Trial {trial} engineer" for trial in range(5)]
