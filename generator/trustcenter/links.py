"""Links between artifacts: authors link to source files, the site links to pages."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

# Inline Markdown links and images: [text](target "title"); the text may wrap onto further lines.
INLINE_LINK = re.compile(r"(!?\[[^\]]*\]\()\s*<?([^)\s>]+)>?((?:\s+\"[^\"\n]*\")?\s*\))")
_EXTERNAL = re.compile(r"^([a-z][a-z0-9+.-]*:|//|#)", re.IGNORECASE)


@dataclass(frozen=True)
class SourceLink:
    line: int          # file line
    target: str        # as written
    path: str          # repository path it points to (no anchor)
    anchor: str        # '#section' or ''


def source_links(body: str, source_path: str, first_line: int) -> list[SourceLink]:
    """Relative links to .md files in an artifact body, resolved against the artifact's folder."""
    found = []
    for match in INLINE_LINK.finditer(body):
        line = first_line + body.count("\n", 0, match.start(2))
        link = resolve(match.group(2), source_path, line)
        if link is not None:
            found.append(link)
    return found


def resolve(target: str, source_path: str, line: int) -> SourceLink | None:
    if _EXTERNAL.match(target):
        return None
    path, _, anchor = target.partition("#")
    if not path.endswith(".md"):
        return None
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(source_path), path))
    return SourceLink(line, target, resolved, f"#{anchor}" if anchor else "")


def rewrite_links(body: str, source_path: str, page_uri: str, page_for_source: dict[str, str]) -> str:
    """Point links to artifact and page sources at the generated pages they became."""
    page_dir = posixpath.dirname(page_uri)

    def replace(match: re.Match) -> str:
        link = resolve(match.group(2), source_path, 0)
        if link is None or link.path not in page_for_source:
            return match.group(0)
        target = posixpath.relpath(page_for_source[link.path], page_dir or ".") + link.anchor
        return f"{match.group(1)}{target}{match.group(3)}"

    return INLINE_LINK.sub(replace, body)
