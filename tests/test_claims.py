"""The claims rules against a table of sentences, risky and harmless, and how claims are settled."""

from datetime import date

import pytest
import yaml

from conftest import CONFIG, front_matter
from trustcenter.claims import assess, find_claims, rules_for
from trustcenter.config import SiteConfig
from trustcenter.load import parse_artifact
from trustcenter.schema import ARTIFACT_TYPES

config = SiteConfig.model_validate(CONFIG)
RULES = rules_for(config)


def artifact(body, type_name="policy", **fields):
    text = "---\n" + yaml.safe_dump(front_matter(type_name, **fields), sort_keys=False) + "---\n\n" + body
    loaded, problems = parse_artifact(text, ARTIFACT_TYPES[type_name], "a", "policies/a.md")
    assert loaded is not None, problems
    return loaded


def rules_hit(sentence, type_name="policy"):
    return sorted({c.rule.id for c in find_claims(artifact(sentence + "\n", type_name), RULES)})


RISKY = [
    ("Reply Assistant is 100% accurate.", "absolute"),
    ("We guarantee that every draft is correct.", "absolute"),
    ("Our triage is error-free.", "absolute"),
    ("Using our AI carries zero risk for your business.", "absolute"),
    ("The assistant never makes mistakes.", "absolute"),
    ("The model is always accurate.", "absolute"),
    ("Ticket Triage never fails to route a ticket.", "absolute"),
    ("Our AI features are always available.", "absolute"),
    ("It produces flawless summaries.", "absolute"),
    ("Our model is bias-free.", "fairness-safety"),
    ("Ticket Triage is completely unbiased across languages.", "fairness-safety"),
    ("The classifier is free of bias.", "fairness-safety"),
    ("Reply Assistant is fully safe to use with any customer.", "fairness-safety"),
    ("Its drafts are harmless.", "fairness-safety"),
    ("Our new model eliminates bias in routing.", "fairness-safety"),
    ("Triage is 97% accurate.", "unqualified-performance"),
    ("The assistant reaches an accuracy of 95%.", "unqualified-performance"),
    ("Version 3 is 2x faster than before.", "unqualified-performance"),
    ("Reply Assistant is best-in-class.", "superlative"),
    ("We offer the most accurate triage on the market.", "superlative"),
    ("Our industry-leading models set the standard.", "superlative"),
    ("Triage is better than humans at routing tickets.", "superlative"),
    ("The assistant writes more accurate replies than human agents.", "superlative"),
    ("A state-of-the-art language model drafts every reply.", "superlative"),
    ("Fernhill Helpdesk is ISO 42001 certified.", "certification"),
    ("Our AI features are GDPR-compliant.", "certification"),
    ("The platform complies with the EU AI Act.", "certification"),
    ("Our processes are certified by an independent auditor.", "certification"),
    ("Routing is fully autonomous.", "autonomy"),
    ("Replies are sent with no human involvement.", "autonomy"),
    ("Every draft is human-reviewed.", "autonomy"),
    ("All outputs are checked by experts.", "autonomy"),
]

HARMLESS = [
    "We never sell your data.",
    "We never use your tickets to train models unless you opt in.",
    "We always ask before we change how your data is used.",
    "Reply Assistant is not 100% accurate: agents must check every draft.",
    "We cannot guarantee that every draft is correct.",
    "No model is bias-free, so we measure error rates per language.",
    'Do not describe the assistant as "100% accurate" or "bias-free" to your customers.',
    "Never call the feature `fully autonomous` in your own materials.",
    "Triage is 97% accurate on our held-out test set of 4,200 tickets from 2026.",
    "Accuracy of 91% was measured on the Banking77 benchmark.",
    "The uptime target is 99.9% per calendar month, as measured by our monitoring.",
    "The best way to reach us is the feedback form.",
    "We follow best practice for access control.",
    "We are working towards ISO/IEC 42001 and are not yet certified.",
    "The design follows the guidance of ISO/IEC 42001 Annex A.",
    "The model is not fully autonomous: an agent sends every reply.",
    "Drafts are never sent without an agent's approval.",
    "Contact us if a draft looks wrong.",
    "Some drafts will be wrong, and agents are trained to spot that.",
    "The model was trained on licensed data.",
]


@pytest.mark.parametrize("sentence,rule", RISKY, ids=[s for s, _ in RISKY])
def test_risky_sentences_are_flagged_by_their_rule(sentence, rule):
    assert rules_hit(sentence) == [rule]


@pytest.mark.parametrize("sentence", HARMLESS)
def test_harmless_sentences_are_not_flagged(sentence):
    assert rules_hit(sentence) == []


def test_the_table_is_large_enough():
    assert len(RISKY) + len(HARMLESS) >= 40


def test_human_review_claims_pass_when_the_review_is_described():
    assert rules_hit("Every draft is human-reviewed.", "model-card") == []  # human_oversight field


def test_claims_carry_their_line():
    a = artifact("## Scope\n\nFirst line is fine.\nThis one is 100% accurate.\n")
    (claim,) = find_claims(a, RULES)
    assert a.body.split("\n")[claim.line - a.body_line] == "This one is 100% accurate."
    assert claim.words == "100%"


def test_summary_is_checked_too():
    a = artifact("Fine.\n", summary="The best-in-class AI for support.")
    (claim,) = find_claims(a, RULES)
    assert claim.rule.id == "superlative" and claim.line == a.line_of("summary")


def assessed(body, **fields):
    a = artifact(body, **fields)
    known = {a.key: a}
    return assess(a, find_claims(a, RULES), cfg, date(2026, 6, 1), known)


cfg = SiteConfig.model_validate({**CONFIG, "certifications": [
    {"id": "iso-27001", "name": "ISO/IEC 27001:2022", "issuer": "BSI", "valid_until": "2027-01-31"},
    {"id": "soc-2", "name": "SOC 2 Type II", "issuer": "An auditor", "valid_until": "2026-03-31"},
]})


def test_evidence_substantiates_a_claim():
    (a,), problems = assessed("Uptime is guaranteed by our SLA.\n",
                              evidence=[{"claim": "guaranteed", "reference": "https://acme.example/sla"}])
    assert (a.status, problems) == ("substantiated", [])


def test_certification_claims_need_a_valid_listed_certificate():
    ok, _ = assessed("We are ISO 27001 certified.\n",
                     evidence=[{"claim": "ISO 27001 certified", "reference": "certification:iso-27001"}])
    assert ok[0].status == "substantiated"
    expired, _ = assessed("We are SOC 2 certified.\n",
                          evidence=[{"claim": "SOC 2 certified", "reference": "certification:soc-2"}])
    assert expired[0].status == "certificate-expired" and "2026-03-31" in expired[0].detail
    missing, _ = assessed("We are ISO 42001 certified.\n",
                          evidence=[{"claim": "ISO 42001", "reference": "certification:iso-42001"}])
    assert missing[0].status == "certificate-missing"
    url_only, _ = assessed("We are ISO 42001 certified.\n",
                           evidence=[{"claim": "ISO 42001", "reference": "https://acme.example/cert"}])
    assert url_only[0].status == "unsubstantiated"


def test_an_inline_allow_accepts_one_claim_only():
    body = ('<!-- claims: allow absolute "the SLA defines this guarantee with service credits" -->\n'
            "Uptime is guaranteed.\n\nResults are guaranteed too.\n")
    assessments, problems = assessed(body)
    assert [a.status for a in assessments] == ["allowed", "unsubstantiated"]
    assert assessments[0].detail == "the SLA defines this guarantee with service credits"


def test_an_unused_allow_is_reported():
    _, problems = assessed('<!-- claims: allow superlative "x" -->\nNothing risky.\n')
    assert [p.rule for p in problems] == ["claims-allow-unused"]


def test_evidence_must_point_somewhere_real():
    _, problems = assessed("Triage is 97% accurate.\n",
                           evidence=[{"claim": "97%", "reference": "model-card/nope#metric:accuracy"}])
    assert [p.rule for p in problems] == ["evidence-unknown"]


def test_site_config_can_add_and_switch_off_rules():
    custom = SiteConfig.model_validate({**CONFIG, "claims": {
        "disable": ["superlative"],
        "rules": [{"id": "instant", "category": "speed", "patterns": [r"\binstant(ly)?\b"],
                   "why": "Nothing is instant.", "substantiate": "Give the latency."}]}})
    a = artifact("Replies are instant and best-in-class.\n")
    assert sorted(c.rule.id for c in find_claims(a, rules_for(custom))) == ["instant"]


def test_a_claim_blocks_until_substantiated_and_needs_marketing(tc):
    path = tc.publish("policy", "p", body="Our triage is best-in-class.\n")
    result = tc.run("check")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(l.startswith("policies/p.md:") and "error: claim-superlative: \"best-in-class\"" in l for l in lines)
    assert any("approval-missing: needs approval by marketing" in l for l in lines)
    tc.publish("policy", "p", body="Our triage is best-in-class.\n",
               evidence=[{"claim": "best-in-class", "reference": "https://acme.example/benchmark-2026"}])
    path = tc.path("policy", "p")
    result = tc.run("check")
    assert "marketing" in result.stdout  # claims still need the marketing reviewer
    assert tc.run("approve", str(path), "--role", "marketing", "--by", "Mark Eting <marketing@example.com>").returncode == 0
    result = tc.run("check")
    assert result.returncode == 0, result.stdout
    assert "claim-substantiated" in result.stdout


@pytest.mark.parametrize("sentence,rule", RISKY, ids=[s for s, _ in RISKY])
def test_every_risky_sentence_contains_a_trigger_of_its_rule(sentence, rule):
    """Triggers only speed the search up: they must never hide a claim."""
    (spec,) = [r for r in RULES if r.id == rule]
    assert any(t in sentence.lower() for t in spec.triggers)
