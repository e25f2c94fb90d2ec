"""site-config.yml: the trust center's configuration, validated with located errors (exit 2)."""

from __future__ import annotations

import functools
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from . import yamlsource
from .errors import pydantic_findings
from .findings import ConfigError, error
from .files import symlink_finding
from .load import decode
from .schema import ARTIFACT_TYPES, ApproverText, Digest, Email, parse_person

CONFIG_FILE = "site-config.yml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SiteInfo(_Strict):
    name: Annotated[str, Field(min_length=1, pattern=r"^[^<>]+$")]
    url: Annotated[str, Field(pattern=r"^https?://")]
    organisation: Annotated[str, Field(min_length=1)]
    contact_email: Email
    feedback_url: Annotated[str, Field(pattern=r"^(https?://|mailto:)")]
    description: str = ""
    language: str = "en"


class FeedbackChannel(_Strict):
    kind: Literal["email", "form", "postal", "portal", "phone"]
    label: Annotated[str, Field(min_length=1)]
    address: Annotated[str, Field(min_length=1, description="E-mail, URL, postal address or number")]
    use_for: Annotated[str, Field(min_length=1)]
    response_time: Annotated[str, Field(min_length=1, description="When to expect an answer")]


class Feedback(_Strict):
    intro: str = ""
    channels: list[FeedbackChannel] = Field(min_length=1)
    what_happens_next: Annotated[str, Field(min_length=1)]
    human_review: Annotated[str, Field(min_length=1)]
    training_opt_out: Annotated[str, Field(min_length=1)]
    escalation: str = ""


class ClaimRule(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    category: Annotated[str, Field(min_length=1)]
    patterns: list[str] = Field(min_length=1, description="Regular expressions, case-insensitive")
    why: Annotated[str, Field(min_length=1)]
    substantiate: Annotated[str, Field(min_length=1)]
    qualifiers: str | None = None
    described: str | None = None
    triggers: list[str] = []

    @model_validator(mode="after")
    def _patterns_compile(self) -> ClaimRule:
        for text in [*self.patterns, self.qualifiers or "", self.described or ""]:
            try:
                re.compile(text)
            except re.error as exc:
                raise ValueError(f"pattern {text!r} is not a valid regular expression: {exc}") from None
        return self


class ClaimsSettings(_Strict):
    require_role: str | None = Field("marketing", description="Role that must approve artifacts with claims")
    disable: list[str] = []
    rules: list[ClaimRule] = []


class Certification(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    name: Annotated[str, Field(min_length=1)]
    issuer: Annotated[str, Field(min_length=1)]
    valid_until: date
    url: str | None = None


class ApprovalSettings(_Strict):
    verify: Literal["none", "git"] = Field("none", description="git: approvals must be committed, signed, by the approver")
    # With verify: git a signature by the approver's own key is always required: an unsigned commit's
    # author is whatever its committer typed. `true` is accepted (and redundant), `false` refused.
    require_signed: bool | None = Field(None, description="redundant: verify: git always requires signatures")


# An SSH public key as written in an allowed-signers file, or a GPG key's 40-digit fingerprint.
SSH_KEY_TYPES = ("ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
                 "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com")
SigningKey = Annotated[str, Field(pattern=r"^(?:(?:" + "|".join(re.escape(t) for t in SSH_KEY_TYPES)
                                  + r") AAAA[A-Za-z0-9+/]+={0,3}(?: [^\n]*)?|[0-9A-Fa-f]{40})$")]


class Person(_Strict):
    """Someone who may approve: the name the site shows and the keys their approvals are signed with."""

    name: Annotated[str, Field(pattern=r"^[^<>\s]([^<>\n]*[^<>\s])?$")]
    email: Email
    signing_keys: list[SigningKey] = []

    @property
    def ssh_keys(self) -> list[str]:
        return [key for key in self.signing_keys if key.startswith(SSH_KEY_TYPES)]

    @property
    def gpg_fingerprints(self) -> list[str]:
        return [key.upper() for key in self.signing_keys if not key.startswith(SSH_KEY_TYPES)]


class ConfigApproval(_Strict):
    """A role's approval of exactly this configuration (see governance): who, when, and its digest."""

    role: Annotated[str, Field(min_length=1)]
    by: ApproverText
    date: date
    digest: Digest

    @property
    def email(self) -> str:
        return parse_person(self.by)[1]


GitHubHandle = Annotated[str, Field(pattern=r"^@[A-Za-z0-9](-?[A-Za-z0-9])*(/[A-Za-z0-9._-]+)?$")]
FactValue = Annotated[str, Field(pattern=r"^[^\n<>]*$", description="One line, no markup")]


class SiteConfig(_Strict):
    site: SiteInfo
    feedback: Feedback
    # Everyone who may approve, by the name the site shows for them and the keys they sign with.
    people: list[Person] = []
    # Members are e-mail addresses of people (who may approve) or GitHub users and teams (@org/team, for CODEOWNERS).
    roles: dict[Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")], list[Email | GitHubHandle]]
    required_approvals: dict[str, list[str]]
    facts: dict[Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+$")], FactValue | int | float] = {}
    claims: ClaimsSettings = ClaimsSettings()
    certifications: list[Certification] = []
    approval: ApprovalSettings = ApprovalSettings()
    approvals: list[ConfigApproval] = Field([], description="Written by `trustcenter approve site-config.yml`")

    @property
    def fact_values(self) -> dict[str, str]:
        """Facts as the text that replaces `{{ facts.name }}`."""
        return {name: str(value) for name, value in self.facts.items()}

    def reference_problems(self, people_required: bool = True) -> list[tuple[tuple, str]]:
        """(where, message) for every type, role or person the configuration names but does not define."""
        problems = []
        for type_name, roles in self.required_approvals.items():
            if type_name not in ARTIFACT_TYPES:
                problems.append((("required_approvals", type_name),
                                 f"unknown artifact type '{type_name}' in required_approvals "
                                 f"(known: {', '.join(ARTIFACT_TYPES)})"))
            for index, role in enumerate(roles):
                if role not in self.roles:
                    problems.append((("required_approvals", type_name, index),
                                     f"required_approvals.{type_name} names role '{role}', "
                                     "which is not defined under roles"))
        if people_required:
            problems += self._people_problems()
        if people_required and self.approval.verify == "git" and self.approval.require_signed is False:
            problems.append((("approval", "require_signed"),
                             "approval.require_signed: false cannot go with verify: git: an unsigned "
                             "commit's author is whatever its committer typed, so verify: git always "
                             "requires a signature by one of the approver's signing_keys (remove the line)"))
        role = self.claims.require_role
        if role is not None and role not in self.roles:
            problems.append((("claims", "require_role"),
                             f"claims.require_role names role '{role}', which is not defined under "
                             "roles (set it to null to require no extra approval for claims)"))
        return problems

    def _people_problems(self) -> list[tuple[tuple, str]]:
        problems = []
        first: dict[str, int] = {}
        for index, person in enumerate(self.people):
            email = person.email.lower()
            if email in first:
                problems.append((("people", index, "email"),
                                 f"{person.email} is listed under people twice (first as item {first[email] + 1})"))
            first.setdefault(email, index)
        for role, members in self.roles.items():
            for index, member in enumerate(members):
                if not member.startswith("@") and member.lower() not in first:
                    problems.append((("roles", role, index),
                                     f"roles.{role} lists {member}, who is not under people: add "
                                     "{name, email, signing_keys} for them, so the site shows the name "
                                     "you give and approvals can be checked against their keys"))
        return problems

    def person(self, email: str) -> Person | None:
        """The person with this e-mail under `people`, if any."""
        return self._people.get(email.lower())

    @functools.cached_property
    def _people(self) -> dict[str, Person]:
        return {person.email.lower(): person for person in reversed(self.people)}

    def required_roles(self, type_name: str) -> list[str]:
        return self.required_approvals.get(type_name, [])

    def is_member(self, role: str, email: str) -> bool:
        return email.lower() in self._members.get(role, frozenset())

    @functools.cached_property
    def _members(self) -> dict[str, frozenset[str]]:
        # Asked for every approval of every committed version: worked out once per configuration.
        return {role: frozenset(member.lower() for member in members) for role, members in self.roles.items()}


def load_config(root: Path) -> SiteConfig:
    """Read and validate `root/site-config.yml`; raises ConfigError with located findings."""
    path = root / CONFIG_FILE
    linked = symlink_finding(root, CONFIG_FILE)
    if linked is not None:
        raise ConfigError([linked])
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError([error(CONFIG_FILE, 1, "config-missing",
                                 f"no {CONFIG_FILE} in {root}: is this a trust-center repository? "
                                 "(`trustcenter init DIR` creates one)")]) from None
    except OSError as exc:  # the root is a file, or the configuration cannot be read
        raise ConfigError([error(CONFIG_FILE, 1, "config-unreadable",
                                 f"cannot read {path}: {exc.strerror}")]) from None
    text, problem = decode(data, CONFIG_FILE)
    if problem:
        raise ConfigError([problem])
    return parse_config(text)


def parse_config(text: str, people_required: bool = True) -> SiteConfig:
    """Validate the text of a site-config.yml; raises ConfigError with located findings.

    The history reads configurations committed before `people` existed with `people_required`
    off: they still decide which roles approved a version, the current one decides names shown.
    """
    try:
        document = yamlsource.parse(text)
    except yamlsource.YamlProblem as problem:
        raise ConfigError([error(CONFIG_FILE, problem.line, problem.rule, problem.message)]) from None
    if not isinstance(document.data, dict):
        raise ConfigError([error(CONFIG_FILE, 1, "config-not-mapping",
                                 f"{CONFIG_FILE} must be a mapping of settings")])
    try:
        config = SiteConfig.model_validate(document.data)
    except ValidationError as exc:
        raise ConfigError(pydantic_findings(exc, CONFIG_FILE, document, offset=0,
                                            rule_prefix="config")) from None
    problems = config.reference_problems(people_required)
    if problems:
        raise ConfigError([error(CONFIG_FILE, document.line_of(where), "config-invalid-field", message)
                           for where, message in problems])
    return config


def config_lines(root: Path):
    """`line_of(key path)` for the working tree's site-config.yml (1 where unknown), for findings."""
    try:
        document = yamlsource.parse(decode((root / CONFIG_FILE).read_bytes(), CONFIG_FILE)[0])
    except (OSError, yamlsource.YamlProblem):
        return lambda where: 1
    return document.line_of
