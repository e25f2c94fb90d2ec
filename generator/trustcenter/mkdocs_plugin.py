"""The MkDocs plugin: wires MkDocs events to the trust-center core, and does nothing else."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel

from . import markup
from .checks import CheckResult, run_checks
from .clock import build_date
from .config import CONFIG_FILE, load_config
from .findings import Severity, TrustCenterError
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


class TrustCenterPlugin(BasePlugin[TrustCenterPluginConfig]):
    prepared: Prepared | None = None
    site: Site | None = None
    files: dict[str, bytes] = {}

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
            self.site = build_site(root, result.config, publish_set(result, audience, preview, today), today)
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
        return config

    def on_files(self, files: Files, *, config) -> Files:
        for page in self.site.pages.values():
            inclusion = InclusionLevel.INCLUDED if page.in_nav else InclusionLevel.NOT_IN_NAV
            files.append(File.generated(config, page.uri, content=page.markdown(), inclusion=inclusion))
        return files

    def on_page_content(self, html: str, *, page, config, files) -> str:
        return markup.sanitise(html)

    def on_post_page(self, output: str, *, page, config) -> str:
        # Anchors that theme templates add (a model card's #metrics) are valid link targets too.
        if page.present_anchor_ids is not None:
            page.present_anchor_ids |= markup.element_ids(output)
        return markup.with_content_security_policy(output)

    def on_post_build(self, *, config) -> None:
        for name, content in self.files.items():
            target = Path(config.site_dir) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)

    def on_serve(self, server, *, config, builder):
        root = self.root(config)
        for name in WATCHED:
            if (root / name).exists():
                server.watch(str(root / name))
        return server
