"""Files beside the pages: the Atom feed and the machine-readable index with its schema."""

from __future__ import annotations

from datetime import date

from .config import SiteConfig
from .feed import FEED_FILE, atom_feed
from .pages import Site
from .trust_index import INDEX_FILE, SCHEMA_FILE, index_json, index_schema_json, trust_index


def machine_files(config: SiteConfig, site: Site, today: date) -> dict[str, bytes]:
    """{path in the site: content} for every file that is not a page."""
    return {
        FEED_FILE: atom_feed(config, site, today),
        INDEX_FILE: index_json(trust_index(config, site, today)),
        SCHEMA_FILE: index_schema_json(),
    }
