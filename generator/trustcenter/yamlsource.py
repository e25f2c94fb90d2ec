"""YAML with line numbers, and without the surprises PyYAML allows by default.

Front matter is a legal text's metadata, so the parser is strict: a duplicate key is an error (PyYAML
keeps the last one silently, which could flip an artifact's status), anchors and aliases are refused
(they allow "billion laughs" expansion), dates stay strings for pydantic to validate with a located
message, and only `true`/`false` are booleans (YAML 1.1 turns `no`, the language code, into False).
Mapping keys are always text, as written (`1:` is the key "1"): JSON, which digests and machine
outputs are written in, has no other keys, and a mapping of mixed key types could not be ordered.
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


# libyaml's parser when PyYAML has it (10x faster); aliases are then found as shared nodes.
class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    pass


MAX_DEPTH = 64
_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_ALIAS_MESSAGE = "anchors and aliases (&name, *name) are not allowed in front matter"

# Keep every implicit resolver but timestamps and YAML 1.1 booleans.
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)

# libyaml's composer calls back into Python for the tag of every node. PyYAML's generic resolver
# also walks path resolvers, which this loader has none of: a table by first character is enough.
_RESOLVERS = {first: tuple(resolvers + _StrictLoader.yaml_implicit_resolvers.get(None, []))
              for first, resolvers in _StrictLoader.yaml_implicit_resolvers.items()}


def _resolve(self, kind, value, implicit):
    if kind is ScalarNode:
        if implicit[0]:
            for tag, pattern in _RESOLVERS.get(value[:1], ()):
                if pattern.match(value):
                    return tag
        return _STR
    return _SEQ if kind is SequenceNode else _MAP


_StrictLoader.resolve = _resolve
_StrictLoader.descend_resolver = lambda self, parent, index: None
_StrictLoader.ascend_resolver = lambda self: None


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
    _check_depth(text)
    if "&" in text:
        _refuse_anchors(text)
    try:
        loader = _StrictLoader(text)
    except yaml.reader.ReaderError as exc:
        raise YamlProblem("yaml-syntax", text[: exc.position].count("\n") + 1,
                          f"invalid YAML: character {exc.character!r} is not allowed") from None
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(None, {(): 1})
        if len(_PATHS) > _PATHS_KEPT:
            _PATHS.clear()
        lines: dict[Path, int] = {}
        data = _build(loader, node, (), lines)
    except YamlProblem:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        # An error at the end of the text ("found <stream end>") is reported past it: the last
        # line written is where to look.
        filled = [n for n, row in enumerate(text.split("\n"), 1) if row.strip()]
        line = min(line, filled[-1]) if filled else 1
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


def _refuse_anchors(text: str) -> None:
    """Anchors, even unused ones: libyaml's composer keeps no trace of them, its event stream does."""
    try:
        for event in yaml.parse(text, Loader=_StrictLoader):
            if getattr(event, "anchor", None):
                raise YamlProblem("yaml-alias", event.start_mark.line + 1, _ALIAS_MESSAGE)
    except yaml.YAMLError:
        return  # the parse proper reports it, with its line


_INDENTS = re.compile(r"^[ -]+", re.MULTILINE)


def _check_depth(text: str) -> None:
    """Refuse nesting deeper than any front matter needs, before a parser recurses into it."""
    deepest = max(map(len, _INDENTS.findall(text)), default=0) // 2
    if deepest > MAX_DEPTH:
        line = next(n for n, row in enumerate(text.split("\n"), 1)
                    if (len(row) - len(row.lstrip(" -"))) // 2 == deepest)
        raise YamlProblem("yaml-too-deep", line, f"nested more than {MAX_DEPTH} levels deep")
    if "[" not in text and "{" not in text:
        return
    depth = 0
    for bracket in re.finditer(r"[\[\]{}]", text):
        depth = depth + 1 if bracket.group(0) in "[{" else max(depth - 1, 0)
        if depth > MAX_DEPTH:
            line = text[: bracket.start()].count("\n") + 1
            raise YamlProblem("yaml-too-deep", line, f"nested more than {MAX_DEPTH} levels deep")


_PLAIN_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")}


# One tuple for each path however many documents have it: every version of every artifact has
# `("changelog", 0, "version")`, and the history holds them all.
_PATHS: dict[Path, Path] = {}
_PATHS_KEPT = 100_000


def _build(loader, node: Node, path: Path, lines: dict[Path, int]) -> Any:
    """Plain data from the node tree, recording the line of every key and item on the way.

    No node is reached twice: anchors are refused before composing, and without an anchor there
    is no alias.
    """
    lines[_PATHS.setdefault(path, path)] = node.start_mark.line + 1
    if node.tag not in _PLAIN_TAGS:
        raise YamlProblem("yaml-syntax", node.start_mark.line + 1,
                          f"the tag '{node.tag}' is not allowed: front matter holds plain text, "
                          "numbers, true/false, lists and mappings")
    if isinstance(node, ScalarNode):
        return node.value if node.tag == _STR else loader.construct_object(node)
    if isinstance(node, SequenceNode):
        return [_build(loader, item, path + (index,), lines) for index, item in enumerate(node.value)]
    if not isinstance(node, MappingNode):
        return loader.construct_object(node)
    data: dict[Any, Any] = {}
    keys: dict[Any, int] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            raise YamlProblem("yaml-syntax", key_node.start_mark.line + 1, "mapping keys must be plain values")
        key, line = key_node.value, key_node.start_mark.line + 1
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise YamlProblem("yaml-alias", line, _ALIAS_MESSAGE)
        if key in keys:
            raise YamlProblem("yaml-duplicate-key", line,
                              f"duplicate key '{key}' (first given on line {keys[key]})")
        keys[key] = line
        data[key] = _build(loader, value_node, path + (key,), lines)
        lines[_PATHS.setdefault(path + (key,), path + (key,))] = line
    return data


def load_data_file(path) -> Any:
    """A data file shipped with the package (rules, catalogues): trusted YAML, read with libyaml."""
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


class _PlainDumper(yaml.SafeDumper):
    """Writes a value used twice (the same date object, say) twice, never as an anchor and alias."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(data: Any) -> str:
    """Block-style YAML that round-trips through `parse`."""
    return yaml.dump(data, Dumper=_PlainDumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100)


def item_lines(text: str, path: Path) -> list[set[int]] | None:
    """The lines each item of the sequence at `path` is written on: every line that holds part of
    one of its keys or values, whatever the style (block, flow, multi-line scalars). None when the
    text does not parse or holds no sequence there."""
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    for step in path:
        if not isinstance(node, MappingNode):
            return None
        node = next((value for key, value in node.value
                     if isinstance(key, ScalarNode) and key.value == step), None)
    if not isinstance(node, SequenceNode):
        return None
    return [_node_lines(item) for item in node.value]


def _node_lines(node: Node) -> set[int]:
    if isinstance(node, ScalarNode):
        first, last = node.start_mark.line + 1, node.end_mark.line + 1
        if last > first and node.end_mark.column == 0:
            last -= 1  # a block scalar (`|`, `>`) ends at the start of the line after it
        return set(range(first, last + 1))
    lines = {node.start_mark.line + 1}
    children = node.value if isinstance(node, SequenceNode) else [part for pair in node.value for part in pair]
    for child in children:
        lines |= _node_lines(child)
    return lines
