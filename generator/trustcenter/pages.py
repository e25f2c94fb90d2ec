"""Pages: the whole site in memory, `{source uri: PageSource}`, decided here and laid out by theme/."""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from . import yamlsource
from .charts import Chart
from .config import SiteConfig
from .controls import catalogue
from .diff import body_diff, field_changes
from .links import rewrite_links
from .load import PAGES_FOLDER, Artifact
from .performance import latest_view, performance_charts, performance_view
from .publish import Published, PublishedVersion
from .schema import (ARTIFACT_TYPES, CATALOGUED_TYPES, RESERVED_PAGE_IDS, ArtifactType, ModelCardMeta,
                     NoticeMeta, SlaMeta)

HOME, CHANGES, FEEDBACK, CONTROLS = "index.md", "changes.md", "feedback.md", "controls.md"
HOME_TEXT, FEEDBACK_TEXT = "home", "feedback"   # pages whose text goes on the home and feedback pages
LATEST_CHANGES_ON_HOME = 6
LATEST_NOTICES_ON_HOME = 3
HEADLINE_METRICS = 3
# A type with more published artifacts than this gets a listing page instead of a navigation entry
# per artifact: a menu of hundreds helps no reader, and Material renders it into every page.
NAV_SECTION_LIMIT = 30


@dataclass
class PageSource:
    """One generated page: a Markdown body plus the data its theme template lays out."""

    uri: str
    title: str
    template: str
    body: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    in_nav: bool = True
    searchable: bool = True

    def meta(self) -> dict[str, Any]:
        """What MkDocs knows as the page's front matter: title, template and the template's data."""
        meta: dict[str, Any] = {"title": self.title, "template": self.template, "tc": self.data}
        if not self.searchable:
            meta["search"] = {"exclude": True}
        return meta

    def text(self) -> str:
        """The Markdown body alone, as the plugin hands it to MkDocs (the meta goes in directly)."""
        return self.body.strip() + "\n"

    def markdown(self) -> str:
        """The page as a Markdown file with front matter, readable by any MkDocs engine."""
        return "---\n" + yamlsource.dump(self.meta()) + "---\n\n" + self.text()


@dataclass
class Site:
    pages: dict[str, PageSource]
    nav: list[dict[str, Any]]
    published: list[Published]
    charts: dict[str, Chart] = field(default_factory=dict)   # SVG files the pages show, by site path


# --- where things live ---------------------------------------------------------------------------

def artifact_uri(item: Published | Artifact) -> str:
    return f"{item.type.plural}/{item.id}/index.md"


def version_uri(item: Published, version: PublishedVersion) -> str:
    return f"{item.type.plural}/{item.id}/v{version.version}.md"


def diff_uri(item: Published, version: PublishedVersion) -> str:
    return f"{item.type.plural}/{item.id}/v{version.version}/diff.md"


def type_index_uri(artifact_type: ArtifactType) -> str:
    return f"{artifact_type.plural}/index.md"


def changelog_uri(item: Published) -> str:
    return f"{item.type.plural}/{item.id}/changelog.md"


def url_of(uri: str) -> str:
    """The site-relative URL of a page uri (directory URLs)."""
    if uri == HOME:
        return ""
    stem = uri.removesuffix(".md").removesuffix("index")
    return stem if stem.endswith("/") else stem + "/"


# --- the site ------------------------------------------------------------------------------------

def build_site(root: Path, config: SiteConfig, published: list[Published], today: date,
               reuse: PageCache | None = None) -> Site:
    """Every page of the site, with the navigation that lists them.

    With `reuse` (a live preview), an artifact's pages from the previous build are taken again
    while everything they are made from is unchanged.
    """
    free_pages = _free_pages([item for item in published if not item.type.catalogued])
    published = [item for item in published if item.type.catalogued]   # what customers see listed
    page_for_source = {item.current.path: artifact_uri(item) for item in published}
    page_for_source.update({source: page.uri for source, page in free_pages.items()})
    groups = published_by_type(published)
    listed = {group["type"] for group in groups if group["url"]}   # types with a listing page
    lookup = PublishedLookup({item.key: item for item in published})
    pages: dict[str, PageSource] = {}

    def add(page: PageSource) -> None:
        pages[page.uri] = page

    cache = reuse if reuse is not None else PageCache()
    cache.start((config, page_for_source, [(item.key, item.shown.meta.title) for item in published]))
    for item in published:
        in_listing = item.type.name in listed
        for page in cache.pages_of(item, in_listing, lambda: artifact_pages(
                item, lookup, page_for_source, config, in_listing)):
            add(page)
    for source, page in free_pages.items():
        page.body = rewrite_links(page.body, source, page.uri, page_for_source)
    home_text = free_pages.pop(f"{PAGES_FOLDER}/{HOME_TEXT}.md", None)
    feedback_text = free_pages.pop(f"{PAGES_FOLDER}/{FEEDBACK_TEXT}.md", None)
    changes = change_rows(published, today)
    add(home_page(config, published, home_text, today, groups, changes))
    for page in type_index_pages(groups):
        add(page)
    add(changes_page(changes))
    add(feedback_page(config, feedback_text))
    add(controls_page(published))
    for page in free_pages.values():
        add(page)
    return Site(pages, navigation(published, pages, free_pages), published, sla_charts(published))


class PageCache:
    """Each artifact's pages from the previous build, for a live preview to take again.

    An artifact's pages are made from its published versions and draft (immutable artifacts, one
    object per text read), the site configuration, where links lead and the titles that references
    show. While all of that is unchanged, so are its pages; pages taken again are never modified.
    """

    def __init__(self) -> None:
        self._context: Any = None
        self._previous: dict[str, tuple[tuple, list[PageSource]]] = {}
        self._current: dict[str, tuple[tuple, list[PageSource]]] = {}

    def start(self, context: Any) -> None:
        """Begin a build; pages made in another context are not taken again."""
        self._previous = self._current if context == self._context else {}
        self._context, self._current = context, {}

    def pages_of(self, item: Published, in_listing: bool, make) -> list[PageSource]:
        made_from = (item.current, item.draft.artifact if item.draft else None,
                     item.in_force.artifact if item.in_force else None,
                     item.upcoming.artifact if item.upcoming else None,
                     tuple((v.artifact, v.published) for v in item.versions), in_listing)
        previous = self._previous.get(item.key)
        pages = previous[1] if previous is not None and previous[0] == made_from else make()
        self._current[item.key] = (made_from, pages)
        return pages


def artifact_pages(item: Published, lookup: PublishedLookup, page_for_source: dict[str, str],
                   config: SiteConfig, in_listing: bool) -> list[PageSource]:
    """An artifact's page, a frozen page per version, a diff per later version, its changelog."""
    pages = [artifact_page(item, lookup, page_for_source, config, in_nav=not in_listing)]
    for previous, version in zip((None, *item.versions), item.versions):
        pages.append(version_page(item, version, lookup, page_for_source, has_previous=previous is not None))
        if previous is not None:
            pages.append(diff_page(item, previous, version))
    if item.versions:
        pages.append(changelog_page(item))
    return pages


def artifact_page(item: Published, lookup: PublishedLookup, page_for_source: dict[str, str],
                  config: SiteConfig, in_nav: bool = True) -> PageSource:
    shown = item.shown
    uri = artifact_uri(item)
    data = _artifact_data(item, shown, lookup)
    data["report_url"] = report_problem_url(config, item.key, str(shown.meta.version), shown.meta.title)
    data["draft"] = item.draft is not None
    data["pending"] = ([{"role": role, "status": item.draft.role_status(role)}
                        for role in item.draft.pending_roles] if item.draft else [])
    if item.upcoming is not None:
        data["upcoming"] = {"version": str(item.upcoming.version),
                            "effective": item.upcoming.effective.isoformat(),
                            "url": url_of(version_uri(item, item.upcoming)),
                            "only": item.in_force is None and item.draft is None}
    body = rewrite_links(shown.body, shown.path, uri, page_for_source)
    return PageSource(uri, shown.meta.title, "artifact.html", body, data,
                      in_nav=in_nav and (not item.retired or item.draft is not None))


def version_page(item: Published, version: PublishedVersion, lookup: PublishedLookup,
                 page_for_source: dict[str, str], has_previous: bool) -> PageSource:
    uri = version_uri(item, version)
    data = _artifact_data(item, version.artifact, lookup, approvals=version.approvals)
    current = item.in_force or item.upcoming
    later = [v for v in item.versions if v.version > version.version]
    data["frozen"] = {"version": str(version.version),
                      "is_current": current is not None and current.version == version.version,
                      "current_version": str(current.version) if current else None,
                      "current_url": url_of(artifact_uri(item)),
                      "diff_url": url_of(diff_uri(item, version)) if has_previous else None,
                      "next_version": str(later[0].version) if later else None,
                      "next_diff_url": url_of(diff_uri(item, later[0])) if later else None}
    body = rewrite_links(version.artifact.body, version.artifact.path, uri, page_for_source)
    title = f"{version.artifact.meta.title} (version {version.version})"
    return PageSource(uri, title, "artifact.html", body, data, in_nav=False, searchable=False)


@functools.lru_cache(maxsize=16384)  # artifacts are immutable: a preview reuses every diff it made
def _diff_data(old: Artifact, new: Artifact) -> dict[str, Any]:
    return {
        "fields": [asdict(change) for change in field_changes(old.compared, new.compared)],
        "blocks": [{"kind": block.kind, "heading": block.heading,
                    "segments": [{"op": s.op, "text": s.text} for s in block.segments]}
                   for block in body_diff(old.body, new.body)],
    }


def diff_page(item: Published, old: PublishedVersion, new: PublishedVersion) -> PageSource:
    data = {
        "kind": "diff",
        "type_label": item.type.label,
        "from": _version_row(item, old),
        "to": _version_row(item, new),
        **_diff_data(old.artifact, new.artifact),
        "artifact_url": url_of(artifact_uri(item)),
        "changelog_url": url_of(changelog_uri(item)),
    }
    title = f"{new.artifact.meta.title}: changes in version {new.version}"
    return PageSource(diff_uri(item, new), title, "diff.html", "", data, in_nav=False, searchable=False)


def changelog_page(item: Published) -> PageSource:
    newest = item.versions[-1].artifact
    by_version = {str(v.version): (previous, v) for previous, v in zip((None, *item.versions), item.versions)}
    rows = []
    for entry in newest.meta.changelog:
        row: dict[str, Any] = {"version": str(entry.version), "date": entry.date.isoformat(),
                               "summary": entry.summary, "published": False}
        if str(entry.version) in by_version:
            previous, version = by_version[str(entry.version)]
            row.update(_version_row(item, version), published=True,
                       diff_url=url_of(diff_uri(item, version)) if previous else None)
        rows.append(row)
    data = {"kind": "changelog", "type_label": item.type.label, "rows": rows,
            "artifact_url": url_of(artifact_uri(item))}
    return PageSource(changelog_uri(item), f"{newest.meta.title}: version history", "changelog.html",
                      "", data, in_nav=False, searchable=False)


def _artifact_data(item: Published, shown: Artifact, lookup: PublishedLookup,
                   approvals: tuple | None = None) -> dict[str, Any]:
    meta = shown.meta
    data: dict[str, Any] = {
        "kind": "artifact",
        "type": shown.type.name,
        "type_label": shown.type.label,
        "id": shown.id,
        "retired": meta.status.value == "retired",
        "header": _header(shown, approvals if approvals is not None else _shown_approvals(item, shown)),
        "fields": meta.model_dump(mode="json", exclude={"title", "summary", "version", "status",
                                                        "effective", "owner", "audience",
                                                        "next_review", "changelog", "approvals", "type"}),
        "changelog": [entry.model_dump(mode="json") for entry in meta.changelog],
        "changelog_url": url_of(changelog_uri(item)) if item.versions else None,
        "permalink": next((url_of(version_uri(item, v)) for v in item.versions
                           if v.artifact is shown), None),
    }
    if isinstance(meta, ModelCardMeta):
        data["metrics"] = metrics_table(meta)
        data["headline_metrics"] = data["metrics"][:HEADLINE_METRICS]
    if isinstance(meta, NoticeMeta):
        data["affected"] = _references(meta.affected, lookup.by_key)
    if isinstance(meta, SlaMeta) and shown.measurements is not None:
        data["performance"] = performance_view(meta, shown.measurements, _chart_folder(item, shown),
                                               lookup.notice_links)
    return data


def _chart_folder(item: Published, shown: Artifact) -> str:
    """Charts belong to a version: beside its frozen page, which the current page shares."""
    version = next((v for v in item.versions if v.artifact is shown), None)
    return url_of(version_uri(item, version)) if version else url_of(artifact_uri(item)) + "draft/"


def sla_charts(published: list[Published]) -> dict[str, Chart]:
    """Every chart of every SLA version a page shows, by the site path it is written to."""
    charts: dict[str, Chart] = {}
    for item in published:
        shown = [v.artifact for v in item.versions] + ([item.draft.artifact] if item.draft else [])
        for artifact in shown:
            if isinstance(artifact.meta, SlaMeta) and artifact.measurements is not None:
                charts.update(performance_charts(artifact.meta, artifact.measurements,
                                                 _chart_folder(item, artifact)))
    return charts


@dataclass
class PublishedLookup:
    """The published set by key, and what many pages look up in it, worked out once per build."""

    by_key: dict[str, Published]

    @functools.cached_property
    def notice_links(self) -> dict[str, dict[str, Any]]:
        return {p.id: {"title": p.shown.meta.title, "url": url_of(artifact_uri(p))}
                for p in self.by_key.values() if p.type.name == "notice"}


def report_problem_url(config: SiteConfig, key: str, version: str, title: str) -> str:
    """The feedback channel, prefilled with which artifact and version the report is about."""
    target = config.site.feedback_url
    if target.startswith("mailto:"):
        subject = quote(f"Problem with {title} ({key}, version {version})")
        return f"{target}{'&' if '?' in target else '?'}subject={subject}"
    return f"{target}{'&' if '?' in target else '?'}{urlencode({'artifact': key, 'version': version})}"


def _shown_approvals(item: Published, shown: Artifact) -> tuple:
    if item.draft is not None and item.draft.artifact is shown:
        return tuple(item.draft.valid.values())
    return next((v.approvals for v in item.versions if v.artifact is shown), ())


def _header(shown: Artifact, approvals) -> dict[str, Any]:
    meta = shown.meta
    return {
        "summary": meta.summary,
        "version": str(meta.version),
        "status": meta.status.value,
        "effective": meta.effective.isoformat() if meta.effective else None,
        "owner": meta.owner,
        "audience": meta.audience.value,
        "next_review": meta.next_review.isoformat() if meta.next_review else None,
        "controls": list(meta.controls),
        "approvals": [{"role": a.role, "name": a.name, "date": a.date.isoformat()} for a in approvals],
    }


def _version_row(item: Published, version: PublishedVersion) -> dict[str, Any]:
    return {
        "version": str(version.version),
        "effective": version.effective.isoformat(),
        "published_on": version.published.date().isoformat() if version.published else None,
        "approvals": [{"role": a.role, "name": a.name, "date": a.date.isoformat()} for a in version.approvals],
        "url": url_of(version_uri(item, version)),
    }


def metrics_table(meta: ModelCardMeta) -> list[dict[str, Any]]:
    """model-index results flattened into rows a reader can scan: one row per metric."""
    rows = []
    for model in meta.model_index:
        for result in model.results:
            for metric in result.metrics:
                rows.append({
                    "metric": metric.name or metric.type,
                    "value": metric.value,
                    "task": result.task.name or result.task.type,
                    "dataset": result.dataset.name or result.dataset.type,
                    "split": result.dataset.split,
                    "date": meta.evaluation.date.isoformat(),
                })
    return rows


def _references(keys: list[str], by_key: dict[str, Published]) -> list[dict[str, Any]]:
    rows = []
    for key in keys:
        target = by_key.get(key)
        type_name, _, artifact_id = key.partition("/")
        rows.append({
            "key": key,
            "type_label": ARTIFACT_TYPES[type_name].label,
            "title": target.shown.meta.title if target else artifact_id,
            "url": url_of(artifact_uri(target)) if target else None,
        })
    return rows


# --- site-wide pages ------------------------------------------------------------------------------

def change_rows(published: list[Published], today: date) -> list[dict[str, Any]]:
    """Every published version of every artifact, newest first; later ones marked upcoming."""
    rows = []
    for item in published:
        for previous, version in zip((None, *item.versions), item.versions):
            entry = next((e for e in version.artifact.meta.changelog if e.version == version.version), None)
            rows.append({
                "date": version.effective.isoformat(),
                "upcoming": version.effective > today,
                "version": str(version.version),
                "summary": entry.summary if entry else "",
                "title": version.artifact.meta.title,
                "type_label": item.type.label,
                "url": url_of(version_uri(item, version)),
                "diff_url": url_of(diff_uri(item, version)) if previous else None,
            })
    rows.sort(key=lambda row: (row["date"], row["title"], row["version"]), reverse=True)
    return rows


def published_by_type(published: list[Published]) -> list[dict[str, Any]]:
    """What is published, by type, each artifact with its summary, version and effective date."""
    groups = []
    for artifact_type in CATALOGUED_TYPES.values():
        items = [p for p in published if p.type is artifact_type and not (p.retired and p.draft is None)]
        if items:
            groups.append({
                "type": artifact_type.name,
                "label": artifact_type.label_plural,
                "url": url_of(type_index_uri(artifact_type)) if len(items) > NAV_SECTION_LIMIT else None,
                "entries": [{"title": p.shown.meta.title, "summary": p.shown.meta.summary,
                             "version": str(p.shown.meta.version), "draft": p.draft is not None,
                             "effective": p.shown.meta.effective.isoformat() if p.shown.meta.effective else None,
                             "url": url_of(artifact_uri(p))}
                            for p in sorted(items, key=lambda p: p.shown.meta.title.lower())],
            })
    return groups


def type_index_pages(groups: list[dict[str, Any]]) -> list[PageSource]:
    """A page listing every artifact of a type, for the types too long to list in the navigation."""
    return [PageSource(type_index_uri(ARTIFACT_TYPES[group["type"]]), group["label"], "catalogue.html", "",
                       {"kind": "catalogue", "group": group})
            for group in groups if group["url"]]


def home_page(config: SiteConfig, published: list[Published], intro: PageSource | None,
              today: date, groups: list[dict[str, Any]], changes: list[dict[str, Any]]) -> PageSource:
    # A long list is a page of its own: the home page shows its first entries and links to the rest.
    groups = [{**group, "entries": group["entries"][:NAV_SECTION_LIMIT] if group["url"] else group["entries"],
               "count": len(group["entries"])} for group in groups]
    in_force = [p for p in published if p.in_force is not None and not p.retired]
    data = {
        "kind": "home",
        "organisation": config.site.organisation,
        "ai_systems": [{"system": p.in_force.artifact.meta.system,
                        "purpose": p.in_force.artifact.meta.intended_use[0],
                        "title": p.in_force.artifact.meta.title, "url": url_of(artifact_uri(p))}
                       for p in in_force if isinstance(p.in_force.artifact.meta, ModelCardMeta)],
        "sla_targets": [{"service": p.in_force.artifact.meta.service,
                         "uptime": p.in_force.artifact.meta.uptime.target,
                         "window": p.in_force.artifact.meta.uptime.window,
                         "latest": latest_view(p.in_force.artifact.meta, p.in_force.artifact.measurements),
                         "title": p.in_force.artifact.meta.title, "url": url_of(artifact_uri(p))}
                        for p in in_force if p.type.name == "sla"],
        "latest_notices": [{"title": p.in_force.artifact.meta.title,
                            "state": p.in_force.artifact.meta.state.value,
                            "started": p.in_force.artifact.meta.started.isoformat(),
                            "url": url_of(artifact_uri(p))}
                           for p in sorted((p for p in in_force if p.type.name == "notice"),
                                           key=lambda p: p.in_force.artifact.meta.started,
                                           reverse=True)][:LATEST_NOTICES_ON_HOME],
        "last_changed": max((v.effective.isoformat() for p in published for v in p.versions
                             if v.effective <= today), default=None),
        "catalogue": groups,
        "latest_changes": changes[:LATEST_CHANGES_ON_HOME],
        "feedback_url": config.site.feedback_url,
        "contact_email": config.site.contact_email,
    }
    data["page_draft"] = intro.data["page_draft"] if intro else None
    title = intro.title if intro else config.site.name
    return PageSource(HOME, title, "home.html", intro.body if intro else "", data)


def changes_page(changes: list[dict[str, Any]]) -> PageSource:
    return PageSource(CHANGES, "Changes", "changes.html", "", {"kind": "changes", "changes": changes})


def feedback_page(config: SiteConfig, intro: PageSource | None) -> PageSource:
    data = {"kind": "feedback", **config.feedback.model_dump(mode="json"),
            "contact_email": config.site.contact_email, "feedback_url": config.site.feedback_url,
            "page_draft": intro.data["page_draft"] if intro else None}
    title = intro.title if intro else "Feedback and complaints"
    return PageSource(FEEDBACK, title, "feedback.html", intro.body if intro else "", data)


def controls_page(published: list[Published]) -> PageSource:
    """Each reference control, the published artifacts that cite it, and coverage by group."""
    citing: dict[str, list[dict[str, str]]] = {}
    for item in published:
        version = item.in_force or item.upcoming
        if version is None or item.retired:
            continue
        for reference in version.artifact.meta.controls:
            citing.setdefault(reference, []).append(
                {"title": version.artifact.meta.title, "type_label": item.type.label,
                 "url": url_of(artifact_uri(item))})
    cited = {control.framework for control in catalogue().values() if control.reference in citing}
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for control in catalogue().values():
        if not control.always_shown and control.framework not in cited:
            continue
        group = groups.setdefault((control.framework, control.group), {
            "group": control.group, "name": control.group_name, "framework": control.framework,
            "framework_name": control.framework_name, "controls": []})
        group["controls"].append({"reference": control.reference, "number": control.number,
                                  "name": control.name, "description": control.description,
                                  "artifacts": sorted(citing.get(control.reference, []),
                                                      key=lambda a: a["title"].lower())})
    for group in groups.values():
        group["covered"] = sum(1 for c in group["controls"] if c["artifacts"])
        group["total"] = len(group["controls"])
    frameworks = list(dict.fromkeys(group["framework_name"] for group in groups.values()))
    return PageSource(CONTROLS, "Control map", "controls.html", "",
                      {"kind": "controls", "frameworks": frameworks, "groups": list(groups.values())})


def _free_pages(pages: list[Published]) -> dict[str, PageSource]:
    """content/pages/*.md as the site shows them: each page's published text (or, in a preview, its
    draft), by source path. Ids reserved for the site's own pages are never placed (check refuses them)."""
    free = {}
    for item in sorted(pages, key=lambda item: item.current.path):
        if item.id in RESERVED_PAGE_IDS:
            continue
        shown = item.shown
        uri = {HOME_TEXT: HOME, FEEDBACK_TEXT: FEEDBACK}.get(item.id, f"{item.id}.md")
        draft = ({"pending": [{"role": role, "status": item.draft.role_status(role)}
                              for role in item.draft.pending_roles]} if item.draft else None)
        free[item.current.path] = PageSource(uri, shown.meta.title, "page.html", shown.body,
                                             {"kind": "page", "page_draft": draft})
    return free


def navigation(published: list[Published], pages: dict[str, PageSource],
               free_pages: dict[str, PageSource]) -> list[dict[str, Any]]:
    nav: list[dict[str, Any]] = [{"Home": HOME}]
    for artifact_type in CATALOGUED_TYPES.values():
        listed = [p for p in sorted(published, key=lambda p: p.shown.meta.title.lower())
                  if p.type is artifact_type and pages[artifact_uri(p)].in_nav]
        if type_index_uri(artifact_type) in pages:
            # Every page carries the navigation: hundreds of entries would make each page, and the
            # build, grow with the size of the whole site. The section's own page lists them all.
            nav.append({artifact_type.label_plural: type_index_uri(artifact_type)})
        elif listed:
            nav.append({artifact_type.label_plural: [{pages[artifact_uri(p)].title: artifact_uri(p)} for p in listed]})
    nav.append({"Changes": CHANGES})
    nav.append({"Control map": CONTROLS})
    nav.append({pages[FEEDBACK].title: FEEDBACK})
    nav.extend({page.title: page.uri} for page in free_pages.values())
    return nav
