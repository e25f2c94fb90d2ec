"""Approval state: the digest of an artifact and whether its approvals make it publishable."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .claims import find_claims, rules_for
from .config import SiteConfig
from .findings import Finding, error, info, warning
from .load import Artifact
from .schema import Approval, Status

# Fields that record the approval, and so cannot be part of what is approved (but see
# canonical_content: a retirement is signed).
UNSIGNED_FIELDS = ("status", "approvals")
# Statuses that claim the text is approved: a retired artifact stays published, marked retired.
SIGNED_STATUSES = (Status.APPROVED, Status.RETIRED)


def canonical_content(front_matter: dict[str, Any], body: str, attached: str = "") -> bytes:
    """Front matter without status and approvals as sorted JSON, a newline, then the body; then,
    after a NUL byte (which no accepted text contains), what is attached to it (an SLA's measurements).

    Whether the artifact is retired is signed too: taking an artifact off the catalogue is a change
    its approvers approve, not a word anyone may type (`status: retired` stays in the JSON).
    """
    signed = {key: value for key, value in front_matter.items() if key not in UNSIGNED_FIELDS}
    if front_matter.get("status") == Status.RETIRED.value:
        signed["status"] = Status.RETIRED.value
    header = json.dumps(signed, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    text = body.replace("\r\n", "\n").replace("\r", "\n").rstrip()
    return (header + "\n" + text + ("\0" + attached if attached else "")).encode("utf-8")


def digest_of(front_matter: dict[str, Any], body: str, attached: str = "") -> str:
    return "sha256:" + hashlib.sha256(canonical_content(front_matter, body, attached)).hexdigest()


@functools.lru_cache(maxsize=65536)  # an artifact is immutable, and read once per text (see load)
def artifact_digest(artifact: Artifact) -> str:
    attached = artifact.measurements.canonical() if artifact.measurements is not None else ""
    return digest_of(artifact.raw, artifact.body, attached)


@dataclass
class ApprovalState:
    """What an artifact's approvals amount to, role by role."""

    artifact: Artifact
    digest: str
    required_roles: list[str]
    valid: dict[str, Approval] = field(default_factory=dict)
    stale: list[Approval] = field(default_factory=list)
    non_members: list[Approval] = field(default_factory=list)
    unknown_roles: list[Approval] = field(default_factory=list)
    misnamed: dict[int, str] = field(default_factory=dict)  # entry index -> the name the config gives

    @property
    def pending_roles(self) -> list[str]:
        return [role for role in self.required_roles if role not in self.valid]

    @property
    def changelog_complete(self) -> bool:
        return any(entry.version == self.artifact.meta.version for entry in self.artifact.meta.changelog)

    @property
    def publishable(self) -> bool:
        meta = self.artifact.meta
        return (meta.status in SIGNED_STATUSES and meta.effective is not None
                and self.changelog_complete and not self.pending_roles)

    def role_status(self, role: str) -> str:
        """'approved', 'stale' or 'missing' for one required role."""
        if role in self.valid:
            return "approved"
        if any(a.role == role for a in self.stale):
            return "stale"
        return "missing"


def required_roles(artifact: Artifact, config: SiteConfig) -> list[str]:
    """The roles its type needs, plus the claims reviewer's when its text makes risky claims."""
    roles = list(config.required_roles(artifact.type.name))
    reviewer = config.claims.require_role
    if reviewer and reviewer not in roles and find_claims(artifact, rules_for(config)):
        roles.append(reviewer)
    return roles


# Shown for an approver the configuration no longer lists: `by` is free text, never shown.
UNLISTED_NAME = "a former approver"


def attributed(approval: Approval, config: SiteConfig) -> Approval:
    """The approval as every output shows it: under the name site-config.yml gives its approver."""
    person = config.person(approval.email)
    name = person.name if person is not None else UNLISTED_NAME
    if name == approval.name:
        return approval
    return approval.model_copy(update={"by": f"{name} <{approval.email}>"})


def approval_state(artifact: Artifact, config: SiteConfig) -> ApprovalState:
    meta = artifact.meta
    state = ApprovalState(artifact, artifact_digest(artifact), required_roles(artifact, config))
    for index, approval in enumerate(meta.approvals):
        person = config.person(approval.email)
        if person is not None and person.name != approval.name:
            state.misnamed[index] = person.name
        if approval.role not in config.roles:
            state.unknown_roles.append(approval)
        elif not config.is_member(approval.role, approval.email):
            state.non_members.append(approval)
        elif approval.version != meta.version or approval.digest != state.digest:
            state.stale.append(approval)
        else:
            state.valid[approval.role] = attributed(approval, config)
    return state


def approval_findings(state: ApprovalState, today: date) -> list[Finding]:
    """Findings for one artifact; problems block only once the artifact claims to be approved."""
    artifact, meta = state.artifact, state.artifact.meta
    path = artifact.path
    claims_approval = meta.status in SIGNED_STATUSES
    blocking = error if claims_approval else info
    findings: list[Finding] = []
    for index, approval in enumerate(meta.approvals):
        line = artifact.line_of("approvals", index)
        if index in state.misnamed:
            findings.append(error(path, line, "approval-name-mismatch",
                                  f"the {approval.role} approval names its approver '{approval.name}', "
                                  f"but site-config.yml names {approval.email} '{state.misnamed[index]}': "
                                  "the site shows the configured name; write that name in `by`"))
        if approval in state.unknown_roles:
            findings.append(error(path, line, "approval-unknown-role",
                                  f"approval by {approval.email} names role '{approval.role}', which "
                                  "site-config.yml does not define"))
        elif approval in state.non_members:
            findings.append(error(path, line, "approval-not-member",
                                  f"{approval.email} approved as {approval.role} but is not a member "
                                  f"of that role in site-config.yml"))
        elif approval in state.stale:
            if approval.version != meta.version:
                why = f"it approves version {approval.version}, the artifact is now {meta.version}"
            else:
                why = "the text changed after it was given (digest mismatch)"
            findings.append(blocking(path, line, "approval-stale",
                                     f"the {approval.role} approval by {approval.email} is stale: {why}; "
                                     f"run `trustcenter approve {path} --role {approval.role}`"))
    for role in state.pending_roles:
        if not any(a.role == role for a in state.stale):
            findings.append(blocking(path, artifact.line_of("status"), "approval-missing",
                                     f"needs approval by {role} (version {meta.version})"))
    if not state.changelog_complete:
        findings.append(blocking(path, artifact.line_of("changelog"), "changelog-missing-version",
                                 f"the changelog has no entry for the current version {meta.version}"))
    if claims_approval and meta.effective is None:
        findings.append(error(path, artifact.line_of("status"), "effective-missing",
                              f"a {meta.status.value} artifact needs an `effective` date"))
    if meta.next_review is not None and meta.next_review < today and meta.status is not Status.RETIRED:
        findings.append(warning(path, artifact.line_of("next_review"), "review-overdue",
                                f"next review was due on {meta.next_review.isoformat()}"))
    return findings
