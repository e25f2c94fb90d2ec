"""`trustcenter import policy`: plain Markdown, front matter and strongdm/comply policies become drafts
that check, approve and build, with comply's revisions as the changelog."""

import json
from pathlib import Path

import yaml

from conftest import BY_ROLE, html, text_of

POLICIES = Path(__file__).parent / "fixtures" / "policies"
COMPLY = POLICIES / "comply"


def front_matter_of(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def approve(tc, *paths: Path) -> None:
    for path in paths:
        path.write_text(path.read_text().replace("status: draft", "status: approved\neffective: 2026-01-05", 1))
        result = tc.run("approve", str(path), "--role", "legal", "--by", BY_ROLE["legal"], "--date", "2026-01-04")
        assert result.returncode == 0, result.stderr


def build(tc) -> Path:
    check = tc.run("check")
    assert check.returncode == 0, check.stdout + check.stderr
    tc.commit("Approve the imported policies", when="2026-01-05T10:00:00Z")
    result = tc.build()
    assert result.returncode == 0, result.stderr
    return tc.root / "site"


def test_comply_policies_round_trip_with_their_revisions_controls_and_links(tc):
    result = tc.run("import", "policy", str(COMPLY / "access.md"), str(COMPLY / "information.md"))
    assert result.returncode == 0, result.stderr + result.stdout
    report = result.stdout
    assert "(strongdm/comply policy) -> policies/access.md: draft, version 3.0.0" in report
    assert "majorRevisions[0] (Jun 1 2018)" in report and "-> changelog: version 1.0.0, 2018-06-01" in report
    assert "link to Acme-ISP.pdf" in report and "now links to information.md" in report
    assert "link to Acme-CRP.pdf" in report and "link removed, its text kept" in report
    assert "satisfies TSC" in report and "-> controls: TSC:CC6.1, TSC:CC6.2, TSC:CC6.3" in report
    # comply's own example cites CC9.9, which the Trust Services Criteria do not have.
    assert "controls: TSC:CC9.9 are not in the control catalogue" in report

    access = tc.path("policy", "access")
    meta = front_matter_of(access)
    assert meta["title"] == "Access Onboarding and Termination Policy" and meta["acronym"] == "AOTP"
    assert meta["status"] == "draft" and meta["version"] == "3.0.0"
    assert meta["controls"] == ["TSC:CC6.1", "TSC:CC6.2", "TSC:CC6.3", "ISO42001:A.4.6"]
    assert [(e["version"], str(e["date"]), e["summary"]) for e in meta["changelog"]] == [
        ("3.0.0", "2021-03-02", "Quarterly access reviews"),
        ("2.0.0", "2019-09-14", "Contractor offboarding added"),
        ("1.0.0", "2018-06-01", "Initial document")]
    text = access.read_text()
    assert "{-}" not in text and "## Purpose and Scope" in text and "\n# " not in text
    assert "](information.md)" in text and "- Cyber Risk Assessment Policy (*Acme-CRP.pdf*)" in text
    information = tc.path("policy", "information").read_text()
    assert "## Control references" in information and "- TSC:CC9.9" in information
    assert front_matter_of(tc.path("policy", "information"))["controls"] == ["ISO42001:A.2.2"]
    # A draft the check accepts: only notes until it is approved.
    check = tc.run("check", "--format", "json")
    assert check.returncode == 0 and json.loads(check.stdout)["summary"]["error"] == 0

    approve(tc, access, tc.path("policy", "information"))
    site = build(tc)
    page = site / "policies" / "access" / "index.html"
    text = text_of(page)
    assert "least privilege" in text and "It applies to employees, contractors and interns." in text
    assert "Short name: AOTP" in text
    rows = [[td.get_text(strip=True) for td in tr.select("td")] for tr in html(page).select(".tc-changelog tbody tr")]
    assert rows == [["3.0.0", "2021-03-02", "Quarterly access reviews"],
                    ["2.0.0", "2019-09-14", "Contractor offboarding added"],
                    ["1.0.0", "2018-06-01", "Initial document"]]
    history = text_of(site / "policies" / "access" / "changelog" / "index.html")
    assert "Contractor offboarding added" in history and "not published" in history
    link = next(a for a in html(page).select(".tc-body a") if "Information Security Policy" in a.get_text())
    assert link["href"] == "../information/"
    assert "Controls TSC:CC6.1, TSC:CC6.2, TSC:CC6.3, ISO42001:A.4.6" in text
    info = text_of(site / "policies" / "information" / "index.html")
    assert "Control references ¶ The source maps this policy to these controls: TSC:CC9.9" in info
    # The Trust Services Criteria join the control map once something cites them.
    controls = html(site / "controls" / "index.html")
    row = next(tr for tr in controls.select(".tc-controls tbody tr") if tr.find("td").get_text().startswith("CC6.2 "))
    assert [a.get_text(strip=True) for a in row.select("a")] == ["Access Onboarding and Termination Policy"]
    assert "SOC 2 Trust Services Criteria" in text_of(site / "controls" / "index.html")


def test_unreadable_revision_dates_are_reported_not_guessed(tc):
    result = tc.run("import", "policy", str(COMPLY / "retention.md"))
    assert result.returncode == 0, result.stderr
    report = result.stdout
    assert "the date '06/01/2018' of version 1.0.0 could not be read" in report
    assert "the date 'Jun 31 2019' of version 2.0.0 could not be read" in report
    meta = front_matter_of(tc.path("policy", "retention"))
    assert meta["version"] == "3.0.0"
    assert [(e["version"], str(e["date"])) for e in meta["changelog"]] == [("3.0.0", "2020-02-10")]
    text = tc.path("policy", "retention").read_text()
    assert "2018-06-01" not in text and "2018-01-06" not in text and "2019-07-01" not in text
    assert "## Revisions with unreadable dates" in text
    assert "- Version 1.0.0, dated '06/01/2018' in the source: Initial document" in text
    assert tc.run("check").returncode == 0


def test_plain_markdown_takes_its_title_from_its_heading(tc):
    result = tc.run("import", "policy", str(POLICIES / "plain.md"), "--id", "responsible-ai")
    assert result.returncode == 0, result.stderr
    meta = front_matter_of(tc.path("policy", "responsible-ai"))
    assert meta["title"] == "Responsible AI Policy"
    assert meta["summary"] == "We build AI features that people can understand and question. This policy sets out how."
    assert meta["version"] == "0.1.0" and meta["changelog"][0]["summary"] == "Imported from plain.md."
    assert meta["owner"].startswith("Not in the imported policy")
    assert "owner: not in the source" in result.stdout
    text = tc.path("policy", "responsible-ai").read_text()
    assert "# Responsible AI Policy" not in text and "## Commitments" in text

    approve(tc, tc.path("policy", "responsible-ai"))
    page = build(tc) / "policies" / "responsible-ai" / "index.html"
    assert "A person can always ask for a decision to be reviewed" in text_of(page)


def test_front_matter_keeps_what_fits_and_shows_the_rest(tc):
    result = tc.run("import", "policy", str(POLICIES / "front-matter.md"), "--format", "json")
    assert result.returncode == 0, result.stderr
    mappings = {m["source"]: (m["target"], m["note"]) for m in json.loads(result.stdout)["imports"][0]["mappings"]}
    assert mappings["metadata description"][0] == "summary" and mappings["metadata author"][0] == "owner"
    assert mappings["metadata status"][0] == "omitted" and "published" in mappings["metadata status"][1]
    assert mappings["metadata version"] == ("omitted", "'2.1' is not MAJOR.MINOR.PATCH; the draft is version 0.1.0")
    assert mappings["metadata layout"][0] == "body" and mappings["metadata date"][0] == "body"
    meta = front_matter_of(tc.path("policy", "front-matter"))
    assert meta["summary"].startswith("How we choose and review the vendors")
    assert meta["owner"] == "Procurement team" and meta["controls"] == ["ISO42001:A.10.3"]
    assert meta["status"] == "draft"
    text = tc.path("policy", "front-matter").read_text()
    assert "## Metadata from the source" in text and "layout: policy" in text


def test_the_import_refuses_to_overwrite_and_writes_nothing_when_one_file_would(tc):
    tc.write("policy", "information", title="Already here")
    before = tc.path("policy", "information").read_bytes()
    result = tc.run("import", "policy", str(COMPLY / "access.md"), str(COMPLY / "information.md"))
    assert result.returncode == 2 and "policies/information.md:1: error: artifact-exists" in result.stderr
    assert tc.path("policy", "information").read_bytes() == before
    assert not tc.path("policy", "access").exists()


def test_usage_errors_exit_2_without_a_traceback(tc, tmp_path):
    one_id = tc.run("import", "policy", str(COMPLY / "access.md"), str(COMPLY / "information.md"), "--id", "x")
    assert one_id.returncode == 2 and "--id names one policy" in one_id.stderr
    broken = tmp_path / "broken.md"
    broken.write_text("name: Broken\nmajorRevisions:\n  - date: Jun 1 2018\n   comment: bad indent\n---\n\n# Text\n")
    result = tc.run("import", "policy", str(broken))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{broken}:4: error: yaml-syntax" in result.stderr
