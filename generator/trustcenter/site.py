"""The site: MkDocs settings for a trust center, the atomic build, the live preview and the export."""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import tempfile
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import jinja2
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.commands.serve import serve as mkdocs_serve
from mkdocs.config import load_config as load_mkdocs_config
from mkdocs.exceptions import MkDocsException

from . import markup, yamlsource
from .checks import CheckResult, run_checks
from .clock import build_date
from .config import SiteConfig, load_config
from .files import theme_symlink_findings
from .findings import Finding, TrustCenterError, error
from .mkdocs_plugin import PACKAGE_THEME, Prepared
from .outputs import machine_files
from .pages import build_site
from .publish import AudienceName, publish_set

MATERIAL_FEATURES = ["navigation.prune", "navigation.top", "search.highlight", "content.code.copy"]


def theme_dir(root: Path) -> Path:
    """The company's theme overrides, or the generator's own theme when it has none.

    Refused, before MkDocs reads a template, when it is or holds a symbolic link, preview or not.
    """
    linked = theme_symlink_findings(root)
    if linked:
        raise TrustCenterError(linked)
    return root / "theme" if (root / "theme").is_dir() else PACKAGE_THEME


def mkdocs_settings(root: Path, config: SiteConfig, *, docs_dir: Path, site_dir: Path,
                    audience: AudienceName, preview: bool, custom_dir: Path | None = None,
                    plugin: bool = True) -> dict[str, Any]:
    """A complete mkdocs.yml for this trust center, as data."""
    plugins: list[Any] = ["search"]
    if plugin:
        plugins.append({"trustcenter": {"root": str(root), "audience": audience.value,
                                        "preview": preview}})
    return {
        "site_name": config.site.name,
        "site_url": config.site.url,
        "site_description": config.site.description or None,
        "copyright": f"© {config.site.organisation}",  # as the plugin sets it
        "docs_dir": str(docs_dir),
        "site_dir": str(site_dir),
        "use_directory_urls": True,
        "strict": True,
        "validation": {"omitted_files": "warn", "absolute_links": "warn",
                       "unrecognized_links": "warn", "anchors": "warn"},
        "theme": {"name": "material", "custom_dir": str(custom_dir or theme_dir(root)),
                  "language": config.site.language, "font": False, "features": MATERIAL_FEATURES},
        "markdown_extensions": [{name: markup.MARKDOWN_EXTENSION_CONFIGS.get(name, {})}
                                for name in markup.MARKDOWN_EXTENSIONS],
        "plugins": plugins,
        "extra": {"generator": False},
    }


@dataclass
class BuildOutcome:
    out: Path
    result: CheckResult
    pages: int


def build(root: Path, out: Path, *, audience: AudienceName = AudienceName.PUBLIC,
          preview: bool = False) -> BuildOutcome:
    """Build the site into a staging directory beside `out` and swap it in only on success."""
    root, out = root.resolve(), out.resolve()
    config = load_config(root)
    result = run_checks(root, config, build_date())
    if result.blocking and not preview:
        raise TrustCenterError(result.blocking)
    out.parent.mkdir(parents=True, exist_ok=True)
    _recover(out)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        work = staging / "work"
        (work / "docs").mkdir(parents=True)
        settings = mkdocs_settings(root, config, docs_dir=work / "docs", site_dir=staging / "site",
                                   audience=audience, preview=preview)
        mkdocs_config = _load(work, settings)
        mkdocs_config.plugins["trustcenter"].prepared = Prepared(result)
        _run_mkdocs(mkdocs_build, mkdocs_config)
        pages = len(mkdocs_config.plugins["trustcenter"].site.pages)
        _swap(staging / "site", out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BuildOutcome(out, result, pages)


def serve(root: Path, dev_addr: str, *, audience: AudienceName = AudienceName.PUBLIC,
          preview: bool = True) -> None:
    """Live preview: MkDocs' dev server with the plugin watching the trust center's files."""
    root = root.resolve()
    config = load_config(root)
    with _workspace() as work:
        settings = mkdocs_settings(root, config, docs_dir=work / "docs", site_dir=work / "site",
                                   audience=audience, preview=preview)
        settings["dev_addr"] = dev_addr
        config_file = work / "mkdocs.yml"
        config_file.write_text(yamlsource.dump(settings), encoding="utf-8")
        _log_to_terminal()
        # "Dirty" builds let MkDocs skip the pages the plugin finds unchanged (see incremental.py).
        mkdocs_serve(config_file=str(config_file), livereload=True, build_type="dirty")


def _log_to_terminal() -> None:
    """`serve` talks to its terminal: MkDocs' progress and every finding of every rebuild."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    for name in ("mkdocs", "trustcenter"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)
        logger.propagate = False
    # MkDocs warns that a dirty build may leave the navigation stale; the plugin renders every page
    # again whenever the navigation changes, so the warning does not apply (and would fail --strict).
    logging.getLogger("mkdocs.commands.build").addFilter(
        lambda record: not record.getMessage().startswith("A 'dirty' build"))


def export(root: Path, out: Path, *, audience: AudienceName = AudienceName.PUBLIC) -> int:
    """Write the site as a plain MkDocs project (pages, theme, mkdocs.yml) that needs no plugin."""
    root, out = root.resolve(), out.resolve()
    config, today = load_config(root), build_date()
    result = run_checks(root, config, today)
    if result.blocking:
        raise TrustCenterError(result.blocking)
    site = build_site(root, config, publish_set(result, audience, False, today), today)
    if out.exists() and any(out.iterdir()):
        raise TrustCenterError([error(str(out), 1, "export-not-empty",
                                      "the export directory exists and is not empty")])
    files = {page.uri: page.markdown().encode("utf-8") for page in site.pages.values()}
    files.update(machine_files(config, site, today))
    for name, content in files.items():
        target = out / "docs" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    shutil.copytree(PACKAGE_THEME, out / "theme", dirs_exist_ok=True)
    if theme_dir(root) != PACKAGE_THEME:
        shutil.copytree(theme_dir(root), out / "theme", dirs_exist_ok=True)
    settings = mkdocs_settings(root, config, docs_dir=Path("docs"), site_dir=Path("site"),
                               audience=audience, preview=False, custom_dir=Path("theme"), plugin=False)
    settings["nav"] = site.nav
    settings["exclude_docs"] = "!.well-known/\n"  # MkDocs skips dot-folders unless told otherwise
    (out / "mkdocs.yml").write_text(yamlsource.dump(settings), encoding="utf-8")
    return len(site.pages)


@contextmanager
def _workspace() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="trustcenter-") as name:
        work = Path(name)
        (work / "docs").mkdir()
        yield work


def _load(work: Path, settings: dict[str, Any]):
    config_file = work / "mkdocs.yml"
    config_file.write_text(yamlsource.dump(settings), encoding="utf-8")
    try:
        return load_mkdocs_config(config_file=str(config_file))
    except MkDocsException as exc:
        raise TrustCenterError([error("site-config.yml", 1, "build-config", str(exc))]) from None


def _run_mkdocs(command, mkdocs_config) -> None:
    """Run an MkDocs command; its warnings (strict mode) and errors become findings."""
    collector = _WarningCollector()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    try:
        command(mkdocs_config)
    except MkDocsException as exc:
        findings = collector.findings or [error("site", 1, "build-failed", str(exc))]
        raise TrustCenterError(findings) from None
    except jinja2.TemplateError as exc:
        where = getattr(exc, "filename", None) or "theme"
        raise TrustCenterError([error(str(where), getattr(exc, "lineno", 1) or 1, "theme-error",
                                      f"template error: {exc}")]) from None
    except Exception as exc:  # a fault in a theme template surfaces as any Python error
        where, line = _template_frame(exc)
        raise TrustCenterError([error(where, line, "build-failed",
                                      f"{type(exc).__name__}: {exc}")]) from None
    finally:
        logger.removeHandler(collector)


def _template_frame(exc: BaseException) -> tuple[str, int]:
    """The innermost theme template line a traceback passed through, if any."""
    where, line = "site", 1
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename.endswith(".html"):
            where, line = frame.f_code.co_filename, lineno
    return where, line


class _WarningCollector(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.findings: list[Finding] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.findings.append(error("site", 1, "build-warning", record.getMessage()))


def _swap(built: Path, out: Path) -> None:
    """Put `built` at `out` so that a reader (or a kill) never sees a missing or half-written site.

    On Linux the two directories are exchanged in one atomic step (renameat2 RENAME_EXCHANGE);
    elsewhere the old site is renamed aside first, and `_recover` puts it back if a build dies
    between the two renames.
    """
    if not out.exists():
        os.rename(built, out)
        return
    if _exchange(built, out):
        shutil.rmtree(built, ignore_errors=True)  # `built` now holds the previous site
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
    """Clean up after a build that was killed: restore a site renamed aside, drop staging copies."""
    for retired in sorted(out.parent.glob(f".{out.name}.old-*")):
        if not out.exists() and (retired / out.name).is_dir():
            os.rename(retired / out.name, out)
        shutil.rmtree(retired, ignore_errors=True)
    for leftover in out.parent.glob(f".{out.name}.building-*"):
        shutil.rmtree(leftover, ignore_errors=True)
