"""What every importer produces: a draft artifact, and a report of where each part of the source went."""

from __future__ import annotations

import posixpath
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .. import yamlsource
from .markdown import headings_under_title, inline_text, outline, sentences
from ..findings import ConfigError, Finding, error
from ..links import INLINE_LINK
from ..load import FrontMatterProblem, decode, parse_artifact, split_front_matter
from ..schema import ARTIFACT_TYPES, SLUG

FIRST_VERSION = "0.1.0"
SUMMARY_SENTENCES = 2
METADATA_HEADING = "Metadata from the source"
_EXTERNAL = re.compile(r"^([a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


@dataclass
class Mapping:
    """One line of the report: a part of the source and where it went."""

    source: str        # "## Direct Use (line 40)", "metadata license", "majorRevisions[0]"
    target: str        # a field name, "body", or "omitted"
    note: str = ""


@dataclass
class ImportReport:
    source: str                        # the source file, as given
    format: str                        # what the source was read as
    artifact: str = ""                 # the draft's path in the trust center
    mappings: list[Mapping] = field(default_factory=list)
    todo: list[str] = field(default_factory=list)        # what to do before approval
    findings: list[Finding] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)       # whose approval it will need

    def went(self, source: str, target: str, note: str = "") -> None:
        self.mappings.append(Mapping(source, target, note))


@dataclass
class Draft:
    type_name: str
    id: str
    front: dict[str, Any]
    body: str
    report: ImportReport

    @property
    def path(self) -> str:
        return f"{ARTIFACT_TYPES[self.type_name].folder}/{self.id}.md"

    def text(self) -> str:
        return "---\n" + yamlsource.dump(self.front) + "---\n\n" + self.body.strip() + "\n"


def read_source(path: Path) -> str:
    """A source file's text (UTF-8, LF line endings); a problem is a usage error (exit 2)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError([error(str(path), 1, "import-source-missing", "no such file")]) from None
    except OSError as exc:
        raise ConfigError([error(str(path), 1, "import-source-unreadable",
                                 f"cannot read the file: {exc.strerror}")]) from None
    text, problem = decode(data, str(path))
    if problem:
        raise ConfigError([problem])
    return text


def parse_yaml(text: str, path: str, first_line: int) -> Any:
    """A source's YAML metadata, read as strictly as front matter; errors carry the file line."""
    try:
        return yamlsource.parse(text).data
    except yamlsource.YamlProblem as problem:
        raise ConfigError([error(path, first_line + problem.line - 1, problem.rule,
                                 problem.message)]) from None


def split_metadata(text: str, source: str) -> tuple[dict[str, Any], str, int]:
    """Front matter (empty if there is none) and the Markdown after it, with the Markdown's line."""
    if not text.startswith("---"):
        return {}, text, 1
    try:
        front, body, body_line = split_front_matter(text, source)
    except FrontMatterProblem as problem:
        raise ConfigError([problem.finding]) from None
    data = parse_yaml(front, source, 1) if front.strip() else {}
    if not isinstance(data, dict):
        raise ConfigError([error(source, 2, "front-matter-not-mapping",
                                 "the metadata must be a mapping of fields (name: value)")])
    return data, body, body_line


def artifact_id(name: str) -> str:
    """An artifact id from a name: 'Org/My_Model-v2' becomes 'my-model-v2'."""
    name = name.rsplit("/", 1)[-1]
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:80].rstrip("-")


def chosen_id(requested: str | None, derived: str, source: str) -> str:
    """--id when given (it must be valid), else the id derived from the source."""
    if requested is not None:
        if not re.match(SLUG, requested):
            raise ConfigError([error("<command line>", 1, "id-not-slug",
                                     f"--id '{requested}' is not a valid id: use lower-case letters "
                                     "and digits joined by single hyphens")])
        return requested
    if not derived:
        raise ConfigError([error(source, 1, "import-no-id",
                                 "no id can be made from the source's name: give one with --id")])
    return derived


def title_text(text: str) -> str:
    """A title as the schema accepts it: one line, no markup brackets, at most 200 characters."""
    return re.sub(r"\s+", " ", text.replace("<", "").replace(">", "")).strip()[:200]


def fit_front_matter(model: type[BaseModel], front: dict[str, Any], from_source: set[str],
                     report: ImportReport) -> tuple[dict[str, Any], dict[str, Any]]:
    """Drop source-given fields the model refuses, until the front matter validates.

    Returns the front matter and the refused fields, which the caller keeps in the body; the
    report says why each was refused.
    """
    front, refused = dict(front), {}
    while True:
        try:
            model.model_validate(front)
            return front, refused
        except ValidationError as exc:
            keys = {str(problem["loc"][0]) for problem in exc.errors() if problem["loc"]}
            movable = sorted(keys & from_source & front.keys())
            if not movable:
                raise  # a field the importer itself wrote: a bug, not a property of the source
            for key in movable:
                message = next(p["msg"] for p in exc.errors() if p["loc"] and str(p["loc"][0]) == key)
                refused[key] = front.pop(key)
                report.went(f"metadata {key}", "body", f"under '{METADATA_HEADING}': it did not validate "
                            f"({message.removeprefix('Value error, ')})")


def metadata_section(values: dict[str, Any], level: int = 2) -> str:
    """Source metadata with no field of its own, kept visibly in the text for the author to place."""
    if not values:
        return ""
    return (f"{'#' * level} {METADATA_HEADING}\n\n"
            "These details of the imported source have no field of their own here.\n\n"
            "```yaml\n" + yamlsource.dump(values) + "```\n")


def unresolved_links(body: str, source_dir: str, resolves) -> tuple[str, list[tuple[str, str]]]:
    """Relative links and images that will lead nowhere, replaced by their text.

    `resolves(target_path)` returns the new relative target for a link the import can point at
    the right place (another imported artifact), or None. Returns the body and (old, new) pairs,
    new being '' where only the text was kept.
    """
    changes: list[tuple[str, str]] = []

    def replace(match: re.Match) -> str:
        opening, target, closing = match.group(1), match.group(2), match.group(3)
        if _EXTERNAL.match(target) or target.startswith("#"):
            return match.group(0)
        path = posixpath.normpath(posixpath.join(source_dir, target.partition("#")[0]))
        new = resolves(path)
        if new is not None:
            if new != target:
                changes.append((target, new))
            return f"{opening}{new}{closing}"
        changes.append((target, ""))
        text = opening[:-2].lstrip("!").removeprefix("[")
        return text

    return INLINE_LINK.sub(replace, body), changes


def summary_of(body: str) -> str:
    """The first sentences of the first paragraph: a summary for listings, from the text itself."""
    for section in outline(body).walk():
        for block in section.blocks:
            if block.kind == "paragraph" and (text := sentences(inline_text(block.text), SUMMARY_SENTENCES)):
                return text
    return ""


def lift_headings(body: str, report: ImportReport) -> str:
    """Headings moved so the highest is `##`: the page's title is the only `#`."""
    body, shift = headings_under_title(body)
    if shift:
        report.went("headings", "body", f"moved {'down' if shift > 0 else 'up'} {abs(shift)} "
                    f"level{'s' if abs(shift) > 1 else ''}, under the page title")
    return body


def validate_draft(draft: Draft) -> None:
    """The draft must load as its type does in `check`; if not, the importer has a bug."""
    artifact, problems = parse_artifact(draft.text(), ARTIFACT_TYPES[draft.type_name], draft.id, draft.path)
    if artifact is None:
        raise ConfigError([error(draft.report.source, 1, "import-invalid",
                                 f"the draft made from this source does not validate: {problems[0]}")])


def write_drafts(root: Path, drafts: list[Draft]) -> list[Path]:
    """Write every draft, or none: an existing artifact or a repeated id refuses the whole import."""
    problems, seen = [], {}
    for draft in drafts:
        validate_draft(draft)
        if (root / draft.path).exists():
            problems.append(error(draft.path, 1, "artifact-exists",
                                  f"an artifact with this id already exists; not overwritten "
                                  f"(import {draft.report.source} with --id to choose another id)"))
        elif draft.path in seen:
            problems.append(error(draft.path, 1, "artifact-exists",
                                  f"both {seen[draft.path]} and {draft.report.source} would become "
                                  "this artifact"))
        seen[draft.path] = draft.report.source
    if problems:
        raise ConfigError(problems)
    written = []
    for draft in drafts:
        path = root / draft.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(draft.text(), encoding="utf-8")
        draft.report.artifact = draft.path
        written.append(path)
    return written


def changelog_entry(version: str, on: date, summary: str) -> dict[str, Any]:
    return {"version": version, "date": on, "summary": summary}
