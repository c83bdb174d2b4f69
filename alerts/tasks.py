from django.tasks import task

from alerts.digests import deliver


@task
def send_digest(subscription_id):
    """Background work: one subscriber's digest (see alerts.digests for why it never goes out twice)."""
    return deliver(subscription_id)
