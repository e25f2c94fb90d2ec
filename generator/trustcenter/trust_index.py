"""trust.json: a machine-readable index of everything published, with its own JSON Schema."""

from __future__ import annotations

import functools
import json
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, Field

from .config import SiteConfig
from .load import Artifact
from .measurements import misses, outcomes
from .pages import Site, artifact_uri, changelog_uri, diff_uri, url_of, version_uri
from .schema import SlaMeta

INDEX_FILE, SCHEMA_FILE = "trust.json", "trust.schema.json"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IndexApproval(_Model):
    role: str
    name: str
    date: date


class IndexVersion(_Model):
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    digest: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    status: str
    effective: date
    published: str = Field(description="When the version was published (UTC, ISO 8601)")
    upcoming: bool = Field(description="Approved, but its effective date is after the build date")
    summary: str = Field(description="The changelog entry for this version")
    url: str
    diff_url: str | None = Field(description="What changed from the previous published version")
    approvals: list[IndexApproval]


class IndexPeriod(_Model):
    period: str = Field(description="A calendar month YYYY-MM or quarter YYYY-Qn")
    start: date
    end: date = Field(description="The last day of the period")
    uptime_percent: float
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    error_rate_percent: float | None
    incidents: int | None
    notices: list[str] = Field(description="TYPE/ID of the notices that explain the period")
    notes: str
    met: bool | None = Field(description="Every target the SLA states was met; null if none applies")
    missed: list[str] = Field(description="The metrics that missed their target")


class IndexTargets(_Model):
    uptime_percent: float = Field(description="At least")
    latency_p95_ms: float | None = Field(description="At most; the SLA's reported latency target")
    latency_name: str | None
    error_rate_percent: float | None = Field(description="At most")


class IndexMeasurements(_Model):
    version: str = Field(description="The SLA version these measurements were approved with")
    targets: IndexTargets
    periods: list[IndexPeriod] = Field(description="Oldest first")


class IndexArtifact(_Model):
    type: str
    id: str
    title: str
    summary: str
    audience: str
    controls: list[str]
    url: str
    changelog_url: str
    current_version: str | None = Field(description="The version in force; null if only upcoming")
    retired: bool
    versions: list[IndexVersion]
    measurements: IndexMeasurements | None = Field(
        None, description="An SLA's measured performance, as approved with the version shown")


class IndexSite(_Model):
    name: str
    url: str
    organisation: str
    contact_email: str
    feedback_url: str


class TrustIndex(_Model):
    schema_: str = Field(alias="$schema")
    site: IndexSite
    artifacts: list[IndexArtifact]


def trust_index(config: SiteConfig, site: Site, today: date) -> TrustIndex:
    base = config.site.url.rstrip("/") + "/"
    artifacts = []
    for item in sorted(site.published, key=lambda p: p.key):
        if not item.versions:
            continue  # a draft in a preview build has nothing published yet
        shown = (item.in_force or item.upcoming).artifact
        versions = []
        for previous, version in zip((None, *item.versions), item.versions):
            meta = version.artifact.meta
            # Built from validated artifacts, so not validated again (the tests hold trust.json to
            # its schema): a preview rebuilds this on every save.
            versions.append(IndexVersion.model_construct(
                version=str(version.version), digest=version.digest, status=meta.status.value,
                effective=version.effective, published=version.published_at.isoformat(),
                upcoming=version.effective > today,
                summary=next((e.summary for e in meta.changelog if e.version == version.version), ""),
                url=base + url_of(version_uri(item, version)),
                diff_url=base + url_of(diff_uri(item, version)) if previous else None,
                approvals=[IndexApproval.model_construct(role=a.role, name=a.name, date=a.date)
                           for a in version.approvals]))
        artifacts.append(IndexArtifact(
            type=item.type.name, id=item.id, title=shown.meta.title, summary=shown.meta.summary,
            audience=shown.meta.audience.value, controls=list(shown.meta.controls),
            url=base + url_of(artifact_uri(item)), changelog_url=base + url_of(changelog_uri(item)),
            current_version=str(item.in_force.version) if item.in_force else None,
            retired=item.retired, versions=versions, measurements=_measurements(shown)))
    info = config.site
    return TrustIndex.model_validate({
        "$schema": base + SCHEMA_FILE,
        "site": IndexSite(name=info.name, url=info.url, organisation=info.organisation,
                          contact_email=info.contact_email, feedback_url=info.feedback_url),
        "artifacts": artifacts,
    })


def _measurements(artifact: Artifact) -> IndexMeasurements | None:
    meta = artifact.meta
    if not isinstance(meta, SlaMeta) or artifact.measurements is None:
        return None
    latency = meta.reported_latency
    periods = []
    for entry in artifact.measurements.entries:
        row = entry.row
        judged = [o.met for o in outcomes(meta, row) if o.met is not None]
        periods.append(IndexPeriod(
            period=str(row.period), start=row.period.start, end=row.period.end - timedelta(days=1),
            uptime_percent=row.uptime_percent, latency_p50_ms=row.latency_p50_ms,
            latency_p95_ms=row.latency_p95_ms, error_rate_percent=row.error_rate_percent,
            incidents=row.incidents, notices=[f"notice/{n}" for n in row.notices], notes=row.notes,
            met=all(judged) if judged else None, missed=[o.metric.key for o in misses(meta, row)]))
    targets = IndexTargets(uptime_percent=meta.uptime.target,
                           latency_p95_ms=latency.target_ms if latency else None,
                           latency_name=latency.name if latency else None,
                           error_rate_percent=meta.error_rate.target if meta.error_rate else None)
    return IndexMeasurements(version=str(meta.version), targets=targets, periods=periods)


def index_json(index: TrustIndex) -> bytes:
    # pydantic's own serialiser: the standard library's is pure Python once it indents.
    return index.model_dump_json(indent=2, by_alias=True).encode("utf-8") + b"\n"


@functools.lru_cache(maxsize=1)
def index_schema_json() -> bytes:
    schema = TrustIndex.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "trust.json: the machine-readable index of a trust center"
    return (json.dumps(schema, indent=2) + "\n").encode("utf-8")
