"""The publish set: which artifacts a given audience may see, and in what state."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .approval import ApprovalState
from .checks import CheckResult
from .load import Artifact
from .schema import Audience, Status


class AudienceName(str, Enum):
    PUBLIC = "public"
    CUSTOMER = "customer"


@dataclass(frozen=True)
class Published:
    artifact: Artifact
    state: ApprovalState
    draft: bool            # shown only in a preview, under a DRAFT banner

    @property
    def retired(self) -> bool:
        return self.artifact.meta.status is Status.RETIRED


def visible_to(artifact: Artifact, audience: AudienceName) -> bool:
    return artifact.meta.audience is Audience.PUBLIC or audience is AudienceName.CUSTOMER


def publish_set(result: CheckResult, audience: AudienceName, preview: bool) -> list[Published]:
    """Publishable artifacts the audience may see; with `preview`, unpublishable ones as drafts."""
    published = []
    for artifact in result.artifacts:
        if not visible_to(artifact, audience):
            continue
        state = result.states[artifact.key]
        if state.publishable:
            published.append(Published(artifact, state, draft=False))
        elif preview:
            published.append(Published(artifact, state, draft=True))
    return published
