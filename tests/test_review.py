"""A pull request as legal and marketing see it: the review report, claims, facts, verified approvals."""

import json

import pytest

from conftest import LEGAL, MARKETING, signed_config


def approve(tc, path, role, by, when):
    result = tc.run("approve", str(path), "--role", role, "--by", by, "--date", when)
    assert result.returncode == 0, result.stderr


@pytest.fixture
def pull_request(tc, approvers):
    """main publishes a policy; the branch edits it, adds a claim and a fact, and forges an approval."""
    legal = approvers["legal"]
    tc.write_config(signed_config(*approvers.values(), facts={"retention": "30 days"}))
    path = tc.write("policy", "privacy", title="Privacy policy", body="We keep data for {{ facts.retention }}.\n")
    approve(tc, path, "legal", LEGAL, "2026-01-05")
    tc.publish("sla", "platform", title="Platform SLA")
    tc.commit("Publish privacy 1.0.0", when="2026-01-05T10:00:00Z", signer=legal)
    tc.git("checkout", "-q", "-b", "pr")
    tc.write("policy", "privacy", title="Privacy policy", version="1.1.0",
             changelog=[{"version": "1.1.0", "date": "2026-02-01", "summary": "Clearer retention."},
                        {"version": "1.0.0", "date": "2026-01-01", "summary": "First version."}],
             body="We keep data for {{ facts.retention }}, then delete it.\n\nOur privacy controls are best-in-class.\n")
    approve(tc, path, "legal", LEGAL, "2026-02-01")
    tc.commit("Privacy 1.1.0", when="2026-02-01T10:00:00Z", signer=legal)
    # Legal adds marketing's approval in their own commit: a forgery, whatever the file says.
    approve(tc, path, "marketing", MARKETING, "2026-02-02")
    forged = tc.commit("Marketing approval", when="2026-02-02T10:00:00Z", signer=legal)
    return tc, path, forged


def test_check_names_the_forged_approval_and_its_commit(pull_request):
    tc, path, forged = pull_request
    result = tc.run("check", "--base", "main")
    assert result.returncode == 1
    (line,) = [l for l in result.stdout.splitlines() if "approval-forged" in l]
    assert line.startswith("policies/privacy.md:")
    assert f"commit {forged[:12]}, authored by legal@example.com" in line
    assert "marketing approval by Mark Eting" in line
    assert not [l for l in result.stdout.splitlines() if "approval-forged" in l and "legal approval" in l]


def test_an_approval_committed_by_the_approver_is_verified(pull_request, approvers):
    tc, path, _ = pull_request
    tc.git("reset", "-q", "--hard", "HEAD~1")
    approve(tc, path, "marketing", MARKETING, "2026-02-02")
    tc.commit("Marketing approval", when="2026-02-02T10:00:00Z", signer=approvers["marketing"])
    result = tc.run("check", "--base", "main")
    assert "approval-forged" not in result.stdout
    assert "claim-superlative" in result.stdout  # the claim still needs evidence or rewording


def test_review_report_in_markdown(pull_request):
    tc, _, forged = pull_request
    result = tc.run("review", "--base", "main")
    assert result.returncode == 1
    report = result.stdout
    assert report.startswith("## Trust center review against `main`")
    assert "**Not ready to publish yet:**" in report
    table = [l for l in report.splitlines() if l.startswith("| `policies/privacy.md`")]
    assert len(table) == 1
    row = table[0]
    assert "| changed | 1.0.0 → 1.1.0 |" in row and "legal: approved" in row and "marketing: approved" in row
    assert "approval-forged" in row and "claim-superlative" in row
    assert "platform.md" not in report  # unchanged
    details = report.split("<details>")[1]
    assert "<ins>, then delete it</ins>" in details
    assert "| `version` | 1.0.0 | 1.1.0 |" in details
    assert '"best-in-class" – unsubstantiated' in details
    assert forged[:12] in details


def test_review_report_in_json(pull_request):
    tc, _, _ = pull_request
    data = json.loads(tc.run("review", "--base", "main", "--format", "json").stdout)
    assert data["ready"] is False
    (privacy,) = data["artifacts"]
    assert (privacy["old_version"], privacy["new_version"], privacy["change"]) == ("1.0.0", "1.1.0", "changed")
    assert privacy["roles"] == {"legal": "approved", "marketing": "approved"}
    assert [c["rule"] for c in privacy["claims"]] == ["superlative"]
    assert {f["rule"] for f in privacy["findings"]} >= {"approval-forged", "claim-superlative"}


def test_a_changed_fact_shows_every_artifact_that_uses_it_in_the_review(pull_request, approvers):
    tc, _, _ = pull_request
    tc.git("checkout", "-q", "main")
    tc.git("checkout", "-q", "-b", "fact-change")
    tc.write_config(signed_config(*approvers.values(), facts={"retention": "90 days"}))
    data = json.loads(tc.run("review", "--base", "main", "--format", "json").stdout)
    (privacy,) = data["artifacts"]
    assert privacy["roles"] == {"legal": "stale"}
    # The text readers see changed, so it is a new version too.
    assert privacy["needed"] == ["approval by legal (stale)", "line 4: version-not-bumped"]
    assert any(s["text"] == "90" for b in privacy["text"] for s in b["segments"] if s["op"] == "insert")


def test_signed_approvals_when_required(tc, approvers):
    marketing = approvers["marketing"]
    # require_signed: true is still accepted; verify: git requires a signature anyway.
    tc.reconfigure(signed_config(marketing, approval={"verify": "git", "require_signed": True},
                                  required_approvals={**signed_config()["required_approvals"],
                                                      "policy": ["marketing"]}))
    path = tc.write("policy", "p")
    approve(tc, path, "marketing", MARKETING, "2026-02-02")
    tc.commit("Unsigned approval", author="marketing@example.com")
    result = tc.run("check")
    assert result.returncode == 1 and "approval-unsigned" in result.stdout
    # Marketing makes that commit again as their own, signed: blame holds every line of the entry to it.
    tc.git("reset", "-q", "--soft", "HEAD~1")
    tc.commit("Signed approval", signer=marketing)
    result = tc.run("check")
    assert result.returncode == 0, result.stdout
