"""What a live preview makes and renders again after an edit: only the pages whose source changed.

`trustcenter serve` rebuilds the site on every save. A page is rendered again when its source (its
Markdown and the data its template lays out) differs from the one its current output was rendered
from, or when something every page shows changed: the navigation, the site configuration, the theme.
Everything else keeps the output it has. Search entries are kept per page for the same reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from .pages import PageCache, PageSource, Site


class RenderedPages:
    """The sources that the pages now in the preview's output were rendered from."""

    def __init__(self) -> None:
        self.made = PageCache()     # the page sources themselves, made again only when their inputs change
        self.templates = CompiledTemplates()
        self.shared: Any = None
        self.sources: dict[str, PageSource] = {}
        self.search: dict[str, list[dict[str, Any]]] = {}
        self._pending: dict[str, tuple[PageSource, list[dict[str, Any]]]] = {}

    def start(self, shared: Any) -> None:
        """Begin a build; forget every page if what all pages share is not what they were rendered with."""
        if shared != self.shared:
            self.shared, self.sources, self.search = shared, {}, {}
        self._pending = {}

    def is_current(self, page: PageSource) -> bool:
        return self.sources.get(page.uri) == page

    def rendered(self, page: PageSource, search_entries: list[dict[str, Any]]) -> None:
        self._pending[page.uri] = (page, search_entries)

    @property
    def pending(self) -> int:
        """How many pages this build rendered."""
        return len(self._pending)

    def failed(self) -> None:
        """A build stopped part way: what it rendered may be written, so those pages are unknown."""
        for uri in self._pending:
            self.sources.pop(uri, None)
        self._pending = {}

    def finish(self, site: Site) -> list[str]:
        """Record a successful build; return the pages that are gone from the site since the last."""
        for uri, (page, entries) in self._pending.items():
            self.sources[uri], self.search[uri] = page, entries
        gone = [uri for uri in self.sources if uri not in site.pages]
        for uri in gone:
            del self.sources[uri]
            self.search.pop(uri, None)
        return gone

    def search_entries(self, site: Site) -> list[dict[str, Any]]:
        """Every searchable page's entries, in the site's order."""
        return [entry for uri, page in site.pages.items() if page.searchable for entry in self.search.get(uri, [])]


def theme_fingerprint(folders: list[Path]) -> tuple[tuple[str, int, int], ...]:
    """Name, size and modification time of every theme file: any edit changes it."""
    return tuple((str(path), stat.st_size, stat.st_mtime_ns)
                 for folder in folders for path in sorted(folder.rglob("*")) if path.is_file()
                 for stat in [path.stat()])


class CompiledTemplates(jinja2.BytecodeCache):
    """Theme templates compiled once for all rebuilds: MkDocs makes a new Jinja environment for each.

    A template is compiled again when its source changes (Jinja compares a checksum of it).
    """

    def __init__(self) -> None:
        self._compiled: dict[str, tuple[str, Any]] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        checksum, code = self._compiled.get(bucket.key, (None, None))
        if checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._compiled[bucket.key] = (bucket.checksum, bucket.code)
