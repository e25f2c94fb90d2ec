"""The benchmark: synthetic trust centers of several sizes, timed against two peers on the same pages.

For each size it generates a trust center in a temporary git repository (every type, five committed
versions each, see synthetic.py) and measures, several runs each:

- `trustcenter check`, and the history pass alone (one git log, one cat-file batch),
- a full `trustcenter build`, with the peak memory of the process,
- a `serve` rebuild: the time from saving an edit to one artifact to the preview serving it,
- peer 1: a plain Material for MkDocs build (navigation.prune) of what `trustcenter export` writes,
- peer 2: Python-Markdown alone rendering the Markdown of those same pages.

It prints a table with the ratios the project aims at and writes every figure as JSON. It never
asserts a time: a benchmark reports, and people read it.

    python benchmarks/run.py [--sizes 100,1000,3000] [--runs 3] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import synthetic  # noqa: E402

BIN = Path(sys.executable).parent
TRUSTCENTER = str(BIN / "trustcenter")
EDITED = "content/model-cards/artifact-00001.md"  # a model card: the richest page of the site

# Python-Markdown alone: every page's Markdown (front matter removed), one documented call per page.
MARKDOWN_ONLY = r"""
import sys, time
from pathlib import Path
import markdown
from trustcenter import markup
pages = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[1]).rglob("*.md"))]
start = time.perf_counter()
for text in pages:
    body = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text
    markdown.markdown(body, extensions=markup.MARKDOWN_EXTENSIONS,
                      extension_configs=markup.MARKDOWN_EXTENSION_CONFIGS)
print(time.perf_counter() - start, len(pages))
"""

HISTORY_PASS = r"""
import sys, time
from pathlib import Path
from trustcenter.history import read_history
from trustcenter.load import load_artifacts
from trustcenter.config import load_config
root = Path(sys.argv[1])
keys = [artifact.key for artifact in load_artifacts(root, load_config(root).fact_values).artifacts]
start = time.perf_counter()
history = read_history(root)
revisions = sum(len(history.of(key)) for key in keys)
print(time.perf_counter() - start, revisions)
"""


@dataclass
class Figure:
    """Several runs of one measurement, in seconds, and the largest peak memory seen (MiB)."""

    runs: list[float] = field(default_factory=list)
    peak_mib: float = 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.runs) if self.runs else float("nan")

    @property
    def spread(self) -> float:
        return (max(self.runs) - min(self.runs)) if self.runs else float("nan")

    def summary(self) -> dict:
        return {"median_s": round(self.median, 4), "spread_s": round(self.spread, 4),
                "runs_s": [round(r, 4) for r in self.runs], "peak_mib": round(self.peak_mib, 1)}


def timed(command: list[str], cwd: Path, figure: Figure, env: dict | None = None) -> str:
    """Run a command, add its wall time and peak memory to `figure`, return its output."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env=env or _environment())
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    figure.runs.append(time.perf_counter() - start)
    figure.peak_mib = max(figure.peak_mib, usage.ru_maxrss / 1024)
    text = output.decode("utf-8", "replace")
    if process.returncode != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(command)}\n{text}")
    return text


def inner(script: str, argument: Path, figure: Figure) -> int:
    """Run a Python snippet that times itself (no interpreter start-up); return its count."""
    output = timed([sys.executable, "-c", script, str(argument)], argument, Figure())
    seconds, count = output.split()[-2:]
    figure.runs.append(float(seconds))
    return int(count)


def serve_rebuilds(root: Path, runs: int) -> Figure:
    """From saving an edit to one artifact until the running preview serves the edited page."""
    figure = Figure()
    port = _free_port()
    server = subprocess.Popen([TRUSTCENTER, "serve", "--root", str(root), "--dev-addr", f"127.0.0.1:{port}"],
                              cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_environment())
    page = f"http://127.0.0.1:{port}/model-cards/artifact-00001/"
    try:
        _wait_for(page, lambda text: True, timeout=1800)
        source = root / EDITED
        original = source.read_text(encoding="utf-8")
        for run in range(runs):
            marker = f"Benchmark edit number {run} of this page."
            start = time.perf_counter()
            source.write_text(original.rstrip("\n") + f"\n\n{marker}\n", encoding="utf-8")
            _wait_for(page, lambda text: marker in text, timeout=600)
            figure.runs.append(time.perf_counter() - start)
            time.sleep(0.5)  # let the server settle before the next edit
        source.write_text(original, encoding="utf-8")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return figure


def measure(size: int, versions: int, runs: int, work: Path) -> dict:
    root = synthetic.generate(work / "trust", size, versions)
    figures = {name: Figure() for name in ("check", "history", "build", "serve_rebuild",
                                          "material_peer", "markdown_peer")}
    pages = 0
    for run in range(runs):
        timed([TRUSTCENTER, "check", "--root", str(root)], root, figures["check"])
        revisions = inner(HISTORY_PASS, root, figures["history"])
        out = timed([TRUSTCENTER, "build", "--root", str(root), "--out", str(work / "site")], root,
                    figures["build"])
        pages = int(re.search(r"built (\d+) pages", out).group(1))
    export = work / "export"
    shutil.rmtree(export, ignore_errors=True)
    timed([TRUSTCENTER, "export", "--root", str(root), str(export)], root, Figure())
    for run in range(runs):
        timed([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(export / "mkdocs.yml"),
               "-d", str(work / "peer-site")], export, figures["material_peer"])
        inner(MARKDOWN_ONLY, export / "docs", figures["markdown_peer"])
    figures["serve_rebuild"] = serve_rebuilds(root, runs)
    return {"artifacts": size, "versions": versions, "revisions": revisions, "pages": pages,
            **{name: figure.summary() for name, figure in figures.items()}}


def report(results: list[dict]) -> str:
    """The table: medians (spread) per size, then the ratios the project's targets are stated in."""
    rows = [("artifacts", "pages", "check", "history", "build", "build/artifact", "peak MiB",
             "serve rebuild", "Material peer", "Markdown peer", "build/Material", "build/Markdown")]
    for r in results:
        def cell(name: str) -> str:
            return f"{r[name]['median_s']:.2f} s (±{r[name]['spread_s'] / 2:.2f})"
        rows.append((str(r["artifacts"]), str(r["pages"]), cell("check"), cell("history"), cell("build"),
                     f"{1000 * r['build']['median_s'] / r['artifacts']:.1f} ms",
                     f"{r['build']['peak_mib']:.0f}", cell("serve_rebuild"), cell("material_peer"),
                     cell("markdown_peer"),
                     f"{r['build']['median_s'] / r['material_peer']['median_s']:.2f}x",
                     f"{r['build']['median_s'] / r['markdown_peer']['median_s']:.1f}x"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [" | ".join(value.ljust(width) for value, width in zip(row, widths)) for row in rows]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    if len(results) > 1:
        small, large = results[0], results[-1]
        growth = (large["build"]["median_s"] / large["artifacts"]) / (small["build"]["median_s"] / small["artifacts"])
        lines.append(f"\ncost per artifact at {large['artifacts']} / at {small['artifacts']}: {growth:.2f}x")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,3000", help="artifact counts, comma-separated")
    parser.add_argument("--versions", type=int, default=5, help="committed versions per artifact")
    parser.add_argument("--runs", type=int, default=3, help="runs of every measurement")
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results.json"),
                        help="where to write every figure (default: %(default)s)")
    args = parser.parse_args(argv)
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="trustcenter-bench-") as name:
            print(f"measuring {size} artifacts x {args.versions} versions ...", file=sys.stderr, flush=True)
            results.append(measure(size, args.versions, args.runs, Path(name)))
    table = report(results)
    print(table)
    machine = {"python": platform.python_version(), "system": platform.platform(),
               "cpus": os.cpu_count(), "runs": args.runs}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"machine": machine, "results": results}, indent=2) + "\n")
    print(f"\nfigures written to {args.json}", file=sys.stderr)
    return 0


def _environment() -> dict:
    # Fixed build date: every run builds the same site. No proxy: everything is on loopback.
    return {**os.environ, "SOURCE_DATE_EPOCH": "1767225600", "NO_PROXY": "*", "no_proxy": "*"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, ready, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while time.monotonic() < deadline:
        try:
            with opener.open(url, timeout=5) as response:
                if ready(response.read().decode("utf-8", "replace")):
                    return
        except OSError:
            pass
        time.sleep(0.02)
    raise SystemExit(f"benchmark: {url} was not ready within {timeout:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
