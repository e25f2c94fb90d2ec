"""Synthetic trust centers for the benchmark: N artifacts of every type, each with several committed
versions, realistic bodies (1-3 KB with headings, lists, a table and links between artifacts), all
approved, so that every version is published."""

from __future__ import annotations

import os
import random
import subprocess
from datetime import date, timedelta
from pathlib import Path

import yaml

from trustcenter.approval import digest_of

TYPES = ["policy", "model-card", "sla", "disclosure", "notice"]
FOLDERS = {"policy": "policies", "model-card": "content/model-cards", "sla": "content/slas",
           "disclosure": "content/disclosures", "notice": "content/notices"}
APPROVER = {"legal": "Lee Gal <legal@example.com>", "ml-owner": "Em Owner <ml@example.com>",
            "marketing": "Mark Eting <marketing@example.com>"}
REQUIRED = {"policy": ["legal"], "model-card": ["legal", "ml-owner"], "sla": ["legal"],
            "disclosure": ["legal", "marketing"], "notice": ["legal"]}
CONFIG = {
    "site": {"name": "Benchmark Trust Center", "url": "https://trust.bench.example/",
             "organisation": "Bench Ltd", "contact_email": "trust@bench.example",
             "feedback_url": "https://bench.example/feedback"},
    "feedback": {"channels": [{"kind": "email", "label": "Trust team", "address": "trust@bench.example",
                               "use_for": "Feedback", "response_time": "2 business days"}],
                 "what_happens_next": "We reply.", "human_review": "Ask us.", "training_opt_out": "Ask us."},
    "roles": {"legal": ["legal@example.com"], "ml-owner": ["ml@example.com"],
              "marketing": ["marketing@example.com"]},
    "required_approvals": REQUIRED,
}
WORDS = ("customer data model review ticket agent support service request quality response policy "
         "system output human decision account workspace language accuracy latency measure team "
         "incident notice report feedback retention process release").split()
GIT_ENV = {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}


def type_fields(type_name: str, version: int) -> dict:
    if type_name == "model-card":
        return {"system": "Assistant", "model": f"model {version}.0", "intended_use": ["Drafting replies"],
                "out_of_scope_use": ["Legal advice"], "limitations": ["Weaker on short tickets"],
                "risks": [{"risk": "Wrong answers", "mitigation": "Agents review drafts"}],
                "training_data": "Licensed conversations.",
                "evaluation": {"date": "2026-01-15", "data": "Held-out tickets"},
                "human_oversight": "An agent reviews every draft.",
                "model-index": [{"name": "m", "results": [{"task": {"type": "text-generation"},
                                 "dataset": {"type": "tickets", "name": "Held-out tickets"},
                                 "metrics": [{"type": "accuracy", "value": round(0.7 + version / 100, 3)}]}]}]}
    if type_name == "sla":
        return {"service": "API", "uptime": {"target": 99.9, "window": "calendar month"},
                "data_retention": "30 days after the contract ends."}
    if type_name == "disclosure":
        return {"ai_systems": [{"name": "Assistant", "purpose": "Drafts replies"}], "data_used": ["Tickets"],
                "training_on_customer_data": {"used": False, "description": "No.", "opt_out": "None needed."},
                "human_review": "Ask support.", "feedback_channel": "trust@bench.example"}
    if type_name == "notice":
        return {"kind": "incident", "state": "resolved", "started": "2026-02-01", "impact": "Slow replies.",
                "remediation": "More capacity."}
    return {}


def body(rng: random.Random, ids: list[tuple[str, str]], version: int) -> str:
    """The body of one version: the artifact's own text, as each revision edited it.

    `rng` is the artifact's own generator, seeded the same for every version, so version N is
    version N-1 with a few blocks edited (a sentence added, a commitment added, a target changed),
    as real revisions are, not a new text.
    """
    def sentence() -> str:
        words = [rng.choice(WORDS) for _ in range(rng.randint(8, 16))]
        return " ".join(words).capitalize() + "."

    def paragraph() -> str:
        return " ".join(sentence() for _ in range(rng.randint(2, 4)))

    other_type, other_id = rng.choice(ids)
    purpose, scope, related = paragraph(), paragraph(), paragraph()
    commitments = [sentence() for _ in range(rng.randint(3, 6))]
    targets = [[f"{rng.choice(WORDS)} {rng.choice(WORDS)}", rng.randint(1, 99)] for _ in range(4)]
    for revision in range(1, version + 1):
        edit = sentence()
        if revision % 2:
            purpose += " " + edit
        else:
            commitments.append(edit)
        targets[revision % 4][1] += 1
    return "\n".join([
        f"## Purpose\n\n{purpose}\n",
        f"## Scope (revision {version})\n\n{scope}\n",
        "## Commitments\n\n" + "\n".join(f"- {c}" for c in commitments) + "\n",
        "## Targets\n\n| Measure | Target |\n|---|---|\n" + "\n".join(f"| {m} | {t} |" for m, t in targets) + "\n",
        f"## Related\n\nSee [{other_id}](../../{FOLDERS[other_type]}/{other_id}.md) for more. {related}\n",
    ])


def artifact_text(type_name: str, artifact_id: str, version: int, rng: random.Random,
                  ids: list[tuple[str, str]]) -> str:
    semver = f"1.{version}.0"
    day = date(2025, 1, 1) + timedelta(days=30 * version)
    front = {"title": f"{type_name.replace('-', ' ').title()} {artifact_id}",
             "summary": f"What {artifact_id} says, revision {version}.", "version": semver,
             "status": "approved", "effective": day.isoformat(), "owner": "Legal team",
             "controls": ["ISO42001:A.10.4"],
             "changelog": [{"version": f"1.{v}.0", "date": (date(2025, 1, 1) + timedelta(days=30 * v)).isoformat(),
                            "summary": f"Revision {v}."} for v in range(version, -1, -1)]}
    front.update(type_fields(type_name, version))
    text = body(rng, ids, version)
    # Links in the body point at source files; the site rewrites them. Make them relative to the folder.
    text = text.replace("../../", "../" * FOLDERS[type_name].count("/") + "../")
    digest = digest_of(front, "\n" + text)  # the body begins after the closing fence line
    front["approvals"] = [{"role": role, "by": APPROVER[role], "date": day.isoformat(), "version": semver,
                           "digest": digest} for role in REQUIRED[type_name]]
    return "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n\n" + text


def generate(root: Path, artifacts: int, versions: int = 5, seed: int = 42) -> Path:
    """Write a trust center with `artifacts` artifacts (types round-robin) and commit each version."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "site-config.yml").write_text(yaml.safe_dump(CONFIG, sort_keys=False))
    ids = [(TYPES[i % len(TYPES)], f"artifact-{i:05d}") for i in range(artifacts)]
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    for version in range(versions):
        for type_name, artifact_id in ids:
            path = root / FOLDERS[type_name] / f"{artifact_id}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            own = random.Random(f"{seed}/{artifact_id}")  # the same text, revised, in every version
            path.write_text(artifact_text(type_name, artifact_id, version, own, ids), encoding="utf-8")
        stamp = f"2025-{version + 1:02d}-01T10:00:00Z"
        subprocess.run(["git", "add", "-A"], cwd=root, check=True)
        subprocess.run(["git", "commit", "-q", "-m", f"Version {version}"], cwd=root, check=True,
                       env={**env, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp})
    return root
