from django.core.management.base import BaseCommand
from django.utils import timezone

from alerts.digests import subscriptions_to_serve
from alerts.models import Digest, Subscription
from alerts.tasks import send_digest
from alerts.tokens import CONFIRM_MAX_AGE


class Command(BaseCommand):
    help = (
        "For cron: queues the digests that are due for `db_worker` to send, and deletes alerts never confirmed "
        "before their link expired. Running it twice, or while the worker sends, sends nothing twice."
    )

    def handle(self, *args, **options):
        queued = 0
        for subscription_id in subscriptions_to_serve().values_list("pk", flat=True).iterator():
            send_digest.enqueue(subscription_id)
            queued += 1
        expired = Subscription.objects.unconfirmed().filter(created_at__lt=timezone.now() - CONFIRM_MAX_AGE).delete()
        self.stdout.write(f"{queued} digests queued, {expired[0]} unconfirmed alerts deleted.")
        if cut_off := Digest.objects.unconfirmed().count():
            self.stderr.write(
                f"{cut_off} digests were cut off while handed to the mail server and are not sent again on their "
                "own: see Digests in the admin."
            )
