"""Approval state: the digest, and what makes an artifact publishable."""

from datetime import date

import pytest

from conftest import CONFIG, LEGAL, ML
from trustcenter.approval import approval_findings, approval_state, digest_of
from trustcenter.config import SiteConfig
from trustcenter.load import load_artifacts

TODAY = date(2026, 6, 1)
config = SiteConfig.model_validate(CONFIG)


def state_of(tc, path):
    result = load_artifacts(tc.root)
    assert not result.findings, result.findings
    artifact = next(a for a in result.artifacts if tc.root / a.path == path)
    return approval_state(artifact, config)


def rules(state):
    return sorted(f.rule for f in approval_findings(state, TODAY))


def test_digest_ignores_status_approvals_line_endings_and_trailing_space():
    front = {"title": "T", "version": "1.0.0", "status": "draft"}
    base = digest_of(front, "Line one\nLine two\n")
    assert base.startswith("sha256:") and len(base) == 71
    assert digest_of({**front, "status": "approved", "approvals": [{"role": "x"}]}, "Line one\nLine two\n") == base
    assert digest_of(front, "Line one\r\nLine two\r\n\r\n  ") == base
    assert digest_of(front, "Line one\rLine two") == base


@pytest.mark.parametrize("change", [
    lambda f, b: ({**f, "title": "T2"}, b),
    lambda f, b: ({**f, "version": "1.0.1"}, b),
    lambda f, b: (f, b.replace("one", "One")),
    lambda f, b: (f, " " + b),
])
def test_digest_changes_with_any_content_change(change):
    front, body = {"title": "T", "version": "1.0.0"}, "Line one\n"
    assert digest_of(*change(front, body)) != digest_of(front, body)


def test_unapproved_draft_only_notes_what_it_needs(tc):
    state = state_of(tc, tc.write("model-card", "m", status="draft"))
    assert not state.publishable
    assert state.pending_roles == ["legal", "ml-owner"]
    assert {f.severity.value for f in approval_findings(state, TODAY)} == {"info"}


def test_approved_by_every_role_is_publishable(tc):
    state = state_of(tc, tc.publish("model-card", "m"))
    assert state.publishable and not state.pending_roles
    assert rules(state) == []


def test_approved_status_without_approvals_blocks(tc):
    state = state_of(tc, tc.write("policy", "p"))
    assert rules(state) == ["approval-missing"]
    assert approval_findings(state, TODAY)[0].blocking


def test_an_edit_after_approval_makes_it_stale(tc):
    path = tc.publish("policy", "p")
    path.write_text(path.read_text().replace("The text.", "The new text."))
    state = state_of(tc, path)
    assert not state.publishable
    assert rules(state) == ["approval-stale"]
    assert state.role_status("legal") == "stale"
    assert "digest mismatch" in approval_findings(state, TODAY)[0].message


def test_a_version_bump_after_approval_makes_it_stale(tc):
    path = tc.publish("policy", "p")
    text = path.read_text().replace("version: 1.0.0\nstatus", "version: 1.1.0\nstatus")
    path.write_text(text.replace("- version: 1.0.0\n  date", "- version: 1.1.0\n  date", 1))
    state = state_of(tc, path)
    message = approval_findings(state, TODAY)[0].message
    assert "approves version 1.0.0, the artifact is now 1.1.0" in message


def test_moving_between_draft_review_and_approved_keeps_approvals(tc):
    path = tc.publish("policy", "p", status="review")
    path.write_text(path.read_text().replace("status: review", "status: approved"))
    assert state_of(tc, path).publishable


def test_retiring_is_signed_so_approvals_of_the_live_text_do_not_cover_it(tc):
    path = tc.publish("policy", "p")
    path.write_text(path.read_text().replace("status: approved", "status: retired"))
    state = state_of(tc, path)
    assert not state.publishable and state.pending_roles == ["legal"]
    assert "digest mismatch" in approval_findings(state, TODAY)[0].message


def test_approval_by_a_non_member_does_not_count(tc):
    path = tc.publish("policy", "p")
    path.write_text(path.read_text().replace("legal@example.com", "intern@example.com"))
    state = state_of(tc, path)
    assert not state.publishable
    assert rules(state) == ["approval-missing", "approval-not-member"]


def test_changelog_must_hold_the_current_version(tc):
    path = tc.write("policy", "p", changelog=[{"version": "0.9.0", "date": "2025-01-01", "summary": "x"}])
    state = state_of(tc, path)
    assert "changelog-missing-version" in rules(state)
    assert not state.publishable


def test_approved_needs_an_effective_date(tc):
    state = state_of(tc, tc.publish("policy", "p", effective=None))
    assert rules(state) == ["effective-missing"]
    assert not state.publishable


def test_overdue_review_is_a_warning_only(tc):
    state = state_of(tc, tc.publish("policy", "p", next_review="2026-01-01"))
    findings = approval_findings(state, TODAY)
    assert [(f.rule, f.severity.value) for f in findings] == [("review-overdue", "warning")]
    assert state.publishable
