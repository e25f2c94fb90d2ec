"""Attacks on site-config.yml: a pull-request author who is in no approving role lowers the bar.

Whoever edits the configuration decides who may approve: a change that weakens approval counts only
once members of each weakened role, as the configuration stood before, approved the new one.
"""

import copy
import json

import pytest

from conftest import CONFIG, LEGAL, MARKETING, all_site_text, run_cli, signed_config

APRIL = {"SOURCE_DATE_EPOCH": "1775001600"}
ATTACKER = "Mallory Contractor <mallory@example.com>"
CANARY = "Wombat-clause: all liability is waived"


def config_with(**changes):
    config = copy.deepcopy(CONFIG)
    for key, value in changes.items():
        config[key] = value
    return config


@pytest.fixture
def main(tc):
    tc.publish("policy", "privacy", title="Privacy policy")
    tc.commit("Publish privacy", when="2026-01-10T10:00:00Z")
    tc.git("checkout", "-q", "-b", "attack")
    return tc


def weakened(result):
    return [line for line in result.stdout.splitlines() if ": config-weakened: " in line]


def line_of(tc, text):
    lines = (tc.root / "site-config.yml").read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def test_adding_yourself_to_legal_and_approving_is_refused(main, tmp_path):
    """The attacker adds their own address to `roles.legal`, approves the config and their policy as legal."""
    roles = {**CONFIG["roles"], "legal": ["legal@example.com", "mallory@example.com"]}
    people = CONFIG["people"] + [{"name": "Mallory Contractor", "email": "mallory@example.com"}]
    main.write_config(config_with(roles=roles, people=people))
    assert main.run("approve", "site-config.yml", "--role", "legal", "--by", ATTACKER).returncode == 0
    main.publish("policy", "terms", title="Terms", body=CANARY + "\n")   # approvals typed as legal
    for role in ("legal",):
        main.run("approve", str(main.path("policy", "terms")), "--role", role, "--by", ATTACKER)
    main.commit("Add a reviewer", when="2026-02-01T10:00:00Z")

    result = main.run("check", "--base", "main")
    assert result.returncode == 1
    (line,) = weakened(result)
    assert line.startswith(f"site-config.yml:{line_of(main, 'legal:')}: error:")
    assert "mallory@example.com added to role legal" in line and "(legal: legal@example.com)" in line
    report = json.loads(main.run("review", "--base", "main", "--format", "json").stdout)
    assert report["ready"] is False
    assert report["config"] == [{"change": "mallory@example.com added to role legal", "roles": {"legal": "missing"}}]
    markdown = main.run("review", "--base", "main").stdout
    assert "**`site-config.yml` weakens approval.**" in markdown and "legal: missing" in markdown

    # Merged without the required check: the next plain check and the build still refuse.
    main.git("checkout", "-q", "main")
    main.git("merge", "-q", "--ff-only", "attack")
    assert weakened(main.run("check"))
    assert main.build().returncode == 1
    assert not (main.root / "site").exists()


def test_a_weakening_approved_by_the_weakened_role_is_accepted(main):
    roles = {**CONFIG["roles"], "legal": ["legal@example.com", "counsel@example.com"]}
    people = CONFIG["people"] + [{"name": "Cora Counsel", "email": "counsel@example.com"}]
    main.write_config(config_with(roles=roles, people=people))
    approved = main.run("approve", "site-config.yml", "--role", "legal", "--by", LEGAL)
    assert approved.returncode == 0 and "recorded legal approval of the configuration" in approved.stdout
    result = main.run("check", "--base", "main")
    assert result.returncode == 0, result.stdout
    report = json.loads(main.run("review", "--base", "main", "--format", "json").stdout)
    assert report["config"] == [{"change": "counsel@example.com added to role legal", "roles": {"legal": "approved"}}]
    main.commit("New counsel", when="2026-02-01T10:00:00Z")
    assert main.run("check").returncode == 0
    # Any later edit of the configuration leaves the approval stale, but needs it only if it weakens.
    main.write_config(config_with(roles=roles, people=people, site={**CONFIG["site"], "name": "Acme Trust"}))
    assert main.run("check", "--base", "main").returncode == 1
    assert main.run("check").returncode == 0


@pytest.mark.parametrize("change, role, where", [
    ({"required_approvals": {**CONFIG["required_approvals"], "policy": []}}, "legal", "policy:"),
    ({"claims": {"disable": ["superlative"]}}, "marketing", "disable:"),
    ({"claims": {"require_role": None}}, "marketing", "require_role:"),
    ({"certifications": [{"id": "iso42001", "name": "ISO/IEC 42001", "issuer": "Anyone",
                          "valid_until": "2099-01-01"}]}, "marketing", "certifications:"),
])
def test_each_kind_of_weakening_needs_the_weakened_role(main, change, role, where):
    main.write_config(config_with(**change))
    result = main.run("check", "--base", "main")
    (line,) = weakened(result)
    assert line.startswith(f"site-config.yml:{line_of(main, where)}: error:")
    assert f"({role}: {role}@example.com)" in line
    by = LEGAL if role == "legal" else MARKETING
    assert main.run("approve", "site-config.yml", "--role", role, "--by", by).returncode == 0
    assert weakened(main.run("check", "--base", "main")) == []


def test_adding_safeguards_needs_no_approval(main):
    required = {**CONFIG["required_approvals"], "policy": ["legal", "marketing"]}
    main.write_config(config_with(required_approvals=required,
                                  roles={**CONFIG["roles"], "security": ["sec@example.com"]}))
    result = main.run("check", "--base", "main")
    assert weakened(result) == []


def test_history_under_an_unapproved_weakening_is_not_published(main, tmp_path):
    """Commit A drops legal from the policy's required roles and adds a policy nobody approved;
    commit B restores the configuration and leaves the policy as a draft. History holds a commit in
    which the policy was publishable under its own (unapproved) configuration."""
    main.write_config(config_with(required_approvals={**CONFIG["required_approvals"], "policy": []}))
    main.write("policy", "terms", title="Terms", body=CANARY + "\n")
    main.commit("A", when="2026-02-01T10:00:00Z")
    main.write_config()
    main.write("policy", "terms", title="Terms", body=CANARY + "\n", status="draft")
    main.commit("B", when="2026-02-01T11:00:00Z")
    main.git("checkout", "-q", "main")
    main.git("merge", "-q", "--ff-only", "attack")

    assert main.run("check").returncode == 0
    out = tmp_path / "site"
    result = run_cli("build", "--out", str(out), cwd=main.root, env=APRIL)
    assert result.returncode == 0, result.stdout + result.stderr
    assert CANARY not in all_site_text(out)
    assert not (out / "policies" / "terms").exists()


def test_under_verify_git_a_typed_config_approval_does_not_count(tc, approvers):
    """With `approval.verify: git`, the attacker types legal's approval of their weakened configuration
    (`trustcenter approve site-config.yml --by "Lee Gal <legal@example.com>"`) and commits it under
    their own name: it does not count. Legal's own signed commit of the same approval does."""
    tc.reconfigure(signed_config(*approvers.values()))
    tc.commit("Verify approvals against git", when="2026-01-05T10:00:00Z", signer=approvers["legal"])
    tc.git("checkout", "-q", "-b", "attack")
    roles = {**CONFIG["roles"], "legal": ["legal@example.com", "mallory@example.com"]}
    people = signed_config(*approvers.values())["people"] + [{"name": "Mallory Contractor",
                                                              "email": "mallory@example.com"}]
    tc.write_config(signed_config(*approvers.values(), roles=roles, people=people))
    assert tc.run("approve", "site-config.yml", "--role", "legal", "--by", LEGAL).returncode == 0
    tc.commit("Add a reviewer", when="2026-02-01T10:00:00Z", author="mallory@example.com")
    assert weakened(tc.run("check", "--base", "main"))
    assert weakened(tc.run("check"))
    # Legal makes the same approval in a commit of their own, signed with their key.
    tc.write_config(signed_config(*approvers.values(), roles=roles, people=people))
    tc.commit("Drop the typed approval", when="2026-02-02T10:00:00Z")
    assert tc.run("approve", "site-config.yml", "--role", "legal", "--by", LEGAL).returncode == 0
    tc.commit("Legal approves the new reviewer", when="2026-02-03T10:00:00Z", signer=approvers["legal"])
    assert weakened(tc.run("check", "--base", "main")) == []
