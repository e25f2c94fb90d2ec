"""The site: MkDocs settings for a trust center, the atomic build, the live preview and the export."""

from __future__ import annotations

import logging
import shutil
import signal
import socket
import tempfile
import threading
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import jinja2
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.commands.serve import serve as mkdocs_serve
from mkdocs.config import load_config as load_mkdocs_config
from mkdocs.config.base import ValidationError
from mkdocs.config.config_options import IpAddress
from mkdocs.exceptions import MkDocsException

from . import markup, output_folder, yamlsource
from .checks import CheckResult, run_checks
from .clock import build_date
from .config import SiteConfig, load_config
from .files import theme_symlink_findings
from .findings import ConfigError, Finding, TrustCenterError, error
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
    """Build the site into a staging directory beside `out` and swap it in only on success.

    `out` must be new, empty or an earlier output (see output_folder); a refused one is untouched.
    """
    root, out = root.resolve(), out.resolve()
    output_folder.check_target(root, out)
    config = load_config(root)
    result = run_checks(root, config, build_date())
    if result.blocking and not preview:
        raise TrustCenterError(result.blocking)
    staging = output_folder.staging_folder(out)
    try:
        work = staging / "work"
        (work / "docs").mkdir(parents=True)
        settings = mkdocs_settings(root, config, docs_dir=work / "docs", site_dir=staging / "site",
                                   audience=audience, preview=preview)
        mkdocs_config = _load(work, settings)
        mkdocs_config.plugins["trustcenter"].prepared = Prepared(result)
        _run_mkdocs(mkdocs_build, mkdocs_config)
        pages = len(mkdocs_config.plugins["trustcenter"].site.pages)
        output_folder.mark(staging / "site")
        output_folder.check_target(root, out)  # again: the folder may have changed while building
        output_folder.swap(staging / "site", out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BuildOutcome(out, result, pages)


def serve(root: Path, dev_addr: str, *, audience: AudienceName = AudienceName.PUBLIC,
          preview: bool = True) -> None:
    """Live preview: MkDocs' dev server with the plugin watching the trust center's files.

    The address is checked before anything is built. Everything written goes into one temporary
    folder (MkDocs' own build folder included), removed however serving ends: Ctrl-C, SIGTERM or
    an error.
    """
    root = root.resolve()
    host, port = dev_address(dev_addr)
    _refuse_taken(host, port, dev_addr)
    config = load_config(root)
    with _workspace() as work, _temporary_files_in(work), _terminate_as_interrupt():
        settings = mkdocs_settings(root, config, docs_dir=work / "docs", site_dir=work / "site",
                                   audience=audience, preview=preview)
        settings["dev_addr"] = dev_addr
        config_file = work / "mkdocs.yml"
        config_file.write_text(yamlsource.dump(settings), encoding="utf-8")
        _log_to_terminal()
        try:
            # "Dirty" builds let MkDocs skip the pages the plugin finds unchanged (incremental.py).
            mkdocs_serve(config_file=str(config_file), livereload=True, build_type="dirty")
        except OSError as exc:  # the address was taken between the check and the start
            raise _address_error(dev_addr, exc) from None


def dev_address(text: str) -> tuple[str, int]:
    """HOST:PORT as MkDocs reads it, with the port in range; a usage error otherwise."""
    try:
        host, port = IpAddress().validate(text)
    except ValidationError as exc:
        raise ConfigError([error("<command line>", 1, "usage", f"--dev-addr {text}: {exc}")]) from None
    if not 0 <= port <= 65535:
        raise ConfigError([error("<command line>", 1, "usage",
                                 f"--dev-addr {text}: the port must be between 0 and 65535")])
    return host, port


def _refuse_taken(host: str, port: int, dev_addr: str) -> None:
    """Fail before the first build, not after it, when the address cannot be served on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the dev server binds
            probe.bind((host, port))
    except OSError as exc:
        raise _address_error(dev_addr, exc) from None


def _address_error(dev_addr: str, exc: OSError) -> ConfigError:
    reason = exc.strerror or str(exc)
    return ConfigError([error("<command line>", 1, "serve-address-unavailable",
                              f"cannot serve on {dev_addr}: {reason}; choose another with "
                              "--dev-addr HOST:PORT")])


@contextmanager
def _temporary_files_in(folder: Path) -> Iterator[None]:
    """Make temporary folders (MkDocs makes its build folder with `mkdtemp`) inside `folder`."""
    before = tempfile.tempdir
    tempfile.tempdir = str(folder)
    try:
        yield
    finally:
        tempfile.tempdir = before


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM stops serving as Ctrl-C does, so that every `finally` runs and cleans up."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    before = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


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
    """Write the site as a plain MkDocs project (pages, theme, mkdocs.yml) that needs no plugin.

    Written whole beside `out` and swapped in, under the same rules for `out` as a build.
    """
    root, out = root.resolve(), out.resolve()
    output_folder.check_target(root, out)
    config, today = load_config(root), build_date()
    result = run_checks(root, config, today)
    if result.blocking:
        raise TrustCenterError(result.blocking)
    site = build_site(root, config, publish_set(result, audience, False, today), today)
    staging = output_folder.staging_folder(out)
    try:
        project = staging / "project"
        files = {page.uri: page.markdown().encode("utf-8") for page in site.pages.values()}
        files.update(machine_files(config, site, today))
        for name, content in files.items():
            target = project / "docs" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        shutil.copytree(PACKAGE_THEME, project / "theme", dirs_exist_ok=True)
        if theme_dir(root) != PACKAGE_THEME:
            shutil.copytree(theme_dir(root), project / "theme", dirs_exist_ok=True)
        settings = mkdocs_settings(root, config, docs_dir=Path("docs"), site_dir=Path("site"),
                                   audience=audience, preview=False, custom_dir=Path("theme"),
                                   plugin=False)
        settings["nav"] = site.nav
        settings["exclude_docs"] = "!.well-known/\n"  # MkDocs skips dot-folders unless told otherwise
        (project / "mkdocs.yml").write_text(yamlsource.dump(settings), encoding="utf-8")
        output_folder.mark(project)
        output_folder.check_target(root, out)
        output_folder.swap(project, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
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
