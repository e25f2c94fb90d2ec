"""Attacks on who approved: a pull-request author, or a member of the wrong rank, passing as an approver.

Every attacker here can push a branch and run git as they please (any --author, any date, any key
of their own); none holds an approver's private key. With `approval.verify: git` every line of an
approval must come from a commit authored by the approver and signed with a key site-config.yml
lists for them; the site shows the name the configuration gives, never the one typed in `by`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
import yaml

from conftest import (GIT_IDENTITY, LEGAL, all_site_text, make_approver, signed_config, text_of)

ATTACKER_TEXT = "Mallory wrote this: we may sell your tickets to partners"
MALLORY = "Mallory Outsider <mallory@evil.example>"


def run(tc, *args: str) -> str:
    """Run `trustcenter` in the trust center; returns stdout."""
    return tc.run(*args).stdout


def git_as(tc, env: dict[str, str], *args: str) -> None:
    subprocess.run(["git", *args], cwd=tc.root, check=True, capture_output=True,
                   env={**os.environ, **GIT_IDENTITY, **env})


def findings(tc, rule: str) -> list[dict]:
    data = json.loads(run(tc, "check", "--format", "json"))
    return [f for f in data["findings"] if f["rule"] == rule]


def approval_line(path, role: str) -> int:
    """The file line of the `role: ROLE` entry in the approvals block."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index("approvals:") if "approvals:" in lines else 0
    return next(n for n, line in enumerate(lines, 1) if n > start and re.search(rf"\brole: {role}\b", line))


@pytest.fixture
def main(tc, approvers):
    """main: a privacy policy, approved by legal in a commit legal signed with their own key."""
    legal = approvers["legal"]
    tc.reconfigure(signed_config(*approvers.values()))
    path = tc.publish("policy", "privacy", title="Privacy policy")
    tc.commit("Privacy policy 1.0.0, approved by legal", when="2026-01-05T10:00:00Z", signer=legal)
    result = tc.run("check")
    assert result.returncode == 0, result.stdout
    return tc, path


def edit_policy(tc, path):
    """The attacker's edit: new text and a new version, as a legal approval would have to cover."""
    tc.write("policy", "privacy", title="Privacy policy", version="1.1.0", body=f"{ATTACKER_TEXT}.\n",
             changelog=[{"version": "1.1.0", "date": "2026-02-01", "summary": "Simpler."},
                        {"version": "1.0.0", "date": "2026-01-01", "summary": "First version."}])
    approved = tc.run("approve", str(path), "--role", "legal", "--by", LEGAL, "--date", "2026-02-01")
    assert approved.returncode == 0, approved.stderr


def assert_refused(tc, path, rules: set[str], line: int) -> None:
    """check names the approval (file, line, rule) and the build publishes none of the attacker's text."""
    located = [f for rule in rules for f in findings(tc, rule)]
    assert located, run(tc, "check")
    assert {(f["path"], f["line"]) for f in located} == {(path.relative_to(tc.root).as_posix(), line)}
    assert tc.run("check").returncode == 1
    build = tc.build()
    assert build.returncode != 0
    site = tc.root / "site"
    assert not site.exists() or ATTACKER_TEXT not in all_site_text(site)


def test_a_pr_author_who_types_legals_name_as_git_author_is_refused(main):
    """Mallory (no role) edits the policy, records legal's approval and commits it as
    `git commit --author="Lee Gal <legal@example.com>"`: git's author line is whatever she typed."""
    tc, path = main
    tc.git("checkout", "-q", "-b", "mallory/simplify")
    edit_policy(tc, path)
    tc.git("add", "-A")
    git_as(tc, {"GIT_COMMITTER_NAME": "Mallory", "GIT_COMMITTER_EMAIL": "mallory@evil.example"},
           "commit", "-q", f"--author={LEGAL}", "-m", "Simplify the privacy policy")
    assert tc.git("log", "-1", "--format=%ae").strip() == "legal@example.com"
    assert_refused(tc, path, {"approval-unsigned", "approval-forged"}, approval_line(path, "legal"))


def test_a_signature_by_a_key_the_verifier_trusts_for_someone_else_is_refused(main, approvers, tmp_path):
    """Mallory's own SSH key is in the CI's allowed-signers file (she is a colleague from another
    team). She signs a commit authored as legal: `git verify-commit` says good, yet the key is not
    one site-config.yml lists for legal."""
    tc, path = main
    tc.write_config(signed_config(*approvers.values(), approval={"verify": "git", "require_signed": True}))
    tc.commit("Require signed approvals", signer=approvers["legal"])
    mallory = make_approver(tmp_path / "mallory", MALLORY)
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f'legal@example.com,mallory@evil.example namespaces="git" {mallory.public_key}\n')
    tc.git("config", "gpg.ssh.allowedSignersFile", str(allowed))
    tc.git("checkout", "-q", "-b", "mallory/simplify")
    edit_policy(tc, path)
    tc.git("add", "-A")
    git_as(tc, {"GIT_COMMITTER_NAME": "Lee Gal", "GIT_COMMITTER_EMAIL": "legal@example.com"},
           "-c", "gpg.format=ssh", "-c", f"user.signingkey={mallory.key}",
           "commit", "-q", "-S", f"--author={LEGAL}", "-m", "Simplify the privacy policy")
    assert subprocess.run(["git", "verify-commit", "HEAD"], cwd=tc.root, capture_output=True).returncode == 0
    assert_refused(tc, path, {"approval-unsigned"}, approval_line(path, "legal"))


def test_a_backdated_edit_of_one_line_of_a_signed_approval_is_refused(main):
    """Legal's approval of 1.0.0 is genuine and signed. Mallory changes the text, keeps the version,
    and rewrites only the `digest:` line of legal's entry, in a commit dated a year before legal's:
    choosing "the commit that last wrote the approval" by date would pick legal's signed commit."""
    tc, path = main
    tc.git("checkout", "-q", "-b", "mallory/typo")
    text = path.read_text(encoding="utf-8").replace("The text.", ATTACKER_TEXT + ".")
    path.write_text(text, encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    approved = tc.run("approve", str(path), "--role", "legal", "--by", LEGAL, "--date", "2026-01-02")
    assert approved.returncode == 0, approved.stderr
    changed = [(a, b) for a, b in zip(before.splitlines(), path.read_text(encoding="utf-8").splitlines()) if a != b]
    assert len(changed) == 1 and changed[0][1].strip().startswith("digest:")
    tc.git("add", "-A")
    past = "2025-01-01T00:00:00Z"
    git_as(tc, {"GIT_AUTHOR_DATE": past, "GIT_COMMITTER_DATE": past, "GIT_COMMITTER_EMAIL": "mallory@evil.example"},
           "commit", "-q", f"--author={LEGAL}", "-m", "Fix a typo")
    assert_refused(tc, path, {"approval-unsigned", "approval-forged"}, approval_line(path, "legal"))


def to_flow_style(path, one_line: bool) -> None:
    """Rewrite the approvals block in YAML flow style: `[{...}, {...}]` on one line, or one `- {...}` a line."""
    text = path.read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    head, block = front.split("\napprovals:\n", 1)
    entries = yaml.safe_load("approvals:\n" + block)["approvals"]
    flow = [yaml.safe_dump(entry, default_flow_style=True, width=10_000).strip() for entry in entries]
    rows = ["approvals: [" + ", ".join(flow) + "]"] if one_line else ["approvals:"] + [f"  - {e}" for e in flow]
    path.write_text(head + "\n" + "\n".join(rows) + "\n---\n" + body, encoding="utf-8")


@pytest.mark.parametrize("one_line", [True, False], ids=["flow-sequence-on-one-line", "flow-mapping-per-line"])
def test_approvals_forged_in_flow_style_are_verified_and_refused(tc, approvers, one_line):
    """Mallory (no role) publishes a disclosure with legal's and marketing's approvals written by
    her in YAML flow style, where line ranges taken between block-style entries come out empty,
    and commits it as herself."""
    tc.reconfigure(signed_config(*approvers.values()))
    tc.commit("Keys", signer=approvers["legal"])
    path = tc.publish("disclosure", "ai-use", title="How we use AI", body=f"{ATTACKER_TEXT}.\n")
    to_flow_style(path, one_line)
    assert tc.run("check").returncode == 0  # uncommitted: not verified yet, nothing else is wrong
    tc.commit("How we use AI", author="mallory@evil.example")
    refused = findings(tc, "approval-forged") + findings(tc, "approval-unverifiable")
    assert sorted((f["line"], re.search(r"the (\S+) approval", f["message"]).group(1)) for f in refused) == [
        (approval_line(path, "legal"), "legal"), (approval_line(path, "marketing"), "marketing")]
    assert tc.run("check").returncode == 1
    assert tc.build().returncode != 0
    assert not (tc.root / "site").exists() or ATTACKER_TEXT not in all_site_text(tc.root / "site")


def test_two_approvers_on_one_line_cannot_be_attributed(tc, approvers):
    """Legal commits a disclosure with both approvals, legal's and marketing's, on one flow-style
    line, signed with legal's key: no line may speak for two people, so neither entry counts."""
    legal = approvers["legal"]
    tc.reconfigure(signed_config(*approvers.values()))
    path = tc.publish("disclosure", "ai-use", title="How we use AI")
    to_flow_style(path, one_line=True)
    tc.commit("AI use disclosure, legal and marketing approvals on one line", signer=legal)
    line = approval_line(path, "legal")
    unverifiable = findings(tc, "approval-unverifiable")
    assert {(f["line"], "shares line" in f["message"]) for f in unverifiable} == {(line, True)}
    assert len(unverifiable) == 2
    assert tc.run("check").returncode == 1


def test_a_junior_member_of_legal_cannot_approve_under_the_general_counsels_name(tc, approvers, tmp_path):
    """Jo, a junior member of legal with her own key, approves as
    "Lee Gal, General Counsel <jo@example.com>": the e-mail is hers, the name is not."""
    jo = make_approver(tmp_path / "jo", "Jo Junior <jo@example.com>")
    config = signed_config(*approvers.values())
    config = {**config, "people": [*config["people"], jo.person],
              "roles": {**config["roles"], "legal": ["legal@example.com", "jo@example.com"]}}
    tc.write_config(config)
    spoofed = "Lee Gal, General Counsel <jo@example.com>"
    path = tc.write("policy", "privacy", title="Privacy policy")
    result = tc.run("approve", str(path), "--role", "legal", "--by", spoofed, "--date", "2026-01-02")
    assert result.returncode == 0
    assert "Jo Junior <jo@example.com>" in path.read_text() and "General Counsel" not in path.read_text()
    assert "Jo Junior" in result.stderr and "General Counsel" in result.stderr  # told, not silently changed
    # So Jo edits the file by hand, and commits it signed with her own key.
    path.write_text(path.read_text().replace("by: Jo Junior <jo@example.com>", f"by: {spoofed}"))
    tc.commit("Privacy policy, approved by legal", signer=jo)
    (mismatch,) = findings(tc, "approval-name-mismatch")
    assert (mismatch["path"], mismatch["line"], mismatch["severity"]) == (
        "policies/privacy.md", approval_line(path, "legal"), "error")
    assert "Jo Junior" in mismatch["message"]
    assert not findings(tc, "approval-unsigned") and not findings(tc, "approval-forged")
    assert tc.build().returncode != 0
    out = tc.root / "preview"
    assert tc.build("--preview", "--out", str(out)).returncode == 0
    assert "legal: Jo Junior, 2026-01-02" in text_of(out / "policies" / "privacy" / "index.html")
    assert "General Counsel" not in all_site_text(out)


def test_a_genuine_signed_approval_passes_and_publishes(main):
    """The control: legal's own signed commit verifies, and the site shows legal's configured name."""
    tc, path = main
    assert not findings(tc, "approval-unsigned") and not findings(tc, "approval-forged")
    assert tc.build().returncode == 0
    site = tc.root / "site"
    assert "legal: Lee Gal, 2026-01-02" in text_of(site / "policies" / "privacy" / "index.html")
    index = json.loads((site / "trust.json").read_text())
    (policy,) = [a for a in index["artifacts"] if a["id"] == "privacy"]
    assert policy["versions"][-1]["approvals"] == [{"role": "legal", "name": "Lee Gal", "date": "2026-01-02"}]


def config_findings(tc, config) -> list[str]:
    """The configuration errors `check` prints for `config` (exit 2)."""
    tc.write_config(config)
    result = tc.run("check")
    assert result.returncode == 2, result.stdout + result.stderr
    return [line for line in (result.stdout + result.stderr).splitlines() if line.startswith("site-config.yml:")]


def config_line(tc, pattern: str) -> int:
    lines = (tc.root / "site-config.yml").read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if re.search(pattern, line))


def test_a_role_member_must_be_a_person_with_a_name(tc, approvers):
    """A pull request adds mallory to legal without saying who she is: refused on the role's line."""
    config = signed_config(*approvers.values())
    config["roles"] = {**config["roles"], "legal": ["legal@example.com", "mallory@evil.example", "@acme/legal"]}
    (problem,) = config_findings(tc, config)
    assert problem.startswith(f"site-config.yml:{config_line(tc, 'mallory@evil.example')}: error: config-invalid-field:")
    assert "mallory@evil.example" in problem and "people" in problem


def test_require_signed_false_cannot_weaken_verify_git(tc, approvers):
    (problem,) = config_findings(tc, signed_config(*approvers.values(),
                                                   approval={"verify": "git", "require_signed": False}))
    assert problem.startswith(f"site-config.yml:{config_line(tc, 'require_signed')}: error: config-invalid-field:")
    assert "unsigned" in problem


@pytest.mark.parametrize("key", ["ssh-ed25519", "ssh-ed25519 not-a-key", "ABCDEF", "ssh-dss AAAAB3NzaC1kc3M="])
def test_a_signing_key_must_be_an_ssh_public_key_or_a_gpg_fingerprint(tc, key):
    config = signed_config()
    config["people"] = [{**config["people"][0], "signing_keys": [key]}, *config["people"][1:]]
    (problem,) = config_findings(tc, config)
    assert f"site-config.yml:{config_line(tc, re.escape(key))}: error: config-" in problem


def test_a_person_without_signing_keys_cannot_approve_under_verify_git(main):
    """Legal's keys are dropped from the configuration: their approvals can no longer be verified."""
    tc, path = main
    config = signed_config()  # people without keys
    tc.write_config(config)
    (problem,) = findings(tc, "approval-unverifiable")
    assert (problem["line"], problem["severity"]) == (approval_line(path, "legal"), "error")
    assert "no signing_keys" in problem["message"]


def test_a_gpg_fingerprint_is_accepted_as_a_signing_key(tc):
    config = signed_config()
    config["people"] = [{**config["people"][0], "signing_keys": ["0123456789ABCDEF0123456789ABCDEF01234567"]},
                        *config["people"][1:]]
    tc.reconfigure(config)
    assert tc.run("check").returncode == 0


@pytest.mark.parametrize("text, expected", [
    # block style, a comment inside an entry, a value on the line after its key
    ("approvals:\n  - role: legal\n    # signed off in the meeting\n    by:\n      Lee Gal <l@x.example>\n  - role: ml\n",
     [{2, 4, 5}, {6}]),
    # flow style on one line: both entries share it
    ("approvals: [{role: legal, by: a}, {role: ml, by: b}]\n", [{1}, {1}]),
    # mixed: a flow mapping per item, and a flow mapping across lines
    ("approvals:\n  - {role: legal, by: a}\n  - {role: ml,\n     by: b}\n", [{2}, {3, 4}]),
    # a plain scalar folded over two lines, and a block scalar: every line they cover
    ("approvals:\n  - role: legal\n    by: Lee\n      Gal <l@x.example>\n    note: |\n      one\n      two\n  - role: ml\n",
     [{2, 3, 4, 5, 6, 7}, {8}]),
])
def test_every_line_of_an_approval_entry_is_found_whatever_the_yaml_style(text, expected):
    """What blame must cover: a line left out is a line an attacker could write unseen."""
    from trustcenter import yamlsource
    assert yamlsource.item_lines(text, ("approvals",)) == expected
