"""Files beside the pages: the Atom feed, the machine-readable index, the AI bill of materials,
llms.txt and security.txt."""

from __future__ import annotations

import functools
from datetime import date, timedelta
from pathlib import Path

import jinja2

from .aibom import AIBOM_FILE, aibom, aibom_json
from .charts import render_svg
from .config import SiteConfig
from .feed import FEED_FILE, atom_feed
from .pages import HOME, Site
from .trust_index import INDEX_FILE, SCHEMA_FILE, index_json, index_schema_json, trust_index

TEMPLATES = Path(__file__).with_name("templates")
SECURITY_TXT_VALID_FOR = timedelta(days=365)   # RFC 9116 asks for an expiry under a year ahead


def machine_files(config: SiteConfig, site: Site, today: date) -> dict[str, bytes]:
    """{path in the site: content} for every file that is not a page: charts included."""
    environment = _templates()
    base = config.site.url.rstrip("/") + "/"
    expires = (today + SECURITY_TXT_VALID_FOR).isoformat() + "T00:00:00Z"
    catalogue = site.pages[HOME].data["catalogue"]
    return {
        FEED_FILE: atom_feed(config, site, today),
        INDEX_FILE: index_json(trust_index(config, site, today)),
        SCHEMA_FILE: index_schema_json(),
        AIBOM_FILE: aibom_json(aibom(config, site, today)),
        "llms.txt": environment.get_template("llms.txt.jinja").render(
            site=config.site, base=base, groups=catalogue).encode("utf-8"),
        ".well-known/security.txt": environment.get_template("security.txt.jinja").render(
            site=config.site, base=base, expires=expires).encode("utf-8"),
        **{path: render_svg(chart) for path, chart in sorted(site.charts.items())},
    }


@functools.lru_cache(maxsize=1)  # compiled once per process: a live preview writes these on every save
def _templates() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=False,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
