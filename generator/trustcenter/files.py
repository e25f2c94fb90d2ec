"""Reading the repository's own files: never through a symbolic link, never from outside it.

The file system is not trusted (DESIGN 3a): a link committed by a pull-request author can point at
`.git/config` or at a file outside the checkout, and whatever it points to would be published.
"""

from __future__ import annotations

import os
from pathlib import Path

from .findings import Finding, error

SYMLINK_RULE = "symlink-refused"


def linked_part(root: Path, relative: str) -> str | None:
    """The first part of `relative` (a folder on the way, or the file) that is a symbolic link."""
    current = root
    parts = Path(relative).parts
    for index, part in enumerate(parts):
        current = current / part
        if current.is_symlink():
            return "/".join(parts[: index + 1])
    if current.exists() and not current.resolve().is_relative_to(root.resolve()):
        return relative
    return None


def symlink_finding(root: Path, relative: str) -> Finding | None:
    """A located error when `relative` would be read through a symbolic link, else None."""
    linked = linked_part(root, relative)
    if linked is None:
        return None
    what = "is" if linked == relative else f"is read through {linked}, which is"
    return error(relative, 1, SYMLINK_RULE,
                 f"{relative} {what} a symbolic link: a trust center reads no file through a link "
                 "(it could publish any file, .git/config included); commit the file itself")


def tree_symlink_findings(root: Path, relative: str) -> list[Finding]:
    """An error for the folder `relative` if it is reached through a link, and for every link in it."""
    problem = symlink_finding(root, relative)
    if problem is not None:
        return [problem]
    folder = root / relative
    findings = []
    for directory, folders, names in os.walk(folder):   # os.walk does not follow links into folders
        for name in sorted(folders + names):
            path = Path(directory) / name
            if path.is_symlink():
                findings.append(symlink_finding(root, path.relative_to(root).as_posix()))
    return sorted(f for f in findings if f is not None)


def theme_symlink_findings(root: Path, folder: str = "theme") -> list[Finding]:
    """Errors for a company theme folder that is, or holds, a symbolic link (MkDocs would follow it)."""
    return tree_symlink_findings(root, folder) if os.path.lexists(root / folder) else []
