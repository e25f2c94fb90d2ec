"""Version history from git: frozen versions, diffs, changelogs, upcoming versions, feed and index."""

import json
import os
import shutil
import stat
from pathlib import Path

import feedparser
import jsonschema
import pytest

from conftest import CLI, TrustCenter, all_site_text, git, html, new_trust_center, run_cli, text_of

APRIL = "1775001600"      # 2026-04-01T00:00:00Z: the build date of most builds here
JUNE = "1780272000"       # 2026-06-01T00:00:00Z: after the model card's upcoming version
DRAFT_CANARY = "marmalade"


def changelog(*entries):
    return [{"version": v, "date": d, "summary": s} for v, d, s in entries]


PRIVACY = [
    ("1.0.0", "2026-01-10", "First version.", "We keep support data for 30 days.\n\n## Scope\n\nAll products.\n"),
    ("1.1.0", "2026-02-10", "Longer retention.", "We keep support data for 90 days.\n\n## Scope\n\nAll products.\n"),
    ("1.2.0", "2026-03-10", "Scope narrowed.", "We keep support data for 90 days.\n\n## Scope\n\nThe helpdesk only.\n"),
]


def publish_privacy(tc, upto):
    (version, day, _, body) = PRIVACY[upto]
    entries = changelog(*[(v, d, s) for v, d, s, _ in reversed(PRIVACY[: upto + 1])])
    tc.publish("policy", "privacy", title="Privacy policy", version=version, effective=day,
               changelog=entries, body=body, owner="Legal team" if upto < 2 else "Privacy office")


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    """A trust center whose history has edits, bumps, a rename, a retirement, a draft and a future version."""
    tc = new_trust_center(tmp_path_factory.mktemp("history") / "trust")
    publish_privacy(tc, 0)
    tc.publish("sla", "uptime", title="Uptime SLA", effective="2026-01-10")
    tc.publish("model-card", "reply", title="Reply assistant", effective="2026-01-10")
    tc.commit("Privacy 1.0.0, SLA, model card", when="2026-01-10T10:00:00Z")
    publish_privacy(tc, 1)
    tc.publish("notice", "outage", title="February outage", effective="2026-02-10",
               affected=["policy/privacy"])
    tc.commit("Privacy 1.1.0, outage notice", when="2026-02-10T10:00:00Z")
    publish_privacy(tc, 2)
    tc.git("mv", "content/slas/uptime.md", "content/slas/platform.md")
    tc.commit("Privacy 1.2.0; the SLA file renamed", when="2026-03-10T10:00:00Z")
    # Retiring is an approved change of its own: a new version, in the changelog, approved again.
    tc.publish("notice", "outage", title="February outage", effective="2026-03-20", version="1.1.0",
               status="retired", affected=["policy/privacy"],
               changelog=changelog(("1.1.0", "2026-03-20", "Retired."), ("1.0.0", "2026-02-10", "First.")))
    tc.publish("model-card", "reply", title="Reply assistant", version="2.0.0", effective="2026-05-01",
               changelog=changelog(("2.0.0", "2026-03-20", "New model."), ("1.0.0", "2026-01-10", "First.")),
               body="## Text\n\nThe second model.\n")
    tc.commit("Notice retired; model card 2.0.0 effective in May", when="2026-03-20T10:00:00Z")
    draft = tc.write("policy", "privacy", title="Privacy policy", version="1.3.0", status="review",
                     effective="2026-04-10", body=f"We keep support data for 7 days. {DRAFT_CANARY}\n",
                     changelog=changelog(("1.3.0", "2026-04-10", "Shorter."), ("1.2.0", "2026-03-10", "Scope narrowed.")))
    assert draft.exists()
    tc.commit("Privacy 1.3.0 in review", when="2026-03-25T10:00:00Z")
    return tc


@pytest.fixture(scope="module")
def site(repo):
    result = run_cli("build", cwd=repo.root, env={"SOURCE_DATE_EPOCH": APRIL})
    assert result.returncode == 0, result.stderr + result.stdout
    return repo.root / "site"


def page(site, url):
    return site / url / "index.html"


def test_last_approved_version_stays_up_while_a_new_one_is_in_review(site):
    text = text_of(page(site, "policies/privacy"))
    assert "The helpdesk only." in text and "7 days" not in text
    facts = {dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(strip=True)
             for dt in html(page(site, "policies/privacy")).select(".tc-facts dt")}
    assert facts["Version"] == "1.2.0"
    assert DRAFT_CANARY not in all_site_text(site)
    assert not (site / "policies" / "privacy" / "v1.3.0").exists()


def test_every_published_version_is_frozen_with_a_banner(site):
    for version, text in (("1.0.0", "30 days"), ("1.1.0", "90 days"), ("1.2.0", "The helpdesk only.")):
        doc = html(page(site, f"policies/privacy/v{version}"))
        assert text in doc.get_text()
        banner = doc.select_one(".tc-banner--frozen")
        link = banner.find("a")
        assert link["href"] == "../"
        if version != "1.2.0":
            assert "An earlier version" in banner.get_text()
            assert "version 1.2.0" in link.get_text()
    frozen = html(page(site, "policies/privacy/v1.0.0"))
    facts = {dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(strip=True)
             for dt in frozen.select(".tc-facts dt")}
    assert facts["Version"] == "1.0.0" and facts["Owner"] == "Legal team"


def test_frozen_pages_stay_out_of_navigation_and_search(site):
    nav = html(page(site, "")).select_one("nav.md-nav--primary")
    assert not [a for a in nav.find_all("a", href=True) if "/v1." in a["href"] or "changelog" in a["href"]]
    index = json.loads((site / "search" / "search_index.json").read_text())
    assert not [d for d in index["docs"] if "/v1." in d["location"] or "/changelog/" in d["location"]]


def test_diff_marks_words_and_fields_without_relying_on_colour(site):
    doc = html(page(site, "policies/privacy/v1.1.0/diff"))
    assert [d.get_text() for d in doc.select(".tc-diff del.tc-del")][:1] == ["[removed: 30]"]
    assert [i.get_text() for i in doc.select(".tc-diff ins.tc-ins")][:1] == ["[added: 90]"]
    rows = {tr.find("td").get_text(strip=True): [td.get_text(strip=True) for td in tr.find_all("td")[1:]]
            for tr in doc.select(".tc-field-changes tbody tr")}
    assert rows["version"] == ["1.0.0", "1.1.0"]
    assert "effective" in rows
    later = html(page(site, "policies/privacy/v1.2.0/diff"))
    rows = {tr.find("td").get_text(strip=True): [td.get_text(strip=True) for td in tr.find_all("td")[1:]]
            for tr in later.select(".tc-field-changes tbody tr")}
    assert rows["owner"] == ["Legal team", "Privacy office"]
    assert [i.get_text() for i in later.select(".tc-diff ins.tc-ins")] == ["[added: The]", "[added: helpdesk only]"]
    assert [d.get_text() for d in later.select(".tc-diff del.tc-del")] == ["[removed: All]", "[removed: products]"]
    assert not (site / "policies" / "privacy" / "v1.0.0" / "diff").exists()


def test_changelog_lists_every_version_with_approvers_and_links(site):
    doc = html(page(site, "policies/privacy/changelog"))
    rows = doc.select(".tc-history tbody tr")
    assert [r.find("td").get_text(strip=True) for r in rows] == ["1.2.0", "1.1.0", "1.0.0"]
    first = rows[0]
    assert "legal: Lee Gal" in first.get_text()
    links = [a["href"] for a in first.find_all("a")]
    assert links == ["../v1.2.0/", "../v1.2.0/diff/"]
    assert [a["href"] for a in rows[2].find_all("a")] == ["../v1.0.0/"]


def test_renamed_artifact_keeps_its_history(site):
    assert page(site, "slas/platform").is_file()
    assert page(site, "slas/platform/v1.0.0").is_file()
    assert not (site / "slas" / "uptime").exists()


def test_retired_artifact_keeps_its_pages_and_leaves_the_catalogue(site):
    doc = html(page(site, "notices/outage"))
    assert doc.select_one(".tc-banner--retired")
    assert page(site, "notices/outage/v1.0.0").is_file()
    catalogue = html(page(site, "")).select(".tc-catalogue a")
    assert "February outage" not in [a.get_text(strip=True) for a in catalogue]


def test_upcoming_version_is_announced_while_the_current_one_stays_in_force(site, repo):
    doc = html(page(site, "model-cards/reply"))
    banner = doc.select_one(".tc-banner--upcoming").get_text(" ", strip=True)
    assert "Upcoming, effective 2026-05-01" in banner and "version 2.0.0" in banner
    facts = {dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(strip=True)
             for dt in doc.select(".tc-facts dt")}
    assert facts["Version"] == "1.0.0"
    changes = text_of(page(site, "changes"))
    assert "upcoming, effective 2026-05-01" in changes
    later = repo.root / "site-june"
    result = run_cli("build", "--out", str(later), cwd=repo.root, env={"SOURCE_DATE_EPOCH": JUNE})
    assert result.returncode == 0, result.stderr
    doc = html(later / "model-cards" / "reply" / "index.html")
    assert not doc.select_one(".tc-banner--upcoming")
    assert "The second model." in doc.get_text()


def test_preview_shows_the_draft_on_top_of_the_history(repo, tmp_path):
    out = tmp_path / "preview"
    result = run_cli("build", "--preview", "--out", str(out), cwd=repo.root, env={"SOURCE_DATE_EPOCH": APRIL})
    assert result.returncode == 0, result.stderr
    doc = html(out / "policies" / "privacy" / "index.html")
    assert DRAFT_CANARY in doc.get_text() and doc.select_one(".tc-banner--draft")
    assert (out / "policies" / "privacy" / "v1.2.0" / "index.html").is_file()


def test_feed_is_valid_atom_with_an_entry_per_published_version(site, repo):
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    ids = [entry.id for entry in feed.entries]
    # privacy 3, SLA 1, model card 2, notice 2 (published, then retired as a version of its own)
    assert len(ids) == 8 and len(set(ids)) == 8
    assert "https://trust.acme.example/policies/privacy/v1.1.0/" in ids
    entry = next(e for e in feed.entries if e.id.endswith("/policies/privacy/v1.1.0/"))
    assert entry.updated == "2026-02-10T10:00:00Z"
    assert {link.rel: link.href for link in entry.links}["related"] == \
        "https://trust.acme.example/policies/privacy/v1.1.0/diff/"
    assert "Longer retention." in entry.summary
    home = html(page(site, ""))
    alternate = home.find("link", rel="alternate", type="application/atom+xml")
    assert alternate["href"] == "feed.xml"


def test_trust_json_validates_against_its_published_schema(site):
    index = json.loads((site / "trust.json").read_text())
    schema = json.loads((site / "trust.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(index, schema)
    privacy = next(a for a in index["artifacts"] if a["id"] == "privacy")
    assert privacy["current_version"] == "1.2.0"
    assert [v["version"] for v in privacy["versions"]] == ["1.0.0", "1.1.0", "1.2.0"]
    assert all(v["digest"].startswith("sha256:") for v in privacy["versions"])
    assert privacy["versions"][1]["approvals"] == [{"role": "legal", "name": "Lee Gal", "date": "2026-01-02"}]
    card = next(a for a in index["artifacts"] if a["id"] == "reply")
    assert card["current_version"] == "1.0.0" and card["versions"][-1]["upcoming"] is True
    assert DRAFT_CANARY not in json.dumps(index)


def test_two_builds_of_one_commit_are_byte_identical(repo, tmp_path):
    outputs = []
    for name in ("one", "two"):
        clone = tmp_path / name
        git(tmp_path, "clone", "-q", str(repo.root), str(clone))
        result = run_cli("build", cwd=clone, env={"SOURCE_DATE_EPOCH": APRIL})
        assert result.returncode == 0, result.stderr
        site = clone / "site"
        outputs.append({p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()})
    assert outputs[0].keys() == outputs[1].keys()
    assert [name for name in outputs[0] if outputs[0][name] != outputs[1][name]] == []


def test_history_uses_a_constant_number_of_git_processes(repo, tmp_path):
    real_git = shutil.which("git")
    shim_dir = tmp_path / "bin"
    shim_dir.mkdir()
    log = tmp_path / "git-calls.log"
    shim = shim_dir / "git"
    shim.write_text(f'#!/bin/sh\necho "$1" >> "{log}"\nexec "{real_git}" "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    env = {"PATH": f"{shim_dir}{os.pathsep}{os.environ['PATH']}"}

    def calls():
        log.write_text("")
        assert run_cli("check", cwd=repo.root, env=env).returncode == 0
        return log.read_text().split()

    before = calls()
    for day in range(11, 16):  # five more commits, each a new approved version of the SLA
        tc = TrustCenter(repo.root)
        tc.publish("sla", "platform", title="Uptime SLA", version=f"1.{day}.0", effective="2026-01-10",
                   changelog=changelog((f"1.{day}.0", f"2026-03-{day}", "Wording."),
                                       ("1.0.0", "2026-01-10", "First version.")),
                   body=f"## Text\n\nThe text, day {day}.\n")
        tc.commit(f"SLA wording {day}", when=f"2026-03-{day}T10:00:00Z")
    after = calls()
    assert before == after == ["rev-parse", "log", "cat-file"]
    git(repo.root, "reset", "-q", "--hard", "HEAD~5")


def test_without_git_the_build_works_from_the_working_tree_and_says_so(repo, tmp_path):
    copy = tmp_path / "plain"
    shutil.copytree(repo.root, copy, ignore=shutil.ignore_patterns(".git", "site", "site-june"))
    check = run_cli("check", cwd=copy)
    notes = [line for line in check.stdout.splitlines() if "history-unavailable" in line]
    assert len(notes) == 1 and "not in a git repository" in notes[0], check.stdout + check.stderr
    result = run_cli("build", cwd=copy, env={"SOURCE_DATE_EPOCH": APRIL})
    assert result.returncode == 0, result.stderr
    assert "history-unavailable" in result.stderr
    assert (copy / "site" / "slas" / "platform" / "v1.0.0" / "index.html").is_file()
    assert not (copy / "site" / "policies" / "privacy" / "v1.0.0").exists()  # only git knew it


def test_a_shallow_clone_says_what_it_cannot_see(repo, tmp_path):
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone))
    check = run_cli("check", cwd=clone)
    assert check.returncode == 0
    assert "shallow clone" in check.stdout and "fetch-depth: 0" in check.stdout
    result = run_cli("build", cwd=clone, env={"SOURCE_DATE_EPOCH": APRIL})
    assert result.returncode == 0, result.stderr
