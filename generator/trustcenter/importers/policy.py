"""`trustcenter import policy`: policies from earlier tooling become draft policies.

Three shapes are read: plain Markdown, Markdown with front matter, and strongdm/comply policies
(metadata before the first `---` line: `name`, `acronym`, `satisfies`, `majorRevisions`). Comply's
major revisions become the changelog; a date that cannot be read is reported, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .. import yamlsource
from ..controls import catalogue
from ..findings import ConfigError, error
from ..schema import PolicyMeta, Version
from .draft import (FIRST_VERSION, METADATA_HEADING, Draft, ImportReport, artifact_id, changelog_entry,
                    chosen_id, fit_front_matter, lift_headings, metadata_section, parse_yaml,
                    read_source, split_metadata, summary_of, title_text, unresolved_links)
from .markdown import inline_text, outline, strip_pandoc_markers

RULES_FILE = Path(__file__).with_name("policy.yml")
COMPLY, FRONT_MATTER, PLAIN = "strongdm/comply policy", "Markdown with front matter", "Markdown"
# Fields an import never carries over as written: a draft's state is its own.
STATE_FIELDS = ("status", "approvals", "type")
_COMPLY_PDF = re.compile(r"-([A-Za-z0-9]+)\.pdf$")


@dataclass(frozen=True)
class Rules:
    aliases: dict[str, str]
    comply_keys: frozenset[str]
    date_formats: tuple[str, ...]
    missing: dict[str, str]


@lru_cache(maxsize=1)
def rules() -> Rules:
    data = yamlsource.load_data_file(RULES_FILE)
    return Rules(data["aliases"], frozenset(data["comply_keys"]), tuple(data["date_formats"]), data["missing"])


@dataclass
class _Source:
    path: Path
    format: str
    metadata: dict[str, Any]
    body: str
    body_line: int
    id: str = ""


def import_policies(paths: list[Path], requested_id: str | None, today: date) -> list[Draft]:
    """One draft policy per file; links between the imported files point at the new policies."""
    if requested_id is not None and len(paths) > 1:
        raise ConfigError([error("<command line>", 1, "usage", "--id names one policy: give one PATH with it")])
    sources = [_read(path) for path in paths]
    for source in sources:
        source.id = chosen_id(requested_id, artifact_id(source.path.stem), str(source.path))
    by_acronym = {str(s.metadata["acronym"]).lower(): s.id for s in sources
                  if isinstance(s.metadata.get("acronym"), str)}
    by_path = {s.path.resolve(): s.id for s in sources}
    return [_draft(source, by_acronym, by_path, today) for source in sources]


def _read(path: Path) -> _Source:
    text = read_source(path)
    if text.startswith("---"):
        metadata, body, body_line = split_metadata(text, str(path))
        return _Source(path, FRONT_MATTER, metadata, body, body_line)
    lines = text.split("\n")
    fence = next((i for i, line in enumerate(lines) if line.rstrip() == "---"), None)
    if fence is not None:
        head = "\n".join(lines[:fence])
        names = {m.group(1) for m in re.finditer(r"^([A-Za-z_]+)\s*:", head, re.MULTILINE)}
        if names & rules().comply_keys:
            metadata = parse_yaml(head, str(path), 1)
            if isinstance(metadata, dict):
                return _Source(path, COMPLY, metadata, "\n".join(lines[fence + 1:]), fence + 2)
    return _Source(path, PLAIN, {}, text, 1)


def _draft(source: _Source, by_acronym: dict[str, str], by_path: dict[Path, str], today: date) -> Draft:
    report = ImportReport(str(source.path), source.format)
    metadata = dict(source.metadata)
    extra_sections: list[str] = []

    revisions = metadata.pop("majorRevisions", None)
    satisfies = metadata.pop("satisfies", None)
    front, from_source, leftovers = _policy_fields(metadata, report)
    known, unknown = _controls(satisfies, front.pop("controls", None), report)
    if known:
        front["controls"] = known
    if unknown:
        extra_sections.append(_control_section(unknown))

    body, title_from_heading = _body_and_title(source, front, report)
    body, changes = unresolved_links(body, ".", lambda target: _link_target(source, target, by_acronym, by_path))
    for old, new in changes:
        report.went(f"link to {old}", "body", f"now links to {new}" if new
                    else "link removed, its text kept: the file is not in the trust center")

    name = source.path.name
    front["title"] = title_text(inline_text(str(front.get("title", ""))))
    if not front["title"]:
        front["title"] = title_text(title_from_heading) or title_text(
            source.path.stem.replace("-", " ").replace("_", " ").capitalize()) or "Policy"
        report.went("first heading" if title_from_heading else "file name", "title", f"'{front['title']}'")
    if "summary" not in front:
        front["summary"] = summary_of(body) or f"{front['title']}, imported from {name}."
        report.went("first paragraph" if summary_of(body) else "file name", "summary")
    if "owner" not in front:
        front["owner"] = rules().missing["owner"]
        report.todo.append("owner: not in the source; a placeholder says so")

    version, changelog, unreadable = _history(revisions, front, name, report, today)
    if unreadable:
        extra_sections.append(_unreadable_section(unreadable))
    front = {"title": front.pop("title"), "summary": front.pop("summary"), "version": version,
             "status": "draft", "owner": front.pop("owner"), **front, "changelog": changelog}
    from_source -= {"title", "summary", "owner", "version", "changelog"}
    front, refused = fit_front_matter(PolicyMeta, front, from_source, report)
    body = "\n\n".join(part for part in (body.strip(), *extra_sections,
                                         metadata_section({**leftovers, **refused})) if part)
    return Draft("policy", source.id, front, body + "\n", report)


def _policy_fields(metadata: dict[str, Any], report: ImportReport) -> tuple[dict[str, Any], set[str], dict[str, Any]]:
    """Metadata under the policy's field names (its own, or another tool's alias for one), the
    fields so filled, and what has no field."""
    for key in STATE_FIELDS:
        if key in metadata:
            report.went(f"metadata {key}", "omitted", _state_note(key, metadata.pop(key)))
    front: dict[str, Any] = {}
    used: set[str] = set()
    for key, value in metadata.items():
        target = key if key in PolicyMeta.model_fields else rules().aliases.get(key)
        if target is None or target in front or (target != key and target in metadata):
            continue
        used.add(key)
        if value in (None, "", [], {}):
            report.went(f"metadata {key}", "omitted", "empty")
            continue
        front[target] = _text(value) if target in ("title", "summary", "owner") else value
        if target not in ("version", "changelog"):   # reported with the history
            report.went(f"metadata {key}", target)
    leftovers = {key: value for key, value in metadata.items() if key not in used}
    for key in leftovers:
        report.went(f"metadata {key}", "body", f"under '{METADATA_HEADING}': not a policy field")
    return front, set(front), leftovers


def _text(value: Any) -> str:
    """A metadata value as one line of text: lists joined, numbers written out."""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)


def _state_note(key: str, value: Any) -> str:
    if key == "status":
        return f"the source said '{value}'; an imported policy is a draft until it is approved here"
    if key == "approvals":
        return "approvals are recorded here with `trustcenter approve`, for exactly this text"
    return "the folder gives the type"


def _body_and_title(source: _Source, front: dict[str, Any], report: ImportReport) -> tuple[str, str]:
    """The body with pandoc markers gone and headings under the page title; a lone `#` heading
    at the top becomes the title when the source names none."""
    body, markers = strip_pandoc_markers(source.body)
    if markers:
        report.went(f"{markers} pandoc marker{'s' if markers > 1 else ''} ({{-}})", "omitted",
                    "they number headings in comply's PDF output and would show as text")
    title = ""
    document = outline(body)
    tops = [s for s in document.children if s.level == 1]
    if "title" not in front and len(tops) == 1 and document.children[0] is tops[0] and not document.text.strip():
        title = inline_text(tops[0].title)
        lines = body.split("\n")
        first = tops[0].line - 1
        del lines[first:first + (1 if lines[first].lstrip().startswith("#") else 2)]   # ATX or setext
        body = "\n".join(lines)
    if body.strip():
        report.went(f"text (from line {source.body_line})", "body")
    return lift_headings(body.strip(), report), title


def _link_target(source: _Source, target: str, by_acronym: dict[str, str], by_path: dict[Path, str]) -> str | None:
    """Where a relative link of the source should point once imported, or None if nowhere."""
    resolved = (source.path.parent / target).resolve()
    if resolved in by_path:
        return f"{by_path[resolved]}.md"
    comply_output = _COMPLY_PDF.search(target)
    if comply_output and comply_output.group(1).lower() in by_acronym:
        return f"{by_acronym[comply_output.group(1).lower()]}.md"
    return None


def _controls(satisfies: Any, controls: Any, report: ImportReport) -> tuple[list[str], list[str]]:
    """Control references from comply's `satisfies: {FRAMEWORK: [ID, ...]}` and a `controls` list,
    split into those the control catalogue knows and those it does not."""
    references: list[str] = []
    if isinstance(satisfies, dict):
        for framework, ids in satisfies.items():
            ids = ids if isinstance(ids, list) else [ids]
            refs = [f"{framework}:{item}" for item in ids if item is not None]
            references += refs
            report.went(f"satisfies {framework}", "controls", ", ".join(refs))
    elif satisfies is not None:
        report.todo.append(f"satisfies: not a mapping of framework to control ids ({satisfies!r}); not read")
    if isinstance(controls, list):
        references += [str(item) for item in controls]
    elif controls is not None:
        references.append(str(controls))
    references = list(dict.fromkeys(ref.replace(" ", "") for ref in references))
    unknown = [ref for ref in references if ref not in catalogue()]
    if unknown:
        report.todo.append("controls: " + ", ".join(unknown) + " are not in the control catalogue; they are "
                           "listed in the text under 'Control references' (map them to catalogue controls "
                           "or remove them)")
    return [ref for ref in references if ref in catalogue()], unknown


def _control_section(references: list[str]) -> str:
    lines = "\n".join(f"- {ref}" for ref in references)
    return f"## Control references\n\nThe source maps this policy to these controls:\n\n{lines}\n"


def _history(revisions: Any, front: dict[str, Any], name: str, report: ImportReport,
             today: date) -> tuple[str, list[dict[str, Any]], list[dict[str, str]]]:
    """The version and changelog: comply's major revisions as 1.0.0, 2.0.0, …, oldest first."""
    imported = f"Imported from {name}."
    given_version, given_changelog = front.pop("version", None), front.pop("changelog", None)
    if revisions is not None:
        for key, value in (("version", given_version), ("changelog", given_changelog)):
            if value is not None:
                report.went(f"metadata {key}", "omitted", "majorRevisions give the version and the changelog")
    if revisions is None:
        version = str(given_version or "") or FIRST_VERSION
        try:
            Version(version)
        except ValueError:
            report.went("metadata version", "omitted", f"'{version}' is not MAJOR.MINOR.PATCH; "
                        f"the draft is version {FIRST_VERSION}")
            version = FIRST_VERSION
        else:
            report.went("metadata version" if version != FIRST_VERSION else "no version", "version", version)
        changelog = _valid_changelog(given_changelog, report)
        if not any(str(entry.get("version")) == version for entry in changelog):
            changelog.insert(0, changelog_entry(version, today, imported))
        return version, changelog, []
    if not isinstance(revisions, list) or not revisions:
        report.todo.append("majorRevisions: not a list of {date, comment}; not read")
        return FIRST_VERSION, [changelog_entry(FIRST_VERSION, today, imported)], []
    entries = [(index, revision, *_revision_date(revision)) for index, revision in enumerate(revisions)]
    dates = [on for _, _, on, _ in entries]
    if len(dates) > 1 and all(dates) and dates == sorted(dates, reverse=True) and dates != sorted(dates):
        entries.reverse()   # listed newest first
    changelog, unreadable = [], []
    for number, (index, revision, on, raw) in enumerate(entries, 1):
        comment = str(revision.get("comment") or "").strip() if isinstance(revision, dict) else ""
        version = f"{number}.0.0"
        where = f"majorRevisions[{index}] ({raw})"
        if on is not None:
            changelog.insert(0, changelog_entry(version, on, comment or "Revision (no comment in the source)."))
            report.went(where, "changelog", f"version {version}, {on.isoformat()}")
            continue
        report.todo.append(f"majorRevisions: the date '{raw}' of version {version} could not be read "
                           "(a day and month in words, or YYYY-MM-DD, are read)")
        if number == len(entries):
            # The current version needs an entry: it is dated by the import, and says so.
            changelog.insert(0, changelog_entry(version, today, f"{comment or 'Revision'} (imported from {name} on "
                                                f"{today.isoformat()}; the source's date '{raw}' could not be read.)"))
            report.went(where, "changelog", f"version {version}, dated by the import: correct the date")
        else:
            unreadable.append({"date": raw, "comment": comment, "version": version})
            report.went(where, "body", "under 'Revisions with unreadable dates': add its changelog entry")
    version = f"{len(entries)}.0.0"
    return version, changelog, unreadable


def _revision_date(revision: Any) -> tuple[date | None, str]:
    raw = str(revision.get("date", "")).strip() if isinstance(revision, dict) else str(revision)
    text = re.sub(r"\b(\d{1,2})(st|nd|rd|th)\b", r"\1", re.sub(r"\bSept\b", "Sep", raw))
    text = re.sub(r"\s+", " ", text)
    for pattern in rules().date_formats:
        try:
            return datetime.strptime(text, pattern).date(), raw
        except ValueError:
            continue
    return None, raw


def _valid_changelog(changelog: Any, report: ImportReport) -> list[dict[str, Any]]:
    if changelog is None:
        return []
    try:
        PolicyMeta.model_validate({"title": "t", "summary": "s", "version": FIRST_VERSION, "status": "draft",
                                   "owner": "o", "changelog": changelog})
    except ValidationError as exc:
        report.went("metadata changelog", "omitted", f"it did not validate ({exc.errors()[0]['msg']}); "
                    "only the import is recorded")
        return []
    return list(changelog)


def _unreadable_section(unreadable: list[dict[str, str]]) -> str:
    lines = "\n".join(f"- Version {u['version']}, dated '{u['date']}' in the source: {u['comment'] or 'no comment'}"
                      for u in unreadable)
    return f"## Revisions with unreadable dates\n\n{lines}\n"
