"""`trustcenter serve`: live preview that rebuilds on change and survives errors."""

import socket
import subprocess
import time
import urllib.request

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
