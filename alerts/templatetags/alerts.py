from django import template
from django.urls import reverse

from alerts.searches import alert_query, with_query

register = template.Library()


@register.simple_tag(takes_context=True)
def alert_url(context):
    """The subscription page for the listing's current filters (the listing itself has no form, so stays cacheable)."""
    return with_query(reverse("alerts:subscribe"), alert_query(context["request"].GET))
