"""CODEOWNERS from the roles: GitHub asks the right people to review each artifact folder."""

from __future__ import annotations

from pathlib import Path

from .config import CONFIG_FILE, SiteConfig
from .findings import Finding, error
from .schema import ARTIFACT_TYPES

CODEOWNERS_FILE = ".github/CODEOWNERS"
HEADER = ("# Written by `trustcenter codeowners` from the roles in site-config.yml; do not edit by hand.\n"
          "# Each artifact folder is owned by the members of the roles its type needs to approve.\n")


def codeowners(config: SiteConfig) -> str:
    """The CODEOWNERS text: one line per artifact folder, and the configuration owned by every role."""
    lines = [HEADER]
    everyone: list[str] = []
    for artifact_type in ARTIFACT_TYPES.values():
        owners = _members(config, config.required_roles(artifact_type.name))
        everyone += [o for o in owners if o not in everyone]
        if owners:
            lines.append(f"/{artifact_type.folder}/ {' '.join(owners)}\n")
    if everyone:
        lines.append(f"/{CONFIG_FILE} {' '.join(everyone)}\n")
    return "".join(lines)


def _members(config: SiteConfig, roles: list[str]) -> list[str]:
    owners: list[str] = []
    for role in roles:
        owners += [m for m in config.roles.get(role, []) if m not in owners]
    return owners


def write_codeowners(root: Path, config: SiteConfig) -> Path:
    path = root / CODEOWNERS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(codeowners(config), encoding="utf-8")
    return path


def codeowners_findings(root: Path, config: SiteConfig) -> list[Finding]:
    """A CODEOWNERS file that no longer matches the roles is a blocking finding."""
    path = root / CODEOWNERS_FILE
    if not path.is_file():
        return []
    if path.read_text(encoding="utf-8") != codeowners(config):
        return [error(CODEOWNERS_FILE, 1, "codeowners-outdated",
                      "does not match the roles in site-config.yml: run `trustcenter codeowners`")]
    return []
