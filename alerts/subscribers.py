"""A subscriber's data by e-mail address, for access and erasure requests (GDPR articles 15 and 17)."""

from alerts.models import Delivery, Subscription, normalized_email


def export(email):
    """Everything kept about an address: its alerts, and every digest sent to it with the postings it held."""
    subscriptions = Subscription.objects.of_address(email).prefetch_related("digests")
    titles = {}
    for delivery in Delivery.objects.filter(subscription__in=subscriptions).select_related("posting"):
        titles.setdefault(delivery.digest_id, []).append(delivery.posting.title)
    return {
        "email": normalized_email(email),
        "alerts": [
            {
                "language": subscription.language,
                "filters": subscription.query,
                "frequency": subscription.frequency,
                "paused": subscription.paused,
                "created_at": subscription.created_at.isoformat(),
                "confirmed_at": subscription.confirmed_at and subscription.confirmed_at.isoformat(),
                "digests": [
                    {
                        "state": digest.state,
                        "sent_at": digest.sent_at and digest.sent_at.isoformat(),
                        "subject": digest.subject,
                        "message_id": digest.message_id,
                        "postings": titles.get(digest.pk, []),
                    }
                    for digest in subscription.digests.all()
                ],
            }
            for subscription in subscriptions
        ],
    }


def erase(email):
    """Deletes every alert of an address with its digests; returns how many alerts there were."""
    subscriptions = Subscription.objects.of_address(email)
    count = subscriptions.count()
    subscriptions.delete()
    return count
