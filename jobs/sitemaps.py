"""Sitemaps for crawlers: each language's listing and every live posting, with hreflang alternates."""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db import models
from django.db.models import Max

from jobs.languages import listing_url
from jobs.models import Posting


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

    def newest(self):
        if not hasattr(self, "_newest"):
            rows = Posting.objects.live().order_by().values("language").annotate(newest=Max("published_at"))
            self._newest = {row["language"]: row["newest"] for row in rows}
        return self._newest

    def lastmod(self, language):
        """When the newest live posting of the language was published."""
        return self.newest().get(language)

    def get_latest_lastmod(self):
        return max(self.newest().values(), default=None)

    def versions(self, languages):
        every_language = {code: listing_url(code) for code in self.items()}
        return dict.fromkeys(languages, {**every_language, "x-default": "/"})


class PostingSitemap(TranslatedSitemap):
    """Every live posting, with its live translations (x-default: the one in the default language, if any)."""

    limit = 5000  # postings per sitemap page, so that each page is built quickly

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
        return Posting.objects.live().aggregate(latest=Max("updated_at"))["latest"]

    def versions(self, postings):
        groups = {}
        translations = Posting.objects.live().filter(
            translation_group__in={posting.translation_group for posting in postings}
        )
        for posting in translations.only("slug", "language", "translation_group").order_by("language"):
            groups.setdefault(posting.translation_group, {})[posting.language] = posting.get_absolute_url()
        versions = {}
        for posting in postings:
            group = groups.get(posting.translation_group, {})
            if len(group) > 1:
                default = group.get(settings.LANGUAGE_CODE)
                versions[posting] = {**group, "x-default": default} if default else group
        return versions


SITEMAPS = {"listings": ListingSitemap, "postings": PostingSitemap}
