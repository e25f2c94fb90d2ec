"""`trustcenter import hf-card`: a Hugging Face model card (README.md) becomes a draft model card.

The card's metadata keeps its own names (the model-card schema uses Hugging Face's); sections that
match a structured field (hf_card.yml) fill it; everything else stays in the text. Placeholders of
the Hugging Face template count as empty. The report says where each part went.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import markup, yamlsource
from ..schema import HF_METADATA_FIELDS, ModelCardMeta
from .draft import (FIRST_VERSION, METADATA_HEADING, SUMMARY_SENTENCES, Draft, ImportReport,
                    artifact_id, changelog_entry, chosen_id, fit_front_matter, lift_headings,
                    metadata_section, read_source, split_metadata, summary_of, title_text, unresolved_links)
from .markdown import Block, Section, inline_text, outline

RULES_FILE = Path(__file__).with_name("hf_card.yml")
FORMAT = "Hugging Face model card"
LIST_FIELDS = ("intended_use", "out_of_scope_use", "limitations", "risks")


@dataclass(frozen=True)
class Rules:
    sections: dict[str, str]
    labels: dict[str, str]
    placeholders: frozenset[str]
    missing: dict[str, str]


@lru_cache(maxsize=1)
def rules() -> Rules:
    data = yamlsource.load_data_file(RULES_FILE)
    return Rules(data["sections"], data["labels"],
                 frozenset(_comparable(p) for p in data["placeholders"]), data["missing"])


@dataclass
class _Found:
    """What the card's sections gave, per target field."""

    lists: dict[str, list[str]] = field(default_factory=lambda: {name: [] for name in LIST_FIELDS})
    texts: dict[str, list[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    comments: int = 0


def import_hf_card(path: Path, requested_id: str | None, today: date) -> Draft:
    """A draft model card from a Hugging Face card (a README.md, or the folder holding one)."""
    if path.is_dir():
        path = path / "README.md"
    text = read_source(path)
    source = str(path)
    report = ImportReport(source, FORMAT)
    metadata, body, body_line = split_metadata(text, source)
    found = _Found()
    document = outline(body, body_line)
    title, intro, sections = _title_and_sections(document)
    name = _model_name(metadata, title, path)
    report.went(f"# {title} (line {document.children[0].line})" if title else "file name",
                "title, model", f"'{name}'")
    kept = [_kept_blocks(intro, found, report, where="text before the first section")] if intro else []
    kept += [_section(section, found, report) for section in sections]

    front = _front_matter(name, found, metadata, report, today, body_text="\n\n".join(kept))
    known = {key: value for key, value in metadata.items() if key in HF_METADATA_FIELDS}
    front, refused = fit_front_matter(ModelCardMeta, {**front, **known}, set(known), report)
    for key in known.keys() - refused.keys():
        report.went(f"metadata {key}", key, _metadata_note(key, known[key]))
    others = {key: value for key, value in metadata.items() if key not in HF_METADATA_FIELDS}
    for key in others:
        report.went(f"metadata {key}", "body", f"under '{METADATA_HEADING}': not a model-card field")

    body_text = lift_headings("\n\n".join(part for part in kept if part), report)
    body_text, changes = unresolved_links(body_text, ".", lambda _: None)
    for old, _ in changes:
        report.went(f"link to {old}", "body", "link removed, its text kept: the file is not in the trust center")
    if found.comments:
        report.went(f"{found.comments} template comment{'s' if found.comments > 1 else ''} (<!-- … -->)",
                    "omitted", "guidance for card authors, not shown on Hugging Face either")
    body_text += "\n\n" + metadata_section({**others, **refused})
    _report_broken_anchors(body_text, report)
    draft_id = chosen_id(requested_id, artifact_id(name), source)
    return Draft("model-card", draft_id, front, body_text.strip() + "\n", report)


def _title_and_sections(document: Section) -> tuple[str, Section | None, list[Section]]:
    """The card's title (its first `#` heading, unless that is a known section), its intro, sections."""
    intro = Section("", 0, document.line, document.text, document.text_line) if document.text else None
    children = list(document.children)
    if children and children[0].level == 1 and _comparable(children[0].title) not in rules().sections:
        first = children.pop(0)
        text = "\n\n".join(part for part in (document.text, first.text) if part)
        intro = Section("", 0, first.line, text, document.text_line if document.text else first.text_line)
        return first.title, intro, first.children + children
    return "", intro, children


def _model_name(metadata: dict[str, Any], title: str, path: Path) -> str:
    """The model's name: model-index's, else the card's title, else its folder's or file's name."""
    index = metadata.get("model-index")
    candidates = []
    if isinstance(index, list) and index and isinstance(index[0], dict):
        candidates.append(str(index[0].get("name") or ""))
    if title:
        match = re.match(r"^\s*model\s+card\s+(?:for|of)\s+(.+)$", title, re.IGNORECASE)
        candidates.append(inline_text(match.group(1) if match else title))
    candidates.append(path.parent.name if path.name.lower() == "readme.md" else path.stem)
    return next((name for name in map(title_text, candidates) if name), "model")


def _section(section: Section, found: _Found, report: ImportReport) -> str:
    """This section's Markdown for the body ('' if nothing of it stays), its prose sent to fields."""
    target = rules().sections.get(_comparable(section.title))
    where = f"{'#' * section.level} {section.title} (line {section.line})"
    own = _kept_blocks(section, found, report, where, target)
    children = [_section(child, found, report) for child in section.children]
    if not own and not any(children):
        return ""
    heading = "#" * section.level + " " + re.sub(r"\s*\[optional\]", "", section.title, flags=re.I).strip()
    return "\n\n".join(part for part in (heading, own, *children) if part)


def _kept_blocks(section: Section, found: _Found, report: ImportReport, where: str,
                 target: str | None = None) -> str:
    """Send a section's prose to `target` and return what stays in the body, as written."""
    kept: list[Block] = []
    prose: list[str] = []
    placeholders = 0
    own = section.blocks
    empty = _placeholders(own)
    for index, block in enumerate(own):
        if block.kind == "comment":
            found.comments += 1
        elif index in empty:
            placeholders += 1
        elif target == "omit":
            continue
        elif target and block.prose:
            prose.append(inline_text(block.text))
        else:
            kept.append(block)
            if block.kind == "item":
                _label(block, found, report)
    if target == "omit" and section.text.strip():
        report.went(where, "omitted", "a table of contents of the card's own headings; the site makes its own")
    elif target and prose:
        _collect(target, prose, found)
        note = f"{len(prose)} item{'s' if len(prose) > 1 else ''}" if target in LIST_FIELDS else ""
        if kept:
            note += ("; " if note else "") + ", ".join(sorted({b.kind for b in kept})) + " kept in the body"
        report.went(where, _target_name(target), note)
    elif kept:
        report.went(where, "body", f"{placeholders} placeholder{'s' if placeholders > 1 else ''} left out"
                    if placeholders else "")
    elif placeholders:
        report.went(where, "omitted", "only template placeholders ([More Information Needed])")
    return _join(kept)


def _collect(target: str, prose: list[str], found: _Found) -> None:
    if target in LIST_FIELDS:
        found.lists[target].extend(prose)
    else:
        found.texts.setdefault(target, []).extend(prose)


def _target_name(target: str) -> str:
    return "risks (mitigation)" if target == "mitigation" else target


def _label(block: Block, found: _Found, report: ImportReport) -> None:
    """'- **Developed by:** Acme' fills `provider`; the line stays in the body as well."""
    label, _, value = inline_text(block.text).partition(":")
    target = rules().labels.get(_comparable(label))
    if target and value.strip() and target not in found.labels:
        found.labels[target] = value.strip()
        report.went(f"'{label.strip()}' (line {block.line})", target, "also kept in the body")


def _join(kept: list[Block]) -> str:
    """Blocks as written: list items of one list on consecutive lines, others apart."""
    parts: list[str] = []
    for previous, block in zip([None, *kept], kept):
        separator = "\n" if previous is not None and previous.kind == block.kind == "item" else "\n\n"
        parts.append((separator if parts else "") + block.source)
    return "".join(parts).strip()


def _placeholders(own: list[Block]) -> set[int]:
    """Which blocks are template placeholders, with a label such as '**BibTeX:**' left before one."""
    empty: set[int] = set()
    for index in reversed(range(len(own))):
        text = inline_text(own[index].text) if own[index].prose else ""
        label, colon, value = text.partition(":")
        following = next((i for i in range(index + 1, len(own)) if own[i].kind != "comment"), None)
        if (_comparable(text) in rules().placeholders
                or (colon and len(label) < 60 and _comparable(value) in rules().placeholders)
                or (text.endswith(":") and len(text) < 60 and following in empty)):
            empty.add(index)
    return empty


def _comparable(heading: str) -> str:
    """A heading as the rules name it: lower case, no '[optional]', no punctuation."""
    heading = re.sub(r"\[optional\]", "", heading, flags=re.IGNORECASE).replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", " ", heading.lower()).strip()


def _front_matter(name: str, found: _Found, metadata: dict[str, Any], report: ImportReport,
                  today: date, body_text: str) -> dict[str, Any]:
    missing = rules().missing
    texts = {key: " ".join(values) for key, values in found.texts.items()}

    def required(field_name: str, value: Any, key: str | None = None) -> Any:
        if value:
            return value
        report.todo.append(f"{field_name}: not in the card; a placeholder says so")
        placeholder = missing[key or field_name]
        return [placeholder] if field_name in LIST_FIELDS else placeholder

    summary = summary_of(body_text)
    if not summary:
        summary = f"Model card for {name}, imported from its Hugging Face card."
        report.todo.append("summary: the card has no summary paragraph; one was written from the model's name")
    else:
        report.went("first paragraph", "summary", f"its first {SUMMARY_SENTENCES} sentences (also kept in the body)")
    limitations = found.lists["limitations"]
    risks = [{"risk": risk, "mitigation": texts.get("mitigation") or missing["mitigation"]}
             for risk in found.lists["risks"]]
    if not risks:
        risks = [{"risk": missing["risk"] if limitations else missing["no_risk"],
                  "mitigation": texts.get("mitigation") or missing["mitigation"]}]
        report.todo.append("risks: the card has no separate risks; write each risk and its mitigation"
                           + (" (the Recommendations section became the mitigation)" if texts.get("mitigation") else ""))
    elif not texts.get("mitigation"):
        report.todo.append("risks: the card gives no recommendations; write each risk's mitigation")
    evaluation_data = texts.get("evaluation.data") or _model_index_datasets(metadata)
    if evaluation_data and not texts.get("evaluation.data"):
        report.went("metadata model-index datasets", "evaluation.data", "the card has no testing data section")
    training_data = texts.get("training_data")
    if not training_data and isinstance(metadata.get("datasets"), list) and metadata["datasets"]:
        training_data = "Datasets: " + ", ".join(map(str, metadata["datasets"])) + "."
        report.went("metadata datasets", "training_data", "the card has no training data section")
    evaluation = {"date": today, "data": required("evaluation.data", evaluation_data, "evaluation_data")}
    if texts.get("evaluation.method"):
        evaluation["method"] = texts["evaluation.method"]
    report.todo.append("evaluation.date: the card gives no date; it is set to the import date")
    front: dict[str, Any] = {
        "title": title_text(f"Model card: {name}"),
        "summary": summary,
        "version": FIRST_VERSION,
        "status": "draft",
        "owner": required("owner", texts.get("owner")),
        "changelog": [changelog_entry(FIRST_VERSION, today,
                                      f"First draft, imported from the Hugging Face model card of {name}.")],
        "system": required("system", ""),
        "model": name,
    }
    if found.labels.get("provider"):
        front["provider"] = found.labels["provider"]
    front.update({
        "intended_use": required("intended_use", found.lists["intended_use"]),
        "out_of_scope_use": required("out_of_scope_use", found.lists["out_of_scope_use"]),
        "limitations": required("limitations", limitations),
        "risks": risks,
        "training_data": required("training_data", training_data),
        "evaluation": evaluation,
        "human_oversight": required("human_oversight", ""),
    })
    return front


def _model_index_datasets(metadata: dict[str, Any]) -> str:
    names: list[str] = []
    index = metadata.get("model-index")
    for model in index if isinstance(index, list) else []:
        for result in (model.get("results") or []) if isinstance(model, dict) else []:
            dataset = result.get("dataset") if isinstance(result, dict) else None
            if isinstance(dataset, dict):
                name = str(dataset.get("name") or dataset.get("type") or "")
                split = f" ({dataset['split']} split)" if dataset.get("split") else ""
                if name and name + split not in names:
                    names.append(name + split)
    return ", ".join(names)


def _metadata_note(key: str, value: Any) -> str:
    if key == "model-index":
        count = sum(len(r.get("metrics") or []) for m in value if isinstance(m, dict)
                    for r in m.get("results") or [] if isinstance(r, dict)) if isinstance(value, list) else 0
        return f"{count} metric{'s' if count != 1 else ''}, shown as the metrics table" if count else "no results"
    return ""


def _report_broken_anchors(body_text: str, report: ImportReport) -> None:
    """In-page links to headings that moved into fields: the strict build refuses them."""
    ids = markup.element_ids(markup.render(body_text))
    for anchor in sorted(set(re.findall(r"\]\(#([^)\s]+)\)", body_text))):
        if anchor not in ids:
            report.todo.append(f"the text links to #{anchor}, a heading that is no longer in the text: "
                               "fix or remove the link (the build fails on it)")
