"""Checks: everything `trustcenter check` reports, gathered from the stages that know it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import markup
from .approval import ApprovalState, approval_findings, approval_state
from .baseline import base_findings, range_findings
from .config import CONFIG_FILE, SiteConfig, config_lines
from .files import theme_symlink_findings
from .governance import weakening_findings
from .codeowners import codeowners_findings
from .controls import control_findings
from .claims import assess, claim_findings, find_claims, rules_for
from .findings import ConfigError, Finding, error, info
from .history import GitError, History, read_base, read_history, read_range
from .links import source_links
from .load import PAGES_FOLDER, Artifact, load_artifacts
from .measurements import measurement_findings
from .provenance import Provenance, provenance
from .schema import PAGE_TYPE, RESERVED_PAGE_IDS
from .verify import verified_config_approvals, verify_approvals, verify_artifact_at


@dataclass
class CheckResult:
    config: SiteConfig
    artifacts: list[Artifact]
    states: dict[str, ApprovalState]
    history: History
    provenance: dict[str, Provenance] = field(default_factory=dict)   # what of the history may be shown
    findings: list[Finding] = field(default_factory=list)

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    @property
    def ok(self) -> bool:
        return not self.blocking


def run_checks(root: Path, config: SiteConfig, today: date, *, base: str | None = None) -> CheckResult:
    """Load every artifact, read its history, and check approvals, markup, references and, against
    a base revision, version discipline."""
    loaded = load_artifacts(root, config.fact_values)
    history = read_history(root)
    states = {a.key: approval_state(a, config) for a in loaded.artifacts}
    trusted = {a.key: provenance(a, states[a.key], history.of(a.key), _history_verifier(root))
               for a in loaded.artifacts}
    findings = list(loaded.findings)
    for item in trusted.values():
        findings += item.findings
    if history.notice:
        findings.append(info(".", 1, "history-unavailable", history.notice))
    if base is not None:
        try:
            base_tree = read_base(root, base)
        except GitError as exc:
            raise ConfigError([error("<command line>", 1, "base-unreadable",
                                     f"--base {base}: {exc}")]) from None
        against_base = base_findings(base_tree, loaded.artifacts, states)
        against_base += range_findings(base_tree, read_range(root, base), loaded.artifacts, states)
        # One edit, one finding: "raise the version" against the base says what "published version
        # changed" would say again.
        not_bumped = {f.path for f in against_base if f.rule == "version-not-bumped"}
        findings = [f for f in findings if not (f.rule == "published-version-changed" and f.path in not_bumped)]
        findings += against_base
        if base_tree.config is not None:
            findings += weakening_findings(base_tree.config, config, config_lines(root), base,
                                           _config_verified(root, base_tree.config, config))
    elif (committed := history.trusted_config()) is not None and committed != config:
        findings += weakening_findings(committed, config, config_lines(root),
                                       "the configuration last approved in git history",
                                       _config_verified(root, committed, config))
    known = {a.key for a in loaded.artifacts}
    by_path = {a.path: a for a in loaded.artifacts}
    # An artifact whose last approved version stays up counts as published for links.
    published = {key for key, state in states.items() if state.publishable or trusted[key].versions}
    rules = rules_for(config)
    by_key = {a.key: a for a in loaded.artifacts}
    for artifact in loaded.artifacts:
        state = states[artifact.key]
        assessments, evidence_problems = assess(artifact, find_claims(artifact, rules), config, today, by_key)
        findings += evidence_problems + claim_findings(artifact, assessments)
        findings += approval_findings(state, today)
        findings += markup_findings(artifact)
        findings += control_findings(artifact)
        findings += reference_findings(artifact, known)
        findings += measurement_findings(artifact, known, today)
        findings += link_findings(root, artifact, state, by_path, published)
    findings += page_findings(root, loaded.artifacts, config)
    findings += theme_symlink_findings(root)
    findings += verify_approvals(root, loaded.artifacts, config)
    findings += codeowners_findings(root, config)
    return CheckResult(config, loaded.artifacts, states, history, trusted, sorted(set(findings)))


def _config_verified(root: Path, before: SiteConfig, config: SiteConfig) -> set[int] | None:
    """With verify: git (as the configuration stood before), the config approvals that verify."""
    if before.approval.verify != "git" or not config.approvals:
        return None
    return verified_config_approvals(root, config, before)


def _history_verifier(root: Path):
    """A committed version verifies against git when the configuration in force at its commit said so."""
    def verify(revision) -> list[Finding]:
        config = revision.config
        if config is None or config.approval.verify != "git":
            return []
        return verify_artifact_at(root, revision.commit, revision.artifact, config)
    return verify


def markup_findings(artifact: Artifact) -> list[Finding]:
    return [error(artifact.path, artifact.body_line + problem.line - 1, "unsafe-html",
                  problem.message + "; it would be removed from the page")
            for problem in markup.unsafe_markup(artifact.body)]


def reference_findings(artifact: Artifact, known: set[str]) -> list[Finding]:
    meta = artifact.meta
    references = [(ref, ("affected", i)) for i, ref in enumerate(getattr(meta, "affected", []))]
    references += [(f"model-card/{system.model_card}", ("ai_systems", i, "model_card"))
                   for i, system in enumerate(getattr(meta, "ai_systems", [])) if system.model_card]
    return [error(artifact.path, artifact.line_of(*where), "reference-unknown",
                  f"refers to {ref}, which does not exist")
            for ref, where in references if ref not in known]


def page_findings(root: Path, artifacts: list[Artifact], config: SiteConfig) -> list[Finding]:
    """Pages may not take a generated page's place, and someone must be named to approve them."""
    pages = [a for a in artifacts if a.type.name == PAGE_TYPE]
    findings = [error(page.path, 1, "page-reserved-name",
                      f"a page may not be called '{page.id}': the site's own /{page.id}/ lives "
                      f"there (reserved: {', '.join(sorted(RESERVED_PAGE_IDS))}); rename the file")
                for page in pages if page.id in RESERVED_PAGE_IDS]
    if pages and PAGE_TYPE not in config.required_approvals:
        findings.append(error(CONFIG_FILE, _line_of_setting(root, "required_approvals"), "page-roles-missing",
                              f"{len(pages)} page(s) in {PAGES_FOLDER}/ but required_approvals names no "
                              "roles for type 'page': pages speak for the company and are published "
                              "only once approved; add e.g. `page: [legal, marketing]`"))
    return findings


def _line_of_setting(root: Path, key: str) -> int:
    try:
        lines = (root / CONFIG_FILE).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 1
    return next((n for n, line in enumerate(lines, 1) if line.startswith(key + ":")), 1)


def link_findings(root: Path, artifact: Artifact, state: ApprovalState, by_path: dict[str, Artifact],
                  published: set[str]) -> list[Finding]:
    findings = []
    for link in source_links(artifact.body, artifact.path, artifact.body_line):
        target = by_path.get(link.path)
        if target is None:
            findings.append(error(artifact.path, link.line, "link-broken",
                                  f"the link to {link.target} leads nowhere ({link.path} is not "
                                  "an artifact or a page of this trust center)"))
        elif state.publishable and target.key not in published:
            findings.append(error(artifact.path, link.line, "link-unpublished",
                                  f"links to {target.path}, which is not publishable: the link "
                                  "would be broken on the site"))
    return findings
