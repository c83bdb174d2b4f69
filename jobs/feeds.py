"""Atom feed of a language's listing, honouring the listing's filters."""

from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.core.exceptions import BadRequest
from django.db import models
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from jobs.filters import PostingFilter, active_filters, filter_query
from jobs.fulltext import description_html
from jobs.models import FullText, Posting
from jobs.richtext import render_markdown
from jobs.text import clean_text

FEED_SIZE = 50


@dataclass
class FilteredListing:
    request: HttpRequest
    filterset: PostingFilter


def clean(value):
    """A text, or each text of a list, made clean; anything else as it is."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list | tuple):
        return [clean(entry) for entry in value]
    return value


@dataclass
class EntryTexts:
    summary: str
    content: str


def entry_texts(postings):
    """The EntryTexts of each posting: its summary as HTML, and its full text as kept (FullText), read in one query.
    A posting indexed before full texts were kept (migration 0014) has it made from its sections."""
    full_texts = dict(FullText.objects.filter(pk__in=[posting.pk for posting in postings]).values_list("pk", "html"))
    if missing := [posting for posting in postings if posting.pk not in full_texts]:
        Posting.load_sections(missing)
        full_texts |= {posting.pk: description_html(posting) for posting in missing}
    return [EntryTexts(render_markdown(posting.summary), full_texts[posting.pk]) for posting in postings]


class AtomWithContent(Atom1Feed):
    """Atom with each entry's full text in <content> besides its <summary>.

    Every text of the feed and its entries is made clean (jobs.text) here too, whatever the database holds: one
    character that XML cannot carry, saved before input was cleaned or written another way, would break the whole feed.
    """

    def __init__(self, **arguments):
        super().__init__(**{name: clean(value) for name, value in arguments.items()})

    def add_item(self, **arguments):
        super().add_item(**{name: clean(value) for name, value in arguments.items()})

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content"], {"type": "html"})


class PostingFeed(Feed):
    """The newest live postings of the current language that match the listing filters of the query string."""

    feed_type = AtomWithContent

    def get_object(self, request):
        """The listing of the query's filters; a malformed value is refused, as a subscription to it would be wrong."""
        filterset = PostingFilter(request.GET, language=request.LANGUAGE_CODE, state=request.catalogue)
        if filterset.errors:
            raise BadRequest(filterset.errors.as_text())
        return FilteredListing(request, filterset)

    def title(self, listing):
        chosen = active_filters(listing.request.GET, listing.filterset)
        title = _("Jobs")
        if chosen:
            title += ": " + ", ".join(str(choice["value"]) for choice in chosen)
        return f"{title} · {_('Job board')}"

    def link(self, listing):
        return reverse("jobs:posting_list") + filter_query(listing.request.GET)

    def feed_url(self, listing):
        return reverse("jobs:feed") + filter_query(listing.request.GET)

    def items(self, listing):
        """The postings, each with its summary and full text as HTML (`texts`)."""
        postings = list(
            listing.filterset.qs.newest_first()
            .select_related("company")
            .prefetch_related("tags")
            .fetch_mode(models.FETCH_RAISE)[:FEED_SIZE]
        )
        for posting, posting_texts in zip(postings, entry_texts(postings), strict=True):
            posting.texts = posting_texts
        return postings

    def item_title(self, posting):
        return posting.title

    def item_description(self, posting):
        return posting.texts.summary

    def item_extra_kwargs(self, posting):
        return {"content": posting.texts.content}

    def item_author_name(self, posting):
        return posting.company.name

    def item_author_link(self, posting):
        return posting.company.website or None

    def item_pubdate(self, posting):
        return posting.published_at

    def item_updateddate(self, posting):
        return max(posting.published_at, posting.updated_at)

    def item_categories(self, posting):
        return [tag.label(posting.language) for tag in posting.tags.all()]
