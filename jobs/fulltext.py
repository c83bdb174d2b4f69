"""A posting's full text as simple HTML: its summary, description and lists of items under headings in the posting's
language. The feed's entries and structured data's description show it; it is kept for each posting
(jobs.models.FullText, written by jobs.search.reindex), so that the feed reads fifty of them rather than making them
from a thousand items.
"""

import html
import re

from django.utils import translation
from django.utils.translation import gettext

from jobs.models import Requirement, Responsibility
from jobs.richtext import render_inline, render_markdown
from jobs.templatetags.postings import by_kind, by_priority

# Whitespace beside a block element's tag, which the Markdown renderer writes between blocks; not the space between
# two inline elements ("<strong>Python</strong> <em>and</em>"), which is a word's.
BLOCK_SPACE = re.compile(r"\s*(</?(?:p|h[1-6]|ul|ol|li)\b[^>]*>)\s*")


def description_html(posting):
    """Every section of the posting as simple HTML, with its headings in the posting's language.

    Written here rather than by a template: the feed writes fifty of them, and Django's template engine took two
    thirds of the time (the Markdown the rest)."""
    with translation.override(posting.language):
        parts = [render_markdown(posting.summary), render_markdown(posting.description) if posting.description else ""]
        parts += sections_html(posting)
    return BLOCK_SPACE.sub(r"\1", "".join(parts)).strip()


def sections_html(posting):
    """The HTML of the posting's lists of items, each under its heading, from its prefetched items."""
    if responsibilities := by_kind(posting.responsibilities.all()):
        yield heading(2, gettext("What you will do"))
        for kind, items in responsibilities:
            if kind == Responsibility.Kind.SECONDARY:
                yield heading(3, gettext("Secondary responsibilities"))
            yield item_list(items)
    if requirements := by_kind(posting.requirements.all()):
        yield heading(2, gettext("What we are looking for"))
        for kind, items in requirements:
            yield heading(3, kind.heading)
            for priority, prioritised in by_priority(items):
                if priority == Requirement.Priority.PREFERRED:
                    yield heading(4, priority.label)
                yield item_list(prioritised)
    if benefits := posting.benefits.all():
        yield heading(2, gettext("What we offer"))
        yield item_list(benefits)
    if career_steps := by_kind(posting.career_steps.all()):
        yield heading(2, gettext("Career path"))
        for kind, items in career_steps:
            yield heading(3, kind.heading)
            yield item_list(items)


def heading(level, text):
    return f"<h{level}>{html.escape(str(text))}</h{level}>"


def item_list(items):
    return "<ul>" + "".join(f"<li>{render_inline(item.text)}</li>" for item in items) + "</ul>"
