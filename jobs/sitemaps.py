"""Sitemaps for crawlers: each language's listing, every live posting and company page, with hreflang alternates."""

import math
from functools import cached_property

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Max
from django.utils import timezone
from django.utils.html import escape

from jobs import catalogue
from jobs.filters import facet_index
from jobs.languages import listing_url
from jobs.models import Company, Posting


def live_indexes():
    """[(language, facet index, which of its postings are live)] for each language, now."""
    now = timezone.now()
    state = catalogue.current(now)
    indexes = [(code, facet_index(code, now, state)) for code, _name in settings.LANGUAGES]
    return [(code, index, index.live(now)) for code, index in indexes]


class TranslatedSitemap(Sitemap):
    """A sitemap whose URLs name, as hreflang alternates, their versions in other languages."""

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page, site, protocol)
        origin = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        versions = self.versions([url["item"] for url in urls])
        for url in urls:
            url["alternates"] = [
                {"lang_code": code, "location": f"{origin}{path}"}
                for code, path in versions.get(url["item"], {}).items()
            ]
        return urls

    def versions(self, items):
        """{item: {hreflang: path}} for those of `items` that exist in other languages."""
        raise NotImplementedError


class ListingSitemap(TranslatedSitemap):
    """Each language's listing; the root URL, which redirects by the browser's language, is x-default."""

    changefreq = "hourly"

    def items(self):
        return [code for code, _name in settings.LANGUAGES]

    def location(self, language):
        return listing_url(language)

    @cached_property
    def newest(self):
        """{language: publish date of its newest live posting}, from the facet indexes."""
        newest = {language: index.newest(live) for language, index, live in live_indexes()}
        return {language: moment for language, moment in newest.items() if moment}

    def lastmod(self, language):
        """When the newest live posting of the language was published."""
        return self.newest.get(language)

    def get_latest_lastmod(self):
        return max(self.newest.values(), default=None)

    def versions(self, languages):
        every_language = {code: listing_url(code) for code in self.items()}
        return dict.fromkeys(languages, {**every_language, "x-default": "/"})


class KeyRangePaginator(Paginator):
    """Pages by ranges of primary keys: page n holds the objects whose key is in ((n - 1) × per_page, n × per_page].

    A page reads one range of the primary key index however deep it is, with no count and no OFFSET (which
    would read every row before it). A page holds at most per_page objects: fewer where some keys of its range
    are not in `object_list`, none where no key is.
    """

    def __init__(self, object_list, per_page, last_key):
        super().__init__(object_list, per_page)
        self.last_key = last_key

    @cached_property
    def num_pages(self):
        return max(1, math.ceil(self.last_key / self.per_page))

    def page(self, number):
        number = self.validate_number(number)
        after = (number - 1) * self.per_page
        return self._get_page(self.object_list.filter(pk__gt=after, pk__lte=after + self.per_page), number, self)


class PostingSitemap(TranslatedSitemap):
    """Every live posting, with its live translations (x-default: the one in the default language, if any)."""

    limit = 250  # keys per sitemap page, so that each page is built quickly (about 20 ms: a URL costs 80 µs)

    @cached_property
    def paginator(self):
        last_key = Posting.objects.aggregate(last=Max("pk"))["last"] or 0
        return KeyRangePaginator(self._items(), self.limit, last_key)

    def items(self):
        return (
            Posting.objects.live()
            .only("slug", "language", "translation_group", "updated_at")
            .order_by("pk")
            .fetch_mode(models.FETCH_RAISE)
        )

    def lastmod(self, posting):
        return posting.updated_at

    def get_latest_lastmod(self):
        """When a live posting last changed, read from the end of the index on updated_at."""
        return Posting.objects.live().aggregate(latest=Max("updated_at"))["latest"]

    def versions(self, postings):
        groups = {}
        translations = Posting.objects.live().filter(
            translation_group__in={posting.translation_group for posting in postings}
        )
        for posting in translations.only("slug", "language", "translation_group").order_by("language"):
            groups.setdefault(posting.translation_group, []).append(posting)
        urls = {
            group: {posting.language: posting.get_absolute_url() for posting in translated}
            for group, translated in groups.items()
            if len(translated) > 1
        }
        versions = {}
        for posting in postings:
            if group := urls.get(posting.translation_group):
                default = group.get(settings.LANGUAGE_CODE)
                versions[posting] = {**group, "x-default": default} if default else group
        return versions


class CompanySitemap(TranslatedSitemap):
    """Each company's page in every language it has live postings in, which are its page's other versions.

    The company's pages in all its languages are on one sitemap page (the default limit is far above the number
    of companies times languages).
    """

    @cached_property
    def found(self):
        """(company slug, language, when a live posting of it there last changed), by company and language, from
        the facet indexes: read once for the page's paginator and its lastmod alike."""
        found = []
        for language, index, live in live_indexes():
            found += [(slug, language, latest) for slug, latest in index.last_changed("company", live).items()]
        return sorted(found)

    def items(self):
        return self.found

    def location(self, item):
        slug, language, _latest = item
        return Company(slug=slug).get_absolute_url(language)

    def lastmod(self, item):
        return item[2]

    def versions(self, items):
        languages = {}
        for slug, language, _latest in items:
            languages.setdefault(slug, {})[language] = Company(slug=slug).get_absolute_url(language)
        versions = {}
        for item in items:
            group = languages[item[0]]
            if len(group) > 1:
                default = group.get(settings.LANGUAGE_CODE)
                versions[item] = {**group, "x-default": default} if default else group
        return versions


SITEMAPS = {"listings": ListingSitemap, "postings": PostingSitemap, "companies": CompanySitemap}


def index(request, **arguments):
    """Django's sitemap index view, its entries written here rather than by its template, alike: at 1,000,000
    postings it lists 4,000 pages, which the template took 0.1 s to write."""
    response = sitemap_views.index(request, **arguments)
    entries = "".join(
        f"<sitemap><loc>{escape(item.location)}</loc>{last_modified(item.last_mod)}</sitemap>\n"
        for item in response.context_data["sitemaps"]
    )
    response.content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</sitemapindex>\n'
    )
    return response


def last_modified(moment):
    """A <lastmod> element for `moment`, as the template's date filter writes it ("c": ISO 8601, local time)."""
    return f"<lastmod>{timezone.template_localtime(moment).isoformat()}</lastmod>" if moment else ""
