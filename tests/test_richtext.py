"""Postings' rich text: the Markdown subset, its sanitising, pasted lists, and where the rendered text goes."""

import io
import json
from html.parser import HTMLParser

import feedparser
import pytest
from django.core.management import call_command
from hypothesis import example, given, settings
from hypothesis import strategies as st

from jobs.models import Posting, Requirement, Responsibility, SearchEntry
from jobs.richtext import plain_inline, plain_text, render_inline, render_markdown, rendered_inline, split_items
from jobs.search import reindex
from tests.factories import PostingFactory, add_items
from tests.page_head import json_ld, meta


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_comment(self, data):
        self.elements.append(("!--", {}))


def elements(html):
    """The (tag, attributes) of every element of `html`, as a browser reads them."""
    parser = Elements()
    parser.feed(html)
    return parser.elements


PROSE_AD = """We build the payment platform of **four** European banks.

# What you'll do
You design services with _Python_ and [Django](https://www.djangoproject.com/).

## Leadership mindset
- You mentor engineers
- You write things down
"""


def test_the_markdown_subset_renders_paragraphs_headings_lists_emphasis_and_links():
    html = render_markdown(PROSE_AD)

    assert html == (
        "<p>We build the payment platform of <strong>four</strong> European banks.</p>\n"
        "<h3>What you'll do</h3>\n"
        '<p>You design services with <em>Python</em> and <a href="https://www.djangoproject.com/" '
        'rel="nofollow noopener">Django</a>.</p>\n'
        "<h4>Leadership mindset</h4>\n"
        "<ul>\n<li>You mentor engineers</li>\n<li>You write things down</li>\n</ul>\n"
    )


@pytest.mark.parametrize(
    ("source", "tag"),
    [("# Top", "h3"), ("## Second", "h3"), ("###### Deep", "h3"), ("## Top\n\n### Below\n\n#### Further", "h4")],
)
def test_the_texts_headings_come_below_the_pages_own(source, tag):
    """The page has the title in h1 and its sections in h2: the text's top level is h3, anything deeper h4."""
    html = render_markdown(source)

    assert f"<{tag}>" in html
    assert not {"<h1>", "<h2>", "<h5>", "<h6>"} & {part[: len("<h1>")] for part in html.split("\n")}


def test_line_breaks_and_numbered_lists_are_kept():
    assert render_markdown("Line one\nline two") == "<p>Line one<br>\nline two</p>\n"
    assert render_markdown("3. third\n4. fourth") == '<ol start="3">\n<li>third</li>\n<li>fourth</li>\n</ol>\n'


@pytest.mark.parametrize(
    "source",
    [
        "No tables:\n\n| a | b |\n|---|---|\n| 1 | 2 |",
        "![an image](https://example.com/a.png)",
        "    indented code\n\n```\nfenced code\n```",
        "> a quote\n\n---\n\n`code`",
    ],
)
def test_what_the_subset_leaves_out_stays_text(source):
    html = render_markdown(source)

    for tag in ["<table", "<img", "<code", "<pre", "<blockquote", "<hr"]:
        assert tag not in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "<b onmouseover=alert(1)>raw HTML</b>",
        '<a href="javascript:alert(1)">link</a>',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[click](vbscript:msgbox(1))",
        '[click](https://example.com "title" onclick="alert(1)")',
        "<svg><script>alert(1)</script></svg>",
        "<!-- comment --><style>body{}</style>",
        "[click](<javascript:alert(1)>)",
    ],
)
def test_no_markup_can_inject_script_or_raw_html(source):
    for html in [render_markdown(source), render_inline(source)]:
        for tag, attributes in elements(html):
            assert tag in {"p", "a", "br"}, html
            assert set(attributes) <= {"href", "rel"}, html
            assert attributes.get("href", "https:").startswith("https:"), html


def test_raw_html_shows_as_the_text_it_is():
    assert render_markdown("Use <b>tags</b> & <script>") == "<p>Use &lt;b&gt;tags&lt;/b&gt; &amp; &lt;script&gt;</p>\n"


@pytest.mark.parametrize(
    ("source", "href"),
    [
        ("[site](https://example.com/jobs)", ' href="https://example.com/jobs"'),
        ("[site](http://example.com)", ' href="http://example.com"'),
        ("[mail](mailto:jobs@example.com)", ' href="mailto:jobs@example.com"'),
        ("[relative](/admin/)", ""),
        ("[other scheme](ftp://example.com)", ""),
    ],
)
def test_links_go_to_http_https_or_mailto_only_and_are_nofollow(source, href):
    assert render_inline(source).startswith(f'<a{href} rel="nofollow noopener">')


def test_item_text_takes_inline_markup_only():
    html = render_inline("**Architectural Design and Strategy:** Lead the _design_ of [APIs](https://x.example)")

    assert html == (
        "<strong>Architectural Design and Strategy:</strong> Lead the <em>design</em> of "
        '<a href="https://x.example" rel="nofollow noopener">APIs</a>'
    )
    assert render_inline("# Not a heading\n- not a list") == "# Not a heading<br>\n- not a list"


# Words, and each character that markup, HTML or the renderer treats apart, among them; any other but a lone
# surrogate, which no text stored or sent can hold.
ITEM_CHARACTERS = st.sampled_from("aé Z9-+.,:;!?'()#`~=|{}$%@/^*_[]\\&<>\"\n\r\t\x00\x0c\u00a0\u2028\ufeff\u200b")


@settings(max_examples=500)
@given(st.text(st.one_of(ITEM_CHARACTERS, st.characters(exclude_categories=["Cs"])), max_size=30))
@example("Python & Django")
@example("Fluent in *German*")
@example("  two  spaces  ")
@example("non\u00a0breaking")
def test_an_item_of_plain_words_is_rendered_as_the_renderer_would(text):
    """render_inline() skips the renderer for text that is its own HTML: never where the renderer would differ."""
    assert render_inline(text) == rendered_inline(text)


PASTED_FROM_WORD = (
    "We are hiring.\r\n"
    "You will:\r\n"
    "•\tDesign the API\r\n"
    "·\tRun it in production\r\n"
    "–\tMentor two engineers\r\n"
    "We offer a good salary – and more.\r\n"
)


def test_a_list_pasted_from_word_or_a_web_page_comes_out_as_a_list():
    assert render_markdown(PASTED_FROM_WORD) == (
        "<p>We are hiring.<br>\nYou will:</p>\n"
        "<ul>\n<li>Design the API</li>\n<li>Run it in production</li>\n<li>Mentor two engineers</li>\n</ul>\n"
        "<p>We offer a good salary – and more.</p>\n"
    )


@pytest.mark.parametrize(
    "source",
    [
        "• One\n• Two",
        "•One\n•Two",
        "· One\n· Two",
        "– One\n– Two",
        "* One\n* Two",
        "- One\n- Two",
        "\tOne\n\tTwo",
        "o\tOne\no\tTwo",
        "✓ One\n✓ Two",
        "•\nOne\n•\nTwo",
    ],
)
def test_pasted_bullets_make_a_bullet_list(source):
    assert render_markdown(source) == "<ul>\n<li>One</li>\n<li>Two</li>\n</ul>\n"


@pytest.mark.parametrize("source", ["1. One\n2. Two", "1) One\n2) Two", "1.\tOne\n2.\tTwo", "\t1. One\n\t2. Two"])
def test_pasted_numbered_lines_make_a_numbered_list(source):
    assert render_markdown(source) == "<ol>\n<li>One</li>\n<li>Two</li>\n</ol>\n"


def test_a_wrapped_line_inside_a_pasted_list_continues_its_item():
    assert render_markdown("• A long item that\nwraps here\n• Next") == (
        "<ul>\n<li>A long item that wraps here</li>\n<li>Next</li>\n</ul>\n"
    )


@pytest.mark.parametrize(
    "prose",
    [
        "We build – and run – our services.",
        "Teams of 5 - 8 people\n-5 % churn, 1.5 years to lead\n**Bold** start, *italic* start",
        "Founded in\n2019. We grew since.",
        "Remote · Germany · Spain",
    ],
)
def test_prose_with_dashes_or_numbers_stays_prose(prose):
    html = render_markdown(prose)

    assert "<li>" not in html
    assert html.startswith("<p>")


def test_plain_text_drops_the_markup_and_link_targets():
    assert plain_text(PROSE_AD) == (
        "We build the payment platform of four European banks. What you'll do "
        "You design services with Python and Django. Leadership mindset You mentor engineers You write things down"
    )
    assert plain_text("• One\n• Two") == "One Two"
    assert plain_inline("**Lead:** the [design](https://x.example)") == "Lead: the design"


@pytest.mark.parametrize(
    ("pasted", "items"),
    [
        ("• One\n• Two\n• Three", ["One", "Two", "Three"]),
        ("– One\n– Two", ["One", "Two"]),
        ("· One\n·\tTwo", ["One", "Two"]),
        ("1. One\n2. Two\n10. Ten", ["One", "Two", "Ten"]),
        ("1) One\n2) Two", ["One", "Two"]),
        ("\tOne\n\tTwo", ["One", "Two"]),
        ("•\nOne\n•\r\nTwo that\nwraps", ["One", "Two that wraps"]),
        ("1.\nOne\n2.\nTwo", ["One", "Two"]),
        ("•\tOne\r\n•\tTwo\r\n", ["One", "Two"]),
        ("One\n\n\nTwo\n   \nThree", ["One", "Two", "Three"]),
        ("One\nTwo", ["One", "Two"]),
        ("• A long item that\nwraps over\ntwo lines\n• Next", ["A long item that wraps over two lines", "Next"]),
        ("Intro line\n• One\n• Two", ["Intro line", "One", "Two"]),
        ("• One\n\nA separate line\nthat wraps\n• Two", ["One", "A separate line that wraps", "Two"]),
        ("- **Lead:** design\n- 5 years of Python", ["**Lead:** design", "5 years of Python"]),
        ("**Bold** start\n-5 % churn", ["**Bold** start", "-5 % churn"]),
        ("", []),
    ],
)
def test_a_pasted_list_splits_into_one_item_per_entry(pasted, items):
    assert split_items(pasted) == items


@pytest.mark.django_db
def test_the_posting_page_shows_the_rendered_text_under_its_own_headings(client):
    posting = PostingFactory(summary="Run **payments**.", description=PROSE_AD, items=False)
    add_items(posting, Responsibility, ("primary", "**Architecture:** lead the design"))

    response = client.get(posting.get_absolute_url())

    assert response.status_code == 200
    html = response.text
    assert "Run <strong>payments</strong>." in html
    assert "<h3>What you&#x27;ll do</h3>" in html or "<h3>What you'll do</h3>" in html
    assert "<li>You mentor engineers</li>" in html
    assert "<li><strong>Architecture:</strong> lead the design</li>" in html
    assert "**" not in html
    assert meta(response, "description") == "Run payments."


@pytest.mark.django_db
def test_json_ld_has_the_rendered_description_and_plain_item_texts(client):
    posting = PostingFactory(summary="Run **payments**.", description="# Team\n\n• One\n• Two", items=False)
    add_items(posting, Requirement, (Requirement.Kind.TECHNICAL_SKILL, "**Python** and [Django](https://d.example)"))

    [data] = json_ld(client.get(posting.get_absolute_url()))

    assert data["description"].startswith(
        "<p>Run <strong>payments</strong>.</p><h3>Team</h3><ul><li>One</li><li>Two</li></ul>"
    )
    assert data["skills"] == ["Python and Django"]


@pytest.mark.django_db
def test_the_full_text_keeps_the_space_between_two_marked_up_words(client):
    posting = PostingFactory(summary="We **build** _fast_ tools.", items=False)
    add_items(posting, Requirement, (Requirement.Kind.TECHNICAL_SKILL, "**Python** _and_ Django"))

    [data] = json_ld(client.get(posting.get_absolute_url()))
    [entry] = feedparser.parse(client.get("/en/feed/").content).entries

    for text in [data["description"], entry.content[0].value]:
        assert "<p>We <strong>build</strong> <em>fast</em> tools.</p><p>" in text
        assert "<li><strong>Python</strong> <em>and</em> Django</li>" in text


@pytest.mark.django_db
def test_the_feed_carries_the_rendered_summary_and_text(client):
    PostingFactory(summary="Run **payments**.", description="• One\n• Two", items=False)

    [entry] = feedparser.parse(client.get("/en/feed/").content).entries

    assert entry.summary == "<p>Run <strong>payments</strong>.</p>"
    assert "<ul><li>One</li><li>Two</li></ul>" in entry.content[0].value


@pytest.mark.django_db
def test_search_indexes_the_words_without_the_markup(client):
    posting = PostingFactory(
        title="Engineer",
        summary="Write **Python** every day.",
        description="# Stack\n\nSee [our blog](https://zorblatt.example/engineering).",
        items=False,
    )
    add_items(posting, Requirement, (Requirement.Kind.TECHNICAL_SKILL, "_Kubernetes_ in production"))
    reindex([posting.pk])
    document = SearchEntry.objects.get(posting=posting).document

    for markup in ["**", "#", "_kubernetes_", "](", "zorblatt"]:
        assert markup not in document
    for word in ["python", "stack", "blog", "kubernetes"]:
        assert list(Posting.objects.search(word, "en")) == [posting], word
    assert not Posting.objects.search("zorblatt", "en").exists()


@pytest.mark.django_db
def test_the_export_carries_rendered_html_for_others_and_the_source_for_a_lossless_reimport(tmp_path):
    posting = PostingFactory(summary="Run **payments**.", description=PASTED_FROM_WORD, items=False)
    add_items(posting, Requirement, (Requirement.Kind.TECHNICAL_SKILL, "**Python:** 5 years"))
    path = tmp_path / "postings.json"
    call_command("export_postings", "--output", str(path), stderr=io.StringIO())
    [record] = json.loads(path.read_text())

    assert "<li>Design the API</li>" in record["description"]
    assert record["x-jobboard"]["summary"] == "Run **payments**."
    assert record["x-jobboard"]["description"] == PASTED_FROM_WORD
    assert record["x-jobboard"]["requirements"] == [
        {"kind": "technical_skill", "priority": "required", "text": "**Python:** 5 years"}
    ]

    Posting.objects.all().delete()
    call_command("import_postings", str(path), stdout=io.StringIO())
    imported = Posting.objects.get()
    assert (imported.summary, imported.description) == ("Run **payments**.", PASTED_FROM_WORD)
    assert [item.text for item in imported.requirements.all()] == ["**Python:** 5 years"]
