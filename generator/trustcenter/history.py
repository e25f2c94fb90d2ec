"""History: every committed version of every artifact, read from git in a constant number of processes.

One `git log` pass lists which artifact files each commit touched (following renames), and one
`git cat-file --batch` process returns all their contents. An SLA's measurement files belong to
its revisions: a commit that changes them is a revision of the SLA, read with the files as that
commit holds them. Without git, or in a shallow clone, the
site is built from the working tree alone and the history says once what it could not see.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .approval import approval_state, artifact_digest
from .config import CONFIG_FILE, SiteConfig, parse_config
from .findings import ConfigError
from .governance import trusted_chain
from .load import Artifact, decode, parse_artifact, type_of_path
from .measurements import owner_of
from .verify import verified_config_approvals
from .schema import Approval

_RECORD, _UNIT = "\x1e", "\x1f"


@dataclass(frozen=True)
class Revision:
    """An artifact as one commit left it."""

    artifact: Artifact
    digest: str
    publishable: bool        # under the site-config.yml of that same commit
    commit: str
    committed: datetime      # UTC
    approvals: tuple[Approval, ...] = ()   # the ones valid under that configuration
    config: SiteConfig | None = None        # the site-config.yml in force at that commit


_Blob = tuple[str, str]                 # (commit, path) of a file as that commit stored it


@dataclass(frozen=True)
class _Stored:
    """A revision as git holds it, read and parsed only when someone asks for that artifact's history."""

    path: str
    commit: str
    committed: datetime
    config: _Blob | None                # the site-config.yml in force then
    text: _Blob                         # the artifact's file
    measurements: tuple[_Blob, ...] = ()  # an SLA's measurement files in that commit


@dataclass
class History:
    """Revisions per artifact, oldest first, keyed by the artifact's key at the newest commit.

    Git is read up front (one log pass, one cat-file batch); parsing a revision's front matter is
    the expensive part, so it happens per artifact on first use and `check` pays only for what it needs.
    """

    stored: dict[str, list[_Stored]] = field(default_factory=dict)
    notice: str | None = None       # what history could not be read, said once
    config_order: list[_Blob] = field(default_factory=list)   # every site-config.yml, oldest first
    _repository: _Repository | None = field(default=None, repr=False)
    _wanted: list[tuple[str, str]] = field(default_factory=list, repr=False)
    _blobs: dict[tuple[str, str], bytes] | None = field(default=None, repr=False)
    _configs: dict[tuple[str, str], SiteConfig | None] = field(default_factory=dict, repr=False)
    _parsed: dict[str, list[Revision]] = field(default_factory=dict, repr=False)

    def of(self, key: str) -> list[Revision]:
        """Every committed revision of one artifact, oldest first."""
        if key not in self._parsed:
            stored = self.stored.get(key, [])
            if stored:
                self._load()
            revisions = (_revision(self._blobs.get(s.text), s.path, s.commit, s.committed,
                                   self._config(s.config),
                                   {path: self._blobs[(c, path)] for c, path in s.measurements
                                    if (c, path) in self._blobs}) for s in stored)
            self._parsed[key] = [r for r in revisions if r is not None]
        return self._parsed[key]

    def _load(self) -> None:
        """One cat-file process for every revision and configuration, on first use."""
        if self._blobs is None:
            self._blobs = self._repository.cat_files(self._wanted) if self._repository else {}

    def _config(self, where: tuple[str, str] | None) -> SiteConfig | None:
        """The configuration in force at a commit: its own, unless it weakened approval unapproved."""
        if where is None:
            return None
        if not self._configs:
            chain = trusted_chain([_config_from(self._blobs.get(blob)) for blob in self.config_order],
                                  self._verified_config_approvals)
            self._configs.update(zip(self.config_order, chain))
        return self._configs.get(where)

    def _verified_config_approvals(self, index: int, before: SiteConfig, config: SiteConfig) -> set[int] | None:
        """Under verify: git, only approvals of site-config.yml that its approvers committed and signed count."""
        if before.approval.verify != "git" or not config.approvals or self._repository is None:
            return None
        commit, path = self.config_order[index]
        text = self._blobs[(commit, path)].decode("utf-8", errors="replace")
        return verified_config_approvals(self._repository.root, config, before, commit, text)

    def trusted_config(self) -> SiteConfig | None:
        """The configuration in force at the newest commit, to hold the working tree's against."""
        if not self.config_order:
            return None
        self._load()
        return self._config(self.config_order[-1])


class GitError(Exception):
    pass


def read_history(root: Path) -> History:
    """Every committed revision of every artifact under `root`.

    Committed history changes only with a new commit: while HEAD is the same, the last history read
    for `root` (with every revision parsed so far) is the answer. A live preview reads it on every save.
    """
    try:
        repo = _Repository.open(root)
    except GitError as exc:
        return History(notice=f"no version history: {exc}; the site shows the working tree only")
    # One repository at a time (its root is part of `repo`): the cache serves a preview, not a library.
    if repo not in _last_read:
        _last_read.clear()
        _last_read[repo] = _read(repo)
    return _last_read[repo]


_last_read: dict[_Repository, History] = {}


def _read(repo: _Repository) -> History:
    if repo.shallow:
        notice = ("this is a shallow clone: only the history it holds is shown "
                  "(fetch with full history, e.g. `fetch-depth: 0`, to see every version)")
    else:
        notice = None
    commits = repo.changed_files()
    wanted = [(commit, path) for commit, _, changes in commits for _, _, path in changes
              if path is not None and (path == CONFIG_FILE or type_of_path(path) is not None
                                       or owner_of(path) is not None)]
    history = History(notice=notice, _repository=repo, _wanted=wanted)
    lineage: dict[str, list[_Stored]] = {}       # current path -> revisions so far
    text_at: dict[str, _Blob] = {}               # current path -> where its text is stored
    measured: dict[str, dict[str, _Blob]] = {}   # SLA path -> its measurement files, where stored
    config: _Blob | None = None
    for commit, committed, changes in commits:
        touched: list[str] = []
        # The configuration of a commit decides whether its artifacts were publishable.
        for status, old, new in sorted(changes, key=lambda change: change[2] != CONFIG_FILE):
            if new == CONFIG_FILE:
                config = (commit, new)
                history.config_order.append(config)
                continue
            owners = (owner_of(old) if old else None, owner_of(new) if new else None)
            if any(owners):
                if owners[0]:
                    measured.get(owners[0], {}).pop(old, None)
                if owners[1]:
                    measured.setdefault(owners[1], {})[new] = (commit, new)
                touched += filter(None, owners)
                continue
            if status == "D":
                lineage.pop(old, None)
                continue
            lineage[new] = lineage.pop(old, []) if status == "R" else lineage.get(new, [])
            text_at[new] = (commit, new)
            touched.append(new)
        for path in dict.fromkeys(touched):
            if path in lineage:
                files = tuple(blob for _, blob in sorted(measured.get(path, {}).items()))
                lineage[path].append(_Stored(path, commit, committed, config, text_at[path], files))
    for path, revisions in lineage.items():
        artifact_type = type_of_path(path)
        if revisions and artifact_type is not None:
            history.stored[f"{artifact_type.name}/{Path(path).stem}"] = revisions
    return history


@dataclass
class BaseTree:
    """The artifacts as one revision holds them: a pull request's base, or a commit in its range."""

    ref: str
    revisions: dict[str, Revision]      # by key at the base
    renamed: dict[str, str]             # base path -> working-tree path, where git saw a rename
    config: SiteConfig | None = None    # its site-config.yml


def read_base(root: Path, ref: str) -> BaseTree:
    """Every artifact at `ref`, with its publishability under that revision's configuration."""
    repo = _Repository.open(root)
    commit = _commit_of(root, ref)
    diff = _git(root, "diff", "--name-status", "-M", "-z", commit, "--", *repo.artifact_folders)
    renamed = {old: new for status, old, new in repo._changes(diff) if status == "R"}
    revisions, config = _tree_revisions(repo, commit)
    return BaseTree(ref, revisions, renamed, config)


_NAMES_SHOWN = 10


def _commit_of(root: Path, ref: str) -> str:
    """The commit `ref` names; when it names none, the error lists the branches there are."""
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}").strip()
    except GitError:
        names = _git(root, "for-each-ref", "--format=%(refname:short)", "refs/heads", "refs/remotes").split()
        names = [name for name in names if not name.endswith("/HEAD")]
        shown = ", ".join(names[:_NAMES_SHOWN]) + (f" and {len(names) - _NAMES_SHOWN} more"
                                                    if len(names) > _NAMES_SHOWN else "")
        raise GitError(f"'{ref}' names no commit in this repository; its branches: "
                       f"{shown or 'none'}") from None


def read_range(root: Path, ref: str) -> list[BaseTree]:
    """The artifacts as every commit after `ref` up to HEAD left them, oldest first.

    A pull request is reviewed by its net diff; each of its commits lands on its own after a rebase
    merge, so each is read: merges too, since a merge can change files of its own.
    """
    repo = _Repository.open(root)
    commits = _git(root, "rev-list", "--reverse", "--topo-order", f"{_commit_of(root, ref)}..HEAD").split()
    trees = []
    for commit in commits:
        revisions, config = _tree_revisions(repo, commit)
        trees.append(BaseTree(commit, revisions, {}, config))
    return trees


def _tree_revisions(repo: _Repository, commit: str) -> tuple[dict[str, Revision], SiteConfig | None]:
    """Every artifact as `commit` holds it, by key, judged under that commit's configuration."""
    listing = _git(repo.root, "ls-tree", "-r", "-z", "--name-only", commit, "--", *repo.artifact_folders)
    paths = [repo._relative(p) for p in listing.split("\x00") if p]
    artifacts = [p for p in paths if type_of_path(p) is not None]
    measured: dict[str, list[str]] = {}
    for path in paths:
        if owner_of(path) is not None:
            measured.setdefault(owner_of(path), []).append(path)
    files = [p for group in measured.values() for p in group]
    blobs = repo.cat_files([(commit, p) for p in artifacts + files + [CONFIG_FILE]])
    config = _config_from(blobs.get((commit, CONFIG_FILE)))
    committed = datetime.fromtimestamp(int(_git(repo.root, "show", "-s", "--format=%ct", commit).strip()),
                                       tz=timezone.utc)
    revisions = {}
    for path in artifacts:
        revision = _revision(blobs.get((commit, path)), path, commit, committed, config,
                             {p: blobs[(commit, p)] for p in measured.get(path, []) if (commit, p) in blobs})
        if revision is not None:
            revisions[revision.artifact.key] = revision
    return revisions, config


def _config_from(data: bytes | None) -> SiteConfig | None:
    if data is None:
        return None
    text, problem = decode(data, CONFIG_FILE)
    if problem:
        return None
    try:
        return parse_config(text, people_required=False)
    except ConfigError:
        return None


def _revision(data: bytes | None, path: str, commit: str, committed: datetime,
              config: SiteConfig | None, measurement_files: dict[str, bytes]) -> Revision | None:
    artifact_type = type_of_path(path)
    if data is None or artifact_type is None:
        return None
    text, problem = decode(data, path)
    if problem:
        return None
    facts = config.fact_values if config is not None else {}
    artifact, problems = parse_artifact(text, artifact_type, Path(path).stem, path, facts, measurement_files)
    if artifact is None:
        return None
    # Measurements that did not validate were never publishable, whatever the approvals say.
    state = approval_state(artifact, config) if config is not None else None
    publishable = state is not None and not any(p.blocking for p in problems) and state.publishable
    return Revision(artifact, artifact_digest(artifact), publishable, commit, committed,
                    tuple(state.valid.values()) if state is not None else (), config)


@dataclass(frozen=True)
class _Repository:
    root: Path
    prefix: str          # the trust center's folder inside the git work tree, '' or 'sub/'
    shallow: bool
    head: str            # the commit checked out

    @classmethod
    def open(cls, root: Path) -> _Repository:
        output = _git(root, "rev-parse", "--show-prefix", "--is-shallow-repository", "--verify", "HEAD")
        lines = output.splitlines()
        if len(lines) < 3:
            raise GitError("git gave no answer about this repository")
        return cls(root, lines[0], lines[1] == "true", lines[2])

    @property
    def artifact_folders(self) -> list[str]:
        return [self.prefix + name for name in ("policies", "content")]

    def changed_files(self) -> list[tuple[str, datetime, list[tuple[str, str | None, str | None]]]]:
        """(commit, date, [(status, old path, new path)]) for each commit on the first-parent line."""
        folders = [self.prefix + name for name in ("policies", "content", CONFIG_FILE)]
        output = _git(self.root, "log", "--first-parent", "-m", "--reverse", "--no-color",
                      "--name-status", "-M", "-z", f"--format={_RECORD}%H{_UNIT}%ct",
                      "--", *folders)
        commits = []
        for record in output.split(_RECORD)[1:]:
            header, _, rest = record.partition("\x00")
            commit, _, timestamp = header.strip().partition(_UNIT)
            committed = datetime.fromtimestamp(int(timestamp), tz=timezone.utc)
            commits.append((commit, committed, self._changes(rest)))
        return commits

    def _changes(self, text: str) -> list[tuple[str, str | None, str | None]]:
        fields = [f for f in text.strip("\n").split("\x00")]
        changes, i = [], 0
        while i < len(fields):
            status = fields[i].strip()
            if not status:
                i += 1
                continue
            if status[0] in "RC":
                old, new = self._relative(fields[i + 1]), self._relative(fields[i + 2])
                changes.append(("R" if status[0] == "R" else "A", old, new))
                i += 3
            else:
                path = self._relative(fields[i + 1])
                changes.append((status[0], path, None if status[0] == "D" else path))
                i += 2
        return changes

    def _relative(self, path: str) -> str:
        return path[len(self.prefix):] if path.startswith(self.prefix) else path

    def cat_files(self, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], bytes]:
        """The contents of `commit:path` for every pair, from one `git cat-file --batch`."""
        if not wanted:
            return {}
        request = "".join(f"{commit}:{self.prefix}{path}\n" for commit, path in wanted).encode()
        process = subprocess.run(["git", "cat-file", "--batch"], cwd=self.root, input=request,
                                 capture_output=True, check=False)
        if process.returncode != 0:
            raise GitError(process.stderr.decode(errors="replace").strip())
        data, position, blobs = process.stdout, 0, {}
        for key in wanted:
            end = data.index(b"\n", position)
            header = data[position:end].split()
            position = end + 1
            if len(header) == 3 and header[1] == b"blob":
                size = int(header[2])
                blobs[key] = data[position:position + size]
                position += size + 1
        return blobs


def _git(root: Path, *args: str) -> str:
    try:
        process = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                                 encoding="utf-8", errors="replace", check=False)
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    if process.returncode != 0:
        message = process.stderr.strip().splitlines()
        if any("not a git repository" in line for line in message):
            raise GitError("this folder is not in a git repository")
        if any("does not have any commits" in line or "Needed a single revision" in line
               for line in message) or (args[:2] == ("rev-parse", "--show-prefix") and not message):
            raise GitError("the git repository has no commits yet")
        raise GitError(message[-1] if message else f"git {args[0]} failed")
    return process.stdout
