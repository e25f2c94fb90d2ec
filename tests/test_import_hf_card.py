"""`trustcenter import hf-card`: a Hugging Face card becomes a draft that checks, approves and builds,
and its page shows what the card said."""

import json
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import BY_ROLE, CONFIG, html, text_of
from trustcenter.importers.markdown import blocks, outline

CARDS = Path(__file__).parent / "fixtures" / "hf-cards"


def front_matter_of(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def headings(element, tags=("h2", "h3", "h4")) -> list[str]:
    return [h.get_text(strip=True).rstrip("¶") for h in element.find_all(tags)]


def imported(tc, card: str, *args: str):
    result = tc.run("import", "hf-card", str(CARDS / card), *args)
    assert result.returncode == 0, result.stderr + result.stdout
    return result


def approve_and_build(tc, path: Path) -> Path:
    """What a reviewer does with a draft: approve it as it reads, then build the site."""
    path.write_text(path.read_text().replace("status: draft", "status: approved\neffective: 2026-01-05", 1))
    for role in CONFIG["required_approvals"]["model-card"]:
        result = tc.run("approve", str(path), "--role", role, "--by", BY_ROLE[role], "--date", "2026-01-04")
        assert result.returncode == 0, result.stderr
    check = tc.run("check")
    assert check.returncode == 0, check.stdout + check.stderr
    tc.commit("Approve the imported model card", when="2026-01-05T10:00:00Z")
    build = tc.build()
    assert build.returncode == 0, build.stderr
    return tc.root / "site" / "model-cards" / path.stem / "index.html"


def test_a_card_with_model_index_round_trips_to_a_page_with_its_uses_limitations_and_metrics(tc):
    result = imported(tc, "sentiment-model-index.md")
    draft = tc.path("model-card", "distilbert-base-uncased-finetuned-sst-2-english")
    meta = front_matter_of(draft)
    assert meta["status"] == "draft" and meta["version"] == "0.1.0"
    assert meta["changelog"][0]["version"] == "0.1.0"
    # Hugging Face metadata keeps its own names.
    assert meta["license"] == "apache-2.0" and meta["pipeline_tag"] == "text-classification"
    assert meta["model-index"][0]["results"][0]["metrics"][0]["value"] == 0.913
    assert meta["provider"] == "Hugging Face"
    assert meta["intended_use"] == ["This model can be used for topic classification. You can use the raw "
                                    "model for either masked language modeling or next sentence prediction, "
                                    "but it is mostly intended to be fine-tuned on a downstream task."]
    assert meta["out_of_scope_use"][0].startswith("The model should not be used to intentionally create")
    assert len(meta["limitations"]) == 2
    # A link keeps its address, without markup.
    assert meta["training_data"] == ("The authors use the Stanford Sentiment Treebank "
                                     "(sst2 (https://huggingface.co/datasets/sst2)) corpus for the model.")
    # The report says where each part went.
    report = result.stdout
    assert "#### Direct Use (line 71)" in report and "-> intended_use: 1 item" in report
    assert "## Table of Contents (line 45)" in report and "-> omitted" in report
    assert "metadata model-index" in report and "3 metrics, shown as the metrics table" in report
    assert "To do before approval:" in report and "system: not in the card" in report

    page = approve_and_build(tc, draft)
    text = text_of(page)
    doc = html(page)
    keyfacts = " ".join(doc.select_one(".tc-keyfacts").get_text(" ").split())
    assert "can be used for topic classification" in keyfacts
    assert "intentionally create hostile or alienating environments" in keyfacts
    metrics = [[td.get_text(strip=True) for td in tr.select("td")] for tr in doc.select(".tc-metrics tbody tr")]
    assert ["Accuracy", "0.913", "Text Classification", "glue", "validation"] == metrics[0][:5]
    assert ["F1", "0.915"] == metrics[1][:2] and ["Accuracy", "0.989"] == metrics[2][:2]
    assert "Predictions can be biased towards underrepresented groups" in text
    # What no field holds stays in the text: the code example and the hyper-parameters.
    body = doc.select_one(".tc-body").get_text()
    assert 'pipeline("text-classification"' in body and "learning_rate = 1e-5" in body
    assert "Table of Contents" not in body


def test_a_minimal_generated_card_reads_its_placeholders_as_empty_and_keeps_its_training_details(tc):
    result = imported(tc, "trainer-minimal.md")
    report = result.stdout
    for heading in ("## Model description (line 23)", "## Intended uses & limitations (line 27)",
                    "## Training and evaluation data (line 31)"):
        line = next(l for l in report.splitlines() if heading in l)
        assert "omitted: only template placeholders" in line
    assert "1 template comment" in report
    for placeholder in ("intended_use", "out_of_scope_use", "limitations", "training_data", "owner"):
        assert f"{placeholder}: not in the card" in report
    draft = tc.path("model-card", "bert-base-cased-finetuned-ticket-intent")
    meta = front_matter_of(draft)
    assert meta["summary"] == "This model is a fine-tuned version of bert-base-cased (https://huggingface.co/bert-base-cased) on an unknown dataset."
    assert meta["base_model"] == "bert-base-cased" and meta["tags"] == ["generated_from_trainer"]
    assert meta["model-index"] == [{"name": "bert-base-cased-finetuned-ticket-intent", "results": []}]
    text = draft.read_text()
    assert "More information needed" not in text and "<!--" not in text

    page = approve_and_build(tc, draft)
    body = " ".join(html(page).select_one(".tc-body").get_text(" ").split())
    assert "learning_rate: 2e-05" in body and "Transformers 4.41.2" in body
    assert "Accuracy: 0.8712" in body
    cells = [td.get_text(strip=True) for td in html(page).select(".tc-body table td")]
    assert "0.4127" in cells


def test_a_card_with_long_bias_and_limitations_keeps_every_paragraph(tc):
    result = imported(tc, "generator-long-bias.md")
    assert "### Limitations and bias (line 37)" in result.stdout
    assert "-> limitations: 7 items; code, quote kept in the body" in result.stdout
    draft = tc.path("model-card", "gpt-2")
    meta = front_matter_of(draft)
    limitations = meta["limitations"]
    assert limitations[0].startswith("The training data used for this model has not been released")
    assert any("repeat itself in long generations" in item for item in limitations)
    assert any("trained on text up to 2019" in item for item in limitations)
    assert meta["intended_use"] == ["You can use the raw model for text generation or fine-tune it to a "
                                    "downstream task."]
    assert meta["training_data"].startswith("The team scraped all the web pages")

    page = approve_and_build(tc, draft)
    doc = html(page)
    listed = [li.get_text(" ", strip=True) for li in doc.select(".tc-fields ul li")]
    assert any("no statistically significant difference" in item for item in listed)
    body = doc.select_one(".tc-body")
    assert "do not distinguish fact from fiction" in body.select_one("blockquote").get_text()
    assert 'generator("The White man worked as a"' in body.get_text()
    assert "35.13" in [td.get_text(strip=True) for td in body.select("td")]
    assert "Limitations and bias" in headings(body)


def test_the_full_template_maps_each_section_and_keeps_what_has_no_field(tc):
    result = imported(tc, "template-filled.md", "--format", "json")
    report = json.loads(result.stdout)["imports"][0]
    assert report["artifact"] == "content/model-cards/ticket-router-v2.md" and report["id"] == "ticket-router-v2"
    where = {m["source"]: m["target"] for m in report["mappings"]}
    assert where["## Direct Use (line 56)"] == "intended_use"
    assert where["## Downstream Use [optional] (line 63)"] == "omitted"
    assert where["## Out-of-Scope Use (line 69)"] == "out_of_scope_use"
    assert where["# Bias, Risks, and Limitations (line 76)"] == "limitations"
    assert where["## Recommendations (line 83)"] == "risks (mitigation)"
    assert where["### Testing Data (line 115)"] == "evaluation.data"
    assert where["### Metrics (line 127)"] == "evaluation.method"
    assert where["# Model Card Contact (line 174)"] == "owner"
    assert where["# Environmental Impact (line 146)"] == "omitted"
    assert where["metadata extra_gated_prompt"] == "body" and where["metadata license"] == "license"
    assert where["headings"] == "body"  # moved down a level, under the page title
    meta = front_matter_of(tc.path("model-card", "ticket-router-v2"))
    assert meta["title"] == "Model card: acme/Ticket-Router_v2" and meta["model"] == "acme/Ticket-Router_v2"
    assert meta["owner"] == "ml-platform@acme.example"
    assert meta["provider"] == "Acme Research, Applied ML group"
    assert meta["risks"][0]["mitigation"].startswith("Agents confirm every suggested queue")
    assert meta["evaluation"]["data"] == "6,000 held-out tickets from January to March 2025."
    assert meta["evaluation"]["method"] == "Top-1 accuracy against the queue an agent finally chose."
    assert meta["language"] == ["en", "de"]

    page = approve_and_build(tc, tc.path("model-card", "ticket-router-v2"))
    text = text_of(page)
    assert "Suggesting the queue for a new support ticket" in text
    assert "Tickets that mix two topics are often routed" in text
    assert "More Information Needed" not in text and "Table of Contents" not in text
    body = html(page).select_one(".tc-body")
    assert "Model Details" in headings(body, "h2")
    assert "extra_gated_prompt: Agree to share your contact details" in body.get_text()
    assert "Jo Rivera, Sam Okafor" in body.get_text()


def test_a_folder_holding_the_card_can_be_given(tc, tmp_path):
    folder = tmp_path / "ticket-router"
    folder.mkdir()
    shutil.copy(CARDS / "template-filled.md", folder / "README.md")
    result = tc.run("import", "hf-card", str(folder), "--id", "router")
    assert result.returncode == 0, result.stderr
    assert tc.path("model-card", "router").is_file()


def test_an_existing_artifact_is_never_overwritten(tc):
    imported(tc, "trainer-minimal.md", "--id", "intent")
    before = tc.path("model-card", "intent").read_bytes()
    result = tc.run("import", "hf-card", str(CARDS / "template-filled.md"), "--id", "intent")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "content/model-cards/intent.md:1: error: artifact-exists" in result.stderr
    assert tc.path("model-card", "intent").read_bytes() == before


@pytest.mark.parametrize("args, message", [
    (["missing.md"], "missing.md:1: error: import-source-missing: no such file"),
    (["{card}", "--id", "Not_An_Id"], "error: id-not-slug: --id 'Not_An_Id' is not a valid id"),
])
def test_usage_errors_exit_2_with_a_located_message(tc, args, message):
    args = [a.replace("{card}", str(CARDS / "trainer-minimal.md")) for a in args]
    result = tc.run("import", "hf-card", *args)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_broken_card_metadata_is_reported_with_its_line(tc, tmp_path):
    card = tmp_path / "README.md"
    card.write_text("---\nlicense: mit\nlicense: apache-2.0\n---\n# Model Card for x\n")
    result = tc.run("import", "hf-card", str(card))
    assert result.returncode == 2
    assert f"{card}:3: error: yaml-duplicate-key" in result.stderr


def test_metadata_that_does_not_validate_moves_into_the_text_with_the_reason(tc, tmp_path):
    card = tmp_path / "README.md"
    card.write_text("---\nlicense: mit\ndatasets: 7\n---\n# Model Card for odd-model\n\nA small model.\n")
    result = tc.run("import", "hf-card", str(card))
    assert result.returncode == 0, result.stderr
    line = next(l for l in result.stdout.splitlines() if "metadata datasets" in l)
    assert "-> body" in line and "did not validate" in line
    text = tc.path("model-card", "odd-model").read_text()
    assert "## Metadata from the source" in text and "datasets: 7" in text


def test_the_outline_ignores_headings_in_code_and_comments():
    root = outline("# Title\n\n```\n# not a heading\n```\n\n<!--\n## nor this\n-->\n\n## Real\n\ntext\n")
    assert [(s.level, s.title) for s in root.walk()] == [(0, ""), (1, "Title"), (2, "Real")]
    kinds = [b.kind for b in blocks("Para\ngraph\n\n- one\n- two\n  more\n\n| a |\n|---|\n| 1 |\n\n> quoted\n")]
    assert kinds == ["paragraph", "item", "item", "table", "quote"]


def test_a_risky_claim_in_the_card_is_a_finding_of_the_import(tc, tmp_path):
    card = tmp_path / "README.md"
    card.write_text("---\nlicense: mit\n---\n# Model Card for bold-model\n\n"
                    "The best-in-class classifier for support tickets.\n")
    result = tc.run("import", "hf-card", str(card))
    assert result.returncode == 1  # written, but not publishable as it reads
    assert tc.path("model-card", "bold-model").is_file()
    assert "Check findings on the draft:" in result.stdout
    assert "content/model-cards/bold-model.md:31: error: claim-superlative" in result.stdout
    assert "record the approvals of legal, ml-owner, marketing" in result.stdout  # claims need marketing
