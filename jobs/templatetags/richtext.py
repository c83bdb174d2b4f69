"""Postings' rich text in templates: {{ posting.description|markdown }}, {{ item.text|markdown_inline }}."""

from django import template

from jobs import richtext

register = template.Library()


@register.filter
def markdown(text):
    """A summary or description as sanitised HTML."""
    return richtext.render_markdown(text)


@register.filter
def markdown_inline(text):
    """An item's text as sanitised HTML."""
    return richtext.render_inline(text)


@register.filter
def plain_text(text):
    """A summary or description without its markup."""
    return richtext.plain_text(text)
