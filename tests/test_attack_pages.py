"""Attacks on free pages and on files read through symbolic links (issue 14, class 1).

The attacker is a pull-request author: they can push a branch that CI checks out and builds, but
they are in no approving role. Their goal is to put their own text, or a secret of the CI checkout,
on the customer-facing site. Each test is the attacker's notes: what they commit, and what must not
happen. The secret is the token a CI checkout leaves in `.git/config` (`actions/checkout` writes an
`http.<url>.extraheader`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import BY_ROLE, all_site_text, front_matter, html, text_of

CLAIM = "100% accurate, guaranteed bias-free and ISO 42001 certified"
TOKEN = "AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46Z2hzX2F0dGFja2VyU2VlU1RoaXM="


def checkout_token(tc) -> None:
    """What `actions/checkout` leaves in the CI checkout's .git/config."""
    tc.git("config", "http.https://github.com/.extraheader", TOKEN)
    assert TOKEN in (tc.root / ".git" / "config").read_text()


def page_text(**fields) -> str:
    """A page file as an attacker writes it by hand (front matter, then their text)."""
    import yaml
    body = fields.pop("body", f"Our assistant is {CLAIM}.\n")
    data = front_matter("page", **fields)
    return "---\n" + yaml.safe_dump(data, sort_keys=False) + "---\n\n" + body


def assert_refused(result, path: str, rule: str) -> None:
    """Refused with a located finding `path:line: error: rule:`, no traceback, and the token nowhere."""
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f"{path}:" in output and f": error: {rule}:" in output, output
    assert any(line.startswith(f"{path}:") and f": error: {rule}:" in line
               for line in output.splitlines()), output
    assert "Traceback" not in output and TOKEN not in output


# --- an unapproved page ----------------------------------------------------------------------------

def test_a_page_making_risky_claims_is_blocked_like_an_artifact(tc, tmp_path):
    # The attacker adds an about page, honestly marked draft, hoping pages escape the claims check:
    #   git checkout -b about && $EDITOR content/pages/about.md && git commit -am about && git push
    tc.publish("policy", "p")
    tc.write_raw("content/pages/about.md", page_text(title="About us", status="draft"))
    tc.commit("About page")
    check = tc.run("check")
    assert_refused(check, "content/pages/about.md", "claim-certification")
    assert "content/pages/about.md:17: error: claim-absolute:" in check.stdout
    site = tmp_path / "site"
    assert tc.build("--out", str(site)).returncode == 1 and not site.exists()


def test_a_draft_page_is_not_published(tc, tmp_path):
    tc.publish("policy", "p")
    tc.write_raw("content/pages/about.md", page_text(title="About us", status="draft",
                                                     body="Draft words of the attacker.\n"))
    tc.commit("About page")
    site = tmp_path / "site"
    result = tc.build("--out", str(site))
    assert result.returncode == 0, result.stderr
    assert not (site / "about").exists()
    assert "Draft words of the attacker" not in all_site_text(site) and "About us" not in all_site_text(site)


@pytest.mark.parametrize("page", ["about", "home", "feedback"])
def test_a_page_claiming_approval_without_approvals_is_blocked(tc, tmp_path, page):
    # The attacker marks their page approved, with no approvals (or forged ones by nobody in a role):
    #   sed -i 's/status: draft/status: approved/' content/pages/about.md && git commit -am ship
    tc.publish("policy", "p")
    path = f"content/pages/{page}.md"
    tc.write_raw(path, page_text(title="Welcome", approvals=[
        {"role": "legal", "by": "Pat Author <pat@attacker.example>", "date": "2026-01-02",
         "version": "1.0.0", "digest": "sha256:" + "0" * 64}]))
    tc.commit("Ship the page")
    check = tc.run("check")
    assert_refused(check, path, "approval-missing")
    assert f"{path}:" in check.stdout and "approval-not-member" in check.stdout
    site = tmp_path / "site"
    build = tc.build("--out", str(site))
    assert build.returncode == 1 and not site.exists()


def test_an_approved_home_page_edited_afterwards_is_blocked_and_the_approved_text_stays(tc, tmp_path):
    # Legal and marketing approved the home page; the attacker edits it in their branch:
    #   $EDITOR content/pages/home.md && git commit -am "Friendlier welcome"
    tc.publish("policy", "p")
    home = tc.publish("page", "home", title="Welcome", body="The approved welcome.\n")
    tc.commit("Approved home page")
    home.write_text(home.read_text().replace("The approved welcome.", f"We are {CLAIM}."))
    tc.commit("Friendlier welcome")
    check = tc.run("check")
    assert_refused(check, "content/pages/home.md", "approval-stale")
    # A preview for reviewers shows the draft under its banner; the public build keeps the approved text.
    preview = tmp_path / "preview"
    assert tc.build("--preview", "--out", str(preview)).returncode == 0
    assert "DRAFT" in text_of(preview / "index.html") and CLAIM in text_of(preview / "index.html")
    home.write_text(home.read_text().replace(f"We are {CLAIM}.", "The approved welcome."))
    site = tmp_path / "site"
    assert tc.build("--out", str(site)).returncode == 0
    assert "The approved welcome." in text_of(site / "index.html")
    assert "DRAFT" not in text_of(site / "index.html")


def test_an_approved_page_is_shown_but_never_listed_as_an_artifact(tc, tmp_path):
    tc.publish("policy", "p")
    tc.publish("page", "about", title="About us", body="What this trust center is.\n")
    tc.commit("About page")
    site = tmp_path / "site"
    assert tc.build("--out", str(site)).returncode == 0, "built"
    assert "What this trust center is." in text_of(site / "about" / "index.html")
    for machine in ("trust.json", "feed.xml", "llms.txt", "aibom.cdx.json"):
        assert "About us" not in (site / machine).read_text(), machine
    for listing in ("index.html", "changes/index.html", "controls/index.html"):
        assert "About us" not in " ".join(html(site / listing).select_one("article").get_text(" ").split())
    assert not (site / "pages").exists()
    assert all(entry["type"] != "page" for entry in json.loads((site / "trust.json").read_text())["artifacts"])


# --- a page in a generated page's place ------------------------------------------------------------

@pytest.mark.parametrize("name", ["changes", "index", "controls", "policies", "feed", "search"])
def test_a_page_may_not_take_a_generated_pages_place(tc, tmp_path, name):
    # Even approved by every role, a page named like a generated page would replace it:
    #   echo ... > content/pages/changes.md && trustcenter approve ... && git commit
    tc.publish("policy", "p")
    tc.publish("page", name, title="Replaced", body=f"Nothing changed. We are {CLAIM}.\n")
    tc.commit("A page")
    assert_refused(tc.run("check"), f"content/pages/{name}.md", "page-reserved-name")
    site = tmp_path / "site"
    assert_refused(tc.build("--out", str(site)), f"content/pages/{name}.md", "page-reserved-name")
    assert not site.exists()
    preview = tmp_path / "preview"
    assert tc.build("--preview", "--out", str(preview)).returncode == 0
    assert CLAIM not in all_site_text(preview)


# --- files read through a symbolic link --------------------------------------------------------------

def symlink(tc, relative: str, target: str) -> None:
    """`ln -s TARGET RELATIVE && git add RELATIVE`: git stores the link, CI checks it out as one."""
    link = tc.root / relative
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, link)


def to_git_config(relative: str) -> str:
    return "../" * relative.count("/") + ".git/config"


@pytest.mark.parametrize("relative", ["content/pages/about.md", "content/pages/home.md",
                                      "policies/leak.md", "content/disclosures/leak.md"])
def test_a_symlinked_page_or_artifact_is_refused(tc, tmp_path, relative):
    tc.publish("policy", "p")
    symlink(tc, relative, to_git_config(relative))
    tc.commit("Link")
    checkout_token(tc)
    assert_refused(tc.run("check"), relative, "symlink-refused")
    site = tmp_path / "site"
    assert_refused(tc.build("--out", str(site)), relative, "symlink-refused")
    assert not site.exists()
    preview = tmp_path / "preview"
    tc.build("--preview", "--out", str(preview))
    assert not preview.exists() or TOKEN not in all_site_text(preview)


def test_a_symlink_to_an_approved_artifact_is_refused(tc):
    # Inside the repository or not: a link publishes whatever it points to, when it points there.
    tc.publish("policy", "real")
    symlink(tc, "policies/alias.md", "real.md")
    assert_refused(tc.run("check"), "policies/alias.md", "symlink-refused")


def test_a_symlinked_pages_folder_is_refused(tc, tmp_path):
    # The attacker links the whole folder: `ln -s ../.git content/pages` would list .git/*.md.
    tc.publish("policy", "p")
    (tc.root / "elsewhere").mkdir()
    (tc.root / "elsewhere" / "about.md").write_text(page_text(title="About"))
    symlink(tc, "content/pages", "../elsewhere")
    tc.commit("Link the folder")
    assert_refused(tc.run("check"), "content/pages", "symlink-refused")
    site = tmp_path / "site"
    assert tc.build("--out", str(site)).returncode == 1 and not site.exists()


def test_a_symlinked_measurement_file_is_refused(tc, tmp_path):
    tc.publish("sla", "api")
    csv = "content/slas/api/measurements/2026.csv"
    symlink(tc, csv, to_git_config(csv))
    tc.commit("Measurements")
    checkout_token(tc)
    assert_refused(tc.run("check"), csv, "symlink-refused")
    site = tmp_path / "site"
    assert_refused(tc.build("--out", str(site)), csv, "symlink-refused")
    assert not site.exists()


@pytest.mark.parametrize("args", [(), ("--preview",)])
def test_a_symlinked_theme_template_is_refused_before_mkdocs_reads_it(tc, tmp_path, args):
    # MkDocs renders theme/main.html as a Jinja template into every page: linked to .git/config,
    # the token would be on every page and in the search index.
    tc.publish("policy", "p")
    symlink(tc, "theme/main.html", "../.git/config")
    tc.commit("Theme")
    checkout_token(tc)
    site = tmp_path / "site"
    assert_refused(tc.build(*args, "--out", str(site)), "theme/main.html", "symlink-refused")
    assert not site.exists()
    assert_refused(tc.run("check"), "theme/main.html", "symlink-refused")


def test_a_symlinked_theme_folder_is_refused(tc, tmp_path):
    tc.publish("policy", "p")
    (tc.root / "their-theme").mkdir()
    (tc.root / "their-theme" / "main.html").write_text("{% extends 'base.html' %}")
    symlink(tc, "theme", "their-theme")
    site = tmp_path / "site"
    assert_refused(tc.build("--preview", "--out", str(site)), "theme", "symlink-refused")
    assert not site.exists()


def test_a_symlinked_site_config_is_refused(tc, tmp_path):
    tc.publish("policy", "p")
    (tc.root / "site-config.yml").unlink()
    symlink(tc, "site-config.yml", ".git/config")
    tc.commit("Config")
    checkout_token(tc)
    check = tc.run("check")
    assert_refused(check, "site-config.yml", "symlink-refused")
    assert check.returncode == 2
    site = tmp_path / "site"
    assert_refused(tc.build("--out", str(site)), "site-config.yml", "symlink-refused")
    assert not site.exists()


def test_pages_need_roles_named_in_the_configuration(tc, tmp_path):
    # A configuration that names no roles for pages publishes none of them.
    import yaml
    from conftest import CONFIG
    config = json.loads(json.dumps(CONFIG))
    del config["required_approvals"]["page"]
    (tc.root / "site-config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    tc.publish("policy", "p")
    tc.write_raw("content/pages/about.md", page_text(title="About", approvals=[]))
    check = tc.run("check")
    assert_refused(check, "site-config.yml", "page-roles-missing")
    site = tmp_path / "site"
    assert tc.build("--out", str(site)).returncode == 1 and not site.exists()
