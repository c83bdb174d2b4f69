"""Where each language's version of the current page is: the language switcher and hreflang links."""

from django.conf import settings
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation

from jobs.filters import PostingFilter, unfiltered_counts


def listing_url(language, query=None):
    with translation.override(language):
        url = reverse("jobs:posting_list")
    return f"{url}?{query.urlencode()}" if query else url


def available_values(chosen, now, state):
    """For the chosen countries, tags and companies: {parameter: {language: values with live postings}}, from each
    language's unfiltered facet counts."""
    available = {name: {} for name in ("country", "tag", "company") if chosen.get(name)}
    if not available:
        return available  # nothing to look up: the other languages' counts are not needed
    for code, _name in settings.LANGUAGES:
        options = unfiltered_counts(code, now, state).options
        for name, by_language in available.items():
            by_language[code] = set(chosen[name]) & set(options[name])
    return available


def listing_urls(query, chosen, state):
    """Every language's listing, with the visitor's filters that still make sense in it.

    `chosen` holds the visitor's valid countries, tags and companies: {parameter: [values]}; the catalogue `state`
    caches each language's facet counts, which say where they have postings.
    """
    available = available_values(chosen, timezone.now(), state)
    urls = {}
    for code, _name in settings.LANGUAGES:
        kept = QueryDict(mutable=True)
        for name in PostingFilter.language_neutral():
            kept.setlist(name, [value for value in query.getlist(name) if value])
        for name, by_language in available.items():
            kept.setlist(name, [value for value in chosen[name] if value in by_language.get(code, ())])
        urls[code] = listing_url(code, kept)
    return urls


def with_listing_fallback(urls):
    """`urls` for the languages it has, and for every other language that language's listing."""
    return {code: urls.get(code) or listing_url(code) for code, _name in settings.LANGUAGES}


def hreflang_links(request, urls, default=None):
    """<link rel="alternate" hreflang> for each language's page, and x-default for `default` if given."""
    links = urls | ({"x-default": default} if default else {})
    return [{"hreflang": code, "href": request.build_absolute_uri(url)} for code, url in links.items()]
