"""Markdown as a reader sees its structure: sections under headings, and the blocks inside them.

Importers map a source document's sections onto artifact fields, so they need the outline a
Markdown renderer would find: a `#` line inside a fenced code block or an HTML comment is no
heading, and a list item ends where the renderer ends it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from .. import markup

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ITEM = re.compile(r"^(\s*)([-*+]|\d{1,9}[.)])(?:[ \t]+(.*))?$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_TABLE_DELIMITER = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
# Pandoc's "unnumbered" marker, which Python-Markdown would print as it stands.
_PANDOC_UNNUMBERED = re.compile(r"[ \t]*\{(?:-|\.unnumbered)\}[ \t]*$")
# ... which comply's policies also write after links, mid-line.
_PANDOC_LINES = re.compile(r"(?<=\))[ \t]*\{(?:-|\.unnumbered)\}|[ \t]*\{(?:-|\.unnumbered)\}[ \t]*$", re.MULTILINE)
_ATX_LINES = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)


@dataclass
class Block:
    """One block of a section's own text: a paragraph, a list item, code, a table, HTML, ..."""

    kind: str          # paragraph, item, code, table, html, quote, rule, comment
    text: str          # its text (a list item's without the marker, continuation lines joined)
    line: int          # 1-based line in the document
    source: str = ""   # the lines as written

    def __post_init__(self):
        self.source = self.source or self.text

    @property
    def prose(self) -> bool:
        """Text a field can hold: paragraphs and list items, not code, tables or markup."""
        return self.kind in ("paragraph", "item")


@dataclass
class Section:
    title: str                     # the heading's text as written ('' before the first heading)
    level: int                     # 1 to 6; 0 for the text before the first heading
    line: int                      # the heading's line (1-based)
    text: str = ""                 # its own text, up to the next heading of any level
    text_line: int = 0             # the line its own text starts on
    children: list[Section] = field(default_factory=list)

    def walk(self):
        """This section and every section under it, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()

    @property
    def blocks(self) -> list[Block]:
        return blocks(self.text, self.text_line)


def outline(text: str, first_line: int = 1) -> Section:
    """The document as a tree of sections; the root holds the text before the first heading."""
    root = Section("", 0, first_line, text_line=first_line)
    stack = [root]
    own: list[str] = []
    current = root
    lines = text.split("\n")
    fence: str | None = None
    in_comment = False
    index = 0

    def close(section: Section, collected: list[str]) -> None:
        joined = "\n".join(collected)
        stripped = joined.lstrip("\n")
        section.text_line += len(joined) - len(stripped)   # one line per newline stripped
        section.text = stripped.rstrip()

    while index < len(lines):
        line = lines[index]
        heading: tuple[int, str] | None = None
        consumed = 1
        if fence is not None:
            if re.match(r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$", line):
                fence = None
        elif in_comment:
            in_comment = "-->" not in line
        elif (opening := _FENCE.match(line)) is not None:
            fence = opening.group(1)
        elif line.lstrip().startswith("<!--"):
            in_comment = "-->" not in line.split("<!--", 1)[1]
        elif (atx := _ATX.match(line)) is not None:
            heading = (len(atx.group(1)), atx.group(2) or "")
        elif (index + 1 < len(lines) and line.strip() and _SETEXT.match(lines[index + 1])
              and not _ITEM.match(line) and not _RULE.match(line) and not line.startswith((" " * 4, "\t"))
              and (not own or not own[-1].strip())):
            heading = (1 if lines[index + 1].strip()[0] == "=" else 2, line.strip())
            consumed = 2
        if heading is None:
            own.append(line)
            index += 1
            continue
        close(current, own)
        level, title = heading
        section = Section(_PANDOC_UNNUMBERED.sub("", title).strip(), level, first_line + index,
                          text_line=first_line + index + consumed)
        while stack[-1].level >= level:
            stack.pop()
        stack[-1].children.append(section)
        stack.append(section)
        current, own = section, []
        index += consumed
    close(current, own)
    return root


def blocks(text: str, first_line: int = 1) -> list[Block]:
    """The blocks of some Markdown without headings, in order, each with its first line."""
    found: list[Block] = []
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        start = index
        if not line.strip():
            index += 1
            continue
        if (opening := _FENCE.match(line)) is not None:
            fence = opening.group(1)
            index += 1
            closing = re.compile(r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$")
            while index < len(lines) and not closing.match(lines[index]):
                index += 1
            index += 1
            found.append(Block("code", "\n".join(lines[start:index]), first_line + start))
        elif line.lstrip().startswith("<!--"):
            while index < len(lines) and "-->" not in lines[index][(lines[index].find("<!--") + 4
                                                                     if index == start else 0):]:
                index += 1
            index += 1
            found.append(Block("comment", "\n".join(lines[start:index]), first_line + start))
        elif _RULE.match(line):
            index += 1
            found.append(Block("rule", line, first_line + start))
        elif line.lstrip().startswith("|") or (
                "|" in line and index + 1 < len(lines) and _TABLE_DELIMITER.match(lines[index + 1])):
            while index < len(lines) and lines[index].strip() and "|" in lines[index]:
                index += 1
            found.append(Block("table", "\n".join(lines[start:index]), first_line + start))
        elif line.lstrip().startswith(">"):
            while index < len(lines) and lines[index].strip():
                index += 1
            found.append(Block("quote", "\n".join(lines[start:index]), first_line + start))
        elif re.match(r"^ {0,3}<[A-Za-z/]", line):
            while index < len(lines) and lines[index].strip():
                index += 1
            found.append(Block("html", "\n".join(lines[start:index]), first_line + start))
        elif (item := _ITEM.match(line)) is not None:
            parts = [item.group(3) or ""]
            index += 1
            while (index < len(lines) and lines[index].strip() and not _ITEM.match(lines[index])
                   and not _FENCE.match(lines[index])):
                parts.append(lines[index].strip())
                index += 1
            found.append(Block("item", _PANDOC_UNNUMBERED.sub("", " ".join(parts)).strip(),
                               first_line + start, "\n".join(lines[start:index])))
        elif line.startswith((" " * 4, "\t")) and (not found or found[-1].kind != "item"):
            while index < len(lines) and (not lines[index].strip() or lines[index].startswith((" " * 4, "\t"))):
                index += 1
            found.append(Block("code", "\n".join(lines[start:index]).rstrip("\n"), first_line + start))
        else:
            while (index < len(lines) and lines[index].strip() and not _FENCE.match(lines[index])
                   and not _ITEM.match(lines[index]) and not lines[index].lstrip().startswith(("<!--", ">"))):
                index += 1
            found.append(Block("paragraph", "\n".join(lines[start:index]), first_line + start))
    return found


def outside_code(text: str, transform) -> str:
    """`text` with `transform` applied to each stretch of lines outside fenced code blocks."""
    chunks: list[tuple[bool, list[str]]] = [(False, [])]
    fence: str | None = None
    for line in text.split("\n"):
        if fence is None and (opening := _FENCE.match(line)) is not None:
            fence = opening.group(1)
            chunks.append((True, [line]))
        elif fence is not None:
            chunks[-1][1].append(line)
            if len(chunks[-1][1]) > 1 and re.match(r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$", line):
                fence = None
                chunks.append((False, []))
        else:
            chunks[-1][1].append(line)
    return "\n".join(("\n".join(lines) if code else transform("\n".join(lines)))
                     for code, lines in chunks if lines or not code)


def without_comments(text: str) -> tuple[str, int]:
    """The text with HTML comments outside code removed, and how many there were."""
    removed = 0

    def drop(chunk: str) -> str:
        nonlocal removed
        chunk, count = re.subn(r"<!--.*?-->", "", chunk, flags=re.DOTALL)
        removed += count
        return chunk

    return re.sub(r"\n{3,}", "\n\n", outside_code(text, drop)), removed


def shift_headings(text: str, by: int) -> str:
    """Every ATX heading outside code moved `by` levels (kept between 2 and 6)."""
    def shift(match: re.Match) -> str:
        level = min(max(len(match.group(1)) + by, 2), 6)
        return "#" * level + " " + _PANDOC_UNNUMBERED.sub("", match.group(2) or "").strip()

    return outside_code(text, lambda chunk: _ATX_LINES.sub(shift, chunk))


def headings_under_title(text: str) -> tuple[str, int]:
    """The text with its headings moved so the highest is `##`, under the page's title; and by how much."""
    levels = [section.level for section in outline(text).walk() if section.level]
    shift = 2 - min(levels) if levels else 0
    return shift_headings(text, shift), shift


def strip_pandoc_markers(text: str) -> tuple[str, int]:
    """Pandoc's `{-}` (unnumbered) markers at line ends outside code, and how many there were."""
    removed = 0

    def drop(chunk: str) -> str:
        nonlocal removed
        chunk, count = _PANDOC_LINES.subn("", chunk)
        removed += count
        return chunk

    return outside_code(text, drop), removed


def inline_text(markdown_text: str) -> str:
    """One block of Markdown as a line of plain text; a link keeps its address in brackets."""
    collector = _InlineText()
    collector.feed(markup.render(markdown_text))
    collector.close()
    return re.sub(r"\s+", " ", "".join(collector.parts)).strip()


def sentences(text: str, count: int) -> str:
    """The first `count` sentences of plain text, less one that only introduces what follows (':')."""
    parts = re.split(r"(?<=[.!?:])\s+(?=[A-Z0-9\"'(])", text.strip())[:count]
    if len(parts) > 1 and parts[-1].endswith(":"):
        parts.pop()
    return " ".join(parts).strip()


class _InlineText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a":
            self.links.append(attributes.get("href"))
        elif tag == "img" and attributes.get("alt"):
            self.parts.append(attributes["alt"])
        elif tag in ("br", "p", "li", "td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag == "a" and self.links:
            href = self.links.pop()
            text = "".join(self.parts).rstrip()
            if href and re.match(r"^(https?|mailto):", href) and not text.endswith(href.removeprefix("mailto:")):
                self.parts.append(f" ({href.removeprefix('mailto:')})")

    def handle_data(self, data):
        self.parts.append(data)
