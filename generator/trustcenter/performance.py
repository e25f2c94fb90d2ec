"""Performance: what an SLA's pages show of its measurements, decided here and laid out by theme/.

The page of an SLA version shows, per metric, the last `WINDOW` periods as a chart (an SVG file
beside the page, drawn by `charts`) with a table of the same values, the periods that missed a
target with the notices that explain them, and every period in one table. The home page shows the
last period of each SLA. Every figure comes from the SLA version shown, so a frozen version keeps
the measurements that were approved with it.
"""

from __future__ import annotations

from typing import Any, Mapping

from .charts import Chart, Series
from .measurements import (METRICS, Measurement, Measurements, Metric, format_target, format_value, misses,
                           outcomes)
from .schema import SlaMeta

WINDOW = 12
SIGN = {"at least": "≥", "at most": "≤"}
RESULT = {True: "met", False: "missed", None: ""}


def chart_file(folder: str, metric: Metric) -> str:
    """Where a metric's chart is written: beside the page of the version it belongs to."""
    return f"{folder}{metric.key}.svg"


def performance_view(meta: SlaMeta, measured: Measurements, folder: str,
                     notices: Mapping[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The measured-performance section of one SLA version's page."""
    window = measured.latest(WINDOW)
    if not window:
        return None
    unit = _unit(window)
    metrics = []
    for metric in _shown_metrics(window):
        target = metric.target(meta)
        results = [metric.outcome(meta, entry.row).met for entry in window]
        columns = ([metric.companion[1], "p95"] if metric.companion else [metric.label])
        rows = [{"period": str(entry.period), "period_name": entry.period.name,
                 "cells": [format_value(_value(entry, column), metric.unit) for column in _columns(metric)],
                 "result": RESULT[result]}
                for entry, result in zip(window, results)]
        metrics.append({
            "key": metric.key,
            "heading": _heading(meta, metric),
            "chart": chart_file(folder, metric),
            "alt": _alt(meta, metric, window, results, unit),
            "target": f"{metric.comparison} {format_target(target, metric.unit)}" if target is not None else None,
            "target_short": f"{SIGN[metric.comparison]} {format_target(target, metric.unit)}" if target is not None else None,
            "columns": columns,
            "rows": rows,
        })
    missed = [_missed(meta, entry, notices) for entry in window if misses(meta, entry.row)]
    return {
        "unit": unit,
        "first": window[0].period.name,
        "last": window[-1].period.name,
        "count": len(window),
        "since": measured.entries[0].period.name,
        "total": len(measured.entries),
        "met": sum(1 for entry in window if not misses(meta, entry.row)),
        "metrics": metrics,
        "missed": missed,
        "all": [_full_row(meta, entry, notices) for entry in reversed(measured.entries)],
    }


def performance_charts(meta: SlaMeta, measured: Measurements, folder: str) -> dict[str, Chart]:
    """Every chart the page of one SLA version shows, by the file it is written to."""
    window = measured.latest(WINDOW)
    ticks = _ticks(window)
    charts = {}
    for metric in _shown_metrics(window):
        target = metric.target(meta)
        series = [Series(metric.label if not metric.companion else "p95",
                         tuple(metric.value(entry.row) for entry in window))]
        if metric.companion:
            series.append(Series(metric.companion[1], tuple(_value(entry, metric.companion[0])
                                                             for entry in window), companion=True))
        charts[chart_file(folder, metric)] = Chart(
            title=_heading(meta, metric), ticks=ticks, series=tuple(series), unit=metric.unit,
            target=target,
            target_label=f"Target: {metric.comparison} {format_target(target, metric.unit)}" if target is not None else "",
            missed=tuple(metric.outcome(meta, entry.row).met is False for entry in window),
            bars=metric.comparison is None)
    return charts


def latest_view(meta: SlaMeta, measured: Measurements | None) -> dict[str, Any] | None:
    """The last measured period, for the home page: its uptime and whether every target was met."""
    if measured is None or not measured.entries:
        return None
    last = measured.entries[-1]
    return {"period": last.period.name,
            "uptime": format_value(last.row.uptime_percent, "%"),
            "met": not misses(meta, last.row),
            "missed": [outcome.metric.label.lower() for outcome in misses(meta, last.row)]}


def _shown_metrics(window: tuple[Measurement, ...]) -> list[Metric]:
    """The metrics with at least one value in the window (a column nobody fills is not charted)."""
    return [metric for metric in METRICS
            if any(value is not None for entry in window for value in
                   (_value(entry, column) for column in _columns(metric)))]


def _columns(metric: Metric) -> list[str]:
    return [metric.companion[0], metric.column] if metric.companion else [metric.column]


def _value(entry: Measurement, column: str) -> float | None:
    return getattr(entry.row, column)


def _heading(meta: SlaMeta, metric: Metric) -> str:
    if metric.key == "latency" and meta.reported_latency is not None:
        return f"Latency: {meta.reported_latency.name}"
    return metric.label


def _unit(window: tuple[Measurement, ...]) -> str:
    return "month" if all(entry.period.is_month for entry in window) else "period"


def _ticks(window: tuple[Measurement, ...]) -> tuple[str, ...]:
    """Short period labels, with the year under the first period and under each January or Q1."""
    ticks = []
    for index, entry in enumerate(window):
        period = entry.period
        short = period.name.split()[0][:3] if period.is_month else period.label[5:]
        ticks.append(f"{short}\n{period.start.year}" if index == 0 or period.start.month == 1 else short)
    return tuple(ticks)


def _alt(meta: SlaMeta, metric: Metric, window: tuple[Measurement, ...], results: list[bool | None],
         unit: str) -> str:
    """The chart in words: what it shows, against which target, and how often it was met."""
    span = f"each {unit} from {window[0].period.name} to {window[-1].period.name}"
    target = metric.target(meta)
    judged = [r for r in results if r is not None]
    if target is None or not judged:
        values = [v for entry in window for v in (_value(entry, c) for c in _columns(metric)) if v is not None]
        return (f"Chart of {_heading(meta, metric).lower()} for {span}, from "
                f"{format_value(min(values), metric.unit)} to {format_value(max(values), metric.unit)}; "
                "the table beside it gives every value.")
    missed = [entry.period.name for entry, result in zip(window, results) if result is False]
    text = (f"Chart of {_heading(meta, metric).lower()} for {span}, against a target of "
            f"{metric.comparison} {format_target(target, metric.unit)}: met in {judged.count(True)} of "
            f"{len(judged)} {unit}s")
    text += f"; missed in {', '.join(missed)}" if missed else ""
    return text + ". The table beside it gives every value."


def _notice_links(entry: Measurement, notices: Mapping[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [notices.get(notice, {"title": notice, "url": None}) for notice in entry.row.notices]


def _missed(meta: SlaMeta, entry: Measurement, notices: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    return {"period": entry.period.name,
            "targets": [{"metric": outcome.metric.label, "text": outcome.describe()}
                        for outcome in misses(meta, entry.row)],
            "notices": _notice_links(entry, notices),
            "notes": entry.row.notes}


def _full_row(meta: SlaMeta, entry: Measurement, notices: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    row = entry.row
    missed = misses(meta, entry.row)
    judged = any(outcome.met is not None for outcome in outcomes(meta, row))
    return {"period": str(row.period), "period_name": row.period.name,
            "uptime": format_value(row.uptime_percent, "%"),
            "latency_p50": format_value(row.latency_p50_ms, "ms"),
            "latency_p95": format_value(row.latency_p95_ms, "ms"),
            "error_rate": format_value(row.error_rate_percent, "%"),
            "incidents": format_value(row.incidents, ""),
            "result": ("missed: " + ", ".join(o.metric.label.lower() for o in missed)) if missed
                      else ("met" if judged else ""),
            "notices": _notice_links(entry, notices),
            "notes": row.notes}
