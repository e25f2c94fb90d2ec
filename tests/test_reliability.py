"""A legal statement to customers: no leaks, atomic builds, reproducible bytes."""

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import CLI, GIT_IDENTITY, REPO, TrustCenter, all_site_text, git, run_cli

EPOCH = "1795000000"          # 2026-11-19: a fixed build date
CANARIES = {"draft": "zebracanary", "review": "ocelotcanary", "customer": "pangolincanary"}


def snapshot(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def canaried(tmp_path_factory):
    """The example in git, plus a committed draft edit, a review artifact and a customer-only one, canaried."""
    root = tmp_path_factory.mktemp("leaks") / "trust"
    git(root.parent, "clone", "-q", str(REPO), str(root))
    tc = TrustCenter(root)
    word = CANARIES
    review = root / "content" / "model-cards" / "sentiment-insights.md"
    review.write_text(review.read_text().replace("quillfeather", f"quillfeather {word['review']}"))
    # A draft on top of a published policy: the published version must stay, the draft must not leak.
    policy = root / "policies" / "ai-acceptable-use.md"
    text = policy.read_text().replace("status: approved", "status: draft", 1)
    policy.write_text(text.replace("## ", f"## {word['draft']} ", 1)
                      .replace('summary: "', f'summary: "{word["draft"]} ', 1))
    tc.write("policy", "brand-new-draft", title=f"Draft {word['draft']}", status="draft",
             body=f"{word['draft']} text.\n")
    # New measurements in review on top of a published SLA: its approved figures stay, these must not leak.
    sla = root / "content" / "slas" / "helpdesk-platform.md"
    sla.write_text(sla.read_text().replace("status: approved", "status: review", 1))
    figures = root / "content" / "slas" / "helpdesk-platform" / "measurements" / "2026.csv"
    figures.write_text(figures.read_text().replace("2026-10,99.96,96,295,0.032,0,,",
                                                   f"2026-10,12.34,96,295,0.032,0,,{word['draft']}"))
    roles = {"policy": "legal"}
    customer = tc.write("policy", "enterprise-terms", title=f"Enterprise terms {word['customer']}",
                        audience="customer", body=f"Only for customers: {word['customer']}.\n",
                        controls=["ISO42001:A.10.4"])
    for role, by in (("legal", "Priya Natarajan <priya.natarajan@fernhill.example>"),):
        assert run_cli("approve", str(customer), "--role", role, "--by", by, cwd=root).returncode == 0
    tc.commit("Canaries", when="2026-11-18T10:00:00Z")
    return tc


def test_nothing_unapproved_or_customer_only_reaches_any_public_output(canaried):
    out = canaried.root / "public-site"
    result = run_cli("build", "--out", str(out), cwd=canaried.root, env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr
    everything = all_site_text(out)
    assert len(everything) > 100_000
    for kind, word in CANARIES.items():
        assert word not in everything, f"the {kind} canary leaked"
    kinds = {p.suffix for p in out.rglob("*") if p.is_file()}
    assert {".html", ".json", ".xml", ".txt"} <= kinds
    # The published version of the policy that now has a draft on top is still there.
    assert (out / "policies" / "ai-acceptable-use" / "index.html").is_file()
    # So are the approved measurements of the SLA under review, as committed with its version.
    index = json.loads((out / "trust.json").read_text())
    sla = next(a for a in index["artifacts"] if a["id"] == "helpdesk-platform")
    assert sla["measurements"]["periods"][-1]["uptime_percent"] == 99.96
    assert "12.34%" not in everything


def test_the_customer_build_has_customer_artifacts_and_still_no_draft(canaried):
    out = canaried.root / "customer-site"
    result = run_cli("build", "--audience", "customer", "--out", str(out), cwd=canaried.root,
                     env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr
    everything = all_site_text(out)
    assert CANARIES["customer"] in everything
    assert (out / "policies" / "enterprise-terms" / "index.html").is_file()
    assert CANARIES["draft"] not in everything and CANARIES["review"] not in everything


def test_a_build_killed_at_random_moments_never_leaves_a_broken_site(canaried, tmp_path):
    root = canaried.root
    out = tmp_path / "site"
    assert run_cli("build", "--out", str(out), cwd=root, env={"SOURCE_DATE_EPOCH": EPOCH}).returncode == 0
    old = snapshot(out)
    # What a completed build with another date produces: the only other state the site may be in.
    reference = tmp_path / "reference" / "site"
    later = {"SOURCE_DATE_EPOCH": str(int(EPOCH) + 86400 * 40)}
    started = time.monotonic()
    assert run_cli("build", "--out", str(reference), cwd=root, env=later).returncode == 0
    duration = time.monotonic() - started
    new = snapshot(reference)
    assert new != old
    randomness = random.Random(20261123)
    outcomes = []
    for _ in range(8):
        process = subprocess.Popen([CLI, "build", "--out", str(out)], cwd=root, env={**os.environ, **later},
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(randomness.uniform(0.05, duration * 1.1))
        process.send_signal(signal.SIGKILL)
        killed = process.wait() == -signal.SIGKILL  # not finished when the signal came
        state = snapshot(out)
        assert state in (old, new), "a killed build left the site incomplete or mixed"
        outcomes.append(killed)
        old = state  # the site may have moved on; it must still be whole
    assert any(outcomes)  # some kills did land mid-build
    result = run_cli("build", "--out", str(out), cwd=root, env=later)
    assert result.returncode == 0, result.stderr
    assert snapshot(out) == new
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.")] == []


def test_a_failing_build_exits_non_zero_and_changes_nothing(canaried, tmp_path):
    out = tmp_path / "site"
    assert run_cli("build", "--out", str(out), cwd=canaried.root, env={"SOURCE_DATE_EPOCH": EPOCH}).returncode == 0
    before = snapshot(out)
    copy = tmp_path / "broken"
    shutil.copytree(canaried.root, copy, ignore=shutil.ignore_patterns("site", "public-site", "customer-site"))
    card = copy / "content" / "model-cards" / "reply-assistant.md"
    card.write_text(card.read_text().replace("intended_use:", "intended_use: [\n  oops", 1))
    result = run_cli("build", "--out", str(out), cwd=copy, env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 1 and "reply-assistant.md" in result.stderr
    assert snapshot(out) == before


def test_builds_on_different_days_in_different_directories_are_byte_identical(canaried, tmp_path):
    faketime = shutil.which("faketime")
    assert faketime, "the reproducibility test needs faketime (make test installs it)"
    sites = []
    for name, day in (("one", None), ("two", "2027-06-01 12:00:00")):
        clone = tmp_path / name / "trust"
        git(tmp_path, "clone", "-q", str(canaried.root), str(clone))
        command = [CLI, "build"] if day is None else [faketime, day, CLI, "build"]
        result = subprocess.run(command, cwd=clone, capture_output=True, text=True,
                                env={**os.environ, **GIT_IDENTITY, "SOURCE_DATE_EPOCH": EPOCH})
        assert result.returncode == 0, result.stderr
        sites.append(snapshot(clone / "site"))
    assert sites[0] == sites[1]
