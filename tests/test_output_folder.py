"""Output folders: a build or an export never deletes what it did not write.

Each case runs the command line on a real trust-center repository and compares every byte of the
repository (and of the folder named) before and after: a refused command changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli
from trustcenter.output_folder import MARK


def everything(folder: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and folder under `folder`, .git included."""
    return {path.relative_to(folder).as_posix(): (path.read_bytes() if path.is_file() else None)
            for path in sorted(folder.rglob("*"))}


@pytest.fixture
def center(tc):
    tc.publish("policy", "acceptable-use", title="Acceptable use")
    tc.commit("A policy")
    return tc


@pytest.mark.parametrize("out, rule", [
    (".", "output-holds-sources"),
    ("..", "output-holds-sources"),
    ("policies", "output-in-sources"),
    ("policies/site", "output-in-sources"),
    ("content/site", "output-in-sources"),
    ("theme", "output-in-sources"),
    (".git", "output-in-sources"),
    ("site-config.yml", "output-in-sources"),
])
@pytest.mark.parametrize("command", ["build", "export"])
def test_the_repository_and_its_sources_are_never_an_output(center, command, out, rule):
    parent = center.root.parent
    before = everything(parent)
    args = [command, "--out", out] if command == "build" else [command, out]
    result = center.run(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"error: {rule}:" in result.stderr and "Traceback" not in result.stderr
    assert everything(parent) == before


@pytest.mark.parametrize("command", ["build", "export"])
def test_a_folder_holding_files_of_its_own_is_refused_and_kept(center, tmp_path, command):
    out = tmp_path / "published"
    out.mkdir()
    (out / "notes.txt").write_text("my only copy\n")
    (out / "drafts").mkdir()
    (out / "drafts" / "plan.md").write_text("plan\n")
    before = everything(out)
    args = [command, "--out", str(out)] if command == "build" else [command, str(out)]
    result = center.run(*args)
    assert result.returncode == 2
    assert "error: output-not-ours:" in result.stderr
    assert "drafts/plan.md" in result.stderr and "notes.txt" in result.stderr
    assert everything(out) == before


@pytest.mark.parametrize("command", ["build", "export"])
def test_an_earlier_output_is_replaced_but_a_file_added_to_it_stops_the_next(center, tmp_path, command):
    out = tmp_path / "published"
    out.mkdir()  # an empty folder is as good as none
    args = [command, "--out", str(out)] if command == "build" else [command, str(out)]
    assert center.run(*args).returncode == 0
    listed = json.loads((out / MARK).read_text())["files"]
    assert sorted(listed) == listed and MARK not in listed
    assert set(listed) == {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {MARK}

    assert center.run(*args).returncode == 0  # its own earlier output: replaced

    (out / "CNAME").write_text("trust.example.com\n")
    before = everything(out)
    result = center.run(*args)
    assert result.returncode == 2 and "error: output-changed:" in result.stderr and "CNAME" in result.stderr
    assert everything(out) == before

    (out / "CNAME").unlink()
    assert center.run(*args).returncode == 0


def test_a_forged_or_broken_mark_does_not_make_a_folder_ours(center, tmp_path):
    out = tmp_path / "published"
    out.mkdir()
    (out / "keep.txt").write_text("keep\n")
    for mark in ("not json", json.dumps({"files": ["keep.txt"]}), json.dumps({"generator": "trustcenter"})):
        (out / MARK).write_text(mark)
        result = center.run("build", "--out", str(out))
        assert result.returncode == 2 and "error: output-not-ours:" in result.stderr
        assert (out / "keep.txt").read_text() == "keep\n"


def test_a_killed_build_is_cleaned_up_but_look_alike_names_of_the_user_are_not(center):
    root = center.root
    assert center.build().returncode == 0
    # What a build killed between its two renames leaves: a staging copy and the old site aside.
    staging = root / ".site.building-abc123"
    (staging / "site").mkdir(parents=True)
    user_file = root / ".site.old-notes"
    user_file.write_text("not the tool's\n")
    user_folder = root / ".site.old-mine"
    (user_folder / "other").mkdir(parents=True)
    assert center.build().returncode == 0
    assert not staging.exists()
    assert user_file.read_text() == "not the tool's\n"
    assert (user_folder / "other").is_dir()


def test_the_mark_is_the_same_in_every_build(center, tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    assert center.run("build", "--out", str(first)).returncode == 0
    assert center.run("build", "--out", str(second)).returncode == 0
    assert (first / MARK).read_bytes() == (second / MARK).read_bytes()


def test_a_bad_base_names_the_branches_there_are(center):
    center.git("branch", "-m", "main", "master")
    center.git("branch", "feature")
    for command in ("check", "review"):
        result = center.run(command, "--base", "main")
        assert result.returncode == 2, result.stdout + result.stderr
        assert "base-unreadable" in result.stderr
        assert "'main' names no commit" in result.stderr and "feature, master" in result.stderr


@pytest.mark.parametrize("args, rule", [
    (("new", "policy", "acceptable-use"), "artifact-exists"),
    (("approve", "policies/acceptable-use.md", "--role", "legal", "--by", "Eve <eve@example.com>"),
     "approval-not-member"),
    (("approve", "policies/nothing.md", "--role", "legal", "--by", "Lee Gal <legal@example.com>"),
     "not-an-artifact"),
    (("serve", "--dev-addr", "nonsense"), "usage"),
    (("serve", "--dev-addr", "127.0.0.1:99999"), "usage"),
])
def test_usage_errors_exit_2(center, args, rule):
    result = center.run(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"error: {rule}:" in result.stderr and "Traceback" not in result.stderr
