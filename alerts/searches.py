"""What an alert searches for: the listing's own filters, kept as the listing's query string."""

from urllib.parse import urlsplit

from django import forms
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation

from jobs import catalogue
from jobs.filters import PostingFilter, active_filters, listing_state
from jobs.languages import listing_urls

# The page and the order do not change which postings match, and every posting an alert sends is new.
NOT_FOR_ALERTS = ("page", "sort", "posted")


def alert_query(query):
    """The listing parameters of `query` that choose postings, in a fixed order so one search is stored once.

    A parameter of several values keeps them all, sorted; one of a single value keeps the value the listing reads,
    the last.
    """
    state = listing_state(query)
    canonical = QueryDict(mutable=True)
    for name in sorted(set(state) - set(NOT_FOR_ALERTS)):
        values = state.getlist(name)
        several = issubclass(PostingFilter.base_filters[name].field_class, forms.MultipleChoiceField)
        canonical.setlist(name, sorted(set(values)) if several else values[-1:])
    return canonical.urlencode()


def with_query(path, query):
    """`path` with the stored query string, if any."""
    return f"{path}?{query}" if query else path


def alert_urls(query, filterset):
    """Every language's subscription page, with the filters that still make sense in it (as the listing's switcher)."""
    chosen = filterset.chosen_values(*PostingFilter.PER_LANGUAGE)
    urls = {}
    for code, listing in listing_urls(QueryDict(query), chosen, catalogue.current()).items():
        with translation.override(code):
            urls[code] = with_query(reverse("alerts:subscribe"), urlsplit(listing).query)
    return urls


def alert_filterset(query, language):
    """The listing's filterset for a stored query: an alert matches exactly what the listing shows for it."""
    return PostingFilter(QueryDict(query), language=language)


def described(query, filterset):
    """What the alert matches, in words: [(parameter label, [chosen values])], values OR-ed, parameters AND-ed."""
    groups = {}
    for choice in active_filters(QueryDict(query), filterset):
        groups.setdefault(choice["label"], []).append(choice["value"])
    return list(groups.items())


def ignored(filterset):
    """The parameters given malformed values, which the alert ignores as the listing does: [(label, errors)]."""
    form = filterset.form
    return [(form.fields[name].label, errors) for name, errors in form.errors.items() if name in form.fields]
