import json
from datetime import date

import jsonschema
import pytest
import yaml
from pydantic import ValidationError

from conftest import front_matter
from trustcenter.schema import ARTIFACT_TYPES, ModelCardMeta, Version, json_schema
from trustcenter.scaffold import SCAFFOLD


def test_versions_order_numerically():
    assert Version("1.10.0") > Version("1.9.9") > Version("1.9.0")
    assert Version("2.0.0") == Version("2.0.0")
    assert str(Version("0.1.0")) == "0.1.0"


@pytest.mark.parametrize("text", ["1.0", "01.2.3", "1.2.3-beta", "v1.2.3", "1.2.3.4", ""])
def test_bad_versions_are_refused(text):
    with pytest.raises(ValueError):
        Version(text)


def test_a_float_version_gets_a_helpful_message():
    data = front_matter("policy", version=1.0)
    with pytest.raises(ValidationError) as caught:
        ARTIFACT_TYPES["policy"].model.model_validate(data)
    assert "write 1.0.0" in str(caught.value)


@pytest.mark.parametrize("type_name", list(ARTIFACT_TYPES))
def test_every_type_validates_its_sample_and_refuses_unknown_fields(type_name):
    model = ARTIFACT_TYPES[type_name].model
    meta = model.model_validate(front_matter(type_name))
    assert meta.version == Version("1.0.0")
    assert meta.effective == date(2026, 1, 1)
    with pytest.raises(ValidationError) as caught:
        model.model_validate(front_matter(type_name, colour="blue"))
    assert caught.value.errors()[0]["type"] == "extra_forbidden"


@pytest.mark.parametrize("type_name", list(ARTIFACT_TYPES))
def test_json_schema_is_valid_and_agrees_with_the_models(type_name):
    schema = json_schema(type_name)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    assert not list(validator.iter_errors(json.loads(json.dumps(front_matter(type_name)))))
    # The scaffold that `trustcenter new` writes is valid for editors too.
    text = (SCAFFOLD / "artifacts" / f"{type_name}.md").read_text()
    scaffold = yaml.safe_load(text.split("---")[1].replace("$title", "T").replace("$today", "2026-01-01")
                              .replace("$review", "2027-01-01"))
    scaffold = json.loads(json.dumps(scaffold, default=str))
    assert not [e.message for e in validator.iter_errors(scaffold)]
    assert list(validator.iter_errors({**scaffold, "colour": "blue"}))


def test_titles_may_not_carry_markup():
    with pytest.raises(ValidationError):
        ARTIFACT_TYPES["policy"].model.model_validate(
            front_matter("policy", title="</title><script>alert(1)</script>"))


# The metadata block of a real Hugging Face model card (bert-base-uncased style, with model-index).
HF_METADATA = """
language: en
license: apache-2.0
library_name: transformers
tags:
  - text-classification
  - customer-support
datasets:
  - banking77
metrics:
  - accuracy
  - f1
base_model: google-bert/bert-base-uncased
pipeline_tag: text-classification
widget:
  - text: "I still have not received my new card"
model-index:
  - name: ticket-intent-bert
    results:
      - task:
          type: text-classification
          name: Intent classification
        dataset:
          name: BANKING77
          type: PolyAI/banking77
          config: default
          split: test
        metrics:
          - type: accuracy
            value: 0.9302
            name: Accuracy
            verified: false
          - type: f1
            value: 0.9287
            name: F1 (macro)
"""


def test_real_hugging_face_metadata_validates_once_trust_center_fields_are_added():
    hf = yaml.safe_load(HF_METADATA)
    trust_center_fields = {k: v for k, v in front_matter("model-card").items() if k not in hf}
    meta = ModelCardMeta.model_validate({**hf, **trust_center_fields})
    assert meta.license == "apache-2.0"
    assert meta.pipeline_tag == "text-classification"
    assert meta.model_index[0].results[0].metrics[1].value == 0.9287


def test_the_hugging_face_metadata_names_are_model_card_fields():
    from trustcenter.schema import HF_METADATA_FIELDS
    names = {field.alias or name for name, field in ModelCardMeta.model_fields.items()}
    assert set(HF_METADATA_FIELDS) <= names


# Keywords of JSON Schema 2019-09 and 2020-12 that draft-07 validators would silently ignore.
NEWER_KEYWORDS = {"prefixItems", "unevaluatedProperties", "unevaluatedItems", "dependentSchemas",
                  "dependentRequired", "$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef",
                  "minContains", "maxContains", "$vocabulary"}


def keywords(node) -> set[str]:
    if isinstance(node, dict):
        found = set(node)
        for key, value in node.items():
            if key != "properties":
                found |= keywords(value)
            else:
                found |= set().union(*(keywords(v) for v in value.values())) if value else set()
        return found
    if isinstance(node, list):
        return set().union(*(keywords(item) for item in node)) if node else set()
    return set()


@pytest.mark.parametrize("type_name", list(ARTIFACT_TYPES))
def test_schemas_are_draft_07_for_editors_and_accept_every_example_artifact(type_name):
    from conftest import REPO
    from trustcenter import yamlsource
    schema = json_schema(type_name)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(schema)
    assert not keywords(schema) & NEWER_KEYWORDS
    validator = jsonschema.Draft7Validator(schema)
    folder = REPO / ARTIFACT_TYPES[type_name].folder
    for path in sorted(folder.glob("*.md")):
        front = yamlsource.parse(path.read_text(encoding="utf-8").split("---\n")[1]).data
        assert not [e.message for e in validator.iter_errors(front)], path.name
    assert list(validator.iter_errors({**front, "status": "drafty"}))
