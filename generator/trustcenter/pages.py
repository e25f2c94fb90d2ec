"""Pages: the whole site in memory, `{source uri: PageSource}`, decided here and laid out by theme/."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import yamlsource
from .approval import ApprovalState
from .config import SiteConfig
from .findings import TrustCenterError, error
from .links import rewrite_links
from .load import PAGES_FOLDER, FrontMatterProblem, decode, split_front_matter
from .publish import Published
from .schema import ARTIFACT_TYPES, ModelCardMeta, NoticeMeta

HOME, CHANGES, FEEDBACK = "index.md", "changes.md", "feedback.md"
LATEST_CHANGES_ON_HOME = 6


@dataclass
class PageSource:
    """One generated page: a Markdown body plus the data its theme template lays out."""

    uri: str
    title: str
    template: str
    body: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    in_nav: bool = True

    def markdown(self) -> str:
        """The page as a Markdown file with front matter, readable by any MkDocs engine."""
        meta = {"title": self.title, "template": self.template, "tc": self.data}
        return "---\n" + yamlsource.dump(meta) + "---\n\n" + self.body.strip() + "\n"


@dataclass
class Site:
    pages: dict[str, PageSource]
    nav: list[dict[str, Any]]


def artifact_uri(published: Published) -> str:
    artifact = published.artifact
    return f"{artifact.type.plural}/{artifact.id}/index.md"


def url_of(uri: str) -> str:
    """The site-relative URL of a page uri (directory URLs)."""
    if uri == HOME:
        return ""
    stem = uri.removesuffix(".md").removesuffix("index")
    return stem if stem.endswith("/") else stem + "/"


def build_site(root: Path, config: SiteConfig, published: list[Published]) -> Site:
    """Every page of the site, with the navigation that lists them."""
    free_pages = _free_pages(root)
    page_for_source = {p.artifact.path: artifact_uri(p) for p in published}
    page_for_source.update({source: page.uri for source, page in free_pages.items()})
    pages: dict[str, PageSource] = {}
    for item in published:
        page = artifact_page(item, published, page_for_source)
        pages[page.uri] = page
    home_text = free_pages.pop(f"{PAGES_FOLDER}/home.md", None)
    feedback_text = free_pages.pop(f"{PAGES_FOLDER}/feedback.md", None)
    pages[HOME] = home_page(config, published, home_text)
    pages[CHANGES] = changes_page(published)
    pages[FEEDBACK] = feedback_page(config, feedback_text)
    for page in free_pages.values():
        pages[page.uri] = page
    return Site(pages, navigation(published, pages, free_pages))


def artifact_page(item: Published, published: list[Published], page_for_source: dict[str, str]) -> PageSource:
    artifact, meta = item.artifact, item.artifact.meta
    uri = artifact_uri(item)
    data = {
        "kind": "artifact",
        "type": artifact.type.name,
        "type_label": artifact.type.label,
        "id": artifact.id,
        "draft": item.draft,
        "retired": item.retired,
        "header": _header(item),
        "fields": meta.model_dump(mode="json", exclude={"title", "summary", "version", "status",
                                                        "effective", "owner", "audience",
                                                        "next_review", "changelog", "approvals", "type"}),
        "changelog": [entry.model_dump(mode="json") for entry in meta.changelog],
    }
    if isinstance(meta, ModelCardMeta):
        data["metrics"] = metrics_table(meta)
    if isinstance(meta, NoticeMeta):
        data["affected"] = _references(meta.affected, published)
    body = rewrite_links(artifact.body, artifact.path, uri, page_for_source)
    return PageSource(uri, meta.title, "artifact.html", body, data, in_nav=not item.retired)


def _header(item: Published) -> dict[str, Any]:
    meta, state = item.artifact.meta, item.state
    return {
        "summary": meta.summary,
        "version": str(meta.version),
        "status": meta.status.value,
        "effective": meta.effective.isoformat() if meta.effective else None,
        "owner": meta.owner,
        "audience": meta.audience.value,
        "next_review": meta.next_review.isoformat() if meta.next_review else None,
        "controls": list(meta.controls),
        "approvals": [{"role": a.role, "name": a.name, "date": a.date.isoformat()}
                      for a in state.valid.values()],
        "pending": _pending(state) if item.draft else [],
    }


def _pending(state: ApprovalState) -> list[dict[str, str]]:
    return [{"role": role, "status": state.role_status(role)} for role in state.pending_roles]


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


def _references(keys: list[str], published: list[Published]) -> list[dict[str, Any]]:
    by_key = {p.artifact.key: p for p in published}
    rows = []
    for key in keys:
        target = by_key.get(key)
        type_name = key.split("/", 1)[0]
        rows.append({
            "key": key,
            "type_label": ARTIFACT_TYPES[type_name].label,
            "title": target.artifact.meta.title if target else key.split("/", 1)[1],
            "url": url_of(artifact_uri(target)) if target else None,
        })
    return rows


def _change_rows(published: list[Published]) -> list[dict[str, Any]]:
    rows = []
    for item in published:
        if item.draft:
            continue
        artifact = item.artifact
        for entry in artifact.meta.changelog:
            rows.append({
                "date": entry.date.isoformat(),
                "version": str(entry.version),
                "summary": entry.summary,
                "title": artifact.meta.title,
                "type_label": artifact.type.label,
                "url": url_of(artifact_uri(item)),
            })
    rows.sort(key=lambda row: (row["date"], row["title"], row["version"]), reverse=True)
    return rows


def home_page(config: SiteConfig, published: list[Published], intro: PageSource | None) -> PageSource:
    catalogue = []
    for artifact_type in ARTIFACT_TYPES.values():
        items = [p for p in published if p.artifact.type is artifact_type and not p.retired]
        if items:
            catalogue.append({
                "label": artifact_type.label_plural,
                "entries": [{"title": p.artifact.meta.title, "summary": p.artifact.meta.summary,
                           "version": str(p.artifact.meta.version), "draft": p.draft,
                           "effective": p.artifact.meta.effective.isoformat()
                           if p.artifact.meta.effective else None,
                           "url": url_of(artifact_uri(p))}
                          for p in sorted(items, key=lambda p: p.artifact.meta.title.lower())],
            })
    data = {
        "kind": "home",
        "organisation": config.site.organisation,
        "catalogue": catalogue,
        "latest_changes": _change_rows(published)[:LATEST_CHANGES_ON_HOME],
        "feedback_url": config.site.feedback_url,
        "contact_email": config.site.contact_email,
    }
    title = intro.title if intro else config.site.name
    return PageSource(HOME, title, "home.html", intro.body if intro else "", data)


def changes_page(published: list[Published]) -> PageSource:
    return PageSource(CHANGES, "Changes", "changes.html", "",
                      {"kind": "changes", "changes": _change_rows(published)})


def feedback_page(config: SiteConfig, intro: PageSource | None) -> PageSource:
    data = {"kind": "feedback", **config.feedback.model_dump(mode="json"),
            "contact_email": config.site.contact_email, "feedback_url": config.site.feedback_url}
    title = intro.title if intro else "Feedback and complaints"
    return PageSource(FEEDBACK, title, "feedback.html", intro.body if intro else "", data)


def _free_pages(root: Path) -> dict[str, PageSource]:
    """content/pages/*.md: free, unversioned pages; their front matter may give a title."""
    folder = root / PAGES_FOLDER
    pages = {}
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        source = path.relative_to(root).as_posix()
        text, problem = decode(path.read_bytes(), source)
        if problem:
            raise TrustCenterError([problem])
        title, body = path.stem.replace("-", " ").capitalize(), text
        try:
            front, body, _ = split_front_matter(text, source)
            meta = yamlsource.parse(front).data
        except FrontMatterProblem:
            meta = None
        except yamlsource.YamlProblem as exc:
            raise TrustCenterError([error(source, exc.line, exc.rule, exc.message)]) from None
        if isinstance(meta, dict) and "title" in meta:
            title = str(meta["title"])
        if "<" in title or ">" in title:
            raise TrustCenterError([error(source, 2, "front-matter-invalid-field",
                                          "title: must not contain < or >")])
        pages[source] = PageSource(f"{path.stem}.md", title, "page.html", body, {"kind": "page"})
    return pages


def navigation(published: list[Published], pages: dict[str, PageSource],
               free_pages: dict[str, PageSource]) -> list[dict[str, Any]]:
    nav: list[dict[str, Any]] = [{"Home": HOME}]
    for artifact_type in ARTIFACT_TYPES.values():
        entries = [{pages[artifact_uri(p)].title: artifact_uri(p)}
                   for p in sorted(published, key=lambda p: p.artifact.meta.title.lower())
                   if p.artifact.type is artifact_type and not p.retired]
        if entries:
            nav.append({artifact_type.label_plural: entries})
    nav.append({"Changes": CHANGES})
    nav.append({pages[FEEDBACK].title: FEEDBACK})
    nav.extend({page.title: page.uri} for page in free_pages.values())
    return nav
