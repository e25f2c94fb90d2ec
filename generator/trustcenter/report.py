"""Output formats for findings: text for people, json for tools, github for Actions annotations."""

from __future__ import annotations

import json
from collections import Counter
from typing import Iterable

from .findings import Finding, Severity, printable

FORMATS = ("text", "json", "github")


def summary(findings: Iterable[Finding]) -> dict[str, int]:
    counts = Counter(f.severity.value for f in findings)
    return {s.value: counts.get(s.value, 0) for s in Severity}


def render(findings: list[Finding], fmt: str, *, extra: dict | None = None) -> str:
    if fmt == "json":
        return json.dumps({
            "findings": [{"path": f.path, "line": f.line, "severity": f.severity.value,
                          "rule": f.rule, "message": f.message} for f in findings],
            "summary": summary(findings),
            **(extra or {}),
        }, indent=2, sort_keys=False)
    if fmt == "github":
        return "\n".join(_github(f) for f in findings)
    return "\n".join(str(f) for f in findings)


_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _github(finding: Finding) -> str:
    def escape_data(text: str) -> str:
        # Line breaks are encoded, as the workflow-command syntax wants; other controls are shown.
        text = printable(text, keep="\r\n")
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def escape_property(text: str) -> str:
        return escape_data(text).replace(":", "%3A").replace(",", "%2C")

    level = _GITHUB_LEVEL[finding.severity]
    return (f"::{level} file={escape_property(finding.path)},line={finding.line},"
            f"title={escape_property(finding.rule)}::{escape_data(finding.message)}")
