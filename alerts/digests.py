"""Sending digests so that a posting reaches a subscriber once, and is not left out.

1. claim() runs in one transaction, holding the subscription's row (other workers skip it): it looks for the
   live postings that match and that were published after the confirmation and never claimed for this
   subscription, renders the digest and stores it with one Delivery row per posting. A unique constraint on
   (subscription, posting) refuses a second claim of a posting whatever happens around it. A crash before the
   commit leaves nothing behind: the next run finds the same postings.
2. hand_over() moves the stored digest from pending to sending in one conditional update (only one worker wins),
   gives it to the mail server, and marks it sent. If the mail server refuses it or cannot be reached, the digest
   goes back to pending and the next run sends the same message again (same Message-ID): nothing is left out.
3. A process that dies while the mail server has the message (between the hand-over and the record) leaves the
   digest "sending": it may or may not have gone out, and it is never sent again on its own, so nothing is sent
   twice. After UNCONFIRMED_AFTER such digests are counted by `enqueue_digests` and listed in the admin, where
   an operator who finds its Message-ID missing from the mail server's log sends it again.
"""

import logging

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from alerts.emails import digest_content, digest_message
from alerts.models import Delivery, Digest, DigestState, Subscription
from alerts.searches import alert_filterset

logger = logging.getLogger(__name__)


def new_postings(subscription):
    """Live postings that match the alert, published since it was confirmed and never sent to it, oldest first."""
    filterset = alert_filterset(subscription.query, subscription.language)
    claimed = Delivery.objects.filter(subscription=subscription).values("posting")
    return (
        filterset.qs.filter(published_at__gt=subscription.confirmed_at)
        .exclude(pk__in=claimed)
        .order_by("published_at", "pk")
    )


def claim(subscription_id, now=None):
    """The digest to send for a subscription now: one left pending, or a new one of its new postings; or None."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        subscription = Subscription.objects.select_for_update(skip_locked=True).filter(pk=subscription_id).first()
        if subscription is None:  # erased, or another worker holds it
            return None
        if pending := subscription.digests.filter(state=DigestState.PENDING).first():
            return pending
        if not Subscription.objects.due(now).filter(pk=subscription.pk).exists():
            return None
        postings = list(new_postings(subscription))
        subscription.checked_at = now
        subscription.save(update_fields=["checked_at"])
        if not postings:
            return None
        digest = Digest.objects.create(
            subscription=subscription, created_at=now, **digest_content(subscription, postings)
        )
        Delivery.objects.bulk_create(
            Delivery(subscription=subscription, digest=digest, posting=posting) for posting in postings
        )
        return digest


def hand_over(digest):
    """Sends a pending digest unless another worker is sending it; True when this call sent it."""
    with transaction.atomic(durable=True):
        taken = Digest.objects.filter(pk=digest.pk, state=DigestState.PENDING).update(
            state=DigestState.SENDING, handed_at=timezone.now()
        )
    if not taken:
        return False
    try:
        digest_message(digest).send()
    except Exception:
        # The mail server did not take it: it goes out with the next run.
        Digest.objects.filter(pk=digest.pk).update(state=DigestState.PENDING, failures=F("failures") + 1)
        raise
    # The body was kept only to be sent; the subject, Message-ID and deliveries say what was sent.
    Digest.objects.filter(pk=digest.pk).update(state=DigestState.SENT, sent_at=timezone.now(), text="", html="")
    return True


def deliver(subscription_id):
    """Claims and sends the subscription's digest, if one is due; True when one was sent."""
    try:
        digest = claim(subscription_id)
    except IntegrityError:
        # Another worker claimed one of the same postings first (possible only where rows cannot be locked).
        logger.info("Digest of subscription %s already claimed elsewhere", subscription_id)
        return False
    return digest is not None and hand_over(digest)


def subscriptions_to_serve(now=None):
    """Subscriptions with a digest due or one left pending by a failed attempt."""
    pending = Digest.objects.filter(state=DigestState.PENDING).values("subscription")
    return Subscription.objects.filter(Q(pk__in=Subscription.objects.due(now).values("pk")) | Q(pk__in=pending))


def send_again(digest):
    """An operator's decision that an unconfirmed digest never reached the mail server: it goes out again."""
    Digest.objects.filter(pk=digest.pk, state=DigestState.SENDING).update(state=DigestState.PENDING)
    return hand_over(digest)
