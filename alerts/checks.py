"""Deployment check: links in alert e-mails must lead to the site (Django's mail.E001 checks the mail server)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Warning, register


@register("alerts", deploy=True)
def site_url(app_configs, **kwargs):
    address = urlsplit(settings.SITE_URL)
    if address.scheme == "https" and address.hostname not in {"127.0.0.1", "localhost"}:
        return []
    return [
        Warning(
            f"Links in e-mails lead to {settings.SITE_URL}.",
            hint="Set DJANGO_SITE_URL to the site's public address, e.g. https://jobs.example.com.",
            id="alerts.W001",
        )
    ]
