"""The e-mails of job alerts, rendered in the subscription's language, with links back to the site."""

import email.policy
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from alerts.searches import alert_filterset, described, with_query
from alerts.tokens import confirmation_token, manage_token


def absolute(path):
    return settings.SITE_URL + path


def links(subscription):
    """The subscription's manage and unsubscribe pages and its listing, in its language."""
    token = manage_token(subscription)
    with translation.override(subscription.language):
        return {
            "manage_url": absolute(reverse("alerts:manage", args=[token])),
            "unsubscribe_url": absolute(reverse("alerts:unsubscribe", args=[token])),
            "listing_url": absolute(with_query(reverse("jobs:posting_list"), subscription.query)),
        }


def rendered(template, context):
    """(plain text, HTML) of an e-mail template pair."""
    return render_to_string(f"alerts/email/{template}.txt", context), render_to_string(
        f"alerts/email/{template}.html", context
    )


def confirmation_message(subscription, frequency):
    """The double opt-in e-mail: nothing is sent to the address until its link is used."""
    with translation.override(subscription.language):
        token = confirmation_token(subscription, frequency)
        filterset = alert_filterset(subscription.query, subscription.language)
        context = {
            "subscription": subscription,
            "frequency": frequency.label,
            "description": described(subscription.query, filterset),
            "confirm_url": absolute(reverse("alerts:confirm", args=[token])),
            **links(subscription),
        }
        text, html = rendered("confirmation", context)
        subject = gettext("Confirm your job alert")
    message = EmailMultiAlternatives(subject, text, to=[subscription.email])
    message.attach_alternative(html, "text/html")
    return message


def digest_content(subscription, postings):
    """{subject, text, html, message_id} of a digest of `postings`, rendered once and stored before it is sent."""
    with translation.override(subscription.language):
        filterset = alert_filterset(subscription.query, subscription.language)
        context = {
            "subscription": subscription,
            "postings": [(posting, absolute(posting.get_absolute_url())) for posting in postings],
            "description": described(subscription.query, filterset),
            **links(subscription),
        }
        text, html = rendered("digest", context)
        count = len(postings)
        subject = ngettext("%(count)d new job for your alert", "%(count)d new jobs for your alert", count) % {
            "count": count
        }
    return {"subject": subject, "text": text, "html": html, "message_id": make_msgid(domain=message_domain())}


class DigestMessage(EmailMultiAlternatives):
    """Headers folded at 998 characters (RFC 5322's limit), not 78: folding would encode the long List-Unsubscribe URL as
    RFC 2047 words, which mail clients do not decode there, and they would not offer to unsubscribe."""

    def message(self, *, policy=email.policy.default):
        return super().message(policy=policy.clone(max_line_length=998))


def digest_message(digest):
    """The stored digest as an e-mail, with one-click unsubscription for mail clients (RFC 8058)."""
    unsubscribe_url = links(digest.subscription)["unsubscribe_url"]
    headers = {
        "Message-ID": digest.message_id,
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    message = DigestMessage(digest.subject, digest.text, to=[digest.subscription.email], headers=headers)
    message.attach_alternative(digest.html, "text/html")
    return message


def message_domain():
    """The site's host name, for Message-IDs that name the sender."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"
