"""Findings: what every check returns and every output format prints."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    severity: Severity
    rule: str
    message: str

    @property
    def blocking(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity.value}: {self.rule}: {self.message}"


def error(path: str, line: int, rule: str, message: str) -> Finding:
    return Finding(path, line, Severity.ERROR, rule, message)


def warning(path: str, line: int, rule: str, message: str) -> Finding:
    return Finding(path, line, Severity.WARNING, rule, message)


def info(path: str, line: int, rule: str, message: str) -> Finding:
    return Finding(path, line, Severity.INFO, rule, message)


class TrustCenterError(Exception):
    """A problem the user caused and can fix; carries the findings that explain it."""

    def __init__(self, findings: list[Finding]):
        self.findings = list(findings)
        super().__init__("\n".join(str(f) for f in self.findings))


class ConfigError(TrustCenterError):
    """A problem in site-config.yml or in the command line: exit code 2."""
