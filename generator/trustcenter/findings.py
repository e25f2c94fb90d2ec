"""Findings: what every check returns and every output format prints."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

# C0 and C1 controls and DEL: escape sequences a terminal would obey (clear the screen, retitle the
# window, hide text) if a finding printed artifact text as it is. Tab and line feed are matched
# too; `printable` keeps the ones its caller allows.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str, keep: str = "") -> str:
    """`text` with line breaks folded to spaces and other control characters shown as `\\xNN`."""
    def shown(match: re.Match) -> str:
        character = match.group(0)
        if character in keep:
            return character
        return " " if character in "\t\n\r\x0b\x0c" else f"\\x{ord(character):02x}"

    return _CONTROL.sub(shown, text) if _CONTROL.search(text) else text


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
        """One line for a terminal: artifact text in it cannot start a line or steer the terminal."""
        return printable(f"{self.path}:{self.line}: {self.severity.value}: {self.rule}: {self.message}")


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
