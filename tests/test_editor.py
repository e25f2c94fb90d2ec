"""The README's editor set-up works: `schema --write` plus its remark configuration reports front-matter
errors in Markdown artifacts on their lines, and accepts what `check` accepts."""

import re
import shutil
import subprocess

import pytest

from conftest import REPO

NODE_MODULES = REPO / "tests" / "node" / "node_modules"


def readme_remark_config() -> str:
    """The `.remarkrc.mjs` exactly as the README's "Editor support" section gives it."""
    section = (REPO / "README.md").read_text(encoding="utf-8").split("## Editor support", 1)[1]
    block = re.search(r"```js\n(.*?)```", section, re.DOTALL).group(1)
    return "\n".join(line.removeprefix("  ") for line in block.split("\n"))


def remark(root, *paths: str) -> subprocess.CompletedProcess:
    node = shutil.which("node")
    assert node, "node is needed for remark; `make test` installs the JavaScript tools"
    return subprocess.run([node, str(NODE_MODULES / "remark-cli" / "cli.js"), *paths, "--quiet", "--no-color"],
                          cwd=root, capture_output=True, text=True, timeout=120)


@pytest.fixture
def center(tc):
    (tc.root / "node_modules").symlink_to(NODE_MODULES)   # as `npm install` would leave it
    (tc.root / ".remarkrc.mjs").write_text(readme_remark_config())
    assert tc.run("schema", "--write", ".schemas").returncode == 0
    return tc


def test_remark_with_the_written_schemas_accepts_valid_artifacts(center):
    center.publish("policy", "acceptable-use")
    center.publish("model-card", "reply-assistant")
    assert center.run("new", "sla", "uptime").returncode == 0
    result = remark(center.root, "policies", "content")
    assert result.returncode == 0 and "warning" not in result.stderr, result.stderr


def test_remark_reports_front_matter_errors_on_their_lines(center):
    path = center.write("policy", "broken", status="drafty")
    path.write_text(path.read_text().replace("version: 1.0.0", "version: 1.0", 1))  # YAML reads a number
    lines = path.read_text().split("\n")
    version_line = next(n for n, line in enumerate(lines, 1) if line.startswith("version:"))
    status_line = next(n for n, line in enumerate(lines, 1) if line.startswith("status:"))
    result = remark(center.root, "policies")
    assert result.returncode == 0, result.stderr  # warnings; --frail would fail a CI job
    assert re.search(rf"^\s*{version_line}:\d+-\d+:\d+\s+warning\s+Must be string", result.stderr, re.M), result.stderr
    assert re.search(rf"^\s*{status_line}:\d+-\d+:\d+\s+warning\s+Must be equal to one of the allowed values",
                     result.stderr, re.M), result.stderr
    assert "policy.schema.json" in result.stderr
