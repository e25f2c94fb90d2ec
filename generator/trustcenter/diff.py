"""Diffs a customer can read: text compared block by block and word by word, fields before and after."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from .approval import UNSIGNED_FIELDS
from .markup import plain_text

# Fields shown elsewhere on the diff page (the changelog) or not part of the approved content.
_NOT_COMPARED = {"approvals", "changelog"}  # a retirement (status) is a change readers see
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class Segment:
    op: str          # 'equal', 'insert' or 'delete'
    text: str


@dataclass(frozen=True)
class Block:
    kind: str        # 'equal', 'changed', 'inserted' or 'deleted'
    heading: bool
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str | None
    after: str | None


def body_diff(old: str, new: str) -> tuple[Block, ...]:
    """The new text against the old, paragraph by paragraph, changed paragraphs word by word."""
    old_blocks, new_blocks = _blocks(old), _blocks(new)
    matcher = SequenceMatcher(None, [b[1] for b in old_blocks], [b[1] for b in new_blocks], autojunk=False)
    result: list[Block] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            result += [Block("equal", h, (Segment("equal", t),)) for h, t in new_blocks[b1:b2]]
            continue
        olds, news = old_blocks[a1:a2], new_blocks[b1:b2]
        for (old_heading, old_text), (new_heading, new_text) in zip(olds, news):
            result.append(Block("changed", new_heading, tuple(word_diff(old_text, new_text))))
        result += [Block("deleted", h, (Segment("delete", t),)) for h, t in olds[len(news):]]
        result += [Block("inserted", h, (Segment("insert", t),)) for h, t in news[len(olds):]]
    return tuple(result)


def word_diff(old: str, new: str) -> list[Segment]:
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    segments: list[Segment] = []
    for op, a1, a2, b1, b2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            _append(segments, "equal", "".join(a[a1:a2]))
        else:
            _append(segments, "delete", "".join(a[a1:a2]))
            _append(segments, "insert", "".join(b[b1:b2]))
    return segments


def _append(segments: list[Segment], op: str, text: str) -> None:
    if not text:
        return
    if segments and segments[-1].op == op:
        segments[-1] = Segment(op, segments[-1].text + text)
    else:
        segments.append(Segment(op, text))


@functools.lru_cache(maxsize=256)  # a version is compared with the one before it and the one after
def _blocks(body: str) -> tuple[tuple[bool, str], ...]:
    """(is heading, plain text) for each paragraph-level block of a Markdown body."""
    blocks = []
    for chunk in re.split(r"\n\s*\n", body.strip()):
        if chunk.strip():
            heading = bool(re.match(r"#{1,6}\s", chunk.lstrip()))
            text = plain_text(chunk)
            if text:
                blocks.append((heading, text))
    return tuple(blocks)


def field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """Front-matter fields whose value differs, flattened to readable names and values."""
    before, after = _flatten(old), _flatten(new)
    changes = []
    for name in sorted(set(before) | set(after)):
        if before.get(name) != after.get(name):
            changes.append(FieldChange(name, before.get(name), after.get(name)))
    return changes


def _flatten(data: Any, prefix: str = "") -> dict[str, str]:
    if isinstance(data, dict):
        flat: dict[str, str] = {}
        for key, value in data.items():
            if not prefix and key in _NOT_COMPARED:
                continue
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(data, list):
        if all(not isinstance(item, (dict, list)) for item in data):
            return {prefix: "; ".join(str(item) for item in data)}
        flat = {}
        for index, item in enumerate(data, 1):
            flat.update(_flatten(item, f"{prefix}[{index}]"))
        return flat
    if isinstance(data, bool) or data is None:
        return {prefix: json.dumps(data)}
    return {prefix: str(data)}
