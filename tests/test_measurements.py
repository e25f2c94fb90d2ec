"""SLA measurements: read and validated beside the SLA, approved with it, charted against its targets."""

import json
import os
import re
import shutil
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from conftest import TrustCenter, html, new_trust_center, run_cli, text_of
from trustcenter.approval import artifact_digest, digest_of
from trustcenter.history import read_history
from trustcenter.load import load_artifacts
from trustcenter.measurements import METRICS, misses, outcomes, read_measurements
from trustcenter.schema import ARTIFACT_TYPES, Period

SVG = "{http://www.w3.org/2000/svg}"
APRIL = "1775606400"          # 2026-04-08: the build date, after March 2026 has ended
HEADER = "period,uptime_percent,latency_p50_ms,latency_p95_ms,error_rate_percent,incidents,notices,notes"
FILE = "content/slas/api/measurements/2025.csv"
MONTHS = [f"2025-{m:02d}" for m in range(1, 13)] + ["2026-01", "2026-02", "2026-03"]


def month_rows(missed: str = "2026-02", notice: str = "feb-outage") -> list[str]:
    """Fifteen months, one of which (`missed`) misses the 99.9% uptime target and names `notice`."""
    rows = []
    for i, month in enumerate(MONTHS):
        uptime = "99.71" if month == missed else f"{99.93 + (i % 4) * 0.02:.2f}"
        explained = (notice, "Database failover took 71 minutes") if month == missed else ("", "")
        rows.append(f"{month},{uptime},{110 + i},{300 + 4 * i},{0.02 + i / 1000:.3f},{int(month == missed)},"
                    f"{explained[0]},{explained[1]}")
    return rows


def csv_text(rows, header=HEADER):
    return "\n".join([header, *rows]) + "\n"


SLA_FIELDS = {"latency": [{"name": "API response, p95", "target_ms": 400, "reported": True}],
              "error_rate": {"target": 0.1, "measurement": "Requests answered with a server error"}}


def measured_sla(tc: TrustCenter, rows=None, **fields):
    tc.write_raw(FILE, csv_text(rows if rows is not None else month_rows()))
    return tc.publish("sla", "api", title="API SLA", effective="2026-04-02", **{**SLA_FIELDS, **fields})


# --- periods and rows -----------------------------------------------------------------------------

@pytest.mark.parametrize("text, start, end, name", [
    ("2026-03", "2026-03-01", "2026-04-01", "March 2026"),
    ("2026-12", "2026-12-01", "2027-01-01", "December 2026"),
    ("2026-Q1", "2026-01-01", "2026-04-01", "Q1 2026"),
    ("2026-Q4", "2026-10-01", "2027-01-01", "Q4 2026"),
])
def test_a_period_is_a_month_or_a_quarter(text, start, end, name):
    period = Period(text)
    assert (period.start.isoformat(), period.end.isoformat(), period.name) == (start, end, name)


@pytest.mark.parametrize("text", ["2026-13", "2026-3", "2026-Q5", "March 2026", "2026-03-01", "2026"])
def test_other_periods_are_refused(text):
    with pytest.raises(ValueError, match="YYYY-MM"):
        Period(text)


def read(text, name=FILE):
    return read_measurements({name: text}, "content/slas/api.md")


def test_rows_keep_their_file_lines_across_comments_blank_lines_and_quoted_notes():
    text = ("# Measured by external checks every minute\n" + HEADER + "\n\n"
            '2026-01,99.95,120,310,0.02,0,,"Two short\ninterruptions, both under a minute"\n'
            "# February follows\n2026-02,99.97,118,305,,,,\n")
    measured, findings = read(text)
    assert findings == []
    assert [(str(m.period), m.line) for m in measured.entries] == [("2026-01", 4), ("2026-02", 7)]
    assert measured.entries[0].row.notes == "Two short\ninterruptions, both under a minute"
    assert measured.entries[1].row.error_rate_percent is None and measured.entries[1].row.incidents is None


ROW_ERRORS = [
    # (row, rule, words in the message)
    ("2026-13,99.9", "measurement-invalid", "YYYY-MM"),
    ("2026-01,99.9%", "measurement-invalid", "'99.9%' is not a number"),
    ("2026-01,100.01", "measurement-invalid", "less than or equal to 100"),
    ("2026-01,nan", "measurement-invalid", "finite number"),
    ("2026-01,", "measurement-invalid", "uptime_percent: a value is required"),
    ("2026-01,99.9,,,,-1", "measurement-invalid", "incidents"),
    ("2026-01,99.9,,,,1.5", "measurement-invalid", "not a whole number"),
    ("2026-01,99.9,500,400", "measurement-invalid", "cannot exceed the 95th percentile"),
    ("2026-01,99.9,,,,,Not_A_Slug", "measurement-invalid", "notices"),
    ("2026-01,99.9,,,,,,<script>", "measurement-invalid", "notes"),
    ("2026-01,99.9,1,2,3,4,,,extra", "measurement-syntax", "9 values, but the header names 8"),
    ('2026-01,99.9,,,,,,"never closed', "measurement-syntax", "not valid CSV"),
]


@pytest.mark.parametrize("row, rule, words", ROW_ERRORS, ids=[r[0] for r in ROW_ERRORS])
def test_a_bad_row_is_refused_with_its_line_and_the_others_stay(row, rule, words):
    measured, findings = read(csv_text(["2025-12,99.95", row, "2026-02,99.96"]))
    assert [(f.rule, f.line) for f in findings] == [(rule, 3)], findings
    assert words in findings[0].message
    if rule != "measurement-syntax":
        assert [str(m.period) for m in measured.entries] == ["2025-12", "2026-02"]


@pytest.mark.parametrize("header, words", [
    ("period,uptime", "unknown column 'uptime'"),
    ("period,latency_p95_ms", "missing column 'uptime_percent'"),
    ("period,uptime_percent,period", "'period' is named more than once"),
    ("2026-01,99.9", "unknown column '2026-01'"),
])
def test_the_header_names_known_columns(header, words):
    _, findings = read(csv_text(["2026-01,99.9"], header=header))
    assert [(f.rule, f.line) for f in findings] == [("measurement-header", 1)]
    assert words in findings[0].message


def test_duplicates_and_overlaps_are_errors_and_gaps_warnings_across_files():
    files = {"content/slas/api/measurements/2025.csv": csv_text(["2025-Q4,99.95", "2026-Q1,99.94"],
                                                               header="period,uptime_percent"),
             FILE.replace("2025", "2026"): csv_text(["2026-02,99.9", "2026-02,99.8", "2026-06,99.9"],
                                                     header="period,uptime_percent")}
    measured, findings = read_measurements(files, "content/slas/api.md")
    assert [(f.rule, f.path.rsplit("/", 1)[1], f.line) for f in findings] == [
        ("measurement-overlap", "2026.csv", 2),
        ("measurement-duplicate-period", "2026.csv", 3),
        ("measurement-gap", "2026.csv", 4)]
    assert "2026-02 overlaps 2026-Q1 at content/slas/api/measurements/2025.csv:3" in findings[0].message
    assert "no measurements for 2026-04 to 2026-05" in findings[2].message
    assert [str(m.period) for m in measured.entries] == ["2025-Q4", "2026-Q1", "2026-06"]


def test_targets_apply_the_right_way_round(tc):
    measured_sla(tc)
    artifact = next(a for a in load_artifacts(tc.root).artifacts if a.key == "sla/api")
    february = next(m for m in artifact.measurements.entries if str(m.period) == "2026-02")
    by_metric = {o.metric.key: o for o in outcomes(artifact.meta, february.row)}
    assert by_metric["uptime"].met is False and by_metric["uptime"].target == 99.9
    assert by_metric["latency"].met is True and by_metric["latency"].target == 400
    assert by_metric["error-rate"].met is True
    assert by_metric["incidents"].target is None and by_metric["incidents"].met is None
    assert [o.metric.key for o in misses(artifact.meta, february.row)] == ["uptime"]
    assert by_metric["uptime"].describe() == "99.71% against a target of at least 99.9%"
    assert [m.key for m in METRICS] == ["uptime", "latency", "error-rate", "incidents"]


# --- the digest -----------------------------------------------------------------------------------

def test_measurements_are_part_of_the_digest_and_line_endings_are_not(tc):
    measured_sla(tc)
    artifact = load_artifacts(tc.root).artifacts[0]
    digest = artifact_digest(artifact)
    assert digest != digest_of(artifact.raw, artifact.body)  # the files count
    path = tc.root / FILE
    text = path.read_text()
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode() + b"\r\n\r\n")
    assert artifact_digest(load_artifacts(tc.root).artifacts[0]) == digest
    path.write_text(text.replace("2026-03,", "# a comment\n2026-03,"))
    assert artifact_digest(load_artifacts(tc.root).artifacts[0]) != digest


def test_an_sla_without_measurements_keeps_its_digest(tc):
    path = tc.publish("sla", "plain", title="Plain SLA")
    before = artifact_digest(load_artifacts(tc.root).artifacts[0])
    (tc.root / "content/slas/plain/measurements").mkdir(parents=True)  # an empty folder adds nothing
    artifact = load_artifacts(tc.root).artifacts[0]
    assert artifact.measurements is None and artifact_digest(artifact) == before
    assert digest_of(artifact.raw, artifact.body) == before
    assert run_cli("check", cwd=tc.root).returncode == 0, path


def test_a_new_row_makes_the_approval_stale_until_approved_again(tc):
    tc.publish("notice", "feb-outage", title="API outage", affected=["sla/api"], effective="2026-02-18")
    path = measured_sla(tc)
    assert run_cli("check", cwd=tc.root, env={"SOURCE_DATE_EPOCH": APRIL}).returncode == 0
    (tc.root / FILE).write_text(csv_text(month_rows()[:-1] + ["2026-03,99.99,120,300,0.01,0,,"]))
    check = run_cli("check", cwd=tc.root, env={"SOURCE_DATE_EPOCH": APRIL})
    assert check.returncode == 1
    assert re.search(r"content/slas/api.md:\d+: error: approval-stale: .*digest mismatch", check.stdout)
    tc.approve_all(path, "sla")
    assert run_cli("check", cwd=tc.root, env={"SOURCE_DATE_EPOCH": APRIL}).returncode == 0


def test_measurements_that_do_not_validate_cannot_be_approved(tc):
    path = measured_sla(tc)
    (tc.root / FILE).write_text(csv_text(["2026-01,ninety-nine"]))
    result = run_cli("approve", str(path), "--role", "legal", "--by", "Lee Gal <legal@example.com>", cwd=tc.root)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{FILE}:2: error: measurement-invalid: uptime_percent" in result.stderr


# --- checks ---------------------------------------------------------------------------------------

def test_checks_name_unknown_notices_unexplained_misses_and_stray_files(tc):
    measured_sla(tc, rows=month_rows(notice="no-such-notice")[:-2] + ["2026-02,99.5", "2026-03,99.95"])
    tc.write_raw("content/slas/api/measurements/readme.txt", "How we measure.\n")
    tc.write_raw("content/slas/gone/measurements/2026.csv", csv_text(["2026-01,99.9"]))
    check = run_cli("check", cwd=tc.root, env={"SOURCE_DATE_EPOCH": APRIL})
    found = {(line.split(": ")[0], line.split(": ")[2]) for line in check.stdout.splitlines() if ": " in line}
    assert (f"{FILE}:15", "reference-unknown") not in found  # the last two rows name no notice
    assert (f"{FILE}:15", "measurement-miss-unexplained") in found
    assert ("content/slas/api/measurements/readme.txt:1", "measurement-file-ignored") in found
    assert ("content/slas/gone:1", "measurement-file-ignored") in found
    assert check.returncode == 0  # all warnings
    measured_sla(tc)
    check = run_cli("check", cwd=tc.root, env={"SOURCE_DATE_EPOCH": APRIL})
    assert f"{FILE}:15: error: reference-unknown: notices: 'feb-outage' is not a notice" in check.stdout


def test_a_period_that_has_not_ended_is_a_warning(tc):
    measured_sla(tc, rows=["2026-03,99.95", "2026-04,99.97"])
    check = run_cli("check", cwd=tc.root, env={"SOURCE_DATE_EPOCH": APRIL})
    assert f"{FILE}:3: warning: measurement-period-future: 2026-04 has not ended on 2026-04-08" in check.stdout


# --- the built site -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """An SLA with 15 months of measurements, one missed month explained by a notice, in git."""
    tc = new_trust_center(tmp_path_factory.mktemp("measured") / "trust")
    tc.publish("notice", "feb-outage", title="API outage, 17 February 2026", affected=["sla/api"],
               effective="2026-02-18")
    measured_sla(tc)
    tc.commit("API SLA with measurements", when="2026-04-02T10:00:00Z")
    result = run_cli("build", cwd=tc.root, env={"SOURCE_DATE_EPOCH": APRIL})
    assert result.returncode == 0, result.stderr + result.stdout
    return tc.root / "site"


def chart_blocks(site):
    doc = html(site / "slas" / "api" / "index.html")
    return {block.find_previous("h3").get("id"): block for block in doc.select(".tc-performance .tc-chart")}


def table_of(block):
    rows = block.select("table tbody tr")
    return [[cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])] for row in rows]


def parse_svg(path):
    return ET.parse(path).getroot()  # a real XML parser: the file must be well-formed SVG


def plotted_values(svg):
    """The measured series read back from the SVG: its vertices mapped through the y-axis ticks."""
    ticks = []
    for tick in svg.iter(f"{SVG}g"):
        if re.fullmatch(r"ytick_\d+", tick.get("id", "")):
            position = float(next(tick.iter(f"{SVG}use")).get("y"))
            label = "".join(next(tick.iter(f"{SVG}text")).itertext())
            ticks.append((position, float(label.rstrip("% ms").replace(",", ""))))
    (y1, v1), (y2, v2) = ticks[0], ticks[-1]
    path = next(g for g in svg.iter(f"{SVG}g") if g.get("id") == "measured").find(f"{SVG}path")
    points = re.findall(r"[ML] ([\d.]+) ([\d.]+)", path.get("d"))
    return [v1 + (float(y) - y1) * (v2 - v1) / (y2 - y1) for _, y in points]


def test_each_metric_is_a_chart_with_a_table_of_the_last_twelve_months(built):
    blocks = chart_blocks(built)
    assert list(blocks) == ["tc-performance-uptime", "tc-performance-latency",
                            "tc-performance-error-rate", "tc-performance-incidents"]
    uptime = table_of(blocks["tc-performance-uptime"])
    assert [row[0] for row in uptime] == MONTHS[-12:]
    assert uptime[MONTHS[-12:].index("2026-02")] == ["2026-02", "99.71%", "✗ missed"]
    assert all(row[2] == "✓ met" for row in uptime if row[0] != "2026-02")
    latency = table_of(blocks["tc-performance-latency"])
    assert latency[-1] == ["2026-03", "124 ms", "356 ms", "✓ met"]
    headers = [th.get_text(" ", strip=True) for th in blocks["tc-performance-latency"].select("thead th")]
    assert headers == ["Period", "p50", "p95", "Target ≤ 400 ms"]


def test_the_svg_draws_the_same_values_as_the_table(built):
    for key, unit in (("uptime", "%"), ("latency", " ms"), ("error-rate", "%")):
        block = chart_blocks(built)[f"tc-performance-{key}"]
        image = block.select_one("figure img")
        svg = parse_svg(built / "slas" / "api" / image["src"])
        table = [float(row[-2].removesuffix(unit).replace(",", "")) for row in table_of(block)]
        assert plotted_values(svg) == pytest.approx(table, abs=0.006 if unit == "%" else 0.6), key
        texts = ["".join(t.itertext()) for t in svg.iter(f"{SVG}text")]
        assert any(t.startswith("Target: at most") or t.startswith("Target: at least") for t in texts)
        assert {"Jan", "Feb", "Mar"} <= set(texts)
        assert svg.find(f"{SVG}title").text == block.find_previous("h3").get_text(strip=True)


def test_a_missed_month_is_marked_in_the_svg_and_explained_on_the_page(built, tmp_path):
    block = chart_blocks(built)["tc-performance-uptime"]
    svg = parse_svg(built / "slas" / "api" / block.select_one("img")["src"])
    missed = next(g for g in svg.iter(f"{SVG}g") if g.get("id") == "missed")
    assert len(list(missed.iter(f"{SVG}use"))) == 1
    assert "99.71%" in ["".join(t.itertext()) for t in svg.iter(f"{SVG}text")]
    image = block.select_one("img")
    assert "met in 11 of 12 months; missed in February 2026" in image["alt"]
    doc = html(built / "slas" / "api" / "index.html")
    item = doc.select_one(".tc-missed-list li")
    assert "February 2026" in item.get_text() and "99.71% against a target of at least 99.9%" in item.get_text()
    link = item.select_one("a")
    assert link.get_text() == "API outage, 17 February 2026" and link["href"] == "../../notices/feb-outage/"
    assert "Database failover took 71 minutes" in item.get_text()
    every = doc.select(".tc-all-measurements tbody tr")
    assert len(every) == 15 and every[0].th.get_text() == "2026-03"


def test_a_chart_without_a_target_has_no_target_line(built):
    block = chart_blocks(built)["tc-performance-incidents"]
    svg = parse_svg(built / "slas" / "api" / block.select_one("img")["src"])
    ids = {g.get("id") for g in svg.iter(f"{SVG}g")}
    assert "target" not in ids and {"bar-1", "bar-12"} <= ids
    assert [row[1] for row in table_of(block)][MONTHS[-12:].index("2026-02")] == "1"
    assert "Target" not in block.select_one("thead").get_text()


def test_charts_are_files_beside_the_version_they_belong_to(built):
    version = built / "slas" / "api" / "v1.0.0"
    assert sorted(p.name for p in version.glob("*.svg")) == ["error-rate.svg", "incidents.svg",
                                                             "latency.svg", "uptime.svg"]
    current = html(built / "slas" / "api" / "index.html").select_one(".tc-chart img")["src"]
    frozen = html(version / "index.html").select_one(".tc-chart img")["src"]
    assert current == "v1.0.0/uptime.svg" and frozen == "uptime.svg"
    svg = (version / "uptime.svg").read_text()
    assert "<script" not in svg and "href=\"http" not in svg and "<image" not in svg
    assert re.search(r"<text[^>]*>", svg)  # text stays text


def test_home_shows_the_last_month_against_the_target(built):
    glance = " ".join(html(built / "index.html").select_one(".tc-glance").get_text(" ").split())
    assert "Acme API : target 99.9% uptime per calendar month." in glance
    assert "March 2026: 99.97% uptime, ✓ every target met." in glance


def test_trust_json_carries_the_measurements(built):
    index = json.loads((built / "trust.json").read_text())
    jsonschema.validate(index, json.loads((built / "trust.schema.json").read_text()))
    sla = next(a for a in index["artifacts"] if a["id"] == "api")
    measurements = sla["measurements"]
    assert measurements["version"] == "1.0.0"
    assert measurements["targets"] == {"uptime_percent": 99.9, "latency_p95_ms": 400,
                                       "latency_name": "API response, p95", "error_rate_percent": 0.1}
    assert len(measurements["periods"]) == 15
    february = next(p for p in measurements["periods"] if p["period"] == "2026-02")
    assert february == {"period": "2026-02", "start": "2026-02-01", "end": "2026-02-28",
                        "uptime_percent": 99.71, "latency_p50_ms": 123.0, "latency_p95_ms": 352.0,
                        "error_rate_percent": 0.033, "incidents": 1, "notices": ["notice/feb-outage"],
                        "notes": "Database failover took 71 minutes", "met": False, "missed": ["uptime"]}
    assert next(a for a in index["artifacts"] if a["id"] == "feb-outage")["measurements"] is None


def test_the_targets_table_names_the_reported_latency_and_the_error_rate(built):
    text = text_of(built / "slas" / "api" / "index.html")
    assert "API response, p95 (reported below) 400 ms" in text
    assert "Error rate (Requests answered with a server error) at most 0.1%" in text


# --- history: measurements come from the approved commit -------------------------------------------

def test_each_version_shows_the_measurements_approved_with_it(tc):
    tc.publish("notice", "feb-outage", title="API outage", affected=["sla/api"], effective="2026-02-18")
    measured_sla(tc, rows=month_rows()[:-1])
    tc.commit("API SLA 1.0.0, to February", when="2026-03-05T10:00:00Z")
    measured_sla(tc, version="1.1.0", changelog=[
        {"version": "1.1.0", "date": "2026-04-02", "summary": "March measured."},
        {"version": "1.0.0", "date": "2026-01-01", "summary": "First version."}])
    tc.commit("API SLA 1.1.0, March measured", when="2026-04-02T10:00:00Z")
    (tc.root / FILE).write_text(csv_text(month_rows()[:-1] + ["2026-03,42.0"]))  # not approved
    history = read_history(tc.root).of("sla/api")
    assert [len(r.artifact.measurements.entries) for r in history] == [14, 15]
    tc.commit("A row changed without approval", when="2026-04-03T10:00:00Z")
    history = read_history(tc.root).of("sla/api")
    assert [r.publishable for r in history] == [True, True, False]

    assert run_cli("build", cwd=tc.root, env={"SOURCE_DATE_EPOCH": APRIL}).returncode == 1  # stale
    preview = tc.root / "preview"
    assert run_cli("build", "--preview", "--out", str(preview), cwd=tc.root,
                   env={"SOURCE_DATE_EPOCH": APRIL}).returncode == 0
    frozen = table_of(chart_blocks_at(preview / "slas" / "api" / "v1.0.0")["tc-performance-uptime"])
    assert frozen[-1][0] == "2026-02"
    published = table_of(chart_blocks_at(preview / "slas" / "api" / "v1.1.0")["tc-performance-uptime"])
    assert published[-1][:2] == ["2026-03", f"{99.93 + (14 % 4) * 0.02:.2f}%"]
    draft = table_of(chart_blocks_at(preview / "slas" / "api")["tc-performance-uptime"])
    assert draft[-1][:2] == ["2026-03", "42.00%"]  # the draft is only in the preview
    assert (preview / "slas" / "api" / "draft" / "uptime.svg").is_file()


def chart_blocks_at(folder):
    doc = html(folder / "index.html")
    return {block.find_previous("h3").get("id"): block for block in doc.select(".tc-performance .tc-chart")}


def test_a_measurement_only_change_needs_a_new_version_and_shows_in_the_review(tc):
    tc.publish("notice", "feb-outage", title="API outage", affected=["sla/api"], effective="2026-02-18")
    path = measured_sla(tc, rows=month_rows()[:-1])
    tc.commit("API SLA", when="2026-03-05T10:00:00Z")
    tc.git("branch", "base")
    measured_sla(tc)
    check = run_cli("check", "--base", "base", cwd=tc.root, env={"SOURCE_DATE_EPOCH": APRIL})
    assert "error: version-not-bumped" in check.stdout, check.stdout
    review = run_cli("review", "--base", "base", "--format", "json", cwd=tc.root, env={"SOURCE_DATE_EPOCH": APRIL})
    fields = json.loads(review.stdout)["artifacts"][0]["fields"]
    assert {"field": "measurements.2026-03", "before": None,
            "after": "uptime 99.97%; latency p50 124 ms; latency p95 356 ms; error rate 0.034%; incidents 0"} in fields
    assert path.is_file()


# --- reproducible, whatever the machine's matplotlib settings ---------------------------------------

def test_charts_are_byte_identical_across_builds_and_matplotlib_settings(built, tmp_path):
    root = built.parent
    rc = tmp_path / "mplconfig"
    rc.mkdir()
    (rc / "matplotlibrc").write_text("lines.linewidth: 9\nfont.size: 30\nsvg.hashsalt: other\n"
                                     "svg.fonttype: path\naxes.prop_cycle: cycler('color', ['red'])\n")
    out = tmp_path / "again"
    result = run_cli("build", "--out", str(out), cwd=root,
                     env={"SOURCE_DATE_EPOCH": APRIL, "MPLCONFIGDIR": str(rc)})
    assert result.returncode == 0, result.stderr
    charts = sorted(p.relative_to(built) for p in built.rglob("*.svg"))
    assert len(charts) == 4
    for chart in charts:
        assert (out / chart).read_bytes() == (built / chart).read_bytes(), chart
    assert (out / "slas/api/index.html").read_bytes() == (built / "slas/api/index.html").read_bytes()


def test_a_renamed_sla_keeps_the_measurements_of_its_earlier_versions(tc):
    tc.publish("notice", "feb-outage", title="API outage", affected=[], effective="2026-02-18")
    measured_sla(tc, rows=month_rows()[:-1])
    tc.commit("API SLA 1.0.0", when="2026-03-05T10:00:00Z")
    tc.git("mv", "content/slas/api.md", "content/slas/public-api.md")
    tc.git("mv", "content/slas/api", "content/slas/public-api")
    tc.commit("Renamed", when="2026-03-06T10:00:00Z")
    history = read_history(tc.root).of("sla/public-api")
    assert [r.publishable for r in history] == [True, True]
    current = next(a for a in load_artifacts(tc.root).artifacts if a.key == "sla/public-api")
    assert {r.digest for r in history} == {artifact_digest(current)}
    result = run_cli("build", cwd=tc.root, env={"SOURCE_DATE_EPOCH": APRIL})
    assert result.returncode == 0, result.stderr
    frozen = table_of(chart_blocks_at(tc.root / "site" / "slas" / "public-api" / "v1.0.0")["tc-performance-uptime"])
    assert frozen[-1][:2] == ["2026-02", "99.71%"]


def test_a_metric_measured_only_in_part_is_still_charted(tc):
    rows = ["2026-01,99.95,120,,,,,", "2026-02,99.97,118,,,,,", "2026-03,99.96,,,,,,"]
    measured_sla(tc, rows=rows)
    result = run_cli("build", cwd=tc.root, env={"SOURCE_DATE_EPOCH": APRIL})
    assert result.returncode == 0, result.stderr
    blocks = chart_blocks(tc.root / "site")
    assert list(blocks) == ["tc-performance-uptime", "tc-performance-latency"]
    assert table_of(blocks["tc-performance-latency"]) == [["2026-01", "120 ms", "", "not measured"],
                                                          ["2026-02", "118 ms", "", "not measured"],
                                                          ["2026-03", "", "", "not measured"]]
    assert "from 118 ms to 120 ms" in blocks["tc-performance-latency"].select_one("img")["alt"]


def test_lines_are_told_apart_without_colour(built):
    block = chart_blocks(built)["tc-performance-latency"]
    svg = parse_svg(built / "slas" / "api" / block.select_one("img")["src"])
    groups = {g.get("id"): g for g in svg.iter(f"{SVG}g") if g.get("id") in ("measured", "companion", "target")}
    style = {key: group.find(f"{SVG}path").get("style") for key, group in groups.items()}
    assert "stroke-dasharray" in style["target"] and "stroke-dasharray" in style["companion"]
    assert "stroke-dasharray" not in style["measured"]
    markers = {key: {use.get(XLINK) for use in group.iter(f"{SVG}use")} for key, group in groups.items()}
    assert markers["measured"] and markers["companion"] and not markers["target"]
    assert markers["measured"].isdisjoint(markers["companion"])  # circles and squares
    legend = ["".join(t.itertext()) for t in svg.iter(f"{SVG}text")]
    assert {"p95", "p50", "Target: at most 400 ms"} <= set(legend)


XLINK = "{http://www.w3.org/1999/xlink}href"
