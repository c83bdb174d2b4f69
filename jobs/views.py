from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from core.http import shareable
from jobs.filters import (
    PostingFilter,
    active_filters,
    came_from,
    facets,
    from_listing,
    listing_state,
    loosening,
)
from jobs.languages import hreflang_links, listing_url, listing_urls, with_listing_fallback
from jobs.models import Posting
from jobs.permissions import can_preview

PAGE_SIZE = 20
FEW_RESULTS = 5  # below this, the listing points to matching postings in other languages


@require_safe
@shareable
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def posting_list(request):
    """The listing of one language: filters and facet counts, full page or, for htmx, the results."""
    filterset = PostingFilter(request.GET, language=request.LANGUAGE_CODE)
    page = Paginator(filterset.qs.for_listing(), PAGE_SIZE).get_page(request.GET.get("page"))
    groups = facets(filterset)
    chosen = active_filters(request.GET, filterset)
    language_urls = listing_urls(request.GET, filterset.chosen_values(*PostingFilter.PER_LANGUAGE))
    context = {
        "filterset": filterset,
        "facets": groups,
        "page": page,
        "elided_pages": page.paginator.get_elided_page_range(page.number),
        "active_filters": chosen,
        "loosen": [] if page.paginator.count else loosening(request.GET, filterset, chosen),
        "language_urls": language_urls,
        "elsewhere": in_other_languages(filterset, language_urls) if page.paginator.count < FEW_RESULTS else [],
        "hreflang": [] if request.GET else hreflang_links(request, with_listing_fallback({}), default="/"),
        "from_listing": from_listing(listing_state(request.GET)),
    }
    template = "jobs/posting_list.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#filtered"
    return render(request, template, context)


def in_other_languages(filterset, language_urls):
    """The other languages with postings matching the same filters, with counts and links."""
    counts = filterset.counts_in_other_languages()
    return [
        {**translation.get_language_info(code), "count": counts[code], "url": language_urls[code]}
        for code, _name in settings.LANGUAGES
        if counts.get(code)
    ]


@require_safe
@shareable
def posting_detail(request, slug):
    posting = get_object_or_404(Posting.objects.with_sections(), slug=slug)
    lifecycle = posting.lifecycle
    preview = not lifecycle.is_public
    if preview and not can_preview(request.user, posting):
        raise Http404
    if posting.language != request.LANGUAGE_CODE:
        return HttpResponseRedirect(posting.get_absolute_url())
    translations = list(posting.translations())
    versions = {other.language: other.get_absolute_url() for other in [posting, *translations]}
    listing = came_from(request.GET)
    context = {
        "posting": posting,
        # Back to the listing the visitor came from, its filters rebuilt from known parameters only.
        "listing_url": listing_url(request.LANGUAGE_CODE, listing),
        "from_listing": from_listing(listing),
        "preview": preview,
        "lifecycle": lifecycle,
        "closed": lifecycle.is_closed,
        "translations": translations,
        "similar": posting.similar(),
        "language_urls": with_listing_fallback(versions),
        "hreflang": []
        if preview or lifecycle.is_closed
        else hreflang_links(request, versions, default=versions.get(settings.LANGUAGE_CODE)),
    }
    response = render(request, "jobs/posting_detail.html", context, status=410 if context["closed"] else 200)
    if preview:
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex"
    return response
