"""Job alerts: a listing's filters saved with an e-mail address, and the digests sent for them."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobs.models import Posting

# A digest handed to the mail server this long ago and never marked sent was cut off by a crash (alerts.digests).
UNCONFIRMED_AFTER = timedelta(hours=1)
# A cron run a few minutes earlier than the last one still finds the subscriptions it served then due.
DUE_TOLERANCE = timedelta(minutes=30)


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")

    @property
    def period(self):
        return timedelta(days=7 if self == Frequency.WEEKLY else 1)


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def unconfirmed(self):
        return self.filter(confirmed_at__isnull=True)

    def of_address(self, email):
        return self.filter(email=normalized_email(email))

    def due(self, now=None):
        """Confirmed, not paused, and last checked a period ago (less a little, so that a daily cron never drifts)."""
        now = now or timezone.now()
        checked_long_enough_ago = Q()
        for frequency in Frequency:
            checked_long_enough_ago |= Q(frequency=frequency, checked_at__lte=now - frequency.period + DUE_TOLERANCE)
        return self.confirmed().filter(checked_long_enough_ago, paused=False)


class Subscription(models.Model):
    """One e-mail address's alert for one listing's filters in one language; nothing is sent until confirmed."""

    # Signed into the links of the e-mails; random, so that a link never names another subscription.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("e-mail address"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    query = models.CharField(_("filters"), max_length=2000, blank=True, help_text=_("The listing's query string."))
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices, default=Frequency.DAILY)
    paused = models.BooleanField(_("paused"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    # When postings were last looked for; the first digest holds postings published after the confirmation.
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("job alert")
        verbose_name_plural = _("job alerts")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["email", "language", "query"], name="alert_once_per_search"),
        ]
        indexes = [models.Index(fields=["confirmed_at", "paused", "checked_at"], name="alert_due_idx")]

    def __str__(self):
        return f"{self.email} ({self.language})"

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None

    def confirm(self, frequency, now=None):
        """Turns the alert on, or back on with this frequency: postings published from its first confirmation on are sent."""
        now = now or timezone.now()
        self.frequency = frequency
        self.paused = False
        if not self.is_confirmed:
            self.confirmed_at = self.checked_at = now
        self.save(update_fields=["frequency", "paused", "confirmed_at", "checked_at"])


def normalized_email(email):
    """Addresses are compared without case or surrounding spaces: one person, one count and one set of alerts."""
    return email.strip().lower()


class DigestState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Handed to the mail server")
    SENT = "sent", _("Sent")


class DigestQuerySet(models.QuerySet):
    def unconfirmed(self, now=None):
        """Digests whose hand-over to the mail server was cut off: maybe delivered, maybe not."""
        now = now or timezone.now()
        return self.filter(state=DigestState.SENDING, handed_at__lte=now - UNCONFIRMED_AFTER)


class Digest(models.Model):
    """One e-mail of new postings, rendered and stored before it is sent, its body emptied once sent (alerts.digests)."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="digests")
    state = models.CharField(_("state"), max_length=8, choices=DigestState.choices, default=DigestState.PENDING)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    handed_at = models.DateTimeField(_("handed to the mail server"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    failures = models.PositiveIntegerField(_("failed attempts"), default=0)
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    subject = models.CharField(_("subject"), max_length=255)
    text = models.TextField(_("plain text"))
    html = models.TextField(_("HTML"))
    postings = models.ManyToManyField(Posting, through="Delivery", related_name="+")

    objects = DigestQuerySet.as_manager()

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state=DigestState.PENDING) | Q(handed_at__isnull=False), name="digest_handed_when_sending"
            ),
            models.CheckConstraint(
                condition=~Q(state=DigestState.SENT) | Q(sent_at__gte=F("handed_at")), name="digest_sent_after_handed"
            ),
        ]

    def __str__(self):
        return self.subject


class Delivery(models.Model):
    """A posting claimed for one subscriber's digest: the unique constraint is what makes a posting go out once."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="+")
    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="deliveries")
    posting = models.ForeignKey(Posting, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("delivered posting")
        verbose_name_plural = _("delivered postings")
        constraints = [models.UniqueConstraint(fields=["subscription", "posting"], name="posting_sent_once")]

    def __str__(self):
        return f"{self.posting_id} → {self.subscription_id}"
