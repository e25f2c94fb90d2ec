"""Shared facts: `{{ facts.name }}` in an artifact's text, filled from site-config.yml's `facts:`.

The values are substituted before the digest is taken, so changing a fact makes the approvals of
every artifact that uses it stale, and legal sees each of them again.
"""

from __future__ import annotations

import re
from typing import Mapping

from .findings import Finding, error

FACT = re.compile(r"\{\{\s*facts\.([A-Za-z0-9_-]+)\s*\}\}")


def substitute(text: str, facts: Mapping[str, str], path: str, first_line: int) -> tuple[str, list[Finding]]:
    """The text with every fact filled in, and a finding for each fact that is not defined."""
    findings = []
    for number, line in enumerate(text.split("\n")):
        for match in FACT.finditer(line):
            if match.group(1) not in facts:
                known = ", ".join(sorted(facts)) or "none are defined"
                findings.append(error(path, first_line + number, "fact-unknown",
                                      f"unknown fact '{match.group(1)}' (site-config.yml facts: {known})"))
    if findings:
        return text, findings
    return FACT.sub(lambda match: facts[match.group(1)], text), []


def facts_used(text: str) -> set[str]:
    return {match.group(1) for match in FACT.finditer(text)}
