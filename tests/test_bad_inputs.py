"""Bad inputs: a corpus of small broken trust centers, each refused with one located finding.

Every folder under fixtures/bad/ is one case: the files that differ from the valid trust center in
fixtures/base/ (a site-config.yml and one approved policy), and an expected.yml with the `rule`, the
`path` and `line` it must be reported at, the `exit` code of `trustcenter check` and `why`. A case
may also ask the test to build what a plain file cannot hold: `symlink: {path, target: OUTSIDE}` or
`generate: {path, kind: twenty-megabytes}`.

For every case, `check` and `build` run as a user runs them (the installed command line), into an
output directory that already holds a site: a failing build must leave it byte for byte as it was.
Three accepted inputs (a byte-order mark, CRLF and CR line endings) must check and build cleanly,
with the same digest as the LF text, so the approval given to the LF text still holds.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import run_cli
from trustcenter.output_folder import mark

FIXTURES = Path(__file__).parent / "fixtures"
BASE = FIXTURES / "base"
BAD = FIXTURES / "bad"
BASE_POLICY = "policies/acceptable-use.md"
BASE_KEY = "policy/acceptable-use"
EXPECTED = "expected.yml"
KEYS = {"rule", "path", "line", "exit", "why"}
EXTRA_KEYS = {"symlink", "generate"}

# The previous site in the output directory: a failed build must leave these bytes alone.
SENTINEL = {
    "index.html": b"<!doctype html>\n<title>The site as it was</title>\n<p>Published before.</p>\n",
    "policies/acceptable-use/index.html": b"<!doctype html>\n<title>Acceptable use</title>\n",
    "trust.json": b'{"artifacts": {}}\n',
}

# A fixed build date (2026-06-01) so that review-overdue does not depend on today.
BUILD_DATE_EPOCH = "1780272000"

# Cases where the tool does not (yet) do what expected.yml says: the expectation stays as the
# correct behaviour, marked here as a strict xfail that must be removed once the tool is fixed.
KNOWN_TOOL_PROBLEMS: dict[str, str] = {}


def case_names() -> list[str]:
    return sorted(p.name for p in BAD.iterdir() if p.is_dir())


def expected_of(name: str) -> dict:
    return yaml.safe_load((BAD / name / EXPECTED).read_text(encoding="utf-8"))


def cases() -> list:
    params = []
    for name in case_names():
        marks = ([pytest.mark.xfail(reason=KNOWN_TOOL_PROBLEMS[name], strict=True)]
                 if name in KNOWN_TOOL_PROBLEMS else [])
        params.append(pytest.param(name, id=name, marks=marks))
    return params


def environment(tmp_path: Path) -> dict[str, str]:
    # No git repository above the case may lend it a history; the build date is fixed.
    return {"SOURCE_DATE_EPOCH": BUILD_DATE_EPOCH, "GIT_CEILING_DIRECTORIES": str(tmp_path)}


def make_center(tmp_path: Path, name: str) -> Path:
    """The base trust center with the case laid over it, and a previous site in site/."""
    root = tmp_path / "trust"
    shutil.copytree(BASE, root)
    shutil.copytree(BAD / name, root, dirs_exist_ok=True, ignore=lambda d, names: [
        n for n in names if Path(d) == BAD / name and n == EXPECTED])
    expected = expected_of(name)
    if "symlink" in expected:
        spec = expected["symlink"]
        assert spec["target"] == "OUTSIDE", spec
        outside = tmp_path / "outside" / "secret.md"
        outside.parent.mkdir()
        outside.write_bytes((BASE / BASE_POLICY).read_bytes())
        link = root / spec["path"]
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(outside, link)
    if "generate" in expected:
        spec = expected["generate"]
        assert spec["kind"] == "twenty-megabytes", spec
        text = (BASE / BASE_POLICY).read_bytes()
        padding = b"Lorem ipsum dolor sit amet.\n"
        size = 20 * 1024 * 1024
        target = root / spec["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text + padding * ((size - len(text)) // len(padding) + 1))
        assert target.stat().st_size >= size
    for relative, content in SENTINEL.items():
        path = root / "site" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    mark(root / "site")  # a site this tool wrote: a build may replace it
    return root


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and folder under `folder`."""
    return {path.relative_to(folder).as_posix(): (path.read_bytes() if path.is_file() else None)
            for path in sorted(folder.rglob("*"))}


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".site."))


def no_traceback(result) -> None:
    assert "Traceback" not in result.stdout, result.stdout
    assert "Traceback" not in result.stderr, result.stderr


def findings_in(text: str) -> list[str]:
    return re.findall(r"^\S.*?:\d+: (?:error|warning): .*$", text, re.MULTILINE)


def digest_of(root: Path, env: dict[str, str]) -> dict:
    result = run_cli("check", "--format", "json", cwd=root, env=env)
    no_traceback(result)
    return json.loads(result.stdout)["artifacts"][BASE_KEY]


@pytest.mark.parametrize("name", cases())
def test_bad_input(tmp_path, name):
    expected = expected_of(name)
    root = make_center(tmp_path, name)
    env = environment(tmp_path)

    check = run_cli("check", cwd=root, env=env)
    output = f"stdout:\n{check.stdout}\nstderr:\n{check.stderr}"
    no_traceback(check)
    assert check.returncode == expected["exit"], output
    if expected["rule"] is None:
        assert not findings_in(check.stdout + check.stderr), output
    else:
        severity = "warning" if expected["exit"] == 0 else "error"
        finding = f"{expected['path']}:{expected['line']}: {severity}: {expected['rule']}:"
        # Findings about artifacts go to stdout; a configuration error stops `check` on stderr.
        stream = check.stderr if expected["exit"] == 2 else check.stdout
        assert any(line.startswith(finding) for line in stream.splitlines()), \
            f"expected {finding!r} in {'stderr' if expected['exit'] == 2 else 'stdout'}\n{output}"

    before = snapshot(root / "site")
    build = run_cli("build", cwd=root, env=env)
    build_output = f"stdout:\n{build.stdout}\nstderr:\n{build.stderr}"
    no_traceback(build)
    if expected["exit"] == 0:
        assert build.returncode == 0, build_output
        assert (root / "site" / "index.html").read_bytes() != SENTINEL["index.html"]
    else:
        assert build.returncode != 0, build_output
        assert snapshot(root / "site") == before, "a failed build changed the previous site"
    assert not leftovers(root), leftovers(root)


@pytest.mark.parametrize("name", [n for n in case_names() if expected_of(n)["rule"] is None])
def test_accepted_encodings_keep_the_digest(tmp_path, name):
    """A BOM, CRLF or CR changes the bytes but not the text: the digest is the LF version's."""
    env = environment(tmp_path)
    variant = (BAD / name / BASE_POLICY).read_bytes()
    original = (BASE / BASE_POLICY).read_bytes()
    # The fixture really is an encoding variant (and was not normalised on its way through git).
    assert variant != original
    normalised = variant.removeprefix(b"\xef\xbb\xbf").replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    assert normalised == original

    lf = tmp_path / "lf"
    shutil.copytree(BASE, lf)
    root = make_center(tmp_path, name)
    reference, accepted = digest_of(lf, env), digest_of(root, env)
    assert accepted["digest"] == reference["digest"]
    assert accepted["publishable"] and reference["publishable"]
    assert accepted["roles"] == {"legal": "approved"}


def test_the_corpus_is_large_and_well_formed():
    names = case_names()
    assert len(names) >= 40, names
    for name in names:
        expected = expected_of(name)
        assert KEYS <= set(expected) <= KEYS | EXTRA_KEYS, (name, expected)
        assert expected["exit"] in (0, 1, 2), name
        assert expected["why"].strip(), name
        if expected["rule"] is None:
            assert expected["exit"] == 0 and expected["path"] is None and expected["line"] is None, name
        else:
            assert re.fullmatch(r"[a-z]+(-[a-z]+)*", expected["rule"]), name
            assert isinstance(expected["line"], int) and expected["line"] >= 1, name
        overlay = [p for p in (BAD / name).rglob("*") if p.is_file() and p.name != EXPECTED]
        assert overlay or EXTRA_KEYS & set(expected), f"{name} changes nothing"
    assert sum(1 for n in names if expected_of(n)["rule"] is None) >= 3
    assert set(KNOWN_TOOL_PROBLEMS) <= set(names)
