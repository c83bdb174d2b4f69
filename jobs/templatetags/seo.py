"""Tags for what search engines and link previews read: absolute URLs and JobPosting data."""

from django import template
from django.urls import reverse

from jobs.filters import filter_query
from jobs.structured_data import job_posting_script

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    return context["request"].build_absolute_uri(path)


@register.simple_tag(takes_context=True)
def filtered_url(context, view_name, page=None):
    """The absolute URL of `view_name` with the current listing filters (see jobs.filters.filter_query)."""
    request = context["request"]
    return request.build_absolute_uri(reverse(view_name) + filter_query(request.GET, page))


@register.simple_tag
def job_posting_json_ld(posting, url):
    """The posting's schema.org JobPosting script while it is live; nothing otherwise."""
    return job_posting_script(posting, url)
