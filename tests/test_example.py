"""The example trust center in this repository: complete, approved, and built as a customer sees it."""

import json
import subprocess
import sys

import pytest

from conftest import REPO, all_site_text, html, run_cli, text_of

REVIEW_CANARY = "quillfeather"


@pytest.fixture(scope="module")
def example_site(example_copy):
    result = run_cli("build", cwd=example_copy)
    assert result.returncode == 0, result.stderr + result.stdout
    return example_copy / "site"


def test_example_checks_clean():
    result = run_cli("check", "--format", "json", cwd=REPO)
    assert result.returncode == 0, result.stdout
    data = json.loads(result.stdout)
    assert data["summary"]["error"] == 0 and data["summary"]["warning"] == 0
    artifacts = data["artifacts"]
    types = [key.split("/")[0] for key, a in artifacts.items() if a["publishable"]]
    assert types.count("model-card") >= 2 and types.count("policy") >= 4
    assert types.count("sla") >= 2 and types.count("disclosure") >= 1 and types.count("notice") >= 2
    assert [a for a in artifacts.values() if a["status"] == "review"]


def test_most_example_artifacts_have_several_versions():
    import yaml
    files = [p for p in REPO.glob("policies/*.md")] + list(REPO.glob("content/*/*.md"))
    artifacts = [f for f in files if "pages" not in f.parts]
    versions = [len(yaml.safe_load(f.read_text().split("---")[1])["changelog"]) for f in artifacts]
    assert sum(v >= 2 for v in versions) > len(versions) / 2


def test_the_review_artifact_is_nowhere_in_the_site(example_site):
    assert REVIEW_CANARY in (REPO / "content/model-cards/sentiment-insights.md").read_text()
    assert REVIEW_CANARY not in all_site_text(example_site)
    assert not (example_site / "model-cards" / "sentiment-insights").exists()


def test_example_model_cards_show_metrics(example_site):
    for card in ("reply-assistant", "ticket-triage"):
        doc = html(example_site / "model-cards" / card / "index.html")
        assert len(doc.select(".tc-metrics table tbody tr")) >= 2


def test_example_home_lists_every_published_artifact(example_site):
    doc = html(example_site / "index.html")
    assert len(doc.select(".tc-catalogue li")) >= 11
    assert "Fernhill" in text_of(example_site / "index.html")


def test_export_builds_with_plain_mkdocs(example_copy, tmp_path):
    out = tmp_path / "exported"
    result = run_cli("export", str(out), cwd=example_copy)
    assert result.returncode == 0, result.stderr
    assert "trustcenter" not in (out / "mkdocs.yml").read_text().split("plugins:")[1].split("\n\n")[0]
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q"], cwd=out,
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    page = out / "site" / "model-cards" / "reply-assistant" / "index.html"
    assert len(html(page).select(".tc-metrics table tbody tr")) >= 2
    assert REVIEW_CANARY not in all_site_text(out / "site")


def test_one_edited_word_makes_the_example_stale_until_each_role_approves_again(example_copy, tmp_path):
    import shutil
    root = tmp_path / "edited"
    shutil.copytree(example_copy, root, ignore=shutil.ignore_patterns("site"))
    card = root / "content" / "model-cards" / "ticket-triage.md"
    text = card.read_text()
    card.write_text(text.replace(" the ", " a ", 1))
    result = run_cli("check", cwd=root)
    assert result.returncode == 1
    stale = [line for line in result.stdout.splitlines() if "approval-stale" in line]
    assert {line.split(":")[0] for line in stale} == {"content/model-cards/ticket-triage.md"}
    assert {"legal", "ml-owner"} == {line.split("the ")[1].split(" approval")[0] for line in stale}
    for role, by in (("legal", "Priya Natarajan <priya.natarajan@fernhill.example>"),
                     ("ml-owner", "Ines Carvalho <ines.carvalho@fernhill.example>")):
        assert run_cli("approve", str(card), "--role", role, "--by", by, cwd=root).returncode == 0
    assert run_cli("check", cwd=root).returncode == 0


def test_the_examples_own_history_shows_three_versions_and_their_diffs(tmp_path):
    if subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=REPO, capture_output=True,
                      text=True).stdout.strip() != "false":
        pytest.skip("this checkout has no full history (a shallow clone)")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    result = run_cli("build", cwd=clone)
    assert result.returncode == 0, result.stderr
    policy = clone / "site" / "policies" / "ai-incident-response"
    for version in ("1.2.0", "1.3.0", "1.4.0"):
        assert (policy / f"v{version}" / "index.html").is_file()
    diff = html(policy / "v1.3.0" / "diff" / "index.html")
    assert [d.get_text() for d in diff.select(".tc-diff del.tc-del")][0] == "[removed: 24]"
    assert [i.get_text() for i in diff.select(".tc-diff ins.tc-ins")][0] == "[added: 12]"
    history = html(policy / "changelog" / "index.html")
    assert len(history.select(".tc-history tbody tr a[href$='diff/']")) == 2
