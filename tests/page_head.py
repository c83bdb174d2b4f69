"""Reading what crawlers and link previews read in a page: its <head> tags and JSON-LD."""

import json
from html.parser import HTMLParser


class HeadParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []
        self.json_ld = []
        self.in_json_ld = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        self.in_json_ld = tag == "script" and attributes.get("type") == "application/ld+json"
        if self.in_json_ld:
            self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_json_ld = False

    def handle_data(self, data):
        if self.in_json_ld:
            self.json_ld[-1] += data


def parse(response):
    parser = HeadParser()
    parser.feed(response.text)
    return parser


def json_ld(response):
    """Every JSON-LD object of the page, parsed."""
    return [json.loads(text) for text in parse(response).json_ld]


def meta(response, key):
    """The content of <meta name=key> or <meta property=key>; None without one."""
    for tag, attributes in parse(response).tags:
        if tag == "meta" and key in (attributes.get("name"), attributes.get("property")):
            return attributes.get("content")
    return None


def links(response, rel):
    """The attributes of every <link rel=rel>."""
    return [attributes for tag, attributes in parse(response).tags if tag == "link" and attributes.get("rel") == rel]
