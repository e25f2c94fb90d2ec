"""The Atom feed: one entry per published version, newest first, with stable ids."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from xml.etree import ElementTree as ET

from .config import SiteConfig
from .pages import Site, artifact_uri, diff_uri, url_of, version_uri

ATOM = "http://www.w3.org/2005/Atom"
FEED_FILE = "feed.xml"
# Feed readers poll the feed and keep what they saw: the newest entries are what they need. The
# whole history stays on /changes/ and in trust.json.
FEED_ENTRIES = 100


def atom_feed(config: SiteConfig, site: Site, today: date) -> bytes:
    base = config.site.url.rstrip("/") + "/"
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "title", f"{config.site.name}: changes")
    _text(feed, "subtitle", f"Every approved version of {config.site.organisation}'s AI disclosures.")
    _text(feed, "id", base)
    _link(feed, base + FEED_FILE, rel="self", type="application/atom+xml")
    _link(feed, base, rel="alternate", type="text/html")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", config.site.organisation)
    _text(author, "email", config.site.contact_email)
    entries = []
    for item in site.published:
        for previous, version in zip((None, *item.versions), item.versions):
            entries.append((version.published_at, item, previous, version))
    entries.sort(key=lambda e: (e[0], e[1].key, e[3].version.key), reverse=True)
    newest = entries[0][0] if entries else datetime.combine(today, time(0), tzinfo=timezone.utc)
    _text(feed, "updated", _stamp(newest))
    for updated, item, previous, version in entries[:FEED_ENTRIES]:
        meta = version.artifact.meta
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        upcoming = version.effective > today
        title = f"{item.type.label}: {meta.title}, version {version.version}"
        _text(entry, "title", title + (f" (effective {version.effective.isoformat()})" if upcoming else ""))
        page = base + url_of(version_uri(item, version))
        _text(entry, "id", page)
        _link(entry, page, rel="alternate", type="text/html")
        if previous is not None:
            _link(entry, base + url_of(diff_uri(item, version)), rel="related", type="text/html",
                  title="What changed")
        _link(entry, base + url_of(artifact_uri(item)), rel="via", type="text/html", title="Current version")
        _text(entry, "updated", _stamp(updated))
        _text(entry, "published", _stamp(updated))
        change = next((e.summary for e in meta.changelog if e.version == version.version), "")
        _text(entry, "summary", f"{change} Effective {version.effective.isoformat()}. {meta.summary}".strip())
        category = ET.SubElement(entry, f"{{{ATOM}}}category")
        category.set("term", item.type.name)
        category.set("label", item.type.label)
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def _text(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}{tag}").text = text


def _link(parent: ET.Element, href: str, **attributes: str) -> None:
    link = ET.SubElement(parent, f"{{{ATOM}}}link")
    link.set("href", href)
    for name, value in attributes.items():
        link.set(name, value)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
