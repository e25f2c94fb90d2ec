"""The MkDocs plugin: wires MkDocs events to the trust-center core, and does nothing else."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from . import markup
from .checks import CheckResult, run_checks
from .clock import build_date
from .config import CONFIG_FILE, load_config
from .files import theme_symlink_findings
from .findings import Severity, TrustCenterError
from .incremental import RenderedPages, theme_fingerprint
from .outputs import machine_files
from .pages import Site, build_site
from .publish import AudienceName, publish_set

log = logging.getLogger("trustcenter")
PACKAGE_THEME = Path(__file__).parent / "theme"
WATCHED = ("content", "policies", "theme", CONFIG_FILE)


class TrustCenterPluginConfig(base.Config):
    root = c.Optional(c.Dir(exists=True))
    audience = c.Choice([a.value for a in AudienceName], default=AudienceName.PUBLIC.value)
    preview = c.Type(bool, default=False)


@dataclass
class Prepared:
    """Core results computed before MkDocs runs (by `trustcenter build`), so they are not redone."""

    result: CheckResult


class _PageFile(File):
    """A generated page that MkDocs' dirty build skips when its output is still right."""

    current = False

    def is_modified(self) -> bool:
        return not self.current


class _TemplatePage(Page):
    """A page its template lays out from data alone (a diff, a version history): MkDocs would set up
    a Markdown converter for its empty text, which costs more than laying out the page."""

    def render(self, config, files) -> None:
        self.content, self.toc, self.present_anchor_ids = "", get_toc([]), set()


class TrustCenterPlugin(BasePlugin[TrustCenterPluginConfig]):
    prepared: Prepared | None = None
    site: Site | None = None
    files: dict[str, bytes] = {}
    # With on_startup defined, MkDocs keeps this plugin from one rebuild of `serve` to the next;
    # `rendered` is set only there, where unchanged pages are not rendered again.
    rendered: RenderedPages | None = None
    _search_mark = 0

    def on_startup(self, *, command, dirty) -> None:
        self.rendered = RenderedPages() if command == "serve" and dirty else None

    def root(self, config) -> Path:
        if self.config.root:
            return Path(self.config.root).resolve()
        return Path(os.path.dirname(config.config_file_path or ".")).resolve()

    def on_config(self, config):
        root = self.root(config)
        audience, preview = AudienceName(self.config.audience), self.config.preview
        try:
            today = build_date()
            if self.prepared is not None:
                result = self.prepared.result
            else:
                result = run_checks(root, load_config(root), today)
                # Shown in the terminal of `serve` on every rebuild. This logger is not MkDocs' own,
                # so a finding in a preview does not abort the strict build.
                for finding in result.findings:
                    if finding.severity is not Severity.INFO:
                        log.warning("%s", finding)
            if result.blocking and not preview:
                raise TrustCenterError(result.blocking)
            # A preview shows blocked content, but MkDocs must never read a template through a link.
            linked = theme_symlink_findings(root)
            if linked:
                raise TrustCenterError(linked)
            self.site = build_site(root, result.config, publish_set(result, audience, preview, today), today,
                                   reuse=self.rendered.made if self.rendered is not None else None)
            self.files = machine_files(result.config, self.site, today)
        except TrustCenterError as exc:
            raise PluginError("the trust center has blocking findings:\n" + str(exc)) from None
        config.nav = self.site.nav
        # site-config.yml may change while `serve` runs: its values win over the generated mkdocs.yml.
        info = result.config.site
        config.site_name, config.copyright = info.name, f"© {info.organisation}"
        config.site_description = info.description or None
        # Our templates sit under the company's own overrides and over Material's.
        if PACKAGE_THEME.resolve() not in [Path(d).resolve() for d in config.theme.dirs]:
            config.theme.dirs.insert(1 if config.theme.custom_dir else 0, str(PACKAGE_THEME))
        if self.rendered is not None:
            themes = [PACKAGE_THEME] + ([Path(config.theme.custom_dir)] if config.theme.custom_dir else [])
            self.rendered.start((self.site.nav, result.config, audience, preview, theme_fingerprint(themes)))
        return config

    def on_files(self, files: Files, *, config) -> Files:
        for page in self.site.pages.values():
            inclusion = InclusionLevel.INCLUDED if page.in_nav else InclusionLevel.NOT_IN_NAV
            file = _PageFile.generated(config, page.uri, content=page.text(), inclusion=inclusion)
            file.current = self.rendered is not None and self.rendered.is_current(page)
            files.append(file)
            if not page.in_nav and not page.body.strip():
                _TemplatePage(None, file, config)
        self._search_mark = 0
        return files

    def on_env(self, env, *, config, files):
        if self.rendered is not None:
            env.bytecode_cache = self.rendered.templates
        return env

    def on_page_markdown(self, markdown: str, *, page, config, files) -> str:
        # The page's data goes to MkDocs as it is: a YAML round trip would cost more than rendering.
        source = self.site.pages.get(page.file.src_uri)
        if source is None:
            return markdown
        page.meta = source.meta()
        # MkDocs has read the first lines of the text as page settings if they looked like them
        # ("Important: ..." or a `---` block) and dropped them; they are approved text: all of it
        # is rendered.
        return source.text()

    def on_page_content(self, html: str, *, page, config, files) -> str:
        if self.rendered is None:
            # MkDocs renders every page before it writes any, and keeps every page object to the
            # end of the build: what a page no longer needs is let go, here and once it is written.
            # Emptied, not None: MkDocs reads a page's title only while it has Markdown.
            page.markdown, page.file.content_string = "", ""
            self.site.pages[page.file.src_uri].body = ""
        return markup.sanitise(html)

    def on_page_context(self, context, *, page, config, nav):
        # The search plugin runs first and indexes the page: its new entries are this page's.
        if self.rendered is not None:
            entries = _search(config).search_index.entries
            self.rendered.rendered(self.site.pages[page.file.src_uri], entries[self._search_mark:])
            self._search_mark = len(entries)
        return context

    def on_post_page(self, output: str, *, page, config) -> str:
        # Anchors that theme templates add (a model card's #metrics) are valid link targets too.
        if page.present_anchor_ids is not None:
            page.present_anchor_ids |= markup.element_ids(output)
        if self.rendered is None:
            page.content, page.meta = None, {}
            self.site.pages[page.file.src_uri].data = {}
        return markup.with_content_security_policy(output)

    @event_priority(50)  # before the search plugin writes its index
    def on_post_build(self, *, config) -> None:
        if self.rendered is not None:
            log.info("%d of %d pages rendered, the others unchanged", self.rendered.pending, len(self.site.pages))
            for uri in self.rendered.finish(self.site):
                gone = Path(File(uri, None, config.site_dir, config.use_directory_urls).abs_dest_path)
                gone.unlink(missing_ok=True)
            search = _search(config)
            search.search_index.entries = self.rendered.search_entries(self.site)
            search.search_index_prev = None
        for name, content in self.files.items():
            target = Path(config.site_dir) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)

    def on_build_error(self, *, error) -> None:
        if self.rendered is not None:
            self.rendered.failed()

    def on_serve(self, server, *, config, builder):
        root = self.root(config)
        for name in WATCHED:
            if (root / name).exists():
                server.watch(str(root / name))
        return server


def _search(config):
    return config.plugins["material/search"]
