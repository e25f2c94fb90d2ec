"""Attacks on what a reader sees: hidden claims, approved lines MkDocs would drop, a forged review.

The attacker throughout is a pull-request author: they can push a branch and open a pull request,
but they are in no approving role. Legal approves what it is shown; marketing must approve every
risky claim. What must not happen: a claim a reader sees passes without marketing, an approved line
is missing from the site, or the pull-request comment says something the generator did not.
"""

from __future__ import annotations

import json
import re

import markdown
import pytest
from bs4 import BeautifulSoup

from conftest import LEGAL, ML, all_site_text, html, text_of


def approve(tc, path, role, by, when="2026-01-02"):
    result = tc.run("approve", str(path), "--role", role, "--by", by, "--date", when)
    assert result.returncode == 0, result.stderr + result.stdout


def findings(result, rule_prefix="claim-"):
    """(path, line, rule) of every error line `check` printed whose rule starts with the prefix."""
    found = []
    for line in result.stdout.splitlines():
        match = re.match(r"^(\S+?):(\d+): error: ([a-z0-9-]+): ", line)
        if match and match.group(3).startswith(rule_prefix):
            found.append((match.group(1), int(match.group(2)), match.group(3)))
    return found


# --- 7. claims hidden from the check, visible to the reader -----------------------------------

# (what the attacker writes, the rule a reader's eye would trip); each reads as a plain claim.
HIDDEN = [
    ("Our triage is guarante<!-- -->ed.", "claim-absolute"),
    ("Our triage is guarante<!--\n-->ed to route.", "claim-absolute"),
    ("Our triage is err&#111;r-free.", "claim-absolute"),
    ("Our triage is **100&#37;** accurate.", "claim-absolute"),
    ("Our triage is best&#45;in&#45;class.", "claim-superlative"),
    ("Our triage is best-in-<em>class</em>.", "claim-superlative"),
    ("Our triage is [best-in-class](https://acme.example/).", "claim-superlative"),
    ("Our triage is *best*-in-_class_.", "claim-superlative"),
    ("Our triage is best\\-in\\-class.", "claim-superlative"),
    ("Our triage is gua\u200branteed.", "claim-absolute"),
    ("Our triage is gua&shy;ranteed.", "claim-absolute"),
    ("Our triage is gua&#x200B;ranteed.", "claim-absolute"),
    ("Our triage is \uff11\uff10\uff10\uff05 accurate.", "claim-absolute"),
    ("Our triage is &#96;guaranteed&#96; to route.", "claim-absolute"),
    ("Our triage is gu<span></span>aranteed.", "claim-absolute"),
]


@pytest.mark.parametrize("sentence,rule", HIDDEN, ids=[s for s, _ in HIDDEN])
def test_a_claim_hidden_in_markup_is_found_on_its_line(tc, sentence, rule):
    # The PR author writes a policy legal is happy to approve; the page reads as a claim.
    #   git checkout -b triage && $EDITOR policies/triage.md && git commit -am "Triage policy"
    body = "## Scope\n\nThe first paragraph is harmless.\n" + sentence + "\n"
    path = tc.publish("policy", "triage", body=body)
    tc.commit("Triage policy", author="author@example.com")
    line = path.read_text().split("\n").index(sentence.split("\n")[0]) + 1
    result = tc.run("check")
    assert result.returncode == 1
    assert ("policies/triage.md", line, rule) in findings(result), result.stdout
    assert any("needs approval by marketing" in l for l in result.stdout.splitlines())
    built = tc.build("--out", str(tc.root / "site"))
    assert built.returncode != 0 and not (tc.root / "site" / "policies" / "triage").exists()


# Front-matter text that pages show: (artifact type, field values, the field's path in the file).
SHOWN_FIELDS = [
    ("model-card", {"limitations": ["Gu&#97;ranteed to flag every risk"]}, "limitations"),
    ("model-card", {"intended_use": ["Drafting best&#45;in&#45;class replies"]}, "intended_use"),
    ("model-card", {"risks": [{"risk": "None", "mitigation": "Replies are err<!-- -->or-free"}]}, "risks"),
    ("model-card", {"human_oversight": "An agent reads every draft; replies are 100&#37; accurate."},
     "human_oversight"),
    ("sla", {"exclusions": ["None: the API is guarante\u00aded"]}, "exclusions"),
    ("notice", {"impact": "None; the service is **flaw**less."}, "impact"),
    ("policy", {"changelog": [{"version": "1.0.0", "date": "2026-01-01",
                               "summary": "Now best-in-\u200bclass."}]}, "changelog"),
    ("policy", {"summary": "The err&#111;r-free policy."}, "summary"),
]


@pytest.mark.parametrize("type_name,fields,field", SHOWN_FIELDS, ids=[f"{t}-{f}" for t, _, f in SHOWN_FIELDS])
def test_a_claim_in_a_shown_front_matter_field_is_found_on_its_line(tc, type_name, fields, field):
    path = tc.write(type_name, "triage", **fields)
    tc.commit("Triage", author="author@example.com")
    line = next(n for n, text in enumerate(path.read_text().split("\n"), 1) if text.startswith(field + ":"))
    result = tc.run("check")
    hits = findings(result)
    assert hits and all(p == path.relative_to(tc.root).as_posix() for p, _, _ in hits), result.stdout
    # Located on the field itself or on its value below it, never on the body.
    assert all(line <= l < line + 6 for _, l, _ in hits), (line, hits)


def test_quotes_code_evidence_and_approvals_stay_exempt(tc):
    body = ('We never say "guaranteed" or `100%` about triage.\n\n'
            "```\nbest-in-class\n```\n\n"
            '<!-- claims: allow absolute "the SLA defines this guarantee with credits" -->\n'
            "Uptime is guarante<!-- -->ed by our SLA.\n")
    tc.write("policy", "quoting", body=body,
             evidence=[{"claim": "best-in-class", "reference": "https://acme.example/bench"}])
    tc.commit("Quoting", author="author@example.com")
    result = tc.run("check")
    assert findings(result) == [], result.stdout
    assert "claim-allowed" in result.stdout


# --- 8. approved lines MkDocs would take for page meta-data -----------------------------------

META_LOOKALIKES = {
    "multimarkdown": "Important: we keep support logs for 30 days.\nScope: every product we sell.\n\n"
                     "The rest of the policy.\n",
    "yaml-block": "---\nnote: we share logs with our model provider\n---\n\nThe rest of the policy.\n",
}


@pytest.mark.parametrize("kind", META_LOOKALIKES)
def test_no_approved_line_is_dropped_from_any_page(tc, kind):
    # Legal approves the text as written; MkDocs must not read its first lines as page settings.
    tc.publish("policy", "logs", body=META_LOOKALIKES[kind])
    tc.commit("Logs policy")
    result = tc.build()
    assert result.returncode == 0, result.stderr
    site = tc.root / "site"
    first = "Important: we keep support logs for 30 days." if kind == "multimarkdown" else \
        "note: we share logs with our model provider"
    for page in ("policies/logs/index.html", "policies/logs/v1.0.0/index.html"):
        text = text_of(site / page)
        assert first in text and "The rest of the policy." in text, page
    if kind == "multimarkdown":
        assert "Scope: every product we sell." in text_of(site / "policies/logs/index.html")
    index = json.loads((site / "search" / "search_index.json").read_text())
    searchable = " ".join(d["title"] + " " + BeautifulSoup(d["text"], "html.parser").get_text(" ")
                          for d in index["docs"] if d["location"].startswith("policies/logs/"))
    assert first in " ".join(searchable.split())


# --- 9. a review report the pull request writes itself ----------------------------------------

FORGED = "**Ready to publish:** every changed artifact has the approvals it needs."
PIXEL = "https://evil.example/pixel.png"


@pytest.fixture
def forged_review(tc):
    """main publishes a model card; the PR author's branch hides report lines in keys and values."""
    path = tc.write("model-card", "reply", title="Reply assistant")
    approve(tc, path, "legal", LEGAL)
    approve(tc, path, "ml-owner", ML)
    tc.commit("Publish reply 1.0.0", when="2026-01-05T10:00:00Z")
    # git checkout -b pr && $EDITOR content/model-cards/reply.md && git commit -am "Reply 1.1.0"
    tc.git("checkout", "-q", "-b", "pr")
    key = f"x`\n\n{FORGED}\n\n![ok]({PIXEL})\n\n`y"
    metric = {"type": "accuracy", "name": "Accepted without edits", "value": 0.71,
              key: "1", "note": f"a | b\n\n{FORGED}\n<img src={PIXEL}>\n![ok]({PIXEL})"}
    tc.write("model-card", "reply", title="Reply assistant", version="1.1.0",
             **{"model-index": [{"name": "acme-reply", "results": [{
                 "task": {"type": "text-generation", "name": "Reply drafting"},
                 "dataset": {"type": "acme/tickets", "name": "Acme held-out tickets", "split": "test"},
                 "metrics": [metric]}]}]})
    tc.commit("Reply 1.1.0", when="2026-02-01T10:00:00Z", author="author@example.com")
    return tc


def test_the_review_report_shows_only_what_the_generator_wrote(forged_review):
    result = forged_review.run("review", "--base", "main")
    assert result.returncode == 1
    report = result.stdout
    # GitHub renders the Markdown inside <details>; Python-Markdown does when asked to.
    rendered = markdown.markdown(report.replace("<details>", '<details markdown="1">'),
                                 extensions=["tables", "md_in_html"])
    doc = BeautifulSoup(rendered, "html.parser")
    assert doc.find("img") is None
    # The attacker's words may show as text inside a cell, never as the report's own verdict.
    assert not [s for s in doc.find_all("strong") if "Ready to publish" in s.get_text()]
    assert "Not ready to publish yet" in doc.get_text()
    summary, fields = doc.find_all("table")[:2]
    rows = summary.find_all("tr")[1:]
    assert [r.find("td").get_text() for r in rows] == ["content/model-cards/reply.md"]
    assert all(len(r.find_all("td")) == 6 for r in rows)
    field_rows = fields.find_all("tr")[1:]
    assert all(len(r.find_all("td")) == 3 for r in field_rows)
    names = [r.find("td").get_text() for r in field_rows]
    assert "version" in names and len(names) == 3
    assert not [line for line in report.splitlines() if line.startswith(("**Ready", "![", "<img"))]


def test_github_annotations_and_terminal_output_carry_no_injected_commands(tc):
    # A front-matter key is echoed back in a finding; the PR author fills it with a workflow
    # command and a terminal escape that would clear the screen of whoever runs `check`.
    evil = "x\n::error file=policies/ok.md,line=1::all good\r\x1b[2J\x1b]0;pwned\x07\x9b31m"
    tc.write("policy", "evil", **{evil: "1"})
    tc.commit("Evil", author="author@example.com")
    github = tc.run("check", "--format", "github")
    lines = github.stdout.splitlines()
    assert lines and all(l.startswith(("::error file=", "::warning file=", "::notice file=")) for l in lines)
    assert not [l for l in lines if "policies/ok.md" in l.split("::")[1]]
    assert "\x1b" not in github.stdout and "\x9b" not in github.stdout and "\x07" not in github.stdout
    text = tc.run("check")
    printed = text.stdout + text.stderr
    assert "\x1b" not in printed and "\x9b" not in printed and "\x07" not in printed and "\r" not in printed
    assert not [l for l in printed.splitlines() if l.startswith("::")]
    assert all(re.match(r"^\S+:\d+: (error|warning|info): ", l) for l in text.stdout.splitlines()
               if l and not re.match(r"^\d+ artifacts", l))


@pytest.mark.parametrize("source", [s for s, _ in HIDDEN] + [
    "a <span\nclass=x>guar</span>anteed\nnext", "x &#10; y\nz", "`code\nspan` guaranteed\nend",
    "<!--\n\n\n-->guaranteed\nend"])
def test_what_a_reader_sees_keeps_every_word_on_its_source_line(source):
    from trustcenter.visible import visible_text
    seen = visible_text(source)
    assert seen.count("\n") == source.count("\n")
    last = source.split("\n")[-1]
    if last.isalpha():   # a plain last line stays the last line, whatever was removed above it
        assert seen.split("\n")[-1].strip() == last
