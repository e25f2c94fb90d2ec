"""Loading: every malformed input gives a located finding with a rule id, never an exception."""

import os

import pytest

from conftest import TrustCenter
from trustcenter.load import load_artifacts

GOOD = """---
title: Acceptable use
summary: What you may use our AI for.
version: 1.0.0
status: approved
effective: 2026-01-01
owner: Legal
changelog:
  - version: 1.0.0
    date: 2026-01-01
    summary: First version.
---

## Text
"""


def load_one(tc: TrustCenter, text, relative="policies/acceptable-use.md"):
    tc.write_raw(relative, text)
    result = load_artifacts(tc.root)
    return result


def only_finding(result):
    assert len(result.findings) == 1, result.findings
    return result.findings[0]


def test_a_good_artifact_loads_with_its_lines(tc):
    result = load_one(tc, GOOD)
    assert not result.findings
    artifact = result.artifacts[0]
    assert artifact.key == "policy/acceptable-use"
    assert artifact.line_of("version") == 4
    assert artifact.line_of("changelog", 0, "summary") == 11
    assert artifact.body.strip() == "## Text"


CASES = [
    # (name, text, rule, line)
    ("missing front matter", "# Just a heading\n", "front-matter-missing", 1),
    ("unterminated", "---\ntitle: x\n\nbody\n", "front-matter-unterminated", 1),
    ("a list", "---\n- a\n- b\n---\nbody\n", "front-matter-not-mapping", 2),
    ("empty", "---\n---\nbody\n", "front-matter-not-mapping", 2),
    ("duplicate status", GOOD.replace("owner: Legal", "owner: Legal\nstatus: draft"),
     "yaml-duplicate-key", 8),
    ("bad yaml", GOOD.replace("owner: Legal", "owner: [Legal"), "yaml-syntax", 8),
    ("tab indentation", GOOD.replace("    date: 2026-01-01", "\tdate: 2026-01-01"), "yaml-syntax", 10),
    ("wrong type", GOOD.replace("owner: Legal", "owner: [1, 2]"), "front-matter-invalid-field", 7),
    ("impossible date", GOOD.replace("effective: 2026-01-01", "effective: 2026-02-30"),
     "front-matter-invalid-field", 6),
    ("bad version", GOOD.replace("version: 1.0.0\nstatus", "version: 1.0\nstatus"),
     "front-matter-invalid-field", 4),
    ("bad status", GOOD.replace("status: approved", "status: published"), "front-matter-invalid-field", 5),
    ("unknown field", GOOD.replace("owner: Legal", "owner: Legal\ncolour: blue"),
     "front-matter-unknown-field", 8),
    ("missing field", GOOD.replace("owner: Legal\n", ""), "front-matter-missing-field", 2),
    ("nested missing", GOOD.replace("    summary: First version.\n", ""), "front-matter-missing-field", 9),
    ("type mismatch", GOOD.replace("owner: Legal", "owner: Legal\ntype: sla"), "type-mismatch", 8),
    ("alias", GOOD.replace("owner: Legal", "owner: &o Legal\nsummary2: *o"), "yaml-alias", 7),
]


@pytest.mark.parametrize("name,text,rule,line", CASES, ids=[c[0] for c in CASES])
def test_malformed_front_matter_is_located(tc, name, text, rule, line):
    finding = only_finding(load_one(tc, text))
    assert (finding.path, finding.rule, finding.line) == ("policies/acceptable-use.md", rule, line)
    assert finding.blocking


def test_duplicate_status_never_flips_the_state(tc):
    result = load_one(tc, GOOD.replace("owner: Legal", "owner: Legal\nstatus: draft"))
    assert not result.artifacts


def test_invalid_utf8_names_the_line(tc):
    data = GOOD.replace("## Text", "## Caf\xe9").encode("latin-1")
    finding = only_finding(load_one(tc, data))
    assert (finding.rule, finding.line) == ("encoding", 14)


def test_nul_bytes_are_refused(tc):
    finding = only_finding(load_one(tc, GOOD.encode() + b"\x00"))
    assert finding.rule == "encoding"


def test_bom_and_crlf_are_accepted(tc):
    result = load_one(tc, ("\ufeff" + GOOD).replace("\n", "\r\n").encode("utf-8"))
    assert not result.findings
    assert result.artifacts[0].line_of("version") == 4


@pytest.mark.parametrize("name", ["Upper-Case", "two--hyphens", "dots..md", "caf\u00e9", "a_b"])
def test_ids_must_be_slugs(tc, name):
    finding = only_finding(load_one(tc, GOOD, f"policies/{name}.md"))
    assert finding.rule == "id-not-slug"


def test_a_symlink_outside_the_repository_is_not_read(tc, tmp_path):
    outside = tmp_path / "secret.md"
    outside.write_text(GOOD)
    (tc.root / "policies").mkdir()
    os.symlink(outside, tc.root / "policies" / "secret.md")
    finding = only_finding(load_artifacts(tc.root))
    assert (finding.rule, finding.path) == ("symlink-refused", "policies/secret.md")


def test_a_symlink_inside_the_repository_is_not_read_either(tc):
    # A link inside the repository can point at .git/config: every link is refused.
    tc.write_raw("policies/real.md", GOOD)
    os.symlink(tc.root / "policies" / "real.md", tc.root / "policies" / "alias.md")
    result = load_artifacts(tc.root)
    assert [(f.rule, f.path) for f in result.findings] == [("symlink-refused", "policies/alias.md")]
    assert [a.id for a in result.artifacts] == ["real"]


def test_unknown_content_folders_are_reported(tc):
    tc.write_raw("content/faq/question.md", GOOD)
    finding = only_finding(load_artifacts(tc.root))
    assert (finding.rule, finding.severity.value) == ("unknown-folder", "warning")


def test_huge_files_are_refused(tc):
    finding = only_finding(load_one(tc, GOOD + "x" * (3 * 1024 * 1024)))
    assert finding.rule == "file-too-large"


def test_markdown_in_a_subfolder_is_reported_not_read(tc):
    tc.write_raw("policies/archive/old.md", GOOD)
    finding = only_finding(load_artifacts(tc.root))
    assert (finding.rule, finding.path, finding.severity.value) == ("nested-artifact", "policies/archive/old.md", "warning")
