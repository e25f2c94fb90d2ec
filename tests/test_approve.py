"""`trustcenter approve` writes exactly one role's approval and leaves the rest of the file alone."""

import yaml

from conftest import LEGAL, ML


def front(path):
    return yaml.safe_load(path.read_text().split("---\n")[1])


def test_approve_records_role_version_digest_and_keeps_the_text(tc):
    path = tc.write("model-card", "m", body="# Body\n\nWith   odd  spacing.  \n\n")
    before = path.read_text()
    result = tc.run("approve", str(path), "--role", "legal", "--by", LEGAL, "--date", "2026-03-04")
    assert result.returncode == 0, result.stderr
    assert "still needs: ml-owner" in result.stdout
    after = path.read_text()
    assert after.split("---\n", 2)[2] == before.split("---\n", 2)[2]
    (entry,) = front(path)["approvals"]
    assert entry["role"] == "legal" and entry["by"] == LEGAL and str(entry["date"]) == "2026-03-04"
    assert entry["version"] == "1.0.0" and entry["digest"].startswith("sha256:")
    assert tc.run("check").returncode == 1  # ml-owner still missing


def test_approve_refreshes_a_stale_approval_in_place(tc):
    path = tc.publish("model-card", "m")
    path.write_text(path.read_text().replace("The text.", "The revised text."))
    assert tc.run("check").returncode == 1
    for role, by in (("legal", LEGAL), ("ml-owner", ML)):
        assert tc.run("approve", str(path), "--role", role, "--by", by).returncode == 0
    assert [a["role"] for a in front(path)["approvals"]] == ["legal", "ml-owner"]
    assert tc.run("check").returncode == 0


def test_approve_refuses_a_non_member(tc):
    path = tc.write("policy", "p")
    before = path.read_text()
    result = tc.run("approve", str(path), "--role", "legal", "--by", "Eve <eve@example.com>")
    assert result.returncode == 2  # the command line names someone who may not approve
    assert "approval-not-member" in result.stderr and "eve@example.com" in result.stderr
    assert path.read_text() == before


def test_approve_refuses_an_unknown_role_and_a_bad_by(tc):
    path = tc.write("policy", "p")
    assert tc.run("approve", str(path), "--role", "ceo", "--by", LEGAL).returncode == 2
    result = tc.run("approve", str(path), "--role", "legal", "--by", "legal@example.com")
    assert result.returncode == 2 and "Name <email>" in result.stderr


def test_approve_refuses_a_file_that_is_not_an_artifact(tc):
    other = tc.write_raw("notes/todo.md", "hello")
    result = tc.run("approve", str(other), "--role", "legal", "--by", LEGAL)
    assert result.returncode == 2 and "not an artifact" in result.stderr


def test_approve_keeps_crlf_files_crlf_and_their_digest(tc):
    path = tc.write("policy", "p")
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert tc.run("approve", str(path), "--role", "legal", "--by", LEGAL).returncode == 0
    data = path.read_bytes()
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert tc.run("check").returncode == 0


def test_approve_reports_artifact_problems_without_writing(tc):
    path = tc.write_raw("policies/p.md", "---\ntitle: x\n")
    result = tc.run("approve", str(path), "--role", "legal", "--by", LEGAL)
    assert result.returncode == 1 and "front-matter-unterminated" in result.stderr
    assert "Traceback" not in result.stderr
