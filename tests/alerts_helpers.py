"""Shared steps of the job alert tests: subscribing as a visitor does, and reading the links of the e-mails."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

from django.core import mail
from django.utils import timezone

from alerts.models import Subscription

LINK = re.compile(r"https?://[^\s\"<>]+")


def subscribe(client, query="", email="ada@example.com", frequency="daily", language="en", address="192.0.2.1"):
    return client.post(f"/{language}/alerts/{query}", {"email": email, "frequency": frequency}, REMOTE_ADDR=address)


def link(message, path):
    """The first link of a message's plain text whose path contains `path`, without the site's address."""
    for url in LINK.findall(message.body):
        if path in (parts := urlsplit(url)).path:
            return parts.path
    raise AssertionError(f"no {path} link in {message.body!r}")


def confirmed(query="", email="ada@example.com", language="en", frequency="daily", days_ago=2):
    """A subscription confirmed `days_ago` days ago (so a digest is due) and checked then."""
    at = timezone.now() - timedelta(days=days_ago)
    return Subscription.objects.create(
        email=email, language=language, query=query, frequency=frequency, confirmed_at=at, checked_at=at
    )


def outbox_to(email):
    return [message for message in mail.outbox if email in message.to]
