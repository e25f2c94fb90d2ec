"""The customer's trust center in a real browser: Debian's Chromium driven by Playwright, on loopback."""

import functools
import http.server
import io
import json
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from pypdf import PdfReader

from conftest import REPO, run_cli

CHROMIUM = "/usr/bin/chromium"
AXE = REPO / "tests" / "node" / "node_modules" / "axe-core" / "axe.min.js"
# Flags for a sandboxed, offline machine: no background traffic, no GPU, a fresh profile.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
SCREENSHOTS = Path(os.environ.get("TRUSTCENTER_SCREENSHOTS", "")) if os.environ.get("TRUSTCENTER_SCREENSHOTS") else None


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The example trust center, built from a clone so that its git history is there."""
    clone = tmp_path_factory.mktemp("browser") / "example"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    for name in ("site-config.yml", "policies", "content", "theme", ".github"):  # the working tree as it is
        source = REPO / name
        if source.is_dir():
            shutil.rmtree(clone / name, ignore_errors=True)
            shutil.copytree(source, clone / name)
        elif source.exists():
            shutil.copy2(source, clone / name)
    result = run_cli("build", cwd=clone)
    assert result.returncode == 0, result.stderr
    return clone / "site"


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "the browser tests need Debian's chromium (make test installs it)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Watch:
    """What a page did that it should not: console errors, failed requests, requests off loopback."""

    def __init__(self, origin: str):
        self.origin = origin
        self.console_errors: list[str] = []
        self.failed: list[str] = []
        self.outside: list[str] = []

    def attach(self, context):
        def route(route):
            if route.request.url.startswith(self.origin) or route.request.url.startswith(("data:", "blob:")):
                route.continue_()
            else:
                self.outside.append(route.request.url)
                route.abort()

        context.route("**/*", route)
        context.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        # A request cancelled because the test moved on to the next page (ERR_ABORTED) is no failure.
        context.on("requestfailed", lambda r: r.url.startswith(self.origin)
                   and "ERR_ABORTED" not in (r.failure or "") and self.failed.append(f"{r.failure} {r.url}"))
        context.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}"))

    def assert_clean(self):
        assert self.console_errors == [], self.console_errors
        assert self.failed == [], self.failed
        assert self.outside == [], self.outside


@pytest.fixture
def page(browser, server, request):
    watch = Watch(server)
    # axe is injected as an inline script, which the pages' Content-Security-Policy rightly refuses.
    bypass_csp = "axe" in request.node.name or "accessibility" in request.node.name
    context = browser.new_context(viewport=DESKTOP, base_url=server, bypass_csp=bypass_csp)
    watch.attach(context)
    page = context.new_page()
    page.watch = watch
    yield page
    context.close()
    watch.assert_clean()


def test_customer_journey_from_home_to_a_diff(page):
    page.goto("")
    page.get_by_role("link", name="Model Card: Ticket Triage").first.click()
    page.wait_for_url("**/model-cards/ticket-triage/")
    assert page.locator("h1").inner_text() == "Model Card: Ticket Triage"
    page.get_by_role("link", name="Version history and changes").click()
    page.wait_for_url("**/model-cards/ticket-triage/changelog/")
    page.get_by_role("link", name="Version 1.2.0").click()
    page.wait_for_url("**/model-cards/ticket-triage/v1.2.0/")
    assert "An earlier version (1.2.0)" in page.locator(".tc-banner--frozen").inner_text()
    page.get_by_role("link", name="What changed in version 1.3.0").click()
    page.wait_for_url("**/model-cards/ticket-triage/v1.3.0/diff/")
    changed = page.locator(".tc-field-changes").inner_text()
    assert "limitations" in changed and "administrators are warned" in changed


def test_search_finds_an_artifact_by_a_word_from_its_body(page):
    page.goto("")
    page.locator("input.md-search__input").click()
    page.keyboard.type("2.3.1")  # the faulty release, named only in the incident notice's body
    results = page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=15000)
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert hrefs and all("notices/2026-03-triage-misrouting/" in href for href in hrefs), hrefs


def test_the_feed_is_discoverable_from_every_page(page):
    for url in ("", "policies/ai-incident-response/", "changes/"):
        page.goto(url)
        link = page.locator('link[rel="alternate"][type="application/atom+xml"]')
        href = link.get_attribute("href")
        response = page.request.get(page.url.rsplit("/", 1)[0] + "/" + href if not href.startswith("http") else href)
        assert response.ok and b"<feed" in response.body()


def test_pages_keep_their_full_text_without_javascript(browser, server):
    context = browser.new_context(java_script_enabled=False, base_url=server)
    page = context.new_page()
    for url, phrase in (("policies/ai-incident-response/", "An AI incident is an event in which"),
                        ("model-cards/reply-assistant/", "Drafting a reply to a customer-support ticket"),
                        ("model-cards/ticket-triage/v1.3.0/diff/", "administrators are warned")):
        page.goto(url)
        assert phrase in page.locator(".md-content").inner_text()
    context.close()


def test_report_a_problem_link_is_prefilled(page):
    page.goto("model-cards/ticket-triage/")
    href = page.get_by_role("link", name="Report a problem with this disclosure").get_attribute("href")
    assert href == "https://fernhill.example/trust/feedback?artifact=model-card%2Fticket-triage&version=1.3.0"


def test_model_card_key_facts_are_above_the_fold(page):
    page.goto("model-cards/reply-assistant/")
    fold = DESKTOP["height"]
    for heading in ("What it is for", "Not for", "Headline metrics"):
        box = page.get_by_role("heading", name=heading).bounding_box()
        assert box is not None and box["y"] < fold, heading
    metric = page.locator(".tc-keyfacts li").filter(has_text="Drafts rated usable").first
    assert "2026-05-22" in metric.inner_text()


def test_sla_charts_load_under_the_content_security_policy_and_say_what_they_show(page):
    page.goto("slas/helpdesk-platform/")
    charts = page.locator(".tc-chart img")
    assert charts.count() == 4
    for index in range(charts.count()):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        page.wait_for_function("image => image.complete && image.naturalWidth > 0", arg=chart.element_handle())
        assert chart.get_attribute("alt").startswith("Chart of ")
    uptime = page.get_by_role("img", name=re.compile("Chart of uptime for each month"))
    assert "missed in August 2026" in uptime.get_attribute("alt")
    missed = page.locator(".tc-missed-list li").filter(has_text="August 2026")
    missed.get_by_role("link").click()
    page.wait_for_url("**/notices/2026-08-helpdesk-outage/")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_screenshots(browser, server, tmp_path, viewport):
    context = browser.new_context(viewport=viewport, base_url=server)
    page = context.new_page()
    width = "desktop" if viewport is DESKTOP else "phone"
    folder = SCREENSHOTS or tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    for name, url in (("home", ""), ("model-card", "model-cards/reply-assistant/"),
                      ("diff", "policies/ai-incident-response/v1.3.0/diff/"),
                      ("sla", "slas/helpdesk-platform/#tc-performance")):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        path = folder / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=False)
        assert path.stat().st_size > 10_000
    context.close()


PAGE_TYPES = {
    "home": "",
    "policy": "policies/ai-incident-response/",
    "model card": "model-cards/reply-assistant/",
    "sla": "slas/helpdesk-platform/",
    "disclosure": "disclosures/ai-in-fernhill-helpdesk/",
    "notice": "notices/2026-03-triage-misrouting/",
    "changelog": "policies/ai-incident-response/changelog/",
    "frozen version": "policies/ai-incident-response/v1.2.0/",
    "diff": "policies/ai-incident-response/v1.3.0/diff/",
    "changes": "changes/",
    "feedback": "feedback/",
    "control map": "controls/",
}


@pytest.mark.parametrize("url", PAGE_TYPES.values(), ids=PAGE_TYPES.keys())
def test_no_serious_or_critical_accessibility_violations(page, url):
    page.goto(url)
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]][:5]}
               for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], json.dumps(serious, indent=1)


def test_axe_really_finds_violations(page):
    page.goto("")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=\"data:,\"><button></button>')")
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    assert {"image-alt", "button-name"} <= {v["id"] for v in results["violations"]}


def test_pages_carry_a_content_security_policy_that_blocks_injected_scripts(page):
    page.goto("policies/ai-incident-response/")
    policy = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert "script-src 'self' 'sha256-" in policy and "unsafe-inline" not in policy
    assert page.evaluate("typeof __md_get") == "function"  # Material's own inline scripts ran
    blocked = page.evaluate("""() => new Promise(resolve => {
        document.addEventListener('securitypolicyviolation', e => resolve(e.violatedDirective));
        const s = document.createElement('script'); s.textContent = 'window.injected = 1';
        document.body.appendChild(s);
        setTimeout(() => resolve(null), 2000);
    })""")
    assert blocked == "script-src-elem" and page.evaluate("window.injected") is None
    page.watch.console_errors.clear()  # the refusal above is logged as a console error, as it should be


def test_external_links_do_not_leak_the_opener_or_referrer(page):
    for url in ("feedback/", "model-cards/ticket-triage/", "policies/ai-incident-response/"):
        page.goto(url)
        for link in page.locator("a[href^='http']").all():
            href = link.get_attribute("href")
            if href.startswith(page.url.split("/")[0] + "//" + page.url.split("/")[2]):
                continue
            rel = (link.get_attribute("rel") or "").split()
            assert "noopener" in rel and "noreferrer" in rel, href


def test_an_artifact_prints_cleanly_to_pdf(page):
    page.goto("policies/ai-incident-response/")
    pdf = page.pdf(format="A4", print_background=True)
    reader = PdfReader(io.BytesIO(pdf))
    pages = [p.extract_text() for p in reader.pages]
    assert len(pages) >= 2
    for text in pages:
        assert "version 1.4.0, effective 2026-11-16" in " ".join(text.split())
    everything = " ".join(" ".join(pages).split())
    assert "AI Incident Response Policy" in everything and "An AI incident is an event" in everything
    assert "Table of contents" not in everything and "Search" not in everything.split("AI Incident")[0]
    assert "mailto:trust@fernhill.example" in everything.replace(" ", ""), everything[-3000:]
