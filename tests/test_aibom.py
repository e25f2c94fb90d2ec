"""aibom.cdx.json: every published model card, and nothing else, as a valid CycloneDX 1.6 AI BOM."""

import json
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from conftest import html, new_trust_center, run_cli

EPOCH = "1780272000"   # 2026-06-01


def validation_error(text: str) -> str | None:
    """The official CycloneDX 1.6 JSON Schema's verdict (bundled with cyclonedx-python-lib, offline)."""
    problem = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    return None if problem is None else problem.data.message


@pytest.fixture(scope="module")
def center(tmp_path_factory):
    tc = new_trust_center(tmp_path_factory.mktemp("aibom") / "trust")
    tc.publish("model-card", "support-reply", title="Support reply model", users=["Support agents"],
               license="apache-2.0", tags=["support", "drafting"], base_model="mistralai/Mistral-7B-v0.1",
               pipeline_tag="text-generation", datasets=["acme/tickets"])
    tc.publish("model-card", "enterprise-router", title="Enterprise router", audience="customer",
               model="acme-router 1.0")
    tc.publish("model-card", "old-classifier", title="Old classifier", status="retired", model="acme-old 0.9")
    tc.write("model-card", "draft-model", title="Draft model", status="draft", model="acme-draft 0.1")
    tc.write("model-card", "review-model", title="Review model", status="review", model="acme-review 0.2")
    tc.publish("policy", "acceptable-use", title="Acceptable use")
    tc.commit("Model cards", when="2026-02-03T10:30:00Z")
    return tc


def build(center, name: str, *args: str) -> Path:
    out = center.root / name
    result = run_cli("build", "--out", str(out), *args, cwd=center.root, env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def public(center):
    return build(center, "public-site")


def test_the_bom_validates_against_the_cyclonedx_1_6_schema(public):
    text = (public / "aibom.cdx.json").read_text()
    assert validation_error(text) is None
    bom = json.loads(text)
    assert bom["bomFormat"] == "CycloneDX" and bom["specVersion"] == "1.6" and bom["version"] == 1
    assert bom["serialNumber"].startswith("urn:uuid:")
    assert bom["metadata"]["timestamp"] == "2026-02-03T10:30:00Z"   # the newest publication in it
    assert bom["metadata"]["manufacturer"]["name"] == "Acme AI Ltd"
    # The validator does catch what the schema forbids.
    bom["components"][0]["modelCard"]["colour"] = "blue"
    assert "colour" in validation_error(json.dumps(bom))


def test_every_published_model_card_is_in_it_and_nothing_else(public):
    bom = json.loads((public / "aibom.cdx.json").read_text())
    in_bom = [c["bom-ref"] for c in bom["components"]]
    pages = sorted(f"model-card/{p.parent.name}" for p in (public / "model-cards").glob("*/index.html"))
    index = json.loads((public / "trust.json").read_text())
    listed = sorted(f"{a['type']}/{a['id']}" for a in index["artifacts"] if a["type"] == "model-card")
    assert in_bom == pages == listed == ["model-card/old-classifier", "model-card/support-reply"]
    assert {c["type"] for c in bom["components"]} == {"machine-learning-model"}
    retired = next(c for c in bom["components"] if c["bom-ref"] == "model-card/old-classifier")
    assert {"name": "trustcenter:status", "value": "retired"} in retired["properties"]


def test_the_customer_build_adds_customer_model_cards_and_still_no_draft(center):
    site = build(center, "customer-site", "--audience", "customer")
    text = (site / "aibom.cdx.json").read_text()
    assert validation_error(text) is None
    refs = [c["bom-ref"] for c in json.loads(text)["components"]]
    assert refs == ["model-card/enterprise-router", "model-card/old-classifier", "model-card/support-reply"]
    assert "acme-draft" not in text and "acme-review" not in text


def test_a_preview_build_lists_only_published_model_cards(center):
    site = build(center, "preview-site", "--preview")
    assert (site / "model-cards" / "draft-model" / "index.html").is_file()   # shown to reviewers...
    text = (site / "aibom.cdx.json").read_text()
    assert "draft-model" not in text and "review-model" not in text     # ...but never in the BOM


def test_the_model_card_is_filled_from_the_cards_fields(public):
    bom = json.loads((public / "aibom.cdx.json").read_text())
    component = next(c for c in bom["components"] if c["bom-ref"] == "model-card/support-reply")
    assert component["name"] == "acme-reply 2.1" and component["description"] == "What Support reply model says."
    assert component["manufacturer"] == {"name": "Acme AI"}
    assert component["licenses"] == [{"license": {"name": "apache-2.0"}}]
    assert component["tags"] == ["support", "drafting"]
    assert component["pedigree"]["ancestors"] == [{"type": "machine-learning-model", "name": "mistralai/Mistral-7B-v0.1"}]
    assert {"type": "model-card", "url": "https://trust.acme.example/model-cards/support-reply/"} in component["externalReferences"]
    card = component["modelCard"]
    assert card["modelParameters"]["task"] == "text-generation"
    datasets = card["modelParameters"]["datasets"]
    assert datasets[0]["contents"]["attachment"]["content"] == "Licensed support conversations; no customer data."
    assert datasets[1]["contents"]["attachment"]["content"] == "Held-out tickets"
    assert datasets[2] == {"type": "dataset", "name": "acme/tickets"}
    assert card["quantitativeAnalysis"]["performanceMetrics"] == [{
        "type": "Accepted without edits", "value": "0.71",
        "slice": "Acme held-out tickets, test split; task: Reply drafting; evaluated 2026-01-15"}]
    considerations = card["considerations"]
    assert considerations["users"] == ["Support agents"]
    assert considerations["useCases"] == ["Drafting replies for human agents"]
    assert considerations["technicalLimitations"] == ["Weaker on languages other than English"]
    assert considerations["ethicalConsiderations"] == [
        {"name": "Confident but wrong answers", "mitigationStrategy": "An agent edits every draft"}]
    properties = {(p["name"], p["value"]) for p in component["properties"]}
    assert ("trustcenter:out-of-scope-use", "Medical or legal advice") in properties
    assert ("trustcenter:card-version", "1.0.0") in properties
    # Without `users`, the system the model serves stands for them.
    old = next(c for c in bom["components"] if c["bom-ref"] == "model-card/old-classifier")
    assert old["modelCard"]["considerations"]["users"] == ["Support assistant"]


def test_two_builds_of_one_commit_write_the_same_bytes(center, public):
    again = build(center, "public-site-again")
    assert (again / "aibom.cdx.json").read_bytes() == (public / "aibom.cdx.json").read_bytes()


def test_the_site_links_the_bom(public):
    head = {(link["href"], link["type"]) for link in html(public / "index.html").select('link[rel="alternate"]')}
    assert ("aibom.cdx.json", "application/vnd.cyclonedx+json") in head
    changes = html(public / "changes" / "index.html")
    assert any(a["href"] == "../aibom.cdx.json" for a in changes.select("a"))
    assert "https://trust.acme.example/aibom.cdx.json" in (public / "llms.txt").read_text()


def test_the_example_site_has_a_valid_bom_of_its_published_model_cards(example_copy):
    out = example_copy / "site-aibom"
    assert run_cli("build", "--out", str(out), cwd=example_copy).returncode == 0
    text = (out / "aibom.cdx.json").read_text()
    assert validation_error(text) is None
    refs = [c["bom-ref"] for c in json.loads(text)["components"]]
    assert refs == sorted(f"model-card/{p.parent.name}" for p in (out / "model-cards").glob("*/index.html"))
