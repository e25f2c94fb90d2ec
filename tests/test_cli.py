"""The command line as a user runs it: exit codes, output formats, help, scaffolding."""

import json

import pytest

from conftest import run_cli


def test_check_of_a_clean_center_exits_0(tc):
    tc.publish("policy", "acceptable-use")
    result = tc.run("check")
    assert result.returncode == 0, result.stdout
    assert "1 artifacts, 1 publishable; 0 errors" in result.stdout


def test_one_word_edited_makes_check_fail_naming_the_file_and_the_stale_approval(tc):
    path = tc.publish("policy", "acceptable-use")
    path.write_text(path.read_text().replace("The text.", "The texts."))
    result = tc.run("check")
    assert result.returncode == 1
    line = next(l for l in result.stdout.splitlines() if "approval-stale" in l)
    assert line.startswith("policies/acceptable-use.md:")
    assert ": error: approval-stale: the legal approval by" in line
    tc.approve_all(path, "policy")
    assert tc.run("check").returncode == 0


def test_check_json_is_stable_for_tools(tc):
    tc.publish("policy", "a")
    tc.write("sla", "b", status="review")
    data = json.loads(tc.run("check", "--format", "json").stdout)
    assert data["summary"] == {"error": 0, "warning": 0, "info": 1}
    assert data["findings"][0] == {"path": "content/slas/b.md", "line": 5, "severity": "info",
                                   "rule": "approval-missing", "message": "needs approval by legal (version 1.0.0)"}
    assert data["artifacts"]["policy/a"]["publishable"] is True
    assert data["artifacts"]["sla/b"]["roles"] == {"legal": "missing"}


def test_check_github_prints_workflow_commands(tc):
    tc.write("policy", "a")
    result = tc.run("check", "--format", "github")
    assert result.returncode == 1
    assert result.stdout.startswith("::error file=policies/a.md,line=5,title=approval-missing::needs approval")


def test_artifact_errors_exit_1_and_config_errors_exit_2_without_traceback(tc):
    tc.write_raw("policies/bad.md", "---\ntitle: [\n---\n")
    result = tc.run("check")
    assert result.returncode == 1 and "policies/bad.md:2: error: yaml-syntax" in result.stdout
    (tc.root / "site-config.yml").write_text((tc.root / "site-config.yml").read_text() + "colour: blue\n")
    result = tc.run("check")
    assert result.returncode == 2
    assert "site-config.yml:" in result.stderr and "config-unknown-field: unknown field 'colour'" in result.stderr
    line = int(result.stderr.split("site-config.yml:")[1].split(":")[0])
    assert (tc.root / "site-config.yml").read_text().splitlines()[line - 1] == "colour: blue"
    for output in (result.stdout, result.stderr):
        assert "Traceback" not in output


def test_config_referring_to_an_undefined_role_exits_2(tc):
    text = (tc.root / "site-config.yml").read_text().replace("  - legal\n  model-card", "  - counsel\n  model-card")
    (tc.root / "site-config.yml").write_text(text)
    result = tc.run("check")
    assert result.returncode == 2 and "role 'counsel'" in result.stderr


def test_missing_config_exits_2(tmp_path):
    result = run_cli("check", cwd=tmp_path)
    assert result.returncode == 2 and "no site-config.yml" in result.stderr


@pytest.mark.parametrize("command", ["check", "build", "serve", "approve", "new", "init", "schema", "export",
                                     "import", "import hf-card", "import policy"])
def test_every_command_has_help(tmp_path, command):
    result = run_cli(*command.split(), "--help", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("usage: trustcenter " + command)


def test_usage_errors_exit_2(tmp_path):
    assert run_cli("frobnicate", cwd=tmp_path).returncode == 2
    assert run_cli("import", cwd=tmp_path).returncode == 2
    assert run_cli("import", "hf-card", "README.md", cwd=tmp_path).returncode == 2  # no trust center
    assert run_cli("approve", cwd=tmp_path).returncode == 2
    assert run_cli(cwd=tmp_path).returncode == 2


def test_schema_prints_json_schema(tmp_path):
    one = json.loads(run_cli("schema", "sla", cwd=tmp_path).stdout)
    assert one["properties"]["uptime"]["$ref"] == "#/$defs/UptimeTarget"
    everything = json.loads(run_cli("schema", cwd=tmp_path).stdout)
    assert set(everything) == {"policy", "model-card", "sla", "disclosure", "notice", "page"}
    assert "model-index" in everything["model-card"]["properties"]


def test_schema_write_gives_editors_one_file_per_type(tmp_path):
    result = run_cli("schema", "--write", "schemas", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = sorted(p.name for p in (tmp_path / "schemas").iterdir())
    assert written == sorted(f"{t}.schema.json" for t in ("policy", "model-card", "sla", "disclosure", "notice", "page"))
    printed = json.loads(run_cli("schema", "model-card", cwd=tmp_path).stdout)
    assert json.loads((tmp_path / "schemas" / "model-card.schema.json").read_text()) == printed
    one = run_cli("schema", "sla", "--write", "only-sla", cwd=tmp_path)
    assert one.returncode == 0 and [p.name for p in (tmp_path / "only-sla").iterdir()] == ["sla.schema.json"]
    (tmp_path / "a-file").write_text("")
    blocked = run_cli("schema", "--write", "a-file", cwd=tmp_path)
    assert blocked.returncode == 2 and "schema-unwritable" in blocked.stderr and "Traceback" not in blocked.stderr


@pytest.mark.parametrize("type_name", ["policy", "model-card", "sla", "disclosure", "notice", "page"])
def test_new_scaffolds_a_valid_draft(tc, type_name):
    result = tc.run("new", type_name, "fresh-one", "--title", "A fresh one")
    assert result.returncode == 0, result.stderr
    check = tc.run("check", "--format", "json")
    data = json.loads(check.stdout)
    assert check.returncode == 0 and data["summary"]["error"] == 0
    assert data["artifacts"][f"{type_name}/fresh-one"]["status"] == "draft"
    assert tc.run("new", type_name, "fresh-one").returncode == 2  # never overwrites: a usage error, as for `import`
    assert tc.run("new", type_name, "Bad_Id").returncode == 2


def test_init_scaffolds_a_trust_center_that_checks_and_builds(tmp_path):
    assert run_cli("init", "acme", cwd=tmp_path).returncode == 0
    root = tmp_path / "acme"
    assert run_cli("check", cwd=root).returncode == 0
    result = run_cli("build", cwd=root)
    assert result.returncode == 0, result.stderr
    assert (root / "site" / "index.html").is_file()
    assert run_cli("init", "acme", cwd=tmp_path).returncode == 2  # not into a non-empty folder
