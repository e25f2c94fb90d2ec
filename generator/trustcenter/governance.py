"""Governance: a change to site-config.yml that weakens approval is approved by the roles it weakens.

The configuration decides who may approve what, so whoever can edit it could approve anything: add
themselves to a role, drop a required role, switch verification or a claim rule off. Such a change
counts only once members of each weakened role, as the configuration stood before it, approved
exactly the new configuration (`approvals:` in site-config.yml, written by `trustcenter approve
site-config.yml`). Changes that only add safeguards need nobody's approval.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from .config import CONFIG_FILE, SiteConfig
from .findings import Finding, error

# Written into the configuration by the approvers themselves: never part of what they approve.
_UNSIGNED = {"approvals"}


@dataclass(frozen=True)
class Weakening:
    """One change that lowers the bar, and the roles (as they were) that must approve it."""

    roles: tuple[str, ...]
    where: tuple                 # key path in the new configuration, for its line
    what: str


def config_digest(config: SiteConfig) -> str:
    """What an approval of site-config.yml approves: every setting but the approvals, as sorted JSON."""
    signed = config.model_dump(mode="json", exclude=_UNSIGNED)
    text = json.dumps(signed, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def weakenings(old: SiteConfig, new: SiteConfig) -> list[Weakening]:
    """Every way `new` lets less reach a customer unapproved than `old` did."""
    found: list[Weakening] = []
    for role, members in new.roles.items():
        before = {m.lower() for m in old.roles.get(role, [])}
        if role in old.roles:
            found += [Weakening((role,), ("roles", role), f"{member} added to role {role}")
                      for member in members if member.lower() not in before]
    for type_name, roles in old.required_approvals.items():
        kept = new.required_approvals.get(type_name, [])
        found += [Weakening((role,), ("required_approvals", type_name) if type_name in new.required_approvals
                            else ("required_approvals",), f"{role} no longer required for {type_name}")
                  for role in roles if role not in kept]
    everyone = tuple(dict.fromkeys(role for roles in old.required_approvals.values() for role in roles))
    if old.approval.verify == "git" and new.approval.verify != "git":
        found.append(Weakening(everyone, ("approval", "verify"), "approvals no longer verified against git"))
    found += _claim_weakenings(old, new)
    found += _people_weakenings(old, new)
    return [w for w in found if w.roles]


def _claim_weakenings(old: SiteConfig, new: SiteConfig) -> list[Weakening]:
    reviewer = old.claims.require_role
    if reviewer is None:
        return []
    found = []
    if new.claims.require_role != reviewer:
        found.append(Weakening((reviewer,), ("claims", "require_role"),
                               f"claims no longer need {reviewer}'s approval"))
    found += [Weakening((reviewer,), ("claims", "disable"), f"claim rule {rule} switched off")
              for rule in new.claims.disable if rule not in old.claims.disable]
    found += [Weakening((reviewer,), ("claims", "rules"), f"claim rule {rule.id} changed or removed")
              for rule in old.claims.rules if rule not in new.claims.rules]
    # A certificate substantiates "certified" claims: listing one is evidence nobody reviewed.
    found += [Weakening((reviewer,), ("certifications",), f"certification {cert.id} added or changed")
              for cert in new.certifications if cert not in old.certifications]
    return found


def _people_weakenings(old: SiteConfig, new: SiteConfig) -> list[Weakening]:
    """A new key lets its holder sign as that person; a new name changes whom the site names."""
    before = {person.email.lower(): person for person in getattr(old, "people", [])}
    found = []
    for index, person in enumerate(getattr(new, "people", [])):
        earlier = before.get(person.email.lower())
        if earlier is None:
            continue                      # a new person approves nothing until a role lists them
        roles = tuple(role for role in old.roles if old.is_member(role, person.email))
        found += [Weakening(roles, ("people", index, "signing_keys"), f"signing key added for {person.email}")
                  for key in person.signing_keys if key not in earlier.signing_keys]
        if person.name != earlier.name:
            found.append(Weakening(roles, ("people", index, "name"),
                                   f"{person.email} renamed from {earlier.name} to {person.name}"))
    return found


@dataclass(frozen=True)
class Unapproved:
    weakening: Weakening
    missing: tuple[str, ...]       # roles whose approval of the new configuration is missing


def unapproved(old: SiteConfig, new: SiteConfig, verified: set[int] | None = None) -> list[Unapproved]:
    """The weakenings of `new` against `old` that members of the weakened roles (as `old` lists them)
    have not approved; with `verified`, only those approvals count (their indexes)."""
    digest = config_digest(new)
    approved = {a.role for index, a in enumerate(new.approvals)
                if a.digest == digest and old.is_member(a.role, a.email)
                and (verified is None or index in verified)}
    result = []
    for weakening in weakenings(old, new):
        missing = tuple(role for role in weakening.roles if role not in approved)
        if missing:
            result.append(Unapproved(weakening, missing))
    return result


def weakening_findings(old: SiteConfig, new: SiteConfig, line_of, against: str,
                       verified: set[int] | None = None) -> list[Finding]:
    """`config-weakened` for every weakening nobody who may approve it approved (see `unapproved`)."""
    findings = []
    for item in unapproved(old, new, verified):
        who = "; ".join(f"{role}: {', '.join(m for m in old.roles.get(role, []) if '@' in m and not m.startswith('@'))}"
                        for role in item.missing)
        findings.append(error(CONFIG_FILE, line_of(item.weakening.where), "config-weakened",
                              f"{item.weakening.what}, against {against}: a change that weakens approval "
                              f"counts once the weakened roles approve it, by their members as {against} "
                              f"lists them ({who}); run `trustcenter approve {CONFIG_FILE} --role ROLE "
                              "--by \"Name <email>\"`"))
    return findings


def trusted_chain(configs: list[SiteConfig | None], verified=None) -> list[SiteConfig | None]:
    """The configuration in force after each one in commit order: an unapproved weakening is ignored.

    `verified(index, before, config)` gives the indexes of `config`'s approvals that verify against
    git (None: all count), for configurations that said `approval.verify: git`.
    """
    chain: list[SiteConfig | None] = []
    current: SiteConfig | None = None
    for index, config in enumerate(configs):
        if config is not None and (current is None or not unapproved(
                current, config, verified(index, current, config) if verified else None)):
            current = config
        chain.append(current)
    return chain
