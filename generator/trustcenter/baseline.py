"""Rules against a base revision (`check --base REF`): how a pull request may change what is published."""

from __future__ import annotations

from .approval import ApprovalState
from .findings import Finding, error
from .history import BaseTree
from .load import Artifact


def base_findings(base: BaseTree, artifacts: list[Artifact], states: dict[str, ApprovalState]) -> list[Finding]:
    """Version discipline: bump on change, never go down, retire rather than delete (a rewritten
    published version is found without a base: see provenance)."""
    findings: list[Finding] = []
    current = {a.key: a for a in artifacts}
    current_paths = {a.path for a in artifacts}
    for key, before in sorted(base.revisions.items()):
        renamed_to = base.renamed.get(before.artifact.path)
        after = current.get(key) or next((a for a in artifacts if a.path == renamed_to), None)
        if after is None:
            if before.publishable and before.artifact.path not in current_paths:
                findings.append(error(before.artifact.path, 1, "artifact-removed",
                                      f"{key} {before.artifact.meta.version} is published at {base.ref} "
                                      "and was removed; set `status: retired` instead, so its history "
                                      "and URLs stay"))
            continue
        findings += _version_findings(before.artifact, before.digest, after, states[after.key], base.ref)
    return findings


def _version_findings(before: Artifact, before_digest: str, after: Artifact, state: ApprovalState,
                      ref: str) -> list[Finding]:
    old, new = before.meta.version, after.meta.version
    line = after.line_of("version")
    if new < old:
        return [error(after.path, line, "version-decreased",
                      f"version went down from {old} (at {ref}) to {new}")]
    if state.digest != before_digest and new == old:
        return [error(after.path, line, "version-not-bumped",
                      f"the content changed since {ref} but the version is still {new}: raise it "
                      "(patch for wording, minor for substance, major for a change in commitments)")]
    if new > old and not state.changelog_complete:
        return [error(after.path, after.line_of("changelog"), "changelog-not-updated",
                      f"version {old} -> {new} has no changelog entry for {new}")]
    return []


def range_findings(base: BaseTree, commits: list[BaseTree], artifacts: list[Artifact],
                   states: dict[str, ApprovalState]) -> list[Finding]:
    """Every commit of the range, not only the net diff: a version publishable in any commit must be
    one the reviewers see (the final text) or one already published at the base.

    Two commits (one raising a version with new text and typed-in approvals, one restoring the file)
    make an empty net diff; after a rebase merge the history would hold the first as a published version.
    """
    seen = {(key, r.artifact.meta.version, r.digest) for key, r in base.revisions.items() if r.publishable}
    seen |= {(a.key, a.meta.version, states[a.key].digest) for a in artifacts}
    final_path = {a.key: a.path for a in artifacts}
    findings: list[Finding] = []
    for tree in commits:
        for key, revision in sorted(tree.revisions.items()):
            version = revision.artifact.meta.version
            if not revision.publishable or (key, version, revision.digest) in seen:
                continue
            seen.add((key, version, revision.digest))
            findings.append(error(final_path.get(key, revision.artifact.path), 1, "history-unreviewed-version",
                                  f"commit {tree.ref[:12]} makes version {version} of {key} publishable with "
                                  f"text that neither {base.ref} nor this change's final state has: reviewers "
                                  "of the net diff never see it, and a rebase merge would publish it; squash "
                                  "or drop that commit"))
    return findings
