"""Provenance: which committed versions of an artifact may reach a reader, and which text each keeps.

History is not trusted for being there. A committed revision is published only when it verifies
under the same rules as the current file (its approvals valid under the configuration in force at
its commit, and, where approvals are verified against git, written and signed by the approvers);
when its version is no higher than the current file's (a version raised and then taken back in a
later commit never reached review as the current text); and when its version does not go below one
published before it. The first text published under a version is that version for good: a later
commit with other text under the same version is reported, and the frozen page keeps the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .approval import ApprovalState
from .findings import Finding, error, info, warning
from .history import Revision
from .load import Artifact
from .schema import Status

# Whether a committed revision's approvals verify at its commit (git identity and signatures).
Verifier = Callable[[Revision], list[Finding]]


@dataclass(frozen=True)
class Provenance:
    """The committed versions that may be published, and what was refused on the way."""

    versions: tuple[Revision, ...]          # the first trusted text of each version, oldest first
    findings: tuple[Finding, ...] = ()

    def first_text(self, version) -> Revision | None:
        return next((r for r in self.versions if r.artifact.meta.version == version), None)


def provenance(artifact: Artifact, state: ApprovalState, revisions: list[Revision],
               verifier: Verifier | None = None) -> Provenance:
    """Walk an artifact's committed revisions, oldest first, keeping those a reader may see."""
    current = artifact.meta.version
    kept: dict = {}          # version -> first trusted revision
    highest = None
    findings: list[Finding] = []
    for revision in revisions:
        version = revision.artifact.meta.version
        if not revision.publishable:
            continue
        if version > current:
            findings.append(warning(artifact.path, 1, "history-version-withdrawn",
                                    f"commit {revision.commit[:12]} published version {version}, which a "
                                    f"later commit took back (the file is now {current}); it is not shown"))
            continue
        if highest is not None and version < highest:
            findings.append(warning(artifact.path, 1, "history-version-withdrawn",
                                    f"commit {revision.commit[:12]} set version {version} after {highest} had "
                                    "been published: a version never goes down, so it is not shown"))
            continue
        if version in kept:
            continue           # the first text of a version is the frozen one (see `changed_findings`)
        problems = verifier(revision) if verifier is not None else []
        if any(p.blocking for p in problems):
            findings.append(warning(artifact.path, 1, "history-unverified",
                                    f"version {version} (commit {revision.commit[:12]}) is not shown: its "
                                    "approvals do not verify at that commit: "
                                    + "; ".join(p.message for p in problems if p.blocking)))
            continue
        kept[version] = revision
        highest = version
    result = Provenance(tuple(kept[v] for v in sorted(kept)), tuple(findings))
    return Provenance(result.versions, result.findings + tuple(changed_findings(artifact, state, result)))


def changed_findings(artifact: Artifact, state: ApprovalState, trusted: Provenance) -> list[Finding]:
    """A published version's text never changes: the working tree must keep it, or raise the version."""
    first = trusted.first_text(artifact.meta.version)
    if first is None or first.digest == state.digest:
        return []
    claims_approval = artifact.meta.status in (Status.APPROVED, Status.RETIRED)
    report = error if claims_approval else info
    return [report(artifact.path, artifact.line_of("version"), "published-version-changed",
                   f"version {artifact.meta.version} was published (commit {first.commit[:12]}) with other "
                   "content; a published version never changes: raise the version (its first text "
                   "stays on the site)")]
