"""The content model: pydantic models for artifact front matter, one per artifact type."""

from __future__ import annotations

import functools
import json
import re
from datetime import date
from enum import Enum
from functools import total_ordering
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, GetCoreSchemaHandler, field_validator,
                      model_validator)
from pydantic_core import core_schema

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


@total_ordering
class _WrittenValue:
    """A value written as text (a version, a period): ordered and equal by `key`, serialised as text."""

    __slots__ = ()
    PATTERN: re.Pattern

    @property
    def key(self) -> tuple:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}('{self}')"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, type(self)) and self.key == other.key

    def __lt__(self, other: _WrittenValue) -> bool:
        return self.key < other.key

    def __hash__(self) -> int:
        return hash(self.key)

    @classmethod
    def parse(cls, value: Any) -> _WrittenValue:
        return value if isinstance(value, cls) else cls(str(value))  # type: ignore[call-arg]

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler):
        return core_schema.no_info_plain_validator_function(
            cls.parse,
            json_schema_input_schema=core_schema.str_schema(pattern=cls.PATTERN.pattern),
            serialization=core_schema.plain_serializer_function_ser_schema(str),
        )


class Version(_WrittenValue):
    """A semantic version MAJOR.MINOR.PATCH, ordered numerically (1.10.0 > 1.9.0)."""

    __slots__ = ("major", "minor", "patch", "key")
    PATTERN = _SEMVER

    def __init__(self, text: str):
        match = _SEMVER.match(text)
        if not match:
            raise ValueError(f"'{text}' is not a semantic version MAJOR.MINOR.PATCH (e.g. 1.2.0)")
        self.major, self.minor, self.patch = (int(part) for part in match.groups())
        self.key: tuple[int, int, int] = (self.major, self.minor, self.patch)  # compared often

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"

    @classmethod
    def parse(cls, value: Any) -> Version:
        if not isinstance(value, (str, Version)):
            raise ValueError(f"a version must be written as text MAJOR.MINOR.PATCH, not {value!r}"
                             " (YAML reads 1.0 as a number: write 1.0.0)")
        return super().parse(value)  # type: ignore[return-value]


class Status(str, Enum):
    DRAFT = "draft"
    REVIEW = "review"
    APPROVED = "approved"
    RETIRED = "retired"


class Audience(str, Enum):
    PUBLIC = "public"
    CUSTOMER = "customer"


Text = Annotated[str, Field(min_length=1)]
# Titles reach navigation and <title>, which Material does not escape: no markup in them.
Title = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^<>]+$")]
Email = Annotated[str, Field(pattern=_EMAIL.pattern)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class ChangelogEntry(Strict):
    version: Version
    date: date
    summary: Text


def _person_text(value: str) -> str:
    parse_person(value)
    return value


# Who approved, as 'Name <email>': in an artifact's approvals and in site-config.yml's.
ApproverText = Annotated[str, Field(description="Name <email> of the approver"), AfterValidator(_person_text)]
Digest = Annotated[str, Field(pattern=r"^sha256:[0-9a-f]{64}$")]


class Approval(Strict):
    role: Text
    by: ApproverText
    date: date
    version: Version
    digest: Digest

    @property
    def email(self) -> str:
        return parse_person(self.by)[1]

    @property
    def name(self) -> str:
        return parse_person(self.by)[0]


_PERSON = re.compile(r"\s*([^<>]+?)\s*<([^<>\s]+)>\s*")


@functools.lru_cache(maxsize=4096)  # the same few approvers sign every version of every artifact
def parse_person(text: str) -> tuple[str, str]:
    """Split 'Name <email>' into its parts; raises ValueError with a readable message."""
    match = _PERSON.fullmatch(text)
    if not match or not _EMAIL.match(match.group(2)):
        raise ValueError(f"'{text}' is not of the form 'Name <email>'")
    return match.group(1), match.group(2).lower()


class Evidence(Strict):
    claim: Text = Field(description="Words of the claim this substantiates, as they appear in the text")
    reference: Annotated[str, Field(
        pattern=r"^(https?://\S+|certification:[a-z0-9-]+|(policy|model-card|sla|disclosure|notice)/[a-z0-9-]+(#\S+)?)$",
        description="A URL, certification:ID, TYPE/ID, TYPE/ID#anchor or model-card/ID#metric:NAME")]
    note: str | None = None


class ArtifactMeta(Strict):
    """Front matter common to every artifact type (DESIGN section 2)."""

    type_name: ClassVar[str]

    type: str | None = Field(None, description="Optional; must agree with the folder")
    title: Title
    summary: Text
    version: Version
    status: Status
    effective: date | None = None
    owner: Text
    audience: Audience = Audience.PUBLIC
    next_review: date | None = None
    controls: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$")]] = []
    changelog: list[ChangelogEntry] = Field(default_factory=list, min_length=1)
    approvals: list[Approval] = []
    evidence: list[Evidence] = []


# --- policy -------------------------------------------------------------------------------


class PolicyMeta(ArtifactMeta):
    type_name: ClassVar[str] = "policy"
    applies_to: list[Text] = Field([], description="Products or services the policy covers")
    acronym: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9.-]{0,19}$")] | None = Field(
        None, description="The short name the policy is known by, e.g. AOTP")


# --- model card ---------------------------------------------------------------------------
# Field names follow Hugging Face model-card metadata where they overlap, so a real card's
# metadata validates unchanged once the trust-center fields are added.


class HfMetric(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: Text
    value: Any
    name: str | None = None
    config: str | None = None
    verified: bool | None = None


class HfDataset(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: Text
    name: str | None = None
    config: str | None = None
    split: str | None = None
    revision: str | None = None


class HfTask(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: Text
    name: str | None = None


class HfResult(BaseModel):
    model_config = ConfigDict(extra="allow")
    task: HfTask
    dataset: HfDataset
    metrics: list[HfMetric]
    source: dict[str, Any] | None = None


class HfModelIndexEntry(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: Text
    results: list[HfResult] = []


class Risk(Strict):
    risk: Text
    mitigation: Text


class Evaluation(Strict):
    date: date
    data: Text
    method: str | None = None


class ModelCardMeta(ArtifactMeta):
    type_name: ClassVar[str] = "model-card"
    # Trust-center fields.
    system: Text = Field(description="The customer-facing AI system or feature this model serves")
    model: Text = Field(description="Name and version of the model")
    provider: str | None = Field(None, description="Who built or supplies the model")
    intended_use: list[Text] = Field(min_length=1)
    users: list[Text] = Field([], description="Who uses the model or its output, e.g. 'Support agents'")
    out_of_scope_use: list[Text] = Field(min_length=1)
    limitations: list[Text] = Field(min_length=1)
    risks: list[Risk] = Field(min_length=1)
    training_data: Text
    evaluation: Evaluation
    human_oversight: Text
    # Hugging Face model-card metadata.
    language: str | list[str] | None = None
    license: str | None = None
    license_name: str | None = None
    license_link: str | None = None
    library_name: str | None = None
    tags: list[str] = []
    datasets: list[str] = []
    metrics: list[str] = []
    base_model: str | list[str] | None = None
    base_model_relation: str | None = None
    pipeline_tag: str | None = None
    thumbnail: str | None = None
    inference: Any = None
    widget: Any = None
    co2_eq_emissions: Any = None
    new_version: str | None = None
    model_index: list[HfModelIndexEntry] = Field([], alias="model-index")


# The Hugging Face model-card metadata names above, as a card writes them.
HF_METADATA_FIELDS = (
    "language", "license", "license_name", "license_link", "library_name", "tags", "datasets",
    "metrics", "base_model", "base_model_relation", "pipeline_tag", "thumbnail", "inference",
    "widget", "co2_eq_emissions", "new_version", "model-index",
)


# --- SLA ------------------------------------------------------------------------------------


class UptimeTarget(Strict):
    target: Annotated[float, Field(gt=0, le=100, description="Percent, e.g. 99.9")]
    window: Text = Field(description="Measurement window, e.g. 'calendar month'")
    measurement: str | None = None


class LatencyTarget(Strict):
    name: Text = Field(description="What is measured, e.g. 'API response, p95'")
    target_ms: Annotated[int, Field(gt=0)]
    scope: str | None = None
    reported: bool = Field(False, description="The measurements' latency_p95_ms column is held "
                                              "against this target (at most one may be reported)")


class ErrorRateTarget(Strict):
    target: Annotated[float, Field(ge=0, le=100, description="Percent of requests, at most, e.g. 0.5")]
    measurement: str | None = Field(None, description="What counts as an error")


class SupportTarget(Strict):
    severity: Text
    first_response: Text
    hours: Text


class ServiceCredit(Strict):
    below: Annotated[float, Field(gt=0, le=100, description="Monthly uptime below this percent")]
    credit_percent: Annotated[float, Field(gt=0, le=100)]


class SlaMeta(ArtifactMeta):
    type_name: ClassVar[str] = "sla"
    service: Text
    uptime: UptimeTarget
    latency: list[LatencyTarget] = []
    error_rate: ErrorRateTarget | None = None
    support: list[SupportTarget] = []
    exclusions: list[Text] = []
    credits: list[ServiceCredit] = []
    data_retention: Text

    @field_validator("latency")
    @classmethod
    def _one_reported_latency(cls, value: list[LatencyTarget]) -> list[LatencyTarget]:
        if sum(target.reported for target in value) > 1:
            raise ValueError("only one latency target may be `reported: true`: the measurements "
                             "have one latency_p95_ms column")
        return value

    @property
    def reported_latency(self) -> LatencyTarget | None:
        """The latency target the measurements' p95 column is held against, if the SLA names one."""
        return next((target for target in self.latency if target.reported), None)


# A measurement period: a calendar month (2026-03) or quarter (2026-Q1).
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")  # not the locale's: builds reproduce
_PERIOD = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$")


class Period(_WrittenValue):
    """A calendar month or quarter, as the half-open date range [start, end)."""

    __slots__ = ("label", "start", "end")
    PATTERN = _PERIOD

    def __init__(self, text: str):
        match = _PERIOD.match(text)
        if not match:
            raise ValueError(f"'{text}' is not a period: write a month as YYYY-MM (2026-03) "
                             "or a quarter as YYYY-Qn (2026-Q1)")
        year = int(match.group(1))
        first_month = int(match.group(2)) if match.group(2) else 3 * int(match.group(3)) - 2
        after = first_month + (1 if match.group(2) else 3)
        self.label = text
        self.start = date(year, first_month, 1)
        self.end = date(year + (after - 1) // 12, (after - 1) % 12 + 1, 1)

    @property
    def key(self) -> tuple[date, date]:
        return (self.start, self.end)

    @property
    def is_month(self) -> bool:
        return "Q" not in self.label

    @property
    def name(self) -> str:
        """How a reader says it: 'March 2026' or 'Q1 2026'."""
        if self.is_month:
            return f"{MONTH_NAMES[self.start.month - 1]} {self.start.year}"
        return f"{self.label[5:]} {self.start.year}"

    def __str__(self) -> str:
        return self.label


Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
Milliseconds = Annotated[float, Field(ge=0, allow_inf_nan=False)]
NoticeId = Annotated[str, Field(pattern=SLUG)]


class MeasurementRow(Strict):
    """One row of an SLA's measurement file: what was delivered in one period."""

    period: Period
    uptime_percent: Percent
    latency_p50_ms: Milliseconds | None = None
    latency_p95_ms: Milliseconds | None = None
    error_rate_percent: Percent | None = None
    incidents: Annotated[int, Field(ge=0)] | None = None
    notices: list[NoticeId] = Field([], description="Ids of the notices that explain this period, "
                                                     "separated by spaces")
    notes: Annotated[str, Field(max_length=500, pattern=r"^[^<>]*$")] = ""

    @field_validator("notices", mode="before")
    @classmethod
    def _split_notices(cls, value: Any) -> Any:
        return value.split() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _p50_within_p95(self) -> MeasurementRow:
        if (self.latency_p50_ms is not None and self.latency_p95_ms is not None
                and self.latency_p50_ms > self.latency_p95_ms):
            raise ValueError(f"latency_p50_ms ({self.latency_p50_ms:g}) is above latency_p95_ms "
                             f"({self.latency_p95_ms:g}): a median cannot exceed the 95th percentile")
        return self


MEASUREMENT_COLUMNS = tuple(MeasurementRow.model_fields)
REQUIRED_MEASUREMENT_COLUMNS = tuple(name for name, spec in MeasurementRow.model_fields.items()
                                     if spec.is_required())


# --- disclosure -----------------------------------------------------------------------------


class AiSystem(Strict):
    name: Text
    purpose: Text
    model_card: Annotated[str, Field(pattern=SLUG)] | None = None


class TrainingOnCustomerData(Strict):
    used: bool
    description: Text
    opt_out: Text = Field(description="How a customer opts out")


class DisclosureMeta(ArtifactMeta):
    type_name: ClassVar[str] = "disclosure"
    ai_systems: list[AiSystem] = Field(min_length=1)
    data_used: list[Text] = Field(min_length=1)
    training_on_customer_data: TrainingOnCustomerData
    human_review: Text = Field(description="How to request human review of an AI-assisted decision")
    feedback_channel: Text


# --- notice ---------------------------------------------------------------------------------


class NoticeKind(str, Enum):
    INCIDENT = "incident"
    MODEL_CHANGE = "model-change"
    DEPRECATION = "deprecation"
    MAINTENANCE = "maintenance"
    POLICY_CHANGE = "policy-change"


class NoticeState(str, Enum):
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"


ArtifactRef = Annotated[
    str,
    Field(pattern=r"^(policy|model-card|sla|disclosure|notice)/[a-z0-9]+(-[a-z0-9]+)*$",
          description="TYPE/ID of another artifact, e.g. model-card/support-assistant"),
]


class NoticeMeta(ArtifactMeta):
    type_name: ClassVar[str] = "notice"
    notice_kind: NoticeKind = Field(alias="kind")
    state: NoticeState
    started: date
    ended: date | None = None
    affected: list[ArtifactRef] = []
    impact: Text
    remediation: Text


# --- page ---------------------------------------------------------------------------------


class PageMeta(ArtifactMeta):
    """A page of the site's own text (home, feedback, about): approved like an artifact, not listed."""

    type_name: ClassVar[str] = "page"
    summary: str | None = None


# --- registry -------------------------------------------------------------------------------


class ArtifactType(BaseModel):
    model_config = ConfigDict(frozen=True)
    name: str
    label: str
    label_plural: str
    plural: str
    folder: str
    model: type[ArtifactMeta]
    # Pages are approved like artifacts but are the site's own text: no catalogue entry, no
    # version pages, nothing in the feed, trust.json, llms.txt or the AI-BOM.
    catalogued: bool = True


ARTIFACT_TYPES: dict[str, ArtifactType] = {
    t.name: t
    for t in (
        ArtifactType(name="policy", label="Policy", label_plural="Policies", plural="policies",
                     folder="policies", model=PolicyMeta),
        ArtifactType(name="model-card", label="Model card", label_plural="Model cards",
                     plural="model-cards", folder="content/model-cards", model=ModelCardMeta),
        ArtifactType(name="sla", label="SLA", label_plural="SLAs", plural="slas",
                     folder="content/slas", model=SlaMeta),
        ArtifactType(name="disclosure", label="Disclosure", label_plural="Disclosures",
                     plural="disclosures", folder="content/disclosures", model=DisclosureMeta),
        ArtifactType(name="notice", label="Notice", label_plural="Notices", plural="notices",
                     folder="content/notices", model=NoticeMeta),
        ArtifactType(name="page", label="Page", label_plural="Pages", plural="pages",
                     folder="content/pages", model=PageMeta, catalogued=False),
    )
}
PAGE_TYPE = "page"
CATALOGUED_TYPES = {name: t for name, t in ARTIFACT_TYPES.items() if t.catalogued}

# Page ids that would put a page where the build writes something of its own: every generated page,
# every folder and file at the top of the site. `home` and `feedback` give those pages their text.
RESERVED_PAGE_IDS = frozenset({
    "index", "changes", "controls", "404", "search", "assets", "sitemap", "feed", "trust",
    "llms", "aibom", "stylesheets", "javascripts", "well-known", "security", "robots",
    *(t.plural for t in ARTIFACT_TYPES.values()),
})

TypeName = Literal["policy", "model-card", "sla", "disclosure", "notice"]


# Editors' validators (the YAML language server, Ajv in remark-lint) implement draft-07; the
# schemas use nothing newer, which a test keeps true.
JSON_SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#"


def json_schema(type_name: str) -> dict[str, Any]:
    """JSON Schema of one artifact type's front matter, for editors and tools."""
    artifact_type = ARTIFACT_TYPES[type_name]
    schema = artifact_type.model.model_json_schema(by_alias=True)
    schema["$schema"] = JSON_SCHEMA_DIALECT
    schema["$id"] = f"urn:trustcenter:schema:{type_name}"
    schema["title"] = f"trustcenter {artifact_type.label.lower()} front matter"
    return schema


def write_json_schemas(directory: Path, type_names: list[str]) -> list[Path]:
    """One `<type>.schema.json` per type in `directory`, for editors to validate against."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for type_name in type_names:
        path = directory / f"{type_name}.schema.json"
        path.write_text(json.dumps(json_schema(type_name), indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written
