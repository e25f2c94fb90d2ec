"""`trustcenter approve`: write or refresh one role's approval entry in an artifact's front matter,
or in site-config.yml for a change of the configuration itself."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from . import yamlsource
from .approval import approval_state, artifact_digest
from .config import CONFIG_FILE, ConfigApproval, SiteConfig
from .findings import ConfigError, Finding, TrustCenterError, error
from .governance import config_digest
from .load import ARTIFACT_TYPES, load_artifact, split_front_matter, type_of_path
from .schema import Approval, Status, parse_person


@dataclass
class ApproveOutcome:
    path: str
    approval: Approval
    replaced: bool
    status: Status
    pending_roles: list[str]
    name_replaced: str | None = None  # the name given with --by, when the config gives another


def approve(root: Path, path: Path, config: SiteConfig, role: str, by: str, on: date) -> ApproveOutcome:
    """Record `by`'s approval as `role` of the artifact at `path`, exactly as it now reads."""
    artifact_type, relative = _artifact_type_of(root, path)
    name, email = _approver(config, role, by, relative)
    configured = _configured_name(config, name, email)
    artifact, problems = load_artifact(root, artifact_type, root / relative, config.fact_values)
    blocking = [problem for problem in problems if problem.blocking]
    if artifact is None or blocking:  # measurements that do not validate cannot be approved
        raise TrustCenterError(blocking or problems)
    entry = Approval(role=role, by=f"{configured} <{email}>", date=on, version=artifact.meta.version,
                     digest=artifact_digest(artifact))
    others = [a for a in artifact.meta.approvals if a.role != role]
    approvals = sorted(others + [entry], key=lambda a: _role_order(config, artifact_type.name, a.role))
    _write_approvals(root / relative, approvals)
    refreshed, problems = load_artifact(root, artifact_type, root / relative, config.fact_values)
    if refreshed is None:  # pragma: no cover - the writer produced front matter we cannot read
        raise TrustCenterError(problems)
    return ApproveOutcome(relative, entry, replaced=len(others) < len(artifact.meta.approvals),
                          status=refreshed.meta.status,
                          pending_roles=approval_state(refreshed, config).pending_roles,
                          name_replaced=name if name != configured else None)


def _approver(config: SiteConfig, role: str, by: str, relative: str) -> tuple[str, str]:
    """(name, e-mail) of `by`, who must be a member of `role`."""
    if role not in config.roles:
        raise ConfigError([error(CONFIG_FILE, 1, "approval-unknown-role",
                                 f"there is no role '{role}' (defined: {', '.join(config.roles)})")])
    try:
        name, email = parse_person(by)
    except ValueError as exc:
        raise ConfigError([error("<command line>", 1, "usage", f"--by: {exc}")]) from None
    if not config.is_member(role, email):
        raise ConfigError([error(relative, 1, "approval-not-member",
                                      f"{email} is not a member of role '{role}' in {CONFIG_FILE}; "
                                      f"members: {', '.join(config.roles[role]) or 'none'}")])
    return name, email


def _configured_name(config: SiteConfig, name: str, email: str) -> str:
    person = config.person(email)
    return person.name if person is not None else name  # members are people: see config


def is_config(root: Path, path: Path) -> bool:
    absolute = (path if path.is_absolute() else Path.cwd() / path).resolve()
    return absolute == (root / CONFIG_FILE).resolve()


def _artifact_type_of(root: Path, path: Path):
    absolute = (path if path.is_absolute() else Path.cwd() / path).resolve()
    try:
        relative = absolute.relative_to(root.resolve()).as_posix()
    except ValueError:
        raise ConfigError([error(str(path), 1, "not-an-artifact",
                                 f"{path} is not inside the trust center at {root}")]) from None
    artifact_type = type_of_path(relative)
    if artifact_type is not None:
        if not absolute.is_file():
            raise ConfigError([error(relative, 1, "not-an-artifact", "no such file")])
        return artifact_type, relative
    raise ConfigError([error(relative, 1, "not-an-artifact",
                             "not an artifact: artifacts are <folder>/<id>.md in one of "
                             + ", ".join(t.folder for t in ARTIFACT_TYPES.values()))])


def _role_order(config: SiteConfig, type_name: str, role: str) -> tuple[int, str]:
    required = config.required_roles(type_name)
    return (required.index(role) if role in required else len(required), role)


_TOP_LEVEL_KEY = re.compile(r"^[^\s#-][^:]*:")


def _write_approvals(path: Path, approvals: list[Approval]) -> None:
    """Replace the `approvals:` block of the front matter, keeping every other line as written."""
    data = path.read_bytes()
    newline = "\r\n" if b"\r\n" in data else "\n"
    text = data.decode("utf-8-sig").replace("\r\n", "\n")
    front, body, _ = split_front_matter(text, str(path))
    entries = [{"role": a.role, "by": a.by, "date": a.date, "version": str(a.version), "digest": a.digest}
               for a in approvals]
    front_text = _with_approvals(front, entries).strip("\n")
    # Keep the closing fence and the body byte for byte: only the approvals may change.
    closing_fence = text.rfind("\n---", 0, len(text) - len(body)) + 1
    new_text = f"---\n{front_text}\n{text[closing_fence:]}"
    path.write_bytes(new_text.replace("\n", newline).encode("utf-8"))


def _with_approvals(yaml_text: str, entries: list[dict]) -> str:
    """YAML text with its top-level `approvals:` block replaced by `entries` (or added at the end)."""
    lines = yaml_text.split("\n")
    start = next((i for i, line in enumerate(lines) if re.match(r"^approvals\s*:", line)), None)
    block = yamlsource.dump({"approvals": entries}).rstrip("\n").split("\n")
    if start is None:
        while lines and not lines[-1].strip():
            lines.pop()
        return "\n".join(lines + block)
    end = start + 1
    while end < len(lines) and not _TOP_LEVEL_KEY.match(lines[end]):
        end += 1
    # Keep trailing blank lines and comments that belong to what follows.
    while end - 1 > start and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    lines[start:end] = block
    return "\n".join(lines)


@dataclass
class ConfigApproveOutcome:
    approval: ConfigApproval
    replaced: bool


def approve_config(root: Path, config: SiteConfig, role: str, by: str, on: date) -> ConfigApproveOutcome:
    """Record `by`'s approval as `role` of site-config.yml exactly as it now reads (see governance)."""
    name, email = _approver(config, role, by, CONFIG_FILE)
    entry = ConfigApproval(role=role, by=f"{_configured_name(config, name, email)} <{email}>", date=on,
                           digest=config_digest(config))
    others = [a for a in config.approvals if a.role != role]
    entries = [{"role": a.role, "by": a.by, "date": a.date, "digest": a.digest}
               for a in sorted(others + [entry], key=lambda a: a.role)]
    path = root / CONFIG_FILE
    data = path.read_bytes()
    newline = "\r\n" if b"\r\n" in data else "\n"
    text = data.decode("utf-8-sig").replace("\r\n", "\n")
    path.write_bytes((_with_approvals(text, entries).rstrip("\n") + "\n").replace("\n", newline).encode("utf-8"))
    return ConfigApproveOutcome(entry, replaced=len(others) < len(config.approvals))
