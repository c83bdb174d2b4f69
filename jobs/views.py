from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotFound, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from core.http import shareable
from core.ratelimits import limit_posts
from jobs import catalogue, statistics
from jobs.filters import (
    FROM_LISTING,
    LISTING_PARAMETERS,
    PostingFilter,
    active_filters,
    came_from,
    facets,
    from_listing,
    grouped_counts,
    listing_state,
    loosening,
)
from jobs.languages import hreflang_links, listing_url, listing_urls, with_listing_fallback
from jobs.models import Company, Posting
from jobs.permissions import can_preview

PAGE_SIZE = 20
FEW_RESULTS = 5  # below this, the listing points to matching postings in other languages
# The request headers by which htmx asks for a fragment of the listing or a company's page rather than the whole.
HTMX_HEADERS = ("HX-Request", "HX-History-Restore-Request")


def filtered_context(request, filterset):
    """What the listing's filters, facet counts and results show for a page of `filterset`'s postings."""
    counts = filterset.facet_counts()
    page = listing_page(filterset, counts.total, request.GET.get("page"))
    chosen = active_filters(request.GET, filterset)
    return {
        "filterset": filterset,
        "facets": facets(filterset, counts),
        "page": page,
        "elided_pages": page.paginator.get_elided_page_range(page.number),
        "active_filters": chosen,
        "loosen": [] if counts.total else loosening(request.GET, filterset, chosen, counts),
        "from_listing": from_listing(listing_state(request.GET)),
        "cards": posting_cards(request.catalogue, page.object_list),
    }


def posting_cards(state, postings):
    """[(posting, its card below the title, as HTML)]: the same on every page that lists the posting, so rendered
    once per catalogue version, language and day (it says "Posted yesterday"). The title, which links back to the
    visitor's listing, is not part of it."""
    details = state.cached_each(card_details, postings, "card", translation.get_language(), timezone.localdate())
    return list(zip(postings, details, strict=True))


def card_details(postings):
    """The cards of `postings` below their titles, as HTML, their tags, offices and working languages read for them
    alone."""
    Posting.load_details(postings)
    template = get_template("jobs/_posting_card.html#details")
    return [template.render({"posting": posting}) for posting in postings]


def render_filtered(request, template, context):
    """The whole page, or for htmx the listing's results and facets alone (a company's page shows the same)."""
    if request.htmx and not request.htmx.history_restore_request and "filterset" in context:
        template = "jobs/posting_list.html#filtered"
    return render(request, template, context)


@require_safe
@shareable
@vary_on_headers(*HTMX_HEADERS)
@catalogue.cached_response(*HTMX_HEADERS, parameters=LISTING_PARAMETERS)
def posting_list(request):
    """The listing of one language: filters and facet counts, full page or, for htmx, the results."""
    state = request.catalogue
    filterset = PostingFilter(request.GET, language=request.LANGUAGE_CODE, state=state)
    context = filtered_context(request, filterset)
    language_urls = listing_urls(request.GET, filterset.chosen_values(*PostingFilter.PER_LANGUAGE), state)
    few = context["page"].paginator.count < FEW_RESULTS
    context |= {
        "listing_action": reverse("jobs:posting_list"),
        "language_urls": language_urls,
        "elsewhere": in_other_languages(filterset, language_urls) if few else [],
        "hreflang": [] if request.GET else hreflang_links(request, with_listing_fallback({}), default="/"),
    }
    return render_filtered(request, "jobs/posting_list.html", context)


@require_safe
@vary_on_headers(*HTMX_HEADERS)
@catalogue.cached_response(*HTMX_HEADERS, parameters=LISTING_PARAMETERS)
def company_detail(request, slug):
    """A company's page in one language: who it is, and its live postings in that language with the listing's filters.

    A company with live postings only in other languages answers with links to its page in those languages;
    one with no live posting in any language is not found.
    """
    company = get_object_or_404(Company.objects.prefetch_related("descriptions"), slug=slug)
    live = Posting.objects.live().filter(company=company)
    counts = grouped_counts(live, "language")
    if not counts:
        raise Http404
    language = request.LANGUAGE_CODE
    versions = {code: company.get_absolute_url(code) for code, _name in settings.LANGUAGES if code in counts}
    context = {
        "company": company,
        "description": company.description_in(language),
        "listing_action": company.get_absolute_url(language),
        "canonical": request.build_absolute_uri(company.get_absolute_url(language)),
        "language_urls": with_listing_fallback(versions),
        "hreflang": [] if request.GET else hreflang_links(request, versions),
        # For a language without its live postings: the languages that have some (the switcher leads there too).
        "other_languages": [
            {**translation.get_language_info(code), "count": counts[code], "url": url}
            for code, url in versions.items()
            if code != language
        ],
    }
    if language in counts:
        filterset = PostingFilter(request.GET, live.in_language(language), language=language, state=request.catalogue)
        context |= filtered_context(request, filterset)
    return render_filtered(request, "jobs/company_detail.html", context)


class CountedPaginator(Paginator):
    """A paginator of a filterset's postings told its count (by the facet counts), whose pages read their postings'
    keys first: from the facet index, however deep the page, the newest matches of a search ranked by the database
    (PostingFilter.keys). Then only the page's postings are read, by key.
    `cached(compute, number)` gives page `number`'s postings, computed or cached.
    """

    def __init__(self, filterset, per_page, count, cached):
        super().__init__([], per_page)  # never read as a whole: its pages are read by key (read())
        self.filterset = filterset
        self.count = count
        self.cached = cached

    def page(self, number):
        number = self.validate_number(number)
        return self._get_page(self.cached(lambda: self.read(number), number), number, self)

    def read(self, number):
        """The page's postings, put in the keys' order here (an ORDER BY CASE of twenty keys took Django 4 ms to
        write)."""
        start = (number - 1) * self.per_page
        keys = self.filterset.keys(start, start + self.per_page)
        found = {posting.pk: posting for posting in Posting.objects.filter(pk__in=keys).for_listing().order_by()}
        return [found[key] for key in keys if key in found]


def listing_page(filterset, count, number):
    """The page `number` of the filterset's postings (the nearest one if there is no such page), cached."""
    chosen = filterset.chosen_values(*filterset.filters)

    def cached(compute, number):
        return filterset.cached(compute, "page", filterset.language, chosen, number)

    return CountedPaginator(filterset, PAGE_SIZE, count, cached).get_page(number)


def in_other_languages(filterset, language_urls):
    """The other languages with postings matching the same filters, with counts ("at least" where not all were
    counted) and links."""
    tallies = filterset.counts_in_other_languages()
    return [
        {**translation.get_language_info(code), "count": tally.number, "at_least": tally.at_least, "url": url}
        for code, url in language_urls.items()
        if (tally := tallies.get(code)) and tally.number
    ]


@require_safe
@shareable
@catalogue.cached_response(statuses=(200, 410), parameters={FROM_LISTING})
def posting_detail(request, slug):
    """A posting's page, or its HR preview (never cached: no-store) before it is public; 410 once it is closed."""
    posting = get_object_or_404(Posting.objects.with_company_description(), slug=slug)
    lifecycle = posting.lifecycle
    preview = not lifecycle.is_public
    if preview and not can_preview(request.user, posting):
        raise Http404
    if posting.language != request.LANGUAGE_CODE:
        return HttpResponseRedirect(posting.get_absolute_url())
    Posting.load_sections([posting])
    posting.company.keep_description(posting.language, posting.company_description)
    translations, similar = list(posting.translations()), list(posting.similar())
    Posting.load_details([posting, *translations, *similar])
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
        "similar": posting_cards(request.catalogue, similar),
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


@csrf_exempt  # a count is all it can change, and jobs.statistics leaves out what another site sends
@never_cache
@require_POST
@limit_posts("statistics")
def posting_beacon(request, slug, event):
    """A live posting's page reports a view or an apply click (static/js/statistics.js); 204 whether it counted or not."""
    posting_id = Posting.objects.live().filter(slug=slug).values_list("pk", flat=True).first()
    if posting_id is None:
        return HttpResponseNotFound()
    statistics.count(request, posting_id, event)
    return HttpResponse(status=204)
