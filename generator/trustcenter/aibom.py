"""aibom.cdx.json: the published model cards as a CycloneDX 1.6 AI bill of materials.

One `machine-learning-model` component per model card the site publishes (retired ones marked so),
its `modelCard` filled from the card's fields. Procurement and supply-chain tools read CycloneDX;
the file is byte-reproducible: its time is the newest publication it lists, its serial number is
derived from its content.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime, time, timezone
from typing import Any, Literal

import pydantic_core
from pydantic import BaseModel, ConfigDict, Field

from .config import SiteConfig
from .pages import Site, artifact_uri, changelog_uri, metrics_table, url_of
from .publish import Published
from .schema import ModelCardMeta

AIBOM_FILE = "aibom.cdx.json"
MEDIA_TYPE = "application/vnd.cyclonedx+json"
SPEC_VERSION = "1.6"
SCHEMA_URL = "http://cyclonedx.org/schema/bom-1.6.schema.json"
PROPERTY_PREFIX = "trustcenter:"


class _Cdx(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Property(_Cdx):
    name: str
    value: str


class ExternalReference(_Cdx):
    type: Literal["model-card", "release-notes", "website"]
    url: str


class Contact(_Cdx):
    email: str


class Organization(_Cdx):
    name: str
    url: list[str] = []
    contact: list[Contact] = []


class License(_Cdx):
    name: str
    url: str | None = None


class LicenseChoice(_Cdx):
    license: License


class Attachment(_Cdx):
    content_type: str = Field("text/plain", alias="contentType")
    content: str


class DataContents(_Cdx):
    attachment: Attachment


class Dataset(_Cdx):
    type: Literal["dataset"] = "dataset"
    name: str
    contents: DataContents | None = None


class ModelParameters(_Cdx):
    task: str | None = None
    datasets: list[Dataset] = []


class PerformanceMetric(_Cdx):
    type: str
    value: str
    slice: str | None = None


class QuantitativeAnalysis(_Cdx):
    performance_metrics: list[PerformanceMetric] = Field([], alias="performanceMetrics")


class Risk(_Cdx):
    name: str
    mitigation_strategy: str = Field(alias="mitigationStrategy")


class Considerations(_Cdx):
    users: list[str] = []
    use_cases: list[str] = Field([], alias="useCases")
    technical_limitations: list[str] = Field([], alias="technicalLimitations")
    ethical_considerations: list[Risk] = Field([], alias="ethicalConsiderations")


class ModelCard(_Cdx):
    model_parameters: ModelParameters = Field(alias="modelParameters")
    quantitative_analysis: QuantitativeAnalysis = Field(alias="quantitativeAnalysis")
    considerations: Considerations


class Ancestor(_Cdx):
    type: Literal["machine-learning-model"] = "machine-learning-model"
    name: str


class Pedigree(_Cdx):
    ancestors: list[Ancestor]


class Component(_Cdx):
    type: Literal["machine-learning-model"] = "machine-learning-model"
    bom_ref: str = Field(alias="bom-ref")
    name: str
    description: str
    manufacturer: Organization | None = None
    licenses: list[LicenseChoice] = []
    tags: list[str] = []
    external_references: list[ExternalReference] = Field([], alias="externalReferences")
    pedigree: Pedigree | None = None
    model_card: ModelCard = Field(alias="modelCard")
    properties: list[Property] = []


class Lifecycle(_Cdx):
    phase: Literal["operations"] = "operations"


class Metadata(_Cdx):
    timestamp: str
    lifecycles: list[Lifecycle] = [Lifecycle()]
    manufacturer: Organization


class Bom(_Cdx):
    schema_: str = Field(SCHEMA_URL, alias="$schema")
    bom_format: Literal["CycloneDX"] = Field("CycloneDX", alias="bomFormat")
    spec_version: str = Field(SPEC_VERSION, alias="specVersion")
    serial_number: str = Field("", alias="serialNumber")
    version: int = 1
    metadata: Metadata
    components: list[Component]


def aibom(config: SiteConfig, site: Site, today: date) -> Bom:
    """The bill of materials of every model card in the site's publish set."""
    base = config.site.url.rstrip("/") + "/"
    cards = [item for item in site.published if item.type.name == "model-card" and item.versions]
    shown = [(item, item.in_force or item.upcoming) for item in cards]
    newest = max((version.published_at for _, version in shown),
                 default=datetime.combine(today, time(0), tzinfo=timezone.utc))
    info = config.site
    bom = Bom(
        metadata=Metadata(
            timestamp=newest.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            manufacturer=Organization(name=info.organisation, url=[info.url],
                                      contact=[Contact(email=info.contact_email)])),
        components=sorted((_component(item, version, base) for item, version in shown),
                          key=lambda component: component.bom_ref))
    # The same content always gets the same serial number, so two builds of one commit agree.
    content = hashlib.sha256(_json(bom)).hexdigest()
    bom.serial_number = uuid.uuid5(uuid.NAMESPACE_URL, f"{base}{AIBOM_FILE}#{content}").urn
    return bom


def aibom_json(bom: Bom) -> bytes:
    return _json(bom)


def _component(item: Published, version, base: str) -> Component:
    meta: ModelCardMeta = version.artifact.meta
    license_name = meta.license_name if meta.license == "other" and meta.license_name else meta.license
    datasets = [Dataset(name="Training data", contents=_text(meta.training_data)),
                Dataset(name="Evaluation data", contents=_text(meta.evaluation.data))]
    datasets += [Dataset(name=name) for name in dict.fromkeys(meta.datasets)]
    bases = [meta.base_model] if isinstance(meta.base_model, str) else list(meta.base_model or [])
    properties = [("card-version", str(version.version)), ("effective", version.effective.isoformat()),
                  ("digest", version.digest), ("status", meta.status.value), ("system", meta.system),
                  *(("out-of-scope-use", use) for use in meta.out_of_scope_use),
                  ("human-oversight", meta.human_oversight),
                  ("evaluation-date", meta.evaluation.date.isoformat())]
    if meta.evaluation.method:
        properties.append(("evaluation-method", meta.evaluation.method))
    return Component(
        bom_ref=item.key,
        name=meta.model,
        description=meta.summary,
        manufacturer=Organization(name=meta.provider) if meta.provider else None,
        licenses=[LicenseChoice(license=License(name=license_name, url=meta.license_link))] if license_name else [],
        tags=list(dict.fromkeys(meta.tags)),
        external_references=[ExternalReference(type="model-card", url=base + url_of(artifact_uri(item))),
                             ExternalReference(type="release-notes", url=base + url_of(changelog_uri(item)))],
        pedigree=Pedigree(ancestors=[Ancestor(name=name) for name in bases]) if bases else None,
        model_card=ModelCard(
            model_parameters=ModelParameters(task=meta.pipeline_tag or _task(meta), datasets=datasets),
            quantitative_analysis=QuantitativeAnalysis(performance_metrics=[
                PerformanceMetric(type=row["metric"], value=str(row["value"]), slice=_slice(row))
                for row in metrics_table(meta)]),
            considerations=Considerations(
                users=list(meta.users) or [meta.system],
                use_cases=list(meta.intended_use),
                technical_limitations=list(meta.limitations),
                ethical_considerations=[Risk(name=r.risk, mitigation_strategy=r.mitigation) for r in meta.risks])),
        properties=[Property(name=PROPERTY_PREFIX + name, value=value) for name, value in properties])


def _text(content: str) -> DataContents:
    return DataContents(attachment=Attachment(content=content))


def _task(meta: ModelCardMeta) -> str | None:
    return next((result.task.type for model in meta.model_index for result in model.results), None)


def _slice(row: dict[str, Any]) -> str:
    split = f", {row['split']} split" if row["split"] else ""
    return f"{row['dataset']}{split}; task: {row['task']}; evaluated {row['date']}"


def _json(bom: Bom) -> bytes:
    data = _without_empty(bom.model_dump(mode="json", by_alias=True))
    return pydantic_core.to_json(data, indent=2) + b"\n"  # the standard library's is slow once it indents


def _without_empty(value: Any) -> Any:
    """CycloneDX readers expect absent fields, not nulls or empty lists."""
    if isinstance(value, dict):
        cleaned = {key: _without_empty(item) for key, item in value.items()}
        return {key: item for key, item in cleaned.items() if item not in (None, [], {}, "")}
    if isinstance(value, list):
        return [_without_empty(item) for item in value]
    return value
