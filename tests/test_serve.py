"""`trustcenter serve`: live preview that rebuilds on change and survives errors."""

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import CLI


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


@pytest.fixture
def server(tc):
    port = free_port()
    log = tc.root.parent / "serve.log"
    with open(log, "w") as out:
        process = subprocess.Popen([CLI, "serve", "--dev-addr", f"127.0.0.1:{port}"], cwd=tc.root,
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        yield f"http://127.0.0.1:{port}", process, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_serve_rebuilds_on_edit_and_shows_errors_without_dying(tc, server):
    path = tc.publish("policy", "p", title="First title")
    base, process, log = server
    page = f"{base}/policies/p/"
    assert wait_for(lambda: "First title" in fetch(page)), log.read_text()

    path.write_text(path.read_text().replace("The text.", "A freshly edited sentence."))
    assert wait_for(lambda: "A freshly edited sentence." in fetch(page)), log.read_text()
    # The edit made the approval stale: the preview shows it as a draft and says so in the terminal.
    assert "DRAFT" in fetch(page)
    assert wait_for(lambda: "approval-stale" in log.read_text())

    (tc.root / "policies" / "broken.md").write_text("---\ntitle: [\n---\n")
    assert wait_for(lambda: "policies/broken.md:2: error: yaml-syntax" in log.read_text()), log.read_text()
    assert process.poll() is None
    assert "A freshly edited sentence." in fetch(page)

    config = tc.root / "site-config.yml"
    config.write_text(config.read_text().replace("Acme Trust Center", "Acme Renamed Center"))
    assert wait_for(lambda: "Acme Renamed Center" in fetch(page)), log.read_text()


def rendered_counts(log) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in re.findall(r"(\d+) of (\d+) pages rendered", log.read_text())]


def without_reload_epoch(page: str) -> str:
    """The page as built: the dev server adds a script that names the build it serves."""
    return re.sub(r"livereload\(\d+, *\d+\)", "livereload()", page)


def search_locations(base: str) -> set[str]:
    return {entry["location"].split("#")[0] for entry in json.loads(fetch(f"{base}/search/search_index.json"))["docs"]}


def test_a_rebuild_renders_only_the_pages_whose_source_changed(tc, server):
    tc.publish("policy", "p", title="First policy")
    tc.publish("policy", "q", title="Second policy")
    tc.commit("Two approved policies")
    base, process, log = server
    page, other = f"{base}/policies/p/", f"{base}/policies/q/"
    # The server started before the policies were committed; a save makes it read the history.
    assert wait_for(lambda: fetch(base + "/")), log.read_text()
    config = tc.root / "site-config.yml"
    config.write_text(config.read_text())
    assert wait_for(lambda: "Version history" in fetch(other)), log.read_text()
    time.sleep(1)
    builds = len(rendered_counts(log))
    searchable = search_locations(base)
    assert {"policies/p/", "policies/q/"} <= searchable
    untouched = without_reload_epoch(fetch(other))

    path = tc.root / "policies" / "p.md"
    # Saved in one step, as editors do (a truncated file in between would be a different site).
    edited = path.with_name(".p.md.tmp")
    edited.write_text(path.read_text().replace("The text.", "An edited sentence about zebras."))
    os.replace(edited, path)
    assert wait_for(lambda: "zebras" in fetch(page) and len(rendered_counts(log)) > builds), log.read_text()
    rendered, total = rendered_counts(log)[-1]
    # The edited page and the home page, which lists it as a draft now; not the other policy's pages.
    assert 0 < rendered <= 3 < total
    assert without_reload_epoch(fetch(other)) == untouched
    # Unchanged pages are still found by search, and the edit is found too.
    assert search_locations(base) == searchable
    index = fetch(f"{base}/search/search_index.json")
    assert "zebras" in index and index.count('"location":"policies/q/"') == 1

    # A new artifact changes the navigation every page shows: every page is rendered again.
    tc.publish("policy", "r", title="Third policy")
    assert wait_for(lambda: "Third policy" in fetch(page)), log.read_text()
    assert wait_for(lambda: rendered_counts(log)[-1][0] == rendered_counts(log)[-1][1]), log.read_text()
    assert "policies/r/" in search_locations(base)


def serve_in(tc, tmp_path, *args: str) -> tuple[subprocess.Popen, Path, Path]:
    """`serve` with its own TMPDIR, so that whatever it leaves behind can be seen."""
    temporary = tmp_path / "tmp"
    temporary.mkdir(exist_ok=True)
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        process = subprocess.Popen([CLI, "serve", *args], cwd=tc.root, stdout=out, stderr=subprocess.STDOUT,
                                   env={**os.environ, "TMPDIR": str(temporary)})
    return process, temporary, log


@pytest.mark.parametrize("moment", ["while serving", "during the first build"])
def test_sigterm_stops_serve_and_leaves_no_temporary_folder(tc, tmp_path, moment):
    for number in range(40 if moment == "during the first build" else 1):
        tc.publish("policy", f"p{number}", title=f"Policy {number}")
    port = free_port()
    process, temporary, log = serve_in(tc, tmp_path, "--dev-addr", f"127.0.0.1:{port}")
    try:
        if moment == "while serving":
            assert wait_for(lambda: "Policy 0" in fetch(f"http://127.0.0.1:{port}/policies/p0/")), log.read_text()
        else:
            assert wait_for(lambda: any(temporary.iterdir()), timeout=30), log.read_text()
            # Forty policies take the first build well over the moment it is announced.
            assert wait_for(lambda: "Building documentation" in log.read_text(), timeout=30), log.read_text()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    finally:
        process.kill()
    assert "Traceback" not in log.read_text()
    assert list(temporary.iterdir()) == [], log.read_text()


def test_serve_on_a_taken_port_fails_before_building_and_leaves_nothing(tc, tmp_path):
    tc.publish("policy", "p", title="A policy")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process, temporary, log = serve_in(tc, tmp_path, "--dev-addr", f"127.0.0.1:{port}")
        assert process.wait(timeout=60) == 2
    output = log.read_text()
    assert "error: serve-address-unavailable:" in output and f"127.0.0.1:{port}" in output
    assert "Building documentation" not in output and "Traceback" not in output
    assert list(temporary.iterdir()) == []


@pytest.mark.parametrize("address", ["nonsense", "127.0.0.1:port", "127.0.0.1:70000", "300.1.1.1:8000"])
def test_a_bad_address_is_a_usage_error_and_leaves_nothing(tc, tmp_path, address):
    process, temporary, log = serve_in(tc, tmp_path, "--dev-addr", address)
    assert process.wait(timeout=60) == 2, log.read_text()
    assert "error: usage: --dev-addr" in log.read_text() and "Traceback" not in log.read_text()
    assert list(temporary.iterdir()) == []
