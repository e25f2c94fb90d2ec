"""Output folders: where a build or an export may write, its mark, and the swap that replaces one.

A trust center's repository holds the only copy of its legal text, so writing a site is guarded:
the output folder may be new, empty, or a folder this tool wrote before (it carries a mark that
lists every file written); never the repository itself, a folder that holds it, or one of its
source folders. A marked folder that has gained a file since is refused too: nothing the tool did
not write is ever deleted.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import tempfile
from pathlib import Path

from .config import CONFIG_FILE
from .findings import ConfigError, error
from .load import CONTENT_DIR
from .schema import ARTIFACT_TYPES

MARK = ".trustcenter-output.json"
MARK_FORMAT = 1
SOURCES = sorted({CONFIG_FILE, ".git", "theme", CONTENT_DIR,
                  *(t.folder.split("/")[0] for t in ARTIFACT_TYPES.values())})
_SHOWN = 5  # unexpected files named in a message


def check_target(root: Path, out: Path) -> None:
    """Refuse (exit 2) an output folder whose replacement could lose anything but an earlier output."""
    root, out = root.resolve(), out.resolve()
    if out == root or out in root.parents:
        raise _refused(out, "output-holds-sources",
                       f"the output folder would replace the trust center at {root}: "
                       "choose a folder of its own, such as site/")
    if out.is_relative_to(root):
        top = out.relative_to(root).parts[0]
        if top in SOURCES:
            raise _refused(out, "output-in-sources",
                           f"the output folder is inside '{top}', which the trust center is "
                           f"read from ({', '.join(SOURCES)}): choose a folder of its own, such as site/")
    if not out.exists():
        return
    if not out.is_dir():
        raise _refused(out, "output-not-folder", "the output path exists and is not a folder")
    found = _files(out)
    if not found:
        return
    written = _marked_files(out)
    if written is None:
        raise _refused(out, "output-not-ours",
                       f"the output folder holds files this tool did not write ({_some(found)}): "
                       "choose a new or empty folder; a folder it built before is marked "
                       f"with {MARK}")
    unexpected = sorted(found - written - {MARK})
    if unexpected:
        raise _refused(out, "output-changed",
                       f"the output folder holds files the last build did not write "
                       f"({_some(set(unexpected))}): move them away, or choose another folder")


def mark(folder: Path) -> None:
    """Record in `folder` every file in it: the next build may replace exactly those."""
    files = sorted(_files(folder) - {MARK})
    text = json.dumps({"generator": "trustcenter", "format": MARK_FORMAT, "files": files}, indent=0)
    (folder / MARK).write_text(text + "\n", encoding="utf-8")


def staging_folder(out: Path) -> Path:
    """A new, empty folder beside `out` to write into, on the same file system as `out`."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _recover(out)
        return Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    except OSError as exc:
        raise _refused(out, "output-unwritable",
                       f"cannot write beside the output folder: {exc.strerror or exc}") from None


def swap(built: Path, out: Path) -> None:
    """Put `built` at `out` so that a reader (or a kill) never sees a missing or half-written site.

    On Linux the two directories are exchanged in one atomic step (renameat2 RENAME_EXCHANGE);
    elsewhere the old site is renamed aside first, and `_recover` puts it back if a build dies
    between the two renames. An empty folder at `out` is simply replaced.
    """
    if out.is_dir() and not any(out.iterdir()):
        out.rmdir()
    if not out.exists():
        os.rename(built, out)
        return
    if _exchange(built, out):
        shutil.rmtree(built, ignore_errors=True)  # `built` now holds the previous output
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.rename(out, retired / out.name)
    os.rename(built, out)
    shutil.rmtree(retired, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0


def _recover(out: Path) -> None:
    """Clean up after a build that was killed: restore an output renamed aside, drop staging copies.

    Only folders this module names and fills are touched: `.NAME.old-*` holding just NAME, and
    `.NAME.building-*`.
    """
    for retired in sorted(out.parent.glob(f".{out.name}.old-*")):
        if not retired.is_dir() or retired.is_symlink() or {p.name for p in retired.iterdir()} - {out.name}:
            continue
        if not out.exists() and (retired / out.name).is_dir():
            os.rename(retired / out.name, out)
        shutil.rmtree(retired, ignore_errors=True)
    for leftover in out.parent.glob(f".{out.name}.building-*"):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)


def _files(folder: Path) -> set[str]:
    """Every file (and symbolic link) under `folder`, by relative POSIX path."""
    found = set()
    for directory, folders, names in os.walk(folder):
        base = Path(directory)
        # A link to a folder is listed as an entry, never followed.
        found.update((base / name).relative_to(folder).as_posix()
                     for name in names + [f for f in folders if (base / f).is_symlink()])
    return found


def _marked_files(folder: Path) -> set[str] | None:
    """The files the mark in `folder` lists, or None if there is no readable mark."""
    path = folder / MARK
    if path.is_symlink() or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("generator") != "trustcenter":
        return None
    files = data.get("files")
    if not isinstance(files, list) or not all(isinstance(name, str) for name in files):
        return None
    return set(files)


def _some(names: set[str]) -> str:
    shown = sorted(names)[:_SHOWN]
    more = len(names) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more else "")


def _refused(out: Path, rule: str, message: str) -> ConfigError:
    return ConfigError([error(str(out), 1, rule, message)])
