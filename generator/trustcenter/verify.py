"""Approvals verified against git: the commit that wrote an approval must be the approver's own.

With `approval.verify: git`, the commit that added or last changed each approval entry (found with
`git blame`) must be authored by the approver's e-mail; with `approval.require_signed: true` it must
also carry a good signature (`git verify-commit`). Anyone can type another person's name into a
file; only the approver can make a commit that git attributes, and signs, as theirs.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from .config import SiteConfig
from .findings import Finding, error, info
from .load import Artifact

_UNCOMMITTED = "0" * 40


@dataclass(frozen=True)
class LineOrigin:
    commit: str
    author_email: str
    time: int


def verify_approvals(root: Path, artifacts: list[Artifact], config: SiteConfig) -> list[Finding]:
    if config.approval.verify != "git":
        return []
    findings: list[Finding] = []
    signatures: dict[str, bool] = {}
    for artifact in artifacts:
        approvals = artifact.meta.approvals
        if not approvals:
            continue
        starts = [artifact.line_of("approvals", i) for i in range(len(approvals))]
        last = _last_line_of_block(artifact, starts[-1])
        origins = _blame(root, artifact.path, starts[0], last)
        if origins is None:
            findings.append(error(artifact.path, starts[0], "approval-unverifiable",
                                  "approval.verify is git, but git cannot tell who wrote this file's "
                                  "approvals (is it committed, in a full clone?)"))
            continue
        ends = [s - 1 for s in starts[1:]] + [last]
        for approval, start, end in zip(approvals, starts, ends):
            lines = [origins[n] for n in range(start, end + 1) if n in origins]
            if not lines:
                continue
            origin = max(lines, key=lambda o: o.time)
            if origin.commit == _UNCOMMITTED:
                findings.append(info(artifact.path, start, "approval-unverified",
                                     f"the {approval.role} approval by {approval.by} is not committed "
                                     "yet; it is verified once committed"))
                continue
            if origin.author_email.lower() != approval.email:
                findings.append(error(artifact.path, start, "approval-forged",
                                      f"the {approval.role} approval by {approval.by} was written by commit "
                                      f"{origin.commit[:12]}, authored by {origin.author_email}: an "
                                      "approval must be committed by the approver"))
            elif config.approval.require_signed:
                if origin.commit not in signatures:
                    signatures[origin.commit] = _signed(root, origin.commit)
                if not signatures[origin.commit]:
                    findings.append(error(artifact.path, start, "approval-unsigned",
                                          f"the {approval.role} approval by {approval.by} was written by "
                                          f"commit {origin.commit[:12]}, which has no good signature"))
    return findings


def _last_line_of_block(artifact: Artifact, last_entry: int) -> int:
    """The last line of the final approval entry: the deepest line recorded under it."""
    index = len(artifact.meta.approvals) - 1
    lines = [line for path, line in artifact.lines.lines.items()
             if path[:2] == ("approvals", index)]
    return max(lines + [last_entry])


def _blame(root: Path, path: str, first: int, last: int) -> dict[int, LineOrigin] | None:
    process = subprocess.run(["git", "blame", "--porcelain", "-L", f"{first},{last}", "--", path],
                             cwd=root, capture_output=True, text=True, encoding="utf-8", errors="replace")
    if process.returncode != 0:
        return None
    origins: dict[int, LineOrigin] = {}
    known: dict[str, dict[str, str]] = {}
    current, line = "", 0
    for text in process.stdout.splitlines():
        if text.startswith("\t"):
            details = known[current]
            origins[line] = LineOrigin(current, details.get("author-mail", "").strip("<>"),
                                       int(details.get("committer-time", "0")))
            continue
        head, _, rest = text.partition(" ")
        if len(head) == 40 and all(c in "0123456789abcdef" for c in head):
            current = head
            line = int(rest.split()[1])
            known.setdefault(current, {})
        else:
            known[current][head] = rest
    return origins


def _signed(root: Path, commit: str) -> bool:
    return subprocess.run(["git", "verify-commit", commit], cwd=root, capture_output=True).returncode == 0
