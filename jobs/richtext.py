"""Postings' rich text: a small Markdown language, rendered safely, and lists as HR paste them.

Summary and description are Markdown (paragraphs, headings, bullet and numbered lists, bold, italic, links);
an item's text is inline Markdown (bold, italic, links). The database and the export keep the source as written;
pages, the feed and JSON-LD show it rendered by markdown-it-py and sanitised by nh3; search indexes its plain text.

Text pasted from a web page or Word marks list items its own way ("•", "–", "·", "1)", a tab before the text):
the renderer reads such lines as list items, and split_items() cuts a pasted list into one item per entry.
"""

import re

import nh3
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

from jobs.text import NEWLINES

markdown = MarkdownIt("zero", {"breaks": True}).enable(["heading", "list", "emphasis", "link", "escape", "newline"])

# The posting's page has its title in h1 and its sections in h2: the text's own headings come below them.
HEADING_LEVELS = ["h3", "h4"]
INLINE_TAGS = {"br", "strong", "em", "a"}
BLOCK_TAGS = {*INLINE_TAGS, "p", *HEADING_LEVELS, "ul", "ol", "li"}


def cleaner(tags):
    """An nh3 sanitiser that keeps `tags` and links to absolute http, https and mailto addresses only."""
    return nh3.Cleaner(
        tags=tags,
        attributes={"a": {"href"}, "ol": {"start"}},
        url_schemes={"http", "https", "mailto"},
        url_relative="deny",
        link_rel="nofollow noopener",
    )


block_cleaner = cleaner(BLOCK_TAGS)
inline_cleaner = cleaner(INLINE_TAGS)
# What makes an item's text more than its words in HTML: emphasis, links, backslash escapes, and the characters
# that HTML escapes. (isprintable() leaves out line breaks, no-break spaces and the other control characters.)
INLINE_SYNTAX = re.compile(r'[*_\[\]\\&<>"]')

BULLETS = "•◦▪▫●○■□‣⁃∙·►▸▶➢➤✓✔"
# A list item as pasted: a bullet ("•", "·", "✓"…; a dash, "*" or "+" only before a space, so that "-5 %" or
# "**bold**" stay text), a number ("1." or "1)" before a space), Word's second-level "o" before a tab, or a tab
# before the text.
LIST_ITEM = re.compile(
    rf"""
    (?P<indent>[ \t]*)
    (?P<marker>
        (?P<number>\d{{1,3}})[.)][ \t]+
      | [{BULLETS}][ \t]*
      | [-–—*+][ \t]+
      | o\t
    )?
    (?P<text>\S.*)
    """,
    re.VERBOSE,
)
# A marker alone on its line with its item on the next, as some PDF viewers copy a list.
LONE_MARKER = re.compile(rf"^([ \t]*(?:[{BULLETS}]|[-–—*+]|\d{{1,3}}[.)]))[ \t]*\r?\n(?=[ \t]*\S)", re.MULTILINE)


def lines_of(text):
    """The lines of `text`, a list marker alone on its line joined to the line after it."""
    return NEWLINES.split(LONE_MARKER.sub(r"\1 ", text))


def list_item(line):
    """The match of LIST_ITEM (its "text", and its "number" if numbered) if `line` is marked as a list item."""
    match = LIST_ITEM.fullmatch(line.rstrip())
    return match if match and (match["marker"] or "\t" in match["indent"]) else None


def split_items(text):
    """The items of a pasted list, in order: one per line, bullets and numbering removed.

    When some lines are marked as items, a line that is not continues the item above it (a wrapped line), unless a
    blank line comes between them. Blank lines are dropped.
    """
    lines = lines_of(text)
    marked = any(list_item(line) for line in lines)
    items, continues = [], False
    for line in lines:
        if not line.strip():
            continues = False
        elif item := list_item(line):
            items.append(item["text"])
            continues = True
        elif marked and continues:
            items[-1] += " " + line.strip()
        else:
            items.append(line.strip())
            continues = marked
    return items


def markdown_lists(text):
    """`text` with its pasted lists written as Markdown lists.

    In a run of lines without a blank line, the lines from the first item to the last make the list, an unmarked line
    among them continuing the item above (a wrapped line); the lines before and after it stay paragraphs (Word puts
    no blank line between a list and the paragraph that follows it).
    """
    blocks = [[]]
    for line in lines_of(text):
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return "\n\n".join("\n".join(with_markdown_list(block)) for block in blocks if block)


def with_markdown_list(lines):
    items = [list_item(line) for line in lines]
    marked = [index for index, item in enumerate(items) if item]
    if not marked:
        return lines
    first, last = marked[0], marked[-1]
    entries = []
    for line, item in zip(lines[first : last + 1], items[first : last + 1], strict=True):
        if item:
            entries.append(f"{item['number']}. {item['text']}" if item["number"] else f"- {item['text']}")
        else:
            entries[-1] += " " + line.strip()
    before, after = lines[:first], lines[last + 1 :]
    return [*before, *([""] if before else []), *entries, *([""] if after else []), *after]


def below_page_headings(tokens):
    """Give the text's headings the page's next levels: its top level becomes h3, any deeper one h4."""
    headings = [token for token in tokens if token.type in {"heading_open", "heading_close"}]
    top = min((int(token.tag[1]) for token in headings), default=1)
    for token in headings:
        token.tag = HEADING_LEVELS[min(int(token.tag[1]) - top, len(HEADING_LEVELS) - 1)]
    return tokens


def render_markdown(text):
    """The HTML of a summary or description: paragraphs, headings, lists, emphasis and links, and nothing else."""
    tokens = below_page_headings(markdown.parse(markdown_lists(text)))
    return mark_safe(block_cleaner.clean(markdown.renderer.render(tokens, markdown.options, {})))


def render_inline(text):
    """The HTML of an item's text: emphasis and links, and nothing else.

    Most items are words alone, which are their own HTML: printable, with no character that is markup, is escaped
    or starts an escape. They skip the renderer, which a feed's thousand items spent a tenth of its time in."""
    if text.isprintable() and not INLINE_SYNTAX.search(text):
        return mark_safe(text)
    return rendered_inline(text)


def rendered_inline(text):
    return mark_safe(inline_cleaner.clean(markdown.renderInline(text)))


def words(tokens):
    """The text of inline tokens, without markup or link targets."""
    return "".join(
        token.content if token.type == "text" else " " if token.type in {"softbreak", "hardbreak"} else ""
        for token in tokens
    )


def plain_text(text):
    """The words of a summary or description without its markup: for the search index and meta descriptions."""
    return " ".join(words(token.children) for token in markdown.parse(markdown_lists(text)) if token.type == "inline")


def plain_inline(text):
    """The words of an item's text without its markup."""
    return " ".join(words(token.children) for token in markdown.parseInline(text))
