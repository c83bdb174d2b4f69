"""Where each language's version of the current page is: the language switcher and hreflang links."""

from django.conf import settings
from django.db.models import CharField, Value
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation

from jobs.filters import PostingFilter
from jobs.models import Posting, WorkCountry


def listing_url(language, query=None):
    with translation.override(language):
        url = reverse("jobs:posting_list")
    return f"{url}?{query.urlencode()}" if query else url


def available_values(chosen):
    """For the chosen countries, tags and companies: {parameter: {language: values with live postings}}, in one
    query."""
    live = Posting.objects.live()
    sources = {
        "country": (WorkCountry.objects.filter(posting__in=live), "posting__language", "country"),
        "tag": (Posting.tags.through.objects.filter(posting__in=live), "posting__language", "tag__slug"),
        "company": (live, "language", "company__slug"),
    }
    parts = [
        rows.filter(**{f"{value_field}__in": chosen[name]})
        .order_by()
        .values_list(Value(name, output_field=CharField()), language_field, value_field)
        .distinct()
        for name, (rows, language_field, value_field) in sources.items()
        if chosen.get(name)
    ]
    available = {name: {} for name in sources if chosen.get(name)}
    if parts:
        for name, language, value in parts[0].union(*parts[1:], all=True):
            available[name].setdefault(language, set()).add(value)
    return available


def listing_urls(query, chosen, state):
    """Every language's listing, with the visitor's filters that still make sense in it.

    `chosen` holds the visitor's valid countries, tags and companies: {parameter: [values]}; `state` (jobs.catalogue)
    caches which languages have them.
    """
    available = state.cached(lambda: available_values(chosen), "languages", chosen)
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
