"""The pull-request review report: what changed since a base revision and what it still needs."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import jinja2

from .checks import CheckResult, run_checks
from .claims import Assessment, assess, find_claims, rules_for
from .diff import Block, FieldChange, body_diff, field_changes
from .findings import Finding, printable
from .governance import unapproved, weakenings
from .history import read_base

TEMPLATES = Path(__file__).with_name("templates")


@dataclass
class ArtifactReview:
    key: str
    path: str
    title: str
    change: str                         # 'added', 'changed', 'renamed', 'removed'
    old_version: str | None
    new_version: str | None
    status: str | None
    fields: list[FieldChange] = field(default_factory=list)
    text: list[Block] = field(default_factory=list)          # changed blocks only
    roles: dict[str, str] = field(default_factory=dict)       # role -> approved | stale | missing
    claims: list[Assessment] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)     # blocking ones for this file
    publishable: bool = False

    @property
    def needed(self) -> list[str]:
        """What must still happen before this change can be published."""
        needs = [f"approval by {role} ({state})" for role, state in self.roles.items() if state != "approved"]
        needs += [f"line {f.line}: {f.rule}" for f in self.findings
                  if not f.rule.startswith(("approval-missing", "approval-stale"))]
        return needs


@dataclass
class ConfigReview:
    """One change of site-config.yml that weakens approval, and whose approval it still needs."""

    change: str
    roles: dict[str, str]               # role -> approved | missing


@dataclass
class Review:
    base: str
    artifacts: list[ArtifactReview]
    config: list[ConfigReview] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return all(not a.needed for a in self.artifacts if a.change != "removed") and \
            not any(a.findings for a in self.artifacts) and \
            all(state == "approved" for c in self.config for state in c.roles.values())


def review(root: Path, config, today: date, base: str) -> Review:
    """Every artifact that differs from `base`, with its diff, approvals, claims and open items."""
    result: CheckResult = run_checks(root, config, today, base=base)
    base_tree = read_base(root, base)
    rules = rules_for(config)
    current = {a.key: a for a in result.artifacts}
    by_path = {a.path: a for a in result.artifacts}
    seen: set[str] = set()
    reviews = []
    for key, before in sorted(base_tree.revisions.items()):
        renamed = base_tree.renamed.get(before.artifact.path)
        after = current.get(key) or (by_path.get(renamed) if renamed else None)
        if after is None:
            reviews.append(ArtifactReview(key, before.artifact.path, before.artifact.meta.title, "removed",
                                          str(before.artifact.meta.version), None, None,
                                          findings=_blocking(result, before.artifact.path)))
            continue
        seen.add(after.key)
        if before.artifact.compared == after.compared and before.artifact.body == after.body:
            continue
        reviews.append(_artifact_review(result, after, before.artifact, rules, config, today,
                                        "renamed" if after.path != before.artifact.path else "changed"))
    for key, artifact in sorted(current.items()):
        if key not in seen:
            reviews.append(_artifact_review(result, artifact, None, rules, config, today, "added"))
    # The same in the end, but not in between (or blocked for another reason): a reviewer sees it too.
    listed = {r.path for r in reviews}
    for key, before in sorted(base_tree.revisions.items()):
        after = current.get(key)
        if after is not None and after.path not in listed and _blocking(result, after.path):
            reviews.append(_artifact_review(result, after, before.artifact, rules, config, today, "unchanged"))
    return Review(base, reviews, _config_review(base_tree.config, config))


def _config_review(before, after) -> list[ConfigReview]:
    """Each weakening of site-config.yml since the base, role by role: approved or missing."""
    if before is None:
        return []
    lacking = {item.weakening: item.missing for item in unapproved(before, after)}
    return [ConfigReview(w.what, {role: "missing" if role in lacking.get(w, ()) else "approved"
                                  for role in w.roles})
            for w in weakenings(before, after)]


def _artifact_review(result: CheckResult, after, before, rules, config, today, change) -> ArtifactReview:
    state = result.states[after.key]
    assessments, _ = assess(after, find_claims(after, rules), config, today,
                            {a.key: a for a in result.artifacts})
    return ArtifactReview(
        key=after.key, path=after.path, title=after.meta.title, change=change,
        old_version=str(before.meta.version) if before else None,
        new_version=str(after.meta.version), status=after.meta.status.value,
        fields=field_changes(before.compared if before else {}, after.compared),
        text=[b for b in body_diff(before.body if before else "", after.body) if b.kind != "equal"],
        roles={role: state.role_status(role) for role in state.required_roles},
        claims=assessments, findings=_blocking(result, after.path), publishable=state.publishable)


def _blocking(result: CheckResult, path: str) -> list[Finding]:
    return [f for f in result.findings if f.path == path and f.blocking]


def to_json(report: Review) -> str:
    def artifact(a: ArtifactReview) -> dict:
        data = asdict(a)
        data["claims"] = [{"rule": c.claim.rule.id, "line": c.claim.line, "words": c.claim.words,
                           "status": c.status, "detail": c.detail} for c in a.claims]
        data["findings"] = [{"line": f.line, "rule": f.rule, "message": f.message} for f in a.findings]
        data["needed"] = a.needed
        return data

    return json.dumps({"base": report.base, "ready": report.ready,
                       "artifacts": [artifact(a) for a in report.artifacts],
                       "config": [asdict(c) for c in report.config]}, indent=2, default=str)


def to_markdown(report: Review) -> str:
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=False,
                                     trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    environment.filters["md"] = _markdown_text
    environment.filters["code"] = _code_text
    return environment.get_template("review.md.jinja").render(report=report)


def _one_line(value) -> str:
    """The value on one line: every line break and control character gone, spaces folded."""
    return " ".join(printable(str(value)).split()) if value is not None else ""


def _markdown_text(value) -> str:
    """Plain text safe inside a Markdown table cell or paragraph of a pull-request comment."""
    text = _one_line(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*_~|\[\]#!])", r"\\\1", text)


def _code_text(value) -> str:
    """Text for inside a `code span` in a table cell: it can neither end the span nor the cell."""
    return _one_line(value).replace("`", "'").replace("|", "\\|")
