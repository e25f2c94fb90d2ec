"""Risky claims: absolute, unqualified, superlative, compliance and autonomy statements in artifact text.

The rules are data (claim_rules.yml, extended or switched off under `claims:` in site-config.yml).
A claim is found per sentence; a negated use, a quoted phrase or code is not a claim. A claim is
substantiated by an `evidence` entry in the front matter, or accepted for one occurrence with an
inline `<!-- claims: allow RULE "reason" -->`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from . import yamlsource
from .findings import Finding, error, info, warning
from .load import Artifact
from .schema import ModelCardMeta
from .visible import visible_text

RULES_FILE = Path(__file__).with_name("claim_rules.yml")
_NEGATORS = re.compile(r"\b(not|no|never|cannot|can't|can not|isn't|aren't|doesn't|don't|won't|"
                       r"without|nor|neither|n't)\b", re.IGNORECASE)
# Code is blanked before this is used (see visible.py): a backtick left is one the reader sees.
_QUOTED = re.compile(r"\"[^\"\n]*\"|“[^”\n]*”")
_ALLOW = re.compile(r"<!--\s*claims:\s*allow\s+([a-z0-9-]+)\s+\"([^\"]+)\"\s*-->")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9\"“(])")


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    pattern: re.Pattern          # the rule's patterns as one alternation
    why: str
    substantiate: str
    qualifiers: re.Pattern | None = None
    described: re.Pattern | None = None
    triggers: tuple[str, ...] = ()     # lower-case fragments every match contains; () = always search


@dataclass(frozen=True)
class Claim:
    rule: Rule
    line: int
    words: str          # the matched words
    sentence: str


@dataclass(frozen=True)
class Assessment:
    claim: Claim
    status: str          # 'unsubstantiated', 'substantiated', 'allowed', 'certificate-missing', 'certificate-expired'
    detail: str          # the evidence reference or the allow reason

    @property
    def blocking(self) -> bool:
        return self.status not in ("substantiated", "allowed")


def _compile(spec: dict) -> Rule:
    def pattern(text: str | None) -> re.Pattern | None:
        return re.compile(text, re.IGNORECASE | re.MULTILINE) if text else None

    combined = "|".join(f"(?:{p})" for p in spec["patterns"])
    return Rule(spec["id"], spec["category"], pattern(combined), spec["why"], spec["substantiate"],
                pattern(spec.get("qualifiers")), pattern(spec.get("described")),
                tuple(spec.get("triggers", ())))


@lru_cache(maxsize=32)
def _rules(settings: str) -> tuple[Rule, ...]:
    options = json.loads(settings)
    specs = yamlsource.load_data_file(RULES_FILE)["rules"] + options.get("rules", [])
    disabled = set(options.get("disable", []))
    return tuple(_compile(spec) for spec in specs if spec["id"] not in disabled)


def rules_for(config) -> tuple[Rule, ...]:
    """The default rules with the site's own additions, less those it switched off."""
    return _rules(config.claims.model_dump_json())


@lru_cache(maxsize=1)
def _unchecked_fields() -> frozenset[str]:
    return frozenset(yamlsource.load_data_file(RULES_FILE)["unchecked_fields"])


def find_claims(artifact: Artifact, rules: tuple[Rule, ...]) -> list[Claim]:
    """Risky claims in what a reader sees of the body and of the front matter, one per rule per sentence."""
    return list(_artifact_claims(artifact, rules))


@lru_cache(maxsize=16384)  # artifacts are immutable; every committed version is asked about again
def _artifact_claims(artifact: Artifact, rules: tuple[Rule, ...]) -> tuple[Claim, ...]:
    texts = tuple(_field_texts(artifact, artifact.raw, (), _unchecked_fields())) + tuple(_paragraphs(artifact))
    described_in = artifact.body + "\n" + "\n".join(artifact.raw.keys())
    return _claims_in(texts, described_in, rules)


def _field_texts(artifact: Artifact, data, path: tuple, unchecked: frozenset[str]):
    """(file line, visible text) of every front-matter string a page may show."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key not in unchecked:
                yield from _field_texts(artifact, value, path + (key,), unchecked)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _field_texts(artifact, item, path + (index,), unchecked)
    elif isinstance(data, str) and not data.startswith(("https://", "http://", "mailto:")):
        yield artifact.line_of(*path), visible_text(data)


def _claims_in(texts: tuple[tuple[int, str], ...], described_in: str, rules: tuple[Rule, ...]) -> tuple[Claim, ...]:
    claims: list[Claim] = []
    everything = "\n".join(text for _, text in texts).lower()
    # Most text claims nothing, and regular expressions are slow to say so: a rule is searched only
    # in paragraphs holding one of its trigger words (every match of the rule holds one).
    rules = tuple(r for r in rules if not r.triggers or any(t in everything for t in r.triggers))
    if not rules:
        return ()
    for line, text in texts:
        lowered = text.lower()
        triggered = tuple(r for r in rules if not r.triggers or any(t in lowered for t in r.triggers))
        if not triggered or not _any_rule(triggered).search(text):
            continue
        for sentence, offset in _sentences(text):
            visible = _QUOTED.sub(lambda m: " " * len(m.group(0)), sentence)
            taken: list[tuple[int, int]] = []   # words one rule claimed are not claimed again
            for rule in triggered:
                match = _match(rule, visible, taken)
                if match is None or (rule.described and rule.described.search(described_in)):
                    continue
                taken.append(match.span())
                claims.append(Claim(rule, line + text[: offset + match.start()].count("\n"),
                                    " ".join(match.group(0).split()), " ".join(sentence.split())))
    return tuple(claims)


@lru_cache(maxsize=32)
def _any_rule(rules: tuple[Rule, ...]) -> re.Pattern:
    return re.compile("|".join(f"(?:{rule.pattern.pattern})" for rule in rules) or r"(?!x)x",
                      re.IGNORECASE | re.MULTILINE)


def _match(rule: Rule, visible: str, taken: list[tuple[int, int]]) -> re.Match | None:
    if rule.qualifiers and rule.qualifiers.search(visible):
        return None
    for match in rule.pattern.finditer(visible):
        before = visible[: match.start()].split()[-4:]
        overlaps = any(start < match.end() and match.start() < end for start, end in taken)
        if not overlaps and not _NEGATORS.search(" ".join(before)):
            return match
    return None


def _paragraphs(artifact: Artifact) -> list[tuple[int, str]]:
    """(first line, visible text) of each paragraph of the body, without code blocks."""
    paragraphs, current, start, fenced = [], [], 0, False
    for number, line in enumerate(artifact.body.split("\n")):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            line = ""
        if fenced or not line.strip():
            if current:
                paragraphs.append((start, "\n".join(current)))
            current = []
            continue
        if not current:
            start = artifact.body_line + number
        current.append(line)
    if current:
        paragraphs.append((start, "\n".join(current)))
    return [(start, visible_text(text)) for start, text in paragraphs]


def _sentences(text: str) -> list[tuple[str, int]]:
    result, position = [], 0
    for part in _SENTENCE_END.split(text):
        offset = text.index(part, position)
        result.append((part, offset))
        position = offset + len(part)
    return result


def allow_directives(artifact: Artifact) -> list[tuple[int, str, str]]:
    """(line, rule, reason) for every `<!-- claims: allow RULE "reason" -->` in the body."""
    found = []
    for number, line in enumerate(artifact.body.split("\n")):
        for match in _ALLOW.finditer(line):
            found.append((artifact.body_line + number, match.group(1), match.group(2)))
    return found


def assess(artifact: Artifact, claims: list[Claim], config, today: date,
           known: dict[str, Artifact]) -> tuple[list[Assessment], list[Finding]]:
    """Decide for each claim whether evidence or an allow directive covers it."""
    evidence = list(getattr(artifact.meta, "evidence", []) or [])
    findings = _evidence_findings(artifact, evidence, config, known)
    directives = allow_directives(artifact)
    used: set[int] = set()
    body_lines = artifact.body.split("\n")
    assessments = []
    for claim in claims:
        directive = _directive_for(claim, directives, used, body_lines, artifact.body_line)
        if directive is not None:
            used.add(directive[0])
            assessments.append(Assessment(claim, "allowed", directive[2]))
            continue
        entry = next((e for e in evidence if e.claim.lower() in claim.sentence.lower()), None)
        assessments.append(_with_evidence(claim, entry, config, today))
    for line, rule, reason in directives:
        if line not in used:
            findings.append(warning(artifact.path, line, "claims-allow-unused",
                                    f"no '{rule}' claim on this line or the next to allow"))
    return assessments, findings


def _directive_for(claim, directives, used, body_lines, body_line):
    for directive in directives:
        line, rule, _ = directive
        if rule != claim.rule.id or line in used:
            continue
        following = line + 1
        while following - body_line < len(body_lines) and not body_lines[following - body_line].strip():
            following += 1
        if claim.line in (line, following):
            return directive
    return None


def _with_evidence(claim: Claim, entry, config, today: date) -> Assessment:
    if entry is None:
        return Assessment(claim, "unsubstantiated", "")
    reference = entry.reference
    if claim.rule.id == "certification" or reference.startswith("certification:"):
        if not reference.startswith("certification:"):
            return Assessment(claim, "unsubstantiated", reference)
        certificate = next((c for c in config.certifications if c.id == reference.split(":", 1)[1]), None)
        if certificate is None:
            return Assessment(claim, "certificate-missing", reference)
        if certificate.valid_until < today:
            return Assessment(claim, "certificate-expired",
                              f"{certificate.name} expired on {certificate.valid_until.isoformat()}")
    return Assessment(claim, "substantiated", reference)


def _evidence_findings(artifact: Artifact, evidence, config, known: dict[str, Artifact]) -> list[Finding]:
    """Every evidence reference must lead somewhere real."""
    findings = []
    for index, entry in enumerate(evidence):
        line = artifact.line_of("evidence", index, "reference")
        reference = entry.reference
        if reference.startswith(("https://", "http://")) or reference.startswith("certification:"):
            continue
        key, _, anchor = reference.partition("#")
        target = known.get(key)
        if target is None:
            findings.append(error(artifact.path, line, "evidence-unknown",
                                  f"evidence reference '{reference}' names no artifact (use TYPE/ID, "
                                  "TYPE/ID#anchor, model-card/ID#metric:NAME, a URL or certification:ID)"))
        elif anchor.startswith("metric:") and not _has_metric(target, anchor.removeprefix("metric:")):
            findings.append(error(artifact.path, line, "evidence-unknown",
                                  f"{key} has no metric '{anchor.removeprefix('metric:')}' in its model-index"))
    return findings


def _has_metric(artifact: Artifact, name: str) -> bool:
    if not isinstance(artifact.meta, ModelCardMeta):
        return False
    return any(name in (metric.name, metric.type) for model in artifact.meta.model_index
               for result in model.results for metric in result.metrics)


def claim_findings(artifact: Artifact, assessments: list[Assessment]) -> list[Finding]:
    """Blocking findings for claims nobody substantiated; notes for the accepted ones."""
    findings = []
    for a in assessments:
        claim = a.claim
        where = f'"{claim.words}" ({claim.rule.category})'
        if a.status == "unsubstantiated":
            findings.append(error(artifact.path, claim.line, f"claim-{claim.rule.id}",
                                  f"{where}: {claim.rule.why} To fix: {claim.rule.substantiate}"))
        elif a.status == "certificate-missing":
            findings.append(error(artifact.path, claim.line, "claim-certificate-missing",
                                  f"{where} cites {a.detail}, which site-config.yml does not list"))
        elif a.status == "certificate-expired":
            findings.append(error(artifact.path, claim.line, "claim-certificate-expired",
                                  f"{where} cites a certificate that is no longer valid: {a.detail}"))
        else:
            findings.append(info(artifact.path, claim.line, f"claim-{a.status}",
                                 f"{where} {a.status}: {a.detail}"))
    return findings
