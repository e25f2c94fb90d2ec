"""Attacks through git history and status: a pull-request author who is in no approving role.

Each test names what the attacker does with git and the CLI, then proves the attack is refused with
a located finding and that none of the attacker's text reaches any file of the built site.
"""

import json

import pytest

from conftest import CONFIG, all_site_text, run_cli

APRIL = {"SOURCE_DATE_EPOCH": "1775001600"}   # 2026-04-01
CANARY = "Quokka-pledge: refunds are never paid"


def changelog(*versions):
    return [{"version": v, "date": "2026-02-01", "summary": f"Version {v}."} for v in versions]


@pytest.fixture
def main(tc):
    """main publishes the privacy policy 1.0.0 (approved by legal); the attacker works on a branch."""
    tc.publish("policy", "privacy", title="Privacy policy")
    tc.commit("Publish privacy 1.0.0", when="2026-01-10T10:00:00Z")
    tc.git("checkout", "-q", "-b", "attack")
    return tc


def findings(result, rule):
    return [line for line in result.stdout.splitlines() if f": {rule}: " in line]


def merge_by_rebase(tc):
    """What a maintainer's "Rebase and merge" does: every commit of the branch lands on main."""
    tc.git("checkout", "-q", "main")
    tc.git("merge", "-q", "--ff-only", "attack")


def built_text(tc, tmp_path):
    out = tmp_path / "site"
    result = run_cli("build", "--out", str(out), cwd=tc.root, env=APRIL)
    assert result.returncode == 0, result.stdout + result.stderr
    return out, all_site_text(out)


def test_a_version_raised_and_restored_in_two_commits_is_refused_and_never_published(main, tmp_path):
    """Commit A raises the policy to 9.9.9 with new text and approvals typed in as legal
    (`trustcenter approve --by "Lee Gal <legal@example.com>"`, which anyone can type); commit B puts
    the file back. The net diff is empty."""
    original = main.path("policy", "privacy").read_text()
    main.publish("policy", "privacy", title="Privacy policy", version="9.9.9", body=CANARY + "\n",
                 changelog=changelog("9.9.9", "1.0.0"))
    forged = main.commit("A: clarify", when="2026-02-01T10:00:00Z")
    main.path("policy", "privacy").write_text(original)
    main.commit("B: revert", when="2026-02-01T11:00:00Z")
    assert main.git("diff", "main", "--", "policies") == ""

    check = main.run("check", "--base", "main")
    assert check.returncode == 1
    (line,) = findings(check, "history-unreviewed-version")
    assert line.startswith("policies/privacy.md:1: error:") and forged[:12] in line and "9.9.9" in line

    review = main.run("review", "--base", "main", "--format", "json")
    data = json.loads(review.stdout)
    assert review.returncode == 1 and data["ready"] is False
    (row,) = data["artifacts"]
    assert row["path"] == "policies/privacy.md" and row["change"] == "unchanged"
    assert any("history-unreviewed-version" in need for need in row["needed"])

    # Merged anyway (CI not required): the history pass does not trust what it finds.
    merge_by_rebase(main)
    plain = main.run("check")
    assert plain.returncode == 0 and findings(plain, "history-version-withdrawn")
    site, text = built_text(main, tmp_path)
    assert CANARY not in text and "9.9.9" not in text
    index = json.loads((site / "trust.json").read_text())
    (privacy,) = [a for a in index["artifacts"] if a["id"] == "privacy"]
    assert [v["version"] for v in privacy["versions"]] == ["1.0.0"]


def test_an_intermediate_commit_that_empties_required_approvals_publishes_nothing(main, tmp_path):
    """Commit A sets `required_approvals.policy: []` and raises the policy to 2.0.0 with no approval
    at all; commit B restores both files."""
    original = main.path("policy", "privacy").read_text()
    main.write_config({**CONFIG, "required_approvals": {**CONFIG["required_approvals"], "policy": []}})
    main.write("policy", "privacy", title="Privacy policy", version="2.0.0", body=CANARY + "\n",
               changelog=changelog("2.0.0", "1.0.0"))
    main.commit("A: simplify", when="2026-02-01T10:00:00Z")
    main.write_config()
    main.path("policy", "privacy").write_text(original)
    main.commit("B: undo", when="2026-02-01T11:00:00Z")

    check = main.run("check", "--base", "main")
    assert check.returncode == 1 and findings(check, "history-unreviewed-version")
    merge_by_rebase(main)
    _, text = built_text(main, tmp_path)
    assert CANARY not in text and "2.0.0" not in text


def test_a_lower_version_slipped_in_between_two_commits_is_not_published(main, tmp_path):
    """main is at 2.0.0; commit A sets a never-published 1.5.0 (below the current version, so it
    would not count as "withdrawn" by height alone), commit B restores 2.0.0."""
    main.git("checkout", "-q", "main")
    main.publish("policy", "privacy", title="Privacy policy", version="2.0.0", body="Version two.\n",
                 changelog=changelog("2.0.0", "1.0.0"))
    main.commit("Publish 2.0.0", when="2026-01-20T10:00:00Z")
    main.git("checkout", "-q", "-B", "attack")
    current = main.path("policy", "privacy").read_text()
    main.publish("policy", "privacy", title="Privacy policy", version="1.5.0", body=CANARY + "\n",
                 changelog=changelog("1.5.0", "1.0.0"))
    main.commit("A", when="2026-02-01T10:00:00Z")
    main.path("policy", "privacy").write_text(current)
    main.commit("B", when="2026-02-01T11:00:00Z")

    assert findings(main.run("check", "--base", "main"), "history-unreviewed-version")
    merge_by_rebase(main)
    plain = main.run("check")
    assert plain.returncode == 0
    assert any("1.5.0" in line for line in findings(plain, "history-version-withdrawn"))
    site, text = built_text(main, tmp_path)
    assert CANARY not in text and not (site / "policies" / "privacy" / "v1.5.0").exists()


def test_retiring_by_editing_the_status_alone_is_refused(main, tmp_path):
    """The attacker takes the policy off the catalogue and marks it "no longer applies":

        sed -i 's/status: approved/status: retired/' policies/privacy.md
    """
    path = main.path("policy", "privacy")
    path.write_text(path.read_text().replace("status: approved", "status: retired"))
    main.commit("Retire", when="2026-02-01T10:00:00Z")
    for command in (("check",), ("check", "--base", "main")):
        result = main.run(*command)
        assert result.returncode == 1
        (stale,) = findings(result, "approval-stale")
        assert stale.startswith("policies/privacy.md:") and "digest mismatch" in stale
    review = json.loads(main.run("review", "--base", "main", "--format", "json").stdout)
    (row,) = review["artifacts"]
    assert row["roles"] == {"legal": "stale"}
    assert {"field": "status", "before": "approved", "after": "retired"} in [
        {k: f[k] for k in ("field", "before", "after")} for f in row["fields"]]
    assert main.build().returncode == 1
    # A preview shows the unapproved retirement as a draft only: the published page is not retired.
    out = tmp_path / "preview"
    assert run_cli("build", "--preview", "--out", str(out), cwd=main.root, env=APRIL).returncode == 0
    frozen = (out / "policies" / "privacy" / "v1.0.0" / "index.html").read_text()
    assert "tc-banner--retired" not in frozen


def test_a_published_version_rewritten_in_place_keeps_its_first_text(main, tmp_path):
    """The attacker edits the text of the published 1.0.0 and types the approval in again, without
    raising the version: `/v1.0.0/` would show the new text under the old date and approvals."""
    path = main.path("policy", "privacy")
    path.write_text(path.read_text().replace("The text.", CANARY))
    main.approve_all(path, "policy")
    main.commit("Reword", when="2026-02-01T10:00:00Z")

    plain = main.run("check")
    assert plain.returncode == 1
    (line,) = findings(plain, "published-version-changed")
    assert line.startswith("policies/privacy.md:4: error:")
    assert main.build().returncode == 1
    out = tmp_path / "preview"
    assert run_cli("build", "--preview", "--out", str(out), cwd=main.root, env=APRIL).returncode == 0
    frozen = (out / "policies" / "privacy" / "v1.0.0" / "index.html").read_text()
    assert "The text." in frozen and CANARY not in frozen
