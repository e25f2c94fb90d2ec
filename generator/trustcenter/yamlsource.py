"""YAML with line numbers, and without the surprises PyYAML allows by default.

Front matter is a legal text's metadata, so the parser is strict: a duplicate key is an error (PyYAML
keeps the last one silently, which could flip an artifact's status), anchors and aliases are refused
(they allow "billion laughs" expansion), dates stay strings for pydantic to validate with a located
message, and only `true`/`false` are booleans (YAML 1.1 turns `no`, the language code, into False).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Path = tuple[Any, ...]


class YamlProblem(Exception):
    """A YAML document that cannot be accepted; `line` is 1-based within the document."""

    def __init__(self, rule: str, line: int, message: str):
        self.rule, self.line, self.message = rule, line, message
        super().__init__(message)


class _StrictLoader(yaml.SafeLoader):
    def compose_node(self, parent, index):  # type: ignore[override]
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise YamlProblem(
                "yaml-alias",
                event.start_mark.line + 1,
                "anchors and aliases (&name, *name) are not allowed in front matter",
            )
        return super().compose_node(parent, index)


# Keep every implicit resolver but timestamps and YAML 1.1 booleans.
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass
class YamlDocument:
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path) -> int:
        """The line of the deepest known node on `path` (1-based within the document)."""
        path = tuple(path)
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)


def parse(text: str) -> YamlDocument:
    """Parse one YAML document into plain data plus the line of every key and item."""
    try:
        loader = _StrictLoader(text)
    except yaml.reader.ReaderError as exc:
        raise YamlProblem("yaml-syntax", text[: exc.position].count("\n") + 1,
                          f"invalid YAML: character {exc.character!r} is not allowed") from None
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(None, {(): 1})
        lines: dict[Path, int] = {}
        _record_lines(node, (), lines)
        data = loader.construct_document(node)
    except YamlProblem:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        # "found <stream end>" points past the text: the last line written is where to look.
        if "<stream end>" in (exc.problem or ""):
            filled = [n for n, text in enumerate(text.split("\n"), 1) if text.strip()]
            last = filled[-1] if filled else 1
            line = min(exc.context_mark.line + 1, last) if exc.context_mark else last
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlProblem("yaml-syntax", line, f"invalid YAML: {problem}") from None
    except yaml.reader.ReaderError as exc:
        raise YamlProblem("yaml-syntax", text[: exc.position].count("\n") + 1,
                          f"invalid YAML: character {exc.character!r} is not allowed") from None
    except yaml.YAMLError as exc:
        raise YamlProblem("yaml-syntax", 1, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    return YamlDocument(data, lines)


def _record_lines(node: Node, path: Path, lines: dict[Path, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise YamlProblem("yaml-syntax", key_node.start_mark.line + 1,
                                  "mapping keys must be plain values")
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                raise YamlProblem(
                    "yaml-duplicate-key", line,
                    f"duplicate key '{key}' (first given on line {seen[key]})",
                )
            seen[key] = line
            _record_lines(value_node, path + (key,), lines)
            lines[path + (key,)] = line
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, path + (index,), lines)


def dump(data: Any) -> str:
    """Block-style YAML that round-trips through `parse`."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
