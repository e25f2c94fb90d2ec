"""Approvals verified against git: every line of an approval was written, and signed, by the approver.

With `approval.verify: git`, every commit that wrote any line of an approval entry (found with
`git blame`, all lines of the entry, never chosen by date: committers set their dates) must be
authored by the approver's e-mail and carry a good signature by one of the keys `site-config.yml`
lists for that person under `people`. Anyone can type another person's name into a file, or into
git's author line; only the approver holds the key that signs as them.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import yamlsource
from .config import CONFIG_FILE, Person, SiteConfig
from .findings import Finding, error, info
from .load import Artifact, FrontMatterProblem, split_front_matter
from .schema import Approval

_UNCOMMITTED = "0" * 40
# What git would otherwise take from files a pull request can change: `.mailmap` rewrites the
# authors blame reports, an ignore-revs file hides commits from blame, replace refs swap objects.
_GIT_ENV = {**os.environ, "GIT_NO_REPLACE_OBJECTS": "1"}
_CACHE_KEPT = 100_000


@dataclass(frozen=True)
class BlamedFile:
    """The text of a file as git blamed it, and the commit that wrote each line (1-based)."""

    text: str
    commits: dict[int, str]


def verify_approvals(root: Path, artifacts: list[Artifact], config: SiteConfig) -> list[Finding]:
    """Findings for every approval not written, and signed, by its approver (with verify: git)."""
    if config.approval.verify != "git":
        return []
    findings: list[Finding] = []
    for artifact in artifacts:
        findings += verify_artifact_at(root, None, artifact, config)
    return findings


def verify_artifact_at(root: Path, commit: str | None, artifact: Artifact, config: SiteConfig) -> list[Finding]:
    """Verify one artifact's approvals as its file stood at `commit` (None: the working tree).

    Blames of commits and signature checks are cached, so calling this for every version in the
    history costs one blame per (commit, file) and one signature check per (commit, person).
    """
    approvals = artifact.meta.approvals
    if not approvals:
        return []
    first_line = artifact.line_of("approvals")
    blamed = _blame(root, commit, artifact.path, artifact.body_line)
    entries = _entry_lines(blamed, artifact) if blamed is not None else None
    if entries is None and commit is None and _untracked(root, artifact.path):
        return [info(artifact.path, first_line, "approval-unverified",
                     "this file is not committed yet; its approvals are verified once committed")]
    if entries is None:
        return [error(artifact.path, first_line, "approval-unverifiable",
                      "approval.verify is git, but git cannot tell who wrote this file's approvals "
                      "(is it committed, in a full clone?)")]
    findings = []
    for index, (approval, lines) in enumerate(zip(approvals, entries)):
        line = artifact.line_of("approvals", index)
        problem = _attribution_problem(approvals, entries, index)
        if problem:
            findings.append(error(artifact.path, line, "approval-unverifiable",
                                  f"the {approval.role} approval by {approval.email} {problem}"))
            continue
        person = config.person(approval.email)
        if person is None:
            continue  # not a member of any role: reported as approval-not-member
        findings += _entry_findings(root, artifact.path, line, approval, person,
                                    [blamed.commits.get(n, _UNCOMMITTED) for n in sorted(lines)])
    return findings


def _entry_lines(blamed: BlamedFile, artifact: Artifact) -> list[set[int]] | None:
    """The lines of each approval entry in the blamed text, if it is the text the artifact was read from."""
    try:
        front, _, _ = split_front_matter(blamed.text, artifact.path)
        document = yamlsource.parse(front)
    except (FrontMatterProblem, yamlsource.YamlProblem):
        return None
    if not isinstance(document.data, dict) or document.data.get("approvals") != artifact.raw.get("approvals"):
        return None  # the file changed since it was read: what was blamed is not what is checked
    entries = yamlsource.item_lines(front, ("approvals",))
    if entries is None or len(entries) != len(artifact.meta.approvals):
        return None
    return entries


def _attribution_problem(approvals: list[Approval], entries: list[set[int]], index: int) -> str | None:
    """Why entry `index` cannot be attributed to its approver alone, if it cannot."""
    lines = entries[index]
    if not lines:
        return "is written on no line git can attribute to anyone"
    for other, (approval, other_lines) in enumerate(zip(approvals, entries)):
        shared = lines & other_lines
        if other != index and shared and approval.email != approvals[index].email:
            return (f"shares line {min(shared)} with the {approval.role} approval by {approval.email}: "
                    "a line cannot be attributed to two people, put each approval on its own lines")
    return None


def _entry_findings(root: Path, path: str, line: int, approval: Approval, person: Person,
                    commits: list[str]) -> list[Finding]:
    who = f"the {approval.role} approval by {person.name} <{person.email}>"
    if not person.signing_keys:
        return [error(path, line, "approval-unverifiable",
                      f"{who} cannot be verified: site-config.yml lists no signing_keys for "
                      f"{person.email} under people, and with approval.verify: git only a commit "
                      "signed by the approver's own key counts")]
    uncommitted = _UNCOMMITTED in commits
    for commit in dict.fromkeys(c for c in commits if c != _UNCOMMITTED):
        author, signed = _commit_by(root, commit, person)
        if author != person.email.lower():
            return [error(path, line, "approval-forged",
                          f"{who} was written (in part) by commit {commit[:12]}, authored by "
                          f"{author or 'nobody'}: an approval must be committed by the approver")]
        if not signed:
            return [error(path, line, "approval-unsigned",
                          f"{who} was written (in part) by commit {commit[:12]}, which carries no good "
                          f"signature by a key site-config.yml lists for {person.email}")]
    if uncommitted:
        return [info(path, line, "approval-unverified",
                     f"{who} is not committed yet; it is verified once committed")]
    return []


_blames: dict[tuple[str, str, str], BlamedFile | None] = {}


def _blame(root: Path, commit: str | None, path: str, body_line: int) -> BlamedFile | None:
    """The front matter of `path` at `commit` (the working tree when None), blamed line by line."""
    key = (str(root.resolve()), commit or "", path)
    if commit is not None and key in _blames:
        return _blames[key]
    revision = [commit] if commit is not None else []
    process = subprocess.run(["git", "blame", "--porcelain", "--ignore-revs-file=", "-L", f"1,{max(body_line - 1, 1)}",
                              *revision, "--", path], cwd=root, capture_output=True, text=True,
                             encoding="utf-8", errors="replace", env=_GIT_ENV)
    blamed = _parse_blame(process.stdout) if process.returncode == 0 else None
    if commit is not None:
        if len(_blames) >= _CACHE_KEPT:
            _blames.clear()
        _blames[key] = blamed
    return blamed


def _parse_blame(porcelain: str) -> BlamedFile:
    commits: dict[int, str] = {}
    texts: list[str] = []
    current, line = "", 0
    for text in porcelain.splitlines():
        if text.startswith("\t"):
            commits[line] = current
            texts.append(text[1:].removesuffix("\r").removeprefix("\ufeff"))
            continue
        head, _, rest = text.partition(" ")
        if len(head) == 40 and all(c in "0123456789abcdef" for c in head):
            current, line = head, int(rest.split()[1])
    return BlamedFile("\n".join(texts) + "\n", commits)


def _untracked(root: Path, path: str) -> bool:
    """Whether git knows of no such file yet, in a repository it can read."""
    process = subprocess.run(["git", "ls-files", "--", path], cwd=root, capture_output=True, text=True,
                             env=_GIT_ENV)
    return process.returncode == 0 and not process.stdout.strip()


_signatures: dict[tuple[str, str, str, tuple[str, ...]], tuple[str, bool]] = {}


def _commit_by(root: Path, commit: str, person: Person) -> tuple[str, bool]:
    """(the commit's author e-mail as recorded, whether it is signed by one of `person`'s keys)."""
    key = (str(root.resolve()), commit, person.email.lower(), tuple(person.signing_keys))
    if key not in _signatures:
        if len(_signatures) >= _CACHE_KEPT:
            _signatures.clear()
        # %ae is the author as written in the commit: blame's author-mail follows .mailmap.
        author = subprocess.run(["git", "log", "-1", "--no-mailmap", "--format=%ae", commit, "--"], cwd=root,
                                capture_output=True, text=True, env=_GIT_ENV).stdout.strip().lower()
        _signatures[key] = (author, _signed_by(root, commit, person))
    return _signatures[key]


def _signed_by(root: Path, commit: str, person: Person) -> bool:
    """Whether the commit carries a good signature by one of the keys the config lists for `person`."""
    with tempfile.TemporaryDirectory(prefix="trustcenter-signers-") as folder:
        # Only this person's keys, under their e-mail: a key anyone else trusts counts for nothing.
        signers = Path(folder) / "allowed_signers"
        signers.write_text("".join(f'{person.email} namespaces="git" {key}\n' for key in person.ssh_keys),
                           encoding="utf-8")
        process = subprocess.run(["git", "-c", f"gpg.ssh.allowedSignersFile={signers}", "verify-commit",
                                  "--raw", commit], cwd=root, capture_output=True, text=True,
                                 encoding="utf-8", errors="replace", env=_GIT_ENV)
    if process.returncode != 0:
        return False
    output = process.stdout + process.stderr
    if "[GNUPG:] VALIDSIG " in output:
        return _gpg_fingerprint_matches(output, person)
    return f'Good "git" signature for {person.email} with' in output and bool(person.ssh_keys)


def _gpg_fingerprint_matches(status: str, person: Person) -> bool:
    """A GPG signature counts when its key, or that key's primary key, is one the config lists."""
    wanted = set(person.gpg_fingerprints)
    for line in status.splitlines():
        fields = line.split()
        if fields[:2] == ["[GNUPG:]", "VALIDSIG"] and len(fields) > 2:
            if fields[2].upper() in wanted or fields[-1].upper() in wanted:
                return True
    return False


def verified_config_approvals(root: Path, config: SiteConfig, people: SiteConfig,
                              commit: str | None = None, text: str | None = None) -> set[int]:
    """Indexes of site-config.yml's approvals (its `text` at `commit`; the working tree's when None)
    that every commit writing them authored and signed as the approver, with the keys `people` (the
    configuration before) lists."""
    if text is None:
        text = (root / CONFIG_FILE).read_text(encoding="utf-8")
    blamed = _blame(root, commit, CONFIG_FILE, text.count("\n") + 2)
    if blamed is None:
        return set()
    try:
        data = yamlsource.parse(blamed.text).data
    except yamlsource.YamlProblem:
        return set()
    written = [a.model_dump(mode="json") for a in config.approvals]
    entries = yamlsource.item_lines(blamed.text, ("approvals",))
    if not isinstance(data, dict) or entries is None or len(entries) != len(written) or \
            [dict(entry, date=str(entry.get("date"))) for entry in data.get("approvals") or []] != written:
        return set()
    verified = set()
    for index, (approval, lines) in enumerate(zip(config.approvals, entries)):
        person = people.person(approval.email)
        if person is None or _attribution_problem(config.approvals, entries, index):
            continue
        commits = [blamed.commits.get(n, _UNCOMMITTED) for n in sorted(lines)]
        if _UNCOMMITTED not in commits and not _entry_findings(root, CONFIG_FILE, 1, approval, person, commits):
            verified.add(index)
    return verified
