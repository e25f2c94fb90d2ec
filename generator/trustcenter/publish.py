"""The publish set: which versions of which artifacts an audience may see, and which is in force."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from enum import Enum

from .approval import ApprovalState, attributed
from .checks import CheckResult
from .config import SiteConfig
from .load import Artifact
from .provenance import Provenance
from .schema import Approval, Audience, Status, Version


class AudienceName(str, Enum):
    PUBLIC = "public"
    CUSTOMER = "customer"


@dataclass(frozen=True)
class PublishedVersion:
    """One approved version, frozen as it was published."""

    artifact: Artifact
    digest: str
    approvals: tuple[Approval, ...]
    published: datetime | None       # first commit that published it; None if not committed yet

    @property
    def version(self) -> Version:
        return self.artifact.meta.version

    @property
    def effective(self) -> date:
        return self.artifact.meta.effective  # type: ignore[return-value]  (approved ones have one)

    @property
    def published_at(self) -> datetime:
        """Its commit time, or midnight UTC of its effective date while it is not committed."""
        if self.published is not None:
            return self.published
        return datetime.combine(self.effective, time(0), tzinfo=timezone.utc)


@dataclass(frozen=True)
class Published:
    """An artifact as a reader may see it: its published versions and, in a preview, its draft."""

    key: str
    current: Artifact                      # the working tree's text
    versions: tuple[PublishedVersion, ...]  # oldest first
    in_force: PublishedVersion | None       # the newest version whose effective date has come
    upcoming: PublishedVersion | None       # a newer approved version, effective later
    draft: ApprovalState | None             # preview only: an unpublishable working-tree text

    @property
    def shown(self) -> Artifact:
        """The text the artifact's own page shows."""
        if self.draft is not None:
            return self.draft.artifact
        return (self.in_force or self.upcoming).artifact  # type: ignore[union-attr]

    @property
    def retired(self) -> bool:
        return self.in_force is not None and self.in_force.artifact.meta.status is Status.RETIRED

    @property
    def type(self):
        return self.current.type

    @property
    def id(self) -> str:
        return self.current.id


def visible_to(artifact: Artifact, audience: AudienceName) -> bool:
    return artifact.meta.audience is Audience.PUBLIC or audience is AudienceName.CUSTOMER


def published_versions(artifact: Artifact, state: ApprovalState, trusted: Provenance,
                       config: SiteConfig) -> list[PublishedVersion]:
    """Every committed version that verifies (see provenance), plus the working tree's if publishable;
    approvers under the names `config` gives them.

    A version keeps the text it was first published with: the working tree's text joins only as a
    new version, or as the same text with its current approvals.
    """
    by_version: dict[Version, PublishedVersion] = {
        r.artifact.meta.version: PublishedVersion(r.artifact, r.digest,
                                                  tuple(attributed(a, config) for a in r.approvals), r.committed)
        for r in trusted.versions}
    earlier = by_version.get(artifact.meta.version)
    if state.publishable and (earlier is None or earlier.digest == state.digest):
        by_version[artifact.meta.version] = PublishedVersion(
            artifact, state.digest, tuple(state.valid.values()), earlier.published if earlier else None)
    return [by_version[v] for v in sorted(by_version)]


def publish_set(result: CheckResult, audience: AudienceName, preview: bool, today: date) -> list[Published]:
    """What `audience` may see of every artifact; with `preview`, unpublishable texts as drafts."""
    published = []
    for artifact in result.artifacts:
        state = result.states[artifact.key]
        versions = [v for v in published_versions(artifact, state, result.provenance[artifact.key], result.config)
                    if visible_to(v.artifact, audience)]
        in_force = next((v for v in reversed(versions) if v.effective <= today), None)
        upcoming = next((v for v in reversed(versions) if v.effective > today
                         and (in_force is None or v.version > in_force.version)), None)
        draft = state if preview and not state.publishable and visible_to(artifact, audience) else None
        if in_force or upcoming or draft:
            published.append(Published(artifact.key, artifact, tuple(versions), in_force, upcoming, draft))
    return published
