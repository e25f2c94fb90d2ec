"""Turn pydantic validation errors into located findings a person can act on."""

from __future__ import annotations

from pydantic import ValidationError

from .findings import Finding, error
from .yamlsource import YamlDocument


def pydantic_findings(exc: ValidationError, path: str, document: YamlDocument, *, offset: int,
                      rule_prefix: str) -> list[Finding]:
    """One finding per pydantic error, at the line of the offending key (`offset` lines in)."""
    findings = []
    for problem in exc.errors(include_url=False):
        location = tuple(problem["loc"])
        # Model-level validators report at the document root; say so plainly.
        where = ".".join(str(part) for part in location) or "(top level)"
        if problem["type"] == "extra_forbidden":
            rule, message = f"{rule_prefix}-unknown-field", f"unknown field '{where}'"
        elif problem["type"] == "missing":
            rule, message = f"{rule_prefix}-missing-field", f"missing required field '{where}'"
            location = location[:-1]
        else:
            text = problem["msg"].removeprefix("Value error, ")
            rule, message = f"{rule_prefix}-invalid-field", f"{where}: {text}"
            if "input" in problem and not isinstance(problem["input"], (dict, list)):
                message += f" (got {problem['input']!r})"
        findings.append(error(path, offset + document.line_of(location), rule, message))
    return findings
