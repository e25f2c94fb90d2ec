"""Measurements: what an SLA delivered, period by period, read from CSV files beside it.

An SLA `content/slas/<id>.md` may keep its measured performance in `content/slas/<id>/measurements/`,
in any number of `*.csv` files (one a year, say), one row per calendar month or quarter. The files'
text is part of the SLA's approved content: adding or changing a row changes its digest, so the
figures are only ever published as part of an approved SLA version, read from the same commit.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

from pydantic import ValidationError

from .findings import Finding, error, warning
from .files import linked_part, tree_symlink_findings
from .schema import (ARTIFACT_TYPES, MEASUREMENT_COLUMNS, REQUIRED_MEASUREMENT_COLUMNS,
                     MeasurementRow, Period, SlaMeta)

if TYPE_CHECKING:
    from .load import Artifact

MEASUREMENTS_FOLDER = "measurements"
MEASURED_TYPE = ARTIFACT_TYPES["sla"]
COMMENT = "#"


@dataclass(frozen=True)
class Measurement:
    """One valid row, with the file line it came from."""

    row: MeasurementRow
    path: str
    line: int

    @property
    def period(self) -> Period:
        return self.row.period


@dataclass(frozen=True)
class Measurements:
    """An SLA's measurement files: their text (what is approved) and their valid rows, by period."""

    files: Mapping[str, str]              # name inside the SLA's folder -> text, LF, end trimmed
    entries: tuple[Measurement, ...]

    def canonical(self) -> str:
        """The files as sorted JSON: the part of the SLA's canonical content they contribute."""
        return json.dumps(dict(self.files), sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    def latest(self, count: int) -> tuple[Measurement, ...]:
        return self.entries[-count:]

    def as_fields(self) -> dict[str, Any]:
        """Each period as one readable line, so diffs and reviews show what changed."""
        return {"measurements": {str(m.period): summary(m.row) for m in self.entries}}


# --- where the files are -------------------------------------------------------------------------

def measurement_folder(artifact_path: str) -> str:
    """'content/slas/api.md' -> 'content/slas/api/measurements'."""
    return f"{artifact_path.removesuffix('.md')}/{MEASUREMENTS_FOLDER}"


def owner_of(path: str) -> str | None:
    """The SLA file that a measurement file belongs to, or None if `path` is no measurement file."""
    if not path.endswith(".csv"):
        return None
    folder, _, name = path.rpartition("/")
    artifact_folder, _, leaf = folder.rpartition("/")
    if leaf != MEASUREMENTS_FOLDER:
        return None
    if artifact_folder.rpartition("/")[0] != MEASURED_TYPE.folder:
        return None
    return f"{artifact_folder}.md"


def files_on_disk(root: Path, artifact_path: str) -> dict[str, bytes]:
    """The measurement files of one SLA in the working tree, by repository path."""
    folder = root / measurement_folder(artifact_path)
    if not folder.is_dir():
        return {}
    # A linked file or folder is never read; stray_findings reports it.
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(folder.glob("*.csv"))
            if path.is_file() and linked_part(root, path.relative_to(root).as_posix()) is None}


def stray_findings(root: Path) -> list[Finding]:
    """Warnings for files in an SLA's folder that nothing reads, so a misplaced file is noticed."""
    findings = []
    folder = root / MEASURED_TYPE.folder
    if linked_part(root, MEASURED_TYPE.folder) is not None:
        return findings   # load reports the linked folder
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []:
        relative = sub.relative_to(root).as_posix()
        linked = tree_symlink_findings(root, relative)
        if linked:
            findings += linked
            continue
        if not (folder / f"{sub.name}.md").is_file():
            findings.append(warning(relative, 1, "measurement-file-ignored",
                                    f"not read: there is no SLA {relative}.md for this folder"))
            continue
        for path in sorted(p for p in sub.rglob("*") if p.is_file() and p.suffix != ".md"):
            name = path.relative_to(root).as_posix()
            if owner_of(name) is None:
                findings.append(warning(name, 1, "measurement-file-ignored",
                                        f"not read: measurements are {relative}/{MEASUREMENTS_FOLDER}/*.csv"))
    return findings


# --- reading -------------------------------------------------------------------------------------

def read_measurements(texts: Mapping[str, str], artifact_path: str) -> tuple[Measurements, list[Finding]]:
    """Parse and validate an SLA's measurement files (decoded text by repository path)."""
    prefix = artifact_path.removesuffix(".md") + "/"
    files, entries, findings = {}, [], []
    for path in sorted(texts):
        files[path.removeprefix(prefix)] = texts[path].rstrip()
        rows, problems = _read_file(path, texts[path])
        entries += rows
        findings += problems
    entries.sort(key=lambda m: (m.period, m.path, m.line))
    # A gap is only a gap when every row could be read: a refused row is reported already.
    kept, problems = _in_sequence(entries, gaps=not findings)
    return Measurements(files, tuple(kept)), findings + problems


def _read_file(path: str, text: str) -> tuple[list[Measurement], list[Finding]]:
    # Comment lines become blank lines, so every line keeps its number.
    lines = ["" if line.lstrip().startswith(COMMENT) else line for line in text.split("\n")]
    reader = csv.reader(io.StringIO("\n".join(lines)), strict=True)
    header: list[str] | None = None
    rows, findings, end = [], [], 0
    try:
        for cells in reader:
            line, end = end + 1, reader.line_num
            cells = [cell.strip() for cell in cells]
            if not any(cells):
                continue
            if header is None:
                problem = _header_problem(cells)
                if problem:
                    return [], [error(path, line, "measurement-header", problem)]
                header = cells
                continue
            if len(cells) > len(header):  # fewer are fine: the cells left out are empty
                findings.append(error(path, line, "measurement-syntax",
                                      f"{len(cells)} values, but the header names {len(header)} columns "
                                      f"({', '.join(header)}); quote a value that contains a comma"))
                continue
            values = {name: cell for name, cell in zip(header, cells) if cell}
            try:
                rows.append(Measurement(MeasurementRow.model_validate(values), path, line))
            except ValidationError as exc:
                findings += [error(path, line, "measurement-invalid", _message(problem))
                             for problem in exc.errors(include_url=False)]
    except csv.Error as exc:  # located at the start of the row it could not read
        findings.append(error(path, end + 1, "measurement-syntax", f"not valid CSV: {exc}"))
    if header is None and not findings:
        findings.append(error(path, 1, "measurement-header", "the file is empty: its first line names "
                              f"the columns ({', '.join(MEASUREMENT_COLUMNS)})"))
    return rows, findings


def _header_problem(cells: list[str]) -> str | None:
    known = ", ".join(MEASUREMENT_COLUMNS)
    unknown = [name for name in cells if name not in MEASUREMENT_COLUMNS]
    if unknown:
        return (f"unknown column {', '.join(repr(n) for n in unknown)}: the first line names the columns, "
                f"from {known}")
    repeated = sorted({name for name in cells if cells.count(name) > 1})
    if repeated:
        return f"column {', '.join(repr(n) for n in repeated)} is named more than once"
    missing = [name for name in REQUIRED_MEASUREMENT_COLUMNS if name not in cells]
    if missing:
        return f"missing column {', '.join(repr(n) for n in missing)} (every file needs {', '.join(REQUIRED_MEASUREMENT_COLUMNS)})"
    return None


def _message(problem: dict) -> str:
    """A pydantic error as the author of the file needs it: which column, what is wrong, what to write."""
    text = problem["msg"].removeprefix("Value error, ")
    if not problem["loc"]:  # a rule about the whole row
        return text
    column = str(problem["loc"][0])
    if problem["type"] == "missing":
        return f"{column}: a value is required"
    if problem["type"] == "float_parsing":
        return (f"{column}: {problem['input']!r} is not a number; write digits with a decimal "
                "point, without % or units (e.g. 99.95)")
    if problem["type"] in ("int_parsing", "int_from_float"):
        return f"{column}: {problem['input']!r} is not a whole number (e.g. 2)"
    if "input" in problem and isinstance(problem["input"], str):
        text += f" (got {problem['input']!r})"
    return f"{column}: {text}"


def _in_sequence(entries: list[Measurement], gaps: bool) -> tuple[list[Measurement], list[Finding]]:
    """The rows without duplicates and overlaps (errors), with a warning for each gap between periods."""
    kept: list[Measurement] = []
    first: dict[Period, Measurement] = {}
    findings = []
    for entry in entries:
        previous = kept[-1] if kept else None
        if entry.period in first:
            earlier = first[entry.period]
            findings.append(error(entry.path, entry.line, "measurement-duplicate-period",
                                  f"{entry.period} is already measured at {earlier.path}:{earlier.line}; "
                                  "each period is measured once"))
            continue
        first[entry.period] = entry
        if previous is not None and entry.period.start < previous.period.end:
            findings.append(error(entry.path, entry.line, "measurement-overlap",
                                  f"{entry.period} overlaps {previous.period} at {previous.path}:"
                                  f"{previous.line}; each period is measured once"))
            continue
        if gaps and previous is not None and entry.period.start > previous.period.end:
            missing = _months(previous.period.end, entry.period.start)
            span = missing[0] if len(missing) == 1 else f"{missing[0]} to {missing[-1]}"
            findings.append(warning(entry.path, entry.line, "measurement-gap",
                                    f"no measurements for {span} (between {previous.period} and "
                                    f"{entry.period})"))
        kept.append(entry)
    return kept, findings


def _months(start: date, end: date) -> list[str]:
    months = []
    while start < end:
        months.append(f"{start:%Y-%m}")
        start = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return months


# --- against the targets -------------------------------------------------------------------------

@dataclass(frozen=True)
class Metric:
    """A measured column, how it is shown, and the SLA target it is held against."""

    key: str
    label: str
    column: str
    unit: str
    comparison: str | None                           # 'at least' or 'at most' the target
    target_of: Callable[[SlaMeta], float | None]
    companion: tuple[str, str] | None = None         # (column, label) shown beside it, no target

    def value(self, row: MeasurementRow) -> float | None:
        return getattr(row, self.column)

    def target(self, meta: SlaMeta) -> float | None:
        return self.target_of(meta)

    def outcome(self, meta: SlaMeta, row: MeasurementRow) -> Outcome:
        return Outcome(self, self.value(row), self.target(meta))


METRICS = (
    Metric("uptime", "Uptime", "uptime_percent", "%", "at least", lambda meta: meta.uptime.target),
    Metric("latency", "Latency, p95", "latency_p95_ms", "ms", "at most",
           lambda meta: meta.reported_latency.target_ms if meta.reported_latency else None,
           companion=("latency_p50_ms", "p50")),
    Metric("error-rate", "Error rate", "error_rate_percent", "%", "at most",
           lambda meta: meta.error_rate.target if meta.error_rate else None),
    Metric("incidents", "Incidents", "incidents", "", None, lambda meta: None),
)


@dataclass(frozen=True)
class Outcome:
    """One metric of one period against its target."""

    metric: Metric
    value: float | None
    target: float | None

    @property
    def met(self) -> bool | None:
        """True or False against the target; None when there is no value or no target."""
        if self.value is None or self.target is None:
            return None
        if self.metric.comparison == "at least":
            return self.value >= self.target
        return self.value <= self.target

    def describe(self) -> str:
        """'99.82% against a target of at least 99.9%'."""
        return (f"{format_value(self.value, self.metric.unit)} against a target of "
                f"{self.metric.comparison} {format_target(self.target, self.metric.unit)}")


def outcomes(meta: SlaMeta, row: MeasurementRow) -> list[Outcome]:
    return [metric.outcome(meta, row) for metric in METRICS]


def misses(meta: SlaMeta, row: MeasurementRow) -> list[Outcome]:
    """The targets this period missed."""
    return [outcome for outcome in outcomes(meta, row) if outcome.met is False]


def format_value(value: float | None, unit: str) -> str:
    """A value as a reader sees it: '99.80%', '0.019%', '1,200 ms', '2'; '' when not measured.

    Percentages keep at least two decimals, so a column of them lines up; no value is rounded.
    """
    if value is None:
        return ""
    decimals = 2 if unit == "%" else 0
    while decimals < 6 and round(value, decimals) != value:
        decimals += 1
    return _with_unit(f"{value:,.{decimals}f}", unit)


def format_target(value: float | None, unit: str) -> str:
    """A target or an axis label, as short as the number allows: '99.9%', '6,000 ms'."""
    return "" if value is None else _with_unit(f"{value:,.6g}", unit)


def _with_unit(number: str, unit: str) -> str:
    return f"{number}%" if unit == "%" else f"{number} {unit}".strip()


# The measured columns in reading order, as a one-line summary names them.
SUMMARY = (("uptime_percent", "uptime", "%"), ("latency_p50_ms", "latency p50", "ms"),
           ("latency_p95_ms", "latency p95", "ms"), ("error_rate_percent", "error rate", "%"),
           ("incidents", "incidents", ""))


def summary(row: MeasurementRow) -> str:
    """One period's figures on one line, for diffs and reviews."""
    parts = [f"{label} {format_value(getattr(row, column), unit)}"
             for column, label, unit in SUMMARY if getattr(row, column) is not None]
    if row.notices:
        parts.append("notices " + " ".join(row.notices))
    if row.notes:
        parts.append(f"notes: {row.notes}")
    return "; ".join(parts)


# --- checks --------------------------------------------------------------------------------------

def measurement_findings(artifact: Artifact, known: set[str], today: date) -> list[Finding]:
    """The notices a period names exist, a missed target names one, and every period is over."""
    if artifact.measurements is None:
        return []
    findings = []
    for entry in artifact.measurements.entries:
        findings += [error(entry.path, entry.line, "reference-unknown",
                           f"notices: '{notice}' is not a notice of this trust center "
                           f"(no {ARTIFACT_TYPES['notice'].folder}/{notice}.md)")
                     for notice in entry.row.notices if f"notice/{notice}" not in known]
        missed = misses(artifact.meta, entry.row)
        if missed and not entry.row.notices:
            what = "; ".join(f"{o.metric.label.lower()}: {o.describe()}" for o in missed)
            findings.append(warning(entry.path, entry.line, "measurement-miss-unexplained",
                                    f"{entry.period} missed its target ({what}) and names no notice "
                                    "that explains it to customers (the notices column)"))
        if entry.period.end > today:
            findings.append(warning(entry.path, entry.line, "measurement-period-future",
                                    f"{entry.period} has not ended on {today.isoformat()}: "
                                    "report a period once it is over"))
    return findings
