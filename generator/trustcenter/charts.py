"""Charts: a measured series against its target, drawn by matplotlib as a static, reproducible SVG.

What a chart shows is decided before it gets here (a `Chart`); this module only draws it. The
output is readable without colour (marker shapes, dash patterns and a legend tell the lines apart,
and a missed target is a cross with its value written beside it), keeps its text as text, and is
byte-for-byte the same on every run: the style is fixed here rather than read from the machine's
matplotlib configuration, ids are salted with a constant, and no date is written. The measured
series, its companion, the target line and the missed points carry the ids `measured`,
`companion`, `target` and `missed` (bars `bar-1`, `bar-2`, ...), for tools that read the SVG.
"""

from __future__ import annotations

import functools
import io
import math
from dataclasses import dataclass

from .measurements import format_target, format_value

# Inches at 72 points each: the SVG's natural size, about the width a page gives it beside its table.
SIZE = (4.4, 2.9)
MEASURED, COMPANION, TARGET, MISSED, GRID = "#1b4f8a", "#555555", "#222222", "#b3261e", "#d9d9d9"
TARGET_DASHES = (0, (6, 3))
STYLE = {
    "svg.fonttype": "none",            # text stays text: selectable, searchable, parsable
    "svg.hashsalt": "trustcenter",     # ids derived from a constant, not from random numbers
    "font.family": ["sans-serif"],
    "font.sans-serif": ["DejaVu Sans"],  # shipped with matplotlib: the same layout everywhere
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#444444",
    "axes.labelcolor": "#222222",
    "xtick.color": "#222222",
    "ytick.color": "#222222",
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "path.simplify": False,
}
SVG_METADATA = {"Date": None, "Creator": None}


@dataclass(frozen=True)
class Series:
    label: str                            # as the legend names it
    values: tuple[float | None, ...]      # one per period; None where nothing was measured
    companion: bool = False               # drawn lighter, dotted, with square markers


@dataclass(frozen=True)
class Chart:
    """One metric over a run of periods, and the target it is held against."""

    title: str
    ticks: tuple[str, ...]                # one label per period; a newline starts a second line
    series: tuple[Series, ...]            # the first is the one held against the target
    unit: str                             # '%', 'ms' or '' (a count)
    target: float | None = None
    target_label: str = ""
    missed: tuple[bool, ...] = ()         # per period: did the first series miss the target?
    bars: bool = False                    # counts are drawn as bars


@functools.lru_cache(maxsize=1024)  # drawn once per content: a live preview rebuilds on every save
def render_svg(chart: Chart) -> bytes:
    """The chart as SVG bytes, its numbers written as the page's tables write them."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        matplotlib.rcParams.update(STYLE)
        figure = Figure(figsize=SIZE)
        axes = figure.add_subplot()
        positions = list(range(len(chart.ticks)))
        handles = []
        main = chart.series[0]
        if chart.bars:
            heights = [value or 0 for value in main.values]
            bars = axes.bar(positions, heights, width=0.6, color="white", edgecolor=MEASURED,
                            hatch="///", linewidth=1.2, label=main.label)
            for index, bar in enumerate(bars):
                bar.set_gid(f"bar-{index + 1}")
            axes.bar_label(bars, labels=["" if v is None else format_value(v, chart.unit) for v in main.values],
                           padding=2, fontsize=7.5)
            handles.append(bars)
        else:
            for series in reversed(chart.series):
                values = [math.nan if value is None else value for value in series.values]
                line, = axes.plot(positions, values, label=series.label, clip_on=False,
                                  color=COMPANION if series.companion else MEASURED,
                                  linestyle=":" if series.companion else "-",
                                  marker="s" if series.companion else "o",
                                  markersize=4 if series.companion else 5, linewidth=1.6,
                                  gid="companion" if series.companion else "measured")
                handles.insert(0, line)
        if chart.target is not None:
            handles.append(axes.axhline(chart.target, color=TARGET, linestyle=TARGET_DASHES,
                                        linewidth=1.2, label=chart.target_label, gid="target"))
        missed = [(x, main.values[x]) for x in positions if chart.missed and chart.missed[x]]
        if missed:
            handles.append(axes.plot([x for x, _ in missed], [y for _, y in missed], linestyle="none",
                                     marker="X", markersize=10, color=MISSED, clip_on=False,
                                     markeredgecolor="white", label="Missed the target", gid="missed")[0])
            for x, y in missed:  # the value beside the cross, on the side with room for it
                right = x < len(positions) / 2
                axes.annotate(format_value(y, chart.unit), (x, y), xytext=(7 if right else -7, -3),
                              textcoords="offset points", ha="left" if right else "right",
                              fontsize=7.5, color=MISSED, fontweight="bold")
        axes.set_xticks(positions, list(chart.ticks))
        axes.set_xlim(-0.6, len(positions) - 0.4)
        axes.set_ylim(*_limits(chart))
        axes.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=chart.bars))
        axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: format_target(value, chart.unit)))
        axes.grid(axis="y", color=GRID, linewidth=0.6)
        axes.set_axisbelow(True)
        axes.tick_params(labelsize=7.5)
        figure.legend(handles=handles, labels=[h.get_label() for h in handles], loc="upper left",
                      ncols=2, frameon=False, fontsize=7.5, handlelength=3, bbox_to_anchor=(0.0, 1.0))
        figure.subplots_adjust(left=0.17, right=0.97, top=0.80, bottom=0.15)
        output = io.BytesIO()
        figure.savefig(output, format="svg", metadata={**SVG_METADATA, "Title": chart.title})
        return output.getvalue()


def _limits(chart: Chart) -> tuple[float, float]:
    """A y range that holds every value and the target, with room to spare, within natural bounds."""
    values = [v for series in chart.series for v in series.values if v is not None]
    if chart.target is not None:
        values.append(chart.target)
    if chart.bars:
        return 0, max([*values, 1]) * 1.25
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    padding = (high - low) * 0.2 or max(abs(high) * 0.01, 0.01)
    low, high = low - padding, high + padding
    if chart.unit == "%":
        low, high = max(low, 0.0), min(high, 100.0)
    elif low < 0:
        low = 0.0
    return low, high

