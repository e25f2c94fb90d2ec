"""Shared helpers: small trust centers built in tmp_path, the CLI as a user runs it, HTML parsing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup

REPO = Path(__file__).resolve().parents[1]
CLI = str(Path(sys.executable).with_name("trustcenter"))

LEGAL = "Lee Gal <legal@example.com>"
ML = "Em Owner <ml@example.com>"
MARKETING = "Mark Eting <marketing@example.com>"
BY_ROLE = {"legal": LEGAL, "ml-owner": ML, "marketing": MARKETING}

CONFIG: dict[str, Any] = {
    "site": {"name": "Acme Trust Center", "url": "https://trust.acme.example/",
             "organisation": "Acme AI Ltd", "contact_email": "trust@acme.example",
             "feedback_url": "https://acme.example/feedback"},
    "feedback": {
        "channels": [{"kind": "email", "label": "Trust team", "address": "trust@acme.example",
                      "use_for": "Feedback and complaints", "response_time": "2 business days"}],
        "what_happens_next": "We investigate and reply.",
        "human_review": "Ask the trust team; a person reviews the decision.",
        "training_opt_out": "Ask the trust team to opt out of training.",
    },
    "people": [{"name": "Lee Gal", "email": "legal@example.com"},
               {"name": "Em Owner", "email": "ml@example.com"},
               {"name": "Mark Eting", "email": "marketing@example.com"}],
    "roles": {"legal": ["legal@example.com"], "marketing": ["marketing@example.com"],
              "ml-owner": ["ml@example.com"]},
    "required_approvals": {"policy": ["legal"], "model-card": ["legal", "ml-owner"], "sla": ["legal"],
                           "disclosure": ["legal", "marketing"], "notice": ["legal"],
                           "page": ["legal", "marketing"]},
}

TYPE_FIELDS: dict[str, dict[str, Any]] = {
    "policy": {},
    "page": {},
    "model-card": {
        "system": "Support assistant", "model": "acme-reply 2.1", "provider": "Acme AI",
        "intended_use": ["Drafting replies for human agents"],
        "out_of_scope_use": ["Medical or legal advice"],
        "limitations": ["Weaker on languages other than English"],
        "risks": [{"risk": "Confident but wrong answers", "mitigation": "An agent edits every draft"}],
        "training_data": "Licensed support conversations; no customer data.",
        "evaluation": {"date": "2026-01-15", "data": "Held-out tickets", "method": "Human rating"},
        "human_oversight": "An agent reviews every draft before it is sent.",
        "model-index": [{"name": "acme-reply", "results": [{
            "task": {"type": "text-generation", "name": "Reply drafting"},
            "dataset": {"type": "acme/tickets", "name": "Acme held-out tickets", "split": "test"},
            "metrics": [{"type": "accuracy", "name": "Accepted without edits", "value": 0.71}]}]}],
    },
    "sla": {
        "service": "Acme API", "uptime": {"target": 99.9, "window": "calendar month"},
        "latency": [{"name": "API response, p95", "target_ms": 800}],
        "support": [{"severity": "Critical", "first_response": "1 hour", "hours": "24x7"}],
        "exclusions": ["Scheduled maintenance"],
        "credits": [{"below": 99.9, "credit_percent": 10}],
        "data_retention": "Deleted 30 days after the contract ends.",
    },
    "disclosure": {
        "ai_systems": [{"name": "Support assistant", "purpose": "Drafts replies"}],
        "data_used": ["Ticket text"],
        "training_on_customer_data": {"used": False, "description": "We do not train on it.",
                                      "opt_out": "Nothing to opt out of."},
        "human_review": "Ask support.", "feedback_channel": "trust@acme.example",
    },
    "notice": {"kind": "incident", "state": "resolved", "started": "2026-02-01",
               "ended": "2026-02-02", "affected": [], "impact": "Slow replies for an hour.",
               "remediation": "We added capacity."},
}
FOLDERS = {"policy": "policies", "model-card": "content/model-cards", "sla": "content/slas",
           "disclosure": "content/disclosures", "notice": "content/notices", "page": "content/pages"}


def front_matter(type_name: str, *, title: str = "A document", version: str = "1.0.0",
                 status: str = "approved", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": title, "summary": f"What {title} says.", "version": version, "status": status,
        "effective": "2026-01-01", "owner": "Legal team", "next_review": "2099-01-01",
        "controls": ["ISO42001:A.10.4"],
        "changelog": [{"version": version, "date": "2026-01-01", "summary": "First version."}],
    }
    data.update(TYPE_FIELDS[type_name])
    data.update(overrides)
    return data


class TrustCenter:
    """A trust-center repository in a temporary directory, written the way a user would."""

    def __init__(self, root: Path):
        self.root = root

    def write_config(self, config: dict[str, Any] | None = None) -> None:
        (self.root / "site-config.yml").write_text(yaml.safe_dump(config or CONFIG, sort_keys=False))

    def reconfigure(self, config: dict[str, Any]) -> None:
        """Change site-config.yml as its approvers would: written, then approved by every role."""
        self.write_config(config)
        for role, by in BY_ROLE.items():
            result = self.run("approve", "site-config.yml", "--role", role, "--by", by, "--date", "2026-01-02")
            assert result.returncode == 0, result.stderr + result.stdout

    def path(self, type_name: str, artifact_id: str) -> Path:
        return self.root / FOLDERS[type_name] / f"{artifact_id}.md"

    def write(self, type_name: str, artifact_id: str, body: str = "## Text\n\nThe text.\n",
              **fields: Any) -> Path:
        path = self.path(type_name, artifact_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = front_matter(type_name, **fields)
        path.write_text("---\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
                        + "---\n\n" + body, encoding="utf-8")
        return path

    def write_raw(self, relative: str, text: str | bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def approve_all(self, path: Path, type_name: str) -> None:
        for role in CONFIG["required_approvals"][type_name]:
            result = self.run("approve", str(path), "--role", role, "--by", BY_ROLE[role],
                              "--date", "2026-01-02")
            assert result.returncode == 0, result.stderr + result.stdout

    def publish(self, type_name: str, artifact_id: str, **fields: Any) -> Path:
        """Write an artifact and approve it by every required role."""
        path = self.write(type_name, artifact_id, **fields)
        self.approve_all(path, type_name)
        return path

    def git(self, *args: str) -> str:
        return git(self.root, *args)

    def commit(self, message: str, when: str = "2026-01-10T12:00:00Z", author: str | None = None,
               signer: Approver | None = None) -> str:
        """Commit everything, as of `when` (and by `author`, an e-mail, or as `signer`, signed with
        their SSH key); returns the commit id."""
        self.git("add", "-A")
        env = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        if author:
            env.update(GIT_AUTHOR_EMAIL=author, GIT_COMMITTER_EMAIL=author)
        signing: list[str] = []
        if signer is not None:
            env.update(signer.identity)
            signing = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={signer.key}", "commit", "-S"]
        subprocess.run(["git", *(signing or ["commit"]), "-q", "--allow-empty", "-m", message], cwd=self.root,
                       check=True, env={**os.environ, **GIT_IDENTITY, **env})
        return self.git("rev-parse", "HEAD").strip()

    def run(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        return run_cli(*args, cwd=cwd or self.root)

    def build(self, *args: str) -> subprocess.CompletedProcess:
        return self.run("build", *args)


@dataclass(frozen=True)
class Approver:
    """A person who may approve, with an SSH key pair of their own (made by ssh-keygen)."""

    name: str
    email: str
    key: Path  # the private key; the public one is beside it, with .pub

    @property
    def by(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def public_key(self) -> str:
        return Path(f"{self.key}.pub").read_text().strip()

    @property
    def person(self) -> dict[str, Any]:
        """Their entry under `people` in site-config.yml."""
        return {"name": self.name, "email": self.email, "signing_keys": [self.public_key]}

    @property
    def identity(self) -> dict[str, str]:
        return {"GIT_AUTHOR_NAME": self.name, "GIT_AUTHOR_EMAIL": self.email,
                "GIT_COMMITTER_NAME": self.name, "GIT_COMMITTER_EMAIL": self.email}


def make_approver(folder: Path, by: str) -> Approver:
    """`by` ('Name <email>') with a fresh ed25519 key pair in `folder`."""
    name, email = by.removesuffix(">").split(" <")
    folder.mkdir(parents=True, exist_ok=True)
    key = folder / f"{email}.key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", email, "-f", str(key)], check=True)
    return Approver(name, email, key)


def signed_config(*approvers: Approver, **overrides: Any) -> dict[str, Any]:
    """CONFIG with `approval.verify: git` and these approvers' keys under `people`."""
    keyed = {a.email: a.person for a in approvers}
    people = [keyed.get(person["email"], person) for person in CONFIG["people"]]
    return {**CONFIG, "people": people, "approval": {"verify": "git"}, **overrides}


@pytest.fixture
def approvers(tmp_path: Path) -> dict[str, Approver]:
    """Legal, the ML owner and marketing of conftest's CONFIG, each with their own SSH key, by role."""
    return {role: make_approver(tmp_path / "keys", by) for role, by in BY_ROLE.items()}


GIT_IDENTITY = {"GIT_AUTHOR_NAME": "Test Author", "GIT_AUTHOR_EMAIL": "author@example.com",
                "GIT_COMMITTER_NAME": "Test Author", "GIT_COMMITTER_EMAIL": "author@example.com"}


def git(root: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                            env={**os.environ, **GIT_IDENTITY})
    assert result.returncode == 0, result.stderr
    return result.stdout


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def new_trust_center(root: Path) -> TrustCenter:
    """A trust center in a fresh git repository whose first commit holds the configuration."""
    center = TrustCenter(root)
    center.root.mkdir()
    center.write_config()
    center.git("init", "-q", "-b", "main")
    center.commit("Configuration", when="2026-01-01T09:00:00Z")
    return center


@pytest.fixture
def tc(tmp_path: Path) -> TrustCenter:
    """A trust center in a fresh git repository whose first commit holds the configuration."""
    return new_trust_center(tmp_path / "trust")


def html(path: Path) -> BeautifulSoup:
    """A built page parsed as a browser would parse it."""
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html5lib")


def text_of(path: Path) -> str:
    return " ".join(html(path).get_text(" ").split())


def all_site_text(site: Path) -> str:
    """Every byte of every text file the build produced, for leak checks."""
    chunks = []
    for file in sorted(site.rglob("*")):
        if file.is_file() and file.suffix in {".html", ".json", ".xml", ".txt", ".js", ".md", ".svg"}:
            chunks.append(file.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(chunks)


@pytest.fixture(scope="session")
def example_copy(tmp_path_factory) -> Path:
    """A copy of this repository's example trust center (content, config and theme)."""
    target = tmp_path_factory.mktemp("example") / "trust"
    target.mkdir()
    for name in ("site-config.yml", "policies", "content", "theme"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.exists():
            shutil.copy2(source, target / name)
    return target
