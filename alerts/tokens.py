"""The signed, expiring tokens in the links of alert e-mails."""

import uuid
from datetime import timedelta

from django.core import signing

from alerts.models import Frequency, Subscription

CONFIRM_MAX_AGE = timedelta(days=3)
# Every digest carries fresh links: a subscriber who still gets mail always has a working one.
MANAGE_MAX_AGE = timedelta(days=60)
CONFIRM_SALT = "alerts.confirm"
MANAGE_SALT = "alerts.manage"


class InvalidLink(Exception):
    def __init__(self, expired):
        self.expired = expired


def confirmation_token(subscription, frequency):
    """The confirmation link's token; it carries the frequency asked for, so that asking again cannot change it."""
    return signing.dumps({"key": str(subscription.key), "frequency": frequency}, salt=CONFIRM_SALT)


def manage_token(subscription):
    return signing.dumps(str(subscription.key), salt=MANAGE_SALT)


def read_confirmation(token):
    """(subscription or None when it is gone, frequency) of a confirmation token; InvalidLink if tampered or expired."""
    payload = unsign(token, CONFIRM_SALT, CONFIRM_MAX_AGE)
    if not isinstance(payload, dict) or payload.get("frequency") not in Frequency.values:
        raise InvalidLink(expired=False)
    return find(payload.get("key")), Frequency(payload["frequency"])


def read_manage(token):
    """The subscription of a manage or unsubscribe token (None when it is gone); InvalidLink if tampered or expired."""
    return find(unsign(token, MANAGE_SALT, MANAGE_MAX_AGE))


def unsign(token, salt, max_age):
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise InvalidLink(expired=True) from None
    except signing.BadSignature:
        raise InvalidLink(expired=False) from None


def find(key):
    try:
        key = uuid.UUID(key)
    except (AttributeError, TypeError, ValueError):  # a signed payload of another shape
        raise InvalidLink(expired=False) from None
    return Subscription.objects.filter(key=key).first()
