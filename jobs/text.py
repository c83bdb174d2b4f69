"""Text as the board keeps and serves it: no character that XML 1.0 cannot carry, no invisible control character.

Word puts a vertical tab in for a manual line break and a form feed for a page break; pasted into a form, one of them
would make every feed that shows the text unreadable. Tab, newline and carriage return before a newline stay.
"""

import re

# Line breaks other than \n and \r\n: vertical tab, form feed, a lone carriage return, next line (U+0085).
LINE_BREAKS = re.compile("\r(?!\n)|[\x0b\x0c\x85]")
# The other C0 and C1 control characters and delete, and what XML also forbids: surrogates, U+FFFE and U+FFFF.
NOT_TEXT = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
NEWLINES = re.compile("\r?\n")


def clean_text(text):
    """`text` with line breaks as newlines and without control characters (except tab) or characters XML forbids."""
    return NOT_TEXT.sub("", LINE_BREAKS.sub("\n", text))


def clean_line(text):
    """`text` made clean for a single line (a title, a name): its line breaks become spaces."""
    return NEWLINES.sub(" ", clean_text(text))
