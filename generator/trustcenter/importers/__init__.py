"""Importers: what companies already have becomes draft artifacts, with a report of what went where."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from pathlib import Path

import jinja2

from ..checks import run_checks
from ..config import SiteConfig
from .draft import Draft, write_drafts

TEMPLATES = Path(__file__).parent.parent / "templates"


def write_and_check(root: Path, config: SiteConfig, drafts: list[Draft], today: date) -> None:
    """Write the drafts (all or none), then check the trust center; each report gets its draft's findings."""
    write_drafts(root, drafts)
    result = run_checks(root, config, today)
    for draft in drafts:
        draft.report.findings = [f for f in result.findings if f.path == draft.path]
        state = result.states.get(f"{draft.type_name}/{draft.id}")
        draft.report.roles = list(state.required_roles) if state else config.required_roles(draft.type_name)


def render(drafts: list[Draft], fmt: str) -> str:
    """The import report, for people (text) or tools (json)."""
    if fmt == "json":
        return json.dumps({"imports": [
            {**asdict(draft.report), "type": draft.type_name, "id": draft.id, "version": draft.front["version"],
             "findings": [{"path": f.path, "line": f.line, "severity": f.severity.value,
                           "rule": f.rule, "message": f.message} for f in draft.report.findings]}
            for draft in drafts]}, indent=2, default=str)
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=False,
                                     trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return environment.get_template("import-report.txt.jinja").render(
        imports=[{"report": draft.report, "draft": draft,
                  "width": max((len(m.source) for m in draft.report.mappings), default=0)}
                 for draft in drafts]).rstrip("\n")


def blocking(drafts: list[Draft]) -> bool:
    return any(finding.blocking for draft in drafts for finding in draft.report.findings)
