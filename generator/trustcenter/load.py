"""Load: find artifact files, split and parse their front matter, validate it (files -> Artifact)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import frontmatter
from pydantic import ValidationError

from . import measurements, yamlsource
from .files import symlink_finding
from .errors import pydantic_findings
from .facts import substitute
from .findings import Finding, error, warning
from .measurements import Measurements
from .schema import ARTIFACT_TYPES, SLUG, ArtifactMeta, ArtifactType

MAX_FILE_BYTES = 2 * 1024 * 1024
CONTENT_DIR = "content"
PAGES_FOLDER = "content/pages"
_SLUG = re.compile(SLUG)
_YAML = frontmatter.YAMLHandler()


@dataclass(frozen=True, eq=False)  # one object per text read: identity is equality (and a cache key)
class Artifact:
    """One validated artifact: its type, id, front matter and body, with the lines they came from."""

    type: ArtifactType
    id: str
    path: str                      # relative to the repository root, with forward slashes
    meta: ArtifactMeta
    raw: dict[str, Any]            # the front matter as written, for the digest
    body: str                      # line endings normalised to LF, shared facts filled in
    body_line: int                 # the file line on which the body starts
    lines: yamlsource.YamlDocument = field(repr=False)  # front matter lines are file lines
    measurements: Measurements | None = None            # an SLA's measurement files, if it has any

    @property
    def key(self) -> str:
        return f"{self.type.name}/{self.id}"

    @property
    def compared(self) -> dict[str, Any]:
        """The front matter, and each measured period as a field, for showing what changed."""
        if self.measurements is None:
            return self.raw
        return {**self.raw, **self.measurements.as_fields()}

    def line_of(self, *path: Any) -> int:
        """The file line of a front-matter field (1 when unknown)."""
        return self.lines.line_of(path)


@dataclass
class LoadResult:
    artifacts: list[Artifact] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def artifact_files(root: Path) -> tuple[list[tuple[ArtifactType, Path]], list[Finding]]:
    """Every artifact file under `root`, with its type, plus warnings for folders nobody reads."""
    files: list[tuple[ArtifactType, Path]] = []
    findings = []
    for artifact_type in ARTIFACT_TYPES.values():
        folder = root / artifact_type.folder
        linked = symlink_finding(root, artifact_type.folder)
        if linked is not None:
            findings.append(linked)   # nothing in a linked folder is read
        elif folder.is_dir():
            files.extend((artifact_type, path) for path in sorted(folder.glob("*.md")))
            for nested in sorted(folder.glob("*/**/*.md")):
                relative = nested.relative_to(root).as_posix()
                findings.append(warning(relative, 1, "nested-artifact",
                                        f"not read: an artifact is {artifact_type.folder}/<id>.md, "
                                        "directly in its type's folder"))
            if artifact_type is measurements.MEASURED_TYPE:
                findings += measurements.stray_findings(root)
    content = root / CONTENT_DIR
    known = {t.folder for t in ARTIFACT_TYPES.values()} | {PAGES_FOLDER}
    if content.is_dir() and not content.is_symlink():
        for child in sorted(content.iterdir()):
            relative = child.relative_to(root).as_posix()
            if child.is_dir() and relative not in known:
                findings.append(warning(relative, 1, "unknown-folder",
                                        f"'{relative}' is not an artifact folder and is ignored "
                                        f"(known: {', '.join(sorted(known))})"))
    return files, findings


def type_of_path(relative: str) -> ArtifactType | None:
    """The artifact type of a repository path like 'policies/x.md', or None if it is no artifact."""
    folder, _, name = relative.rpartition("/")
    if not name.endswith(".md"):
        return None
    return next((t for t in ARTIFACT_TYPES.values() if t.folder == folder), None)


def load_artifacts(root: Path, facts: Mapping[str, str] = MappingProxyType({})) -> LoadResult:
    """Load every artifact under `root`; problems become findings, never exceptions."""
    files, findings = artifact_files(root)
    result = LoadResult(findings=findings)
    seen: dict[str, str] = {}
    for artifact_type, path in files:
        artifact, problems = load_artifact(root, artifact_type, path, facts)
        result.findings.extend(problems)
        if artifact is None:
            continue
        if artifact.key in seen:
            result.findings.append(error(artifact.path, 1, "duplicate-id",
                                         f"{artifact.key} is also defined in {seen[artifact.key]}"))
            continue
        seen[artifact.key] = artifact.path
        result.artifacts.append(artifact)
    return result


def load_artifact(root: Path, artifact_type: ArtifactType, path: Path,
                  facts: Mapping[str, str] = MappingProxyType({})) -> tuple[Artifact | None, list[Finding]]:
    """Load one artifact file; returns the artifact, or None and the findings that explain why not."""
    relative = path.relative_to(root).as_posix()
    artifact_id = path.stem
    if not _SLUG.match(artifact_id):
        return None, [error(relative, 1, "id-not-slug",
                            f"the file name gives the id '{artifact_id}', which must be lower-case "
                            "letters and digits joined by single hyphens (e.g. model-usage-policy)")]
    linked = symlink_finding(root, relative)
    if linked is not None:
        return None, [linked]
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [error(relative, 1, "unreadable", f"cannot read the file: {exc.strerror}")]
    text, problem = decode(data, relative)
    if problem:
        return None, [problem]
    files = measurements.files_on_disk(root, relative) if artifact_type is measurements.MEASURED_TYPE else {}
    return parse_artifact(text, artifact_type, artifact_id, relative, facts, files)


def decode(data: bytes, path: str) -> tuple[str, Finding | None]:
    """Bytes to text with LF line endings; a BOM is dropped, NUL bytes and bad UTF-8 are refused."""
    if len(data) > MAX_FILE_BYTES:
        return "", error(path, 1, "file-too-large",
                         f"{len(data):,} bytes; an artifact may be at most {MAX_FILE_BYTES:,} bytes")
    if b"\x00" in data:
        return "", error(path, data[: data.index(b"\x00")].count(b"\n") + 1, "encoding",
                         "the file contains a NUL byte: is it a binary file?")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return "", error(path, line, "encoding",
                         f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                         "save the file as UTF-8")
    return normalise_newlines(text.removeprefix("\ufeff")), None


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_front_matter(text: str, path: str) -> tuple[str, str, int]:
    """Split text into (front matter, body, body's first line); raises FrontMatterProblem."""
    if not _YAML.detect(text):
        raise FrontMatterProblem(error(path, 1, "front-matter-missing",
                                       "the file must start with front matter: a line '---', "
                                       "YAML fields, and a closing line '---'"))
    try:
        front, body = _YAML.split(text)
    except ValueError:
        raise FrontMatterProblem(error(path, 1, "front-matter-unterminated",
                                       "the front matter opened on line 1 is never closed "
                                       "with a line '---'")) from None
    body_line = text[: len(text) - len(body)].count("\n") + 1
    return front, body, body_line


class FrontMatterProblem(Exception):
    def __init__(self, finding: Finding):
        self.finding = finding


def parse_artifact(text: str, artifact_type: ArtifactType, artifact_id: str, path: str,
                   facts: Mapping[str, str] = MappingProxyType({}),
                   measurement_files: Mapping[str, bytes] = MappingProxyType({}),
                   ) -> tuple[Artifact | None, list[Finding]]:
    """Parse and validate an artifact's text (already decoded, LF line endings), facts filled in.

    An SLA's measurement files (bytes by repository path) are read with it; their problems come
    back as findings beside the artifact, which still loads.
    """
    # Every committed version is parsed for the history, and a live preview parses everything again
    # on each save: the same text, path, facts and measurements always give the same (immutable)
    # result. The key holds a hash of the text, not the text.
    key = (hashlib.sha256(text.encode("utf-8")).digest(), artifact_type.name, artifact_id, path,
           tuple(sorted(facts.items())), tuple((name, hashlib.sha256(data).digest())
                                               for name, data in sorted(measurement_files.items())))
    if key not in _parsed:
        if len(_parsed) >= _PARSED_KEPT:
            _parsed.clear()
        artifact, findings = _parse_uncached(text, artifact_type, artifact_id, path, facts, measurement_files)
        _parsed[key] = (artifact, tuple(findings))
    artifact, findings = _parsed[key]
    return artifact, list(findings)


_PARSED_KEPT = 50_000
_parsed: dict[tuple, tuple[Artifact | None, tuple[Finding, ...]]] = {}


def _parse_uncached(text: str, artifact_type: ArtifactType, artifact_id: str, path: str,
                    facts: Mapping[str, str], measurement_files: Mapping[str, bytes],
                    ) -> tuple[Artifact | None, list[Finding]]:
    try:
        front, body, body_line = split_front_matter(text, path)
    except FrontMatterProblem as problem:
        return None, [problem.finding]
    try:
        document = yamlsource.parse(front)
    except yamlsource.YamlProblem as problem:
        return None, [error(path, problem.line, problem.rule, problem.message)]
    if not isinstance(document.data, dict):
        return None, [error(path, 2, "front-matter-not-mapping",
                            "front matter must be a mapping of fields (title: ..., version: ...), "
                            f"not {type(document.data).__name__ if document.data is not None else 'empty'}")]
    declared = document.data.get("type")
    if declared is not None and declared != artifact_type.name:
        return None, [error(path, document.line_of(("type",)), "type-mismatch",
                            f"type '{declared}' disagrees with the folder {artifact_type.folder}/, "
                            f"which holds artifacts of type '{artifact_type.name}'")]
    try:
        meta = artifact_type.model.model_validate(document.data)
    except ValidationError as exc:
        return None, pydantic_findings(exc, path, document, offset=0, rule_prefix="front-matter")
    body, problems = substitute(body, facts, path, body_line)
    if problems:
        return None, problems
    measured, problems = _measurements(measurement_files, path)
    return Artifact(type=artifact_type, id=artifact_id, path=path, meta=meta, raw=document.data,
                    body=body, body_line=body_line, lines=document, measurements=measured), problems


def _measurements(files: Mapping[str, bytes], path: str) -> tuple[Measurements | None, list[Finding]]:
    if not files:
        return None, []
    texts, problems = {}, []
    for name, data in files.items():
        text, problem = decode(data, name)
        if problem:
            problems.append(problem)
        else:
            texts[name] = text
    measured, findings = measurements.read_measurements(texts, path)
    return measured, problems + findings

