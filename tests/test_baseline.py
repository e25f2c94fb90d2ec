"""`check --base REF`: version discipline in a pull request, in real git repositories."""

import pytest


@pytest.fixture
def main(tc):
    """main holds a published policy and a published SLA; the test works on a branch."""
    tc.publish("policy", "privacy", title="Privacy policy")
    tc.publish("sla", "platform", title="Platform SLA")
    tc.commit("Publish privacy 1.0.0 and the SLA", when="2026-01-10T10:00:00Z")
    tc.git("checkout", "-q", "-b", "change")
    return tc


def base_rules(tc, base="main"):
    result = tc.run("check", "--base", base)
    return result, [line for line in result.stdout.splitlines() if ": error: " in line]


def test_an_unchanged_branch_passes(main):
    result, errors = base_rules(main)
    assert result.returncode == 0 and errors == []


def test_content_changed_without_a_higher_version(main):
    path = main.path("policy", "privacy")
    path.write_text(path.read_text().replace("The text.", "The new text."))
    main.approve_all(path, "policy")
    result, errors = base_rules(main)
    assert result.returncode == 1
    assert errors == ["policies/privacy.md:4: error: version-not-bumped: the content changed since main "
                      "but the version is still 1.0.0: raise it (patch for wording, minor for substance, "
                      "major for a change in commitments)"]


def test_a_version_that_goes_down(main):
    main.publish("policy", "privacy", title="Privacy policy", version="0.9.0")
    result, errors = base_rules(main)
    assert [e for e in errors if "version-decreased" in e] == [
        "policies/privacy.md:4: error: version-decreased: version went down from 1.0.0 (at main) to 0.9.0"]


def test_a_new_version_without_its_changelog_entry(main):
    path = main.path("policy", "privacy")
    path.write_text(path.read_text().replace("version: 1.0.0\nstatus: approved", "version: 1.1.0\nstatus: review"))
    result, errors = base_rules(main)
    assert [e.split(": error: ")[1].split(":")[0] for e in errors] == ["changelog-not-updated"]
    assert "1.0.0 -> 1.1.0" in errors[0]


def test_a_proper_version_bump_passes(main):
    main.publish("policy", "privacy", title="Privacy policy", version="1.1.0", body="Better text.\n",
                 changelog=[{"version": "1.1.0", "date": "2026-02-01", "summary": "Clearer."},
                            {"version": "1.0.0", "date": "2026-01-01", "summary": "First version."}])
    result, errors = base_rules(main)
    assert result.returncode == 0, result.stdout


def test_removing_a_published_artifact_instead_of_retiring_it(main):
    main.path("sla", "platform").unlink()
    result, errors = base_rules(main)
    assert errors == ["content/slas/platform.md:1: error: artifact-removed: sla/platform 1.0.0 is published "
                      "at main and was removed; set `status: retired` instead, so its history and URLs stay"]


def test_retiring_as_an_approved_version_and_renaming_are_allowed(main):
    main.publish("sla", "platform", title="Platform SLA", version="1.1.0", status="retired",
                 changelog=[{"version": "1.1.0", "date": "2026-02-01", "summary": "Retired."},
                            {"version": "1.0.0", "date": "2026-01-01", "summary": "First version."}])
    main.git("mv", "policies/privacy.md", "policies/data-privacy.md")
    result, errors = base_rules(main)
    assert result.returncode == 0, result.stdout


def test_retiring_by_changing_the_status_alone_is_refused(main):
    """A pull-request author who is not in legal takes the SLA off the catalogue by editing one word:

        sed -i 's/status: approved/status: retired/' content/slas/platform.md && git commit -am retire
    """
    path = main.path("sla", "platform")
    path.write_text(path.read_text().replace("status: approved", "status: retired"))
    result, errors = base_rules(main)
    assert result.returncode == 1
    rules = sorted(e.split(": error: ")[1].split(":")[0] for e in errors)
    assert rules == ["approval-stale", "version-not-bumped"], result.stdout
    plain = main.run("check")
    assert plain.returncode == 1 and "published-version-changed" in plain.stdout


def test_a_published_version_may_never_be_rewritten(main):
    """Even when the base already contains the rewrite, history shows 1.0.0 published with other text."""
    path = main.path("policy", "privacy")
    path.write_text(path.read_text().replace("The text.", "Quietly different text."))
    main.approve_all(path, "policy")
    main.commit("Rewrite 1.0.0 in place", when="2026-01-20T10:00:00Z")
    result, errors = base_rules(main, "HEAD")
    assert len(errors) == 1 and "published-version-changed: version 1.0.0 was published (commit" in errors[0]
    assert errors[0].startswith("policies/privacy.md:4:")


def test_an_unknown_base_is_a_usage_error(main):
    result = main.run("check", "--base", "no-such-branch")
    assert result.returncode == 2 and "base-unreadable" in result.stderr
