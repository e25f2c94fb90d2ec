"""Importers: what companies already have becomes draft artifacts, with a report of what went where."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from pathlib import Path

import jinja2

from ..checks import run_checks
from ..config import SiteConfig
from .draft import Draft, ImportReport, write_drafts

TEMPLATES = Path(__file__).parent.parent / "templates"
FORMATS = ("text", "json")


def write_and_check(root: Path, config: SiteConfig, drafts: list[Draft], today: date) -> list[ImportReport]:
    """Write the drafts (all or none), then check the trust center and keep the drafts' findings."""
    write_drafts(root, drafts)
    findings = run_checks(root, config, today).findings
    for draft in drafts:
        draft.report.findings = [f for f in findings if f.path == draft.path]
    return [draft.report for draft in drafts]


def render(reports: list[ImportReport], drafts: list[Draft], config: SiteConfig, fmt: str) -> str:
    """The import report, for people (text) or tools (json)."""
    if fmt == "json":
        return json.dumps({"imports": [
            {**asdict(report), "type": draft.type_name, "id": draft.id,
             "version": draft.front["version"],
             "findings": [{"path": f.path, "line": f.line, "severity": f.severity.value,
                           "rule": f.rule, "message": f.message} for f in report.findings]}
            for report, draft in zip(reports, drafts)]}, indent=2)
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=False,
                                     trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return environment.get_template("import-report.txt.jinja").render(
        imports=[{"report": report, "draft": draft, "roles": config.required_roles(draft.type_name),
                  "width": max((len(m.source) for m in report.mappings), default=0)}
                 for report, draft in zip(reports, drafts)]).rstrip("\n")
