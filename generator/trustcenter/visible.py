"""The words a reader sees of some Markdown, with every word left on its source line.

Claims are found in what a reader sees, not in what the author typed: `guarante<!-- -->ed`,
`err&#111;r-free` and `best&#45;in&#45;class` read as plain words on the page. Rendering every
paragraph to HTML would say so exactly but costs too much for `check`; the inline syntax that can
split or disguise a word is small, so it is undone here on the source, in the order Markdown reads
it, and the line breaks stay where they were so that a finding names the right file line.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata

# Tags that sit inside a word on the page; any other tag (a break, a block) separates words.
INLINE_TAGS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i", "ins",
    "kbd", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt",
    "u", "var", "wbr",
})

# Nothing here can change what a reader sees: ASCII text without inline syntax is its own reading.
_SYNTAX = re.compile(r"[<>&*_\\`\[\]{}!?]")
# Leftmost first, as Markdown reads inline text: an escape, a code span's ticks, a comment, a tag.
_INLINE = re.compile(r"\\([!-/:-@\[-`{-~])|(`+)(?!`)[\s\S]+?(?<!`)\2(?!`)|`+"
                     r"|<!--(.*?)-->|<(/?)([A-Za-z][A-Za-z0-9-]*)\b[^<>]*>", re.S)
_LINK_TARGET = re.compile(r"\]\(\s*<?[^()\s>]*>?(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^()]*\)))?\s*\)|\]\[[^\]\n]*\]")
_FOOTNOTE = re.compile(r"\[\^[^\]\s]+\]")
_BRACKETS = re.compile(r"!?\[|\]")
_UNDERSCORES = re.compile(r"(?<!\w)_+|_+(?!\w)")
_ATTR_LIST = re.compile(r"\{:[^}\n]*\}|\{\s*[#.][^}\n]*\}")
_ADMONITION_TITLE = re.compile(r"^([ \t]*(?:!!!|\?\?\?\+?)[ \t]*[\w-]+(?:[ \t]+[\w-]+)*)[ \t]+\"([^\"\n]*)\"",
                               re.MULTILINE)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

# Private-use stand-ins while the text is taken apart: a moved line break, an escaped character.
_MOVED_BREAK = "\U000F0000"
_ESCAPED_BASE = 0x10FF00   # + the ASCII code of the escaped character
_STAND_INS = re.compile("[\U000F0000\U0010FF00-\U0010FF7F]")


@functools.lru_cache(maxsize=16384)   # paragraphs repeat across an artifact's committed versions
def visible_text(source: str) -> str:
    """The words a reader sees of `source`, code spans blanked, with as many line breaks as it has."""
    if source.isascii() and not _SYNTAX.search(source):
        return source
    text = _STAND_INS.sub("\ufffd", source)
    text = _ADMONITION_TITLE.sub(r"\1 \2", text)
    text = _INLINE.sub(_inline, text)
    if "[" in text or "]" in text:
        text = _BRACKETS.sub("", _FOOTNOTE.sub("", _LINK_TARGET.sub("]", text)))
    text = _UNDERSCORES.sub("", text.replace("*", ""))
    text = _ATTR_LIST.sub("", text)
    text = _ENTITY.sub(_character, text)
    text = re.sub("[\U0010FF00-\U0010FF7F]", lambda m: chr(ord(m.group(0)) - _ESCAPED_BASE), text)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", "".join(c for c in text if unicodedata.category(c) != "Cf"))
    return _put_back_breaks(text) if _MOVED_BREAK in text else text


def _inline(match: re.Match) -> str:
    escaped, ticks, comment, _, tag = match.groups()
    if escaped is not None:
        return chr(_ESCAPED_BASE + ord(escaped))
    if ticks is not None:   # code is exempt from claims: blanked, its line breaks kept
        return re.sub(r"[^\n]", " ", match.group(0))
    if tag is None and comment is None:
        return match.group(0)   # backticks that open no code span show as they are
    breaks = _MOVED_BREAK * match.group(0).count("\n")
    if comment is not None or tag.lower() in INLINE_TAGS:
        return breaks
    return " " + breaks


def _character(match: re.Match) -> str:
    character = html.unescape(match.group(0))
    # An encoded line break shows as a space, and must not move the lines after it.
    return " " if character.isspace() else character


def _put_back_breaks(text: str) -> str:
    """Line breaks that sat inside a removed comment or tag go after the word it joined."""
    out, pending = [], 0
    for part in re.split(f"({_MOVED_BREAK}+|\\s)", text):
        if part.startswith(_MOVED_BREAK):
            pending += len(part)
        elif part and part.isspace() and pending:
            out.append(part + "\n" * pending)
            pending = 0
        else:
            out.append(part)
    return "".join(out) + "\n" * pending
