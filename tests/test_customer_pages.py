"""Pages and files for customers and their tools: control map, at a glance, llms.txt, security.txt."""

import re
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup

from conftest import html, run_cli, text_of
from trustcenter import markup, pages, site

@pytest.fixture(scope="module")
def built(example_copy):
    result = run_cli("build", "--out", str(example_copy / "site-today"), cwd=example_copy)
    assert result.returncode == 0, result.stderr
    return example_copy / "site-today"


def test_control_map_maps_annex_a_controls_to_published_artifacts(built):
    doc = html(built / "controls" / "index.html")
    groups = [h.get_text(" ", strip=True) for h in doc.select("article h2")][1:]
    for number in ("A.6", "A.7", "A.8", "A.9", "A.10"):
        assert any(g.startswith(number + " ") for g in groups), groups
    row = next(tr for tr in doc.select(".tc-controls tbody tr") if tr.find("td").get_text().startswith("A.10.4 "))
    linked = [a.get_text(strip=True) for a in row.select("a")]
    assert "Model Card: Reply Assistant" in linked and "AI Acceptable Use Policy" in linked
    coverage = {tr.find("td").get_text(" ", strip=True): tr.find_all("td")[1].get_text(strip=True)
                for tr in doc.select(".tc-coverage tbody tr")}
    assert re.fullmatch(r"[1-3] of 3", coverage["A.10 Third-party and customer relationships"])


def test_an_unknown_control_is_a_check_finding(tc):
    tc.publish("policy", "p", controls=["ISO42001:A.10.4", "ISO42001:A.99.1", "SOC9:CC1"])
    result = tc.run("check")
    unknown = [l for l in result.stdout.splitlines() if "control-unknown" in l]
    assert result.returncode == 1 and len(unknown) == 2
    assert "'ISO42001:A.99.1' is not a known control" in unknown[0]


def test_home_page_at_a_glance(built):
    text = text_of(built / "index.html")
    glance = " ".join(html(built / "index.html").select_one(".tc-glance").get_text(" ").split())
    assert "Our AI systems" in glance and "Fernhill Helpdesk: Reply Assistant" in glance
    assert "99.9% uptime per calendar month" in glance and "99.5% uptime" in glance
    assert "Latest notices" in glance and "Reply Assistant upgraded to fernhill-reply 3.0" in glance
    assert re.search(r"Last changed \d{4}-\d\d-\d\d", glance)
    assert "trust@fernhill.example" in glance and "Feedback and complaints" in text


def test_feedback_page_has_every_channel_and_the_rights(built):
    text = text_of(built / "feedback" / "index.html")
    for words in ("AI feedback form", "Trust and AI governance team", "Customer support portal",
                  "Data Protection Officer", "14 Quay Street", "Acknowledged within 1 business day",
                  "What happens next", "Asking for a person to review an AI-assisted decision",
                  "Opting out of training on your data", "Information Commissioner"):
        assert words in text, words


def test_llms_txt_lists_what_is_published(built):
    text = (built / "llms.txt").read_text()
    assert text.startswith("# Fernhill Trust Center\n\n> ")
    links = re.findall(r"^- \[([^\]]+)\]\((https://trust\.fernhill\.example/[^)]+)\)", text, re.MULTILINE)
    titles = [t for t, _ in links]
    assert "Model Card: Reply Assistant" in titles and "AI Incident Response Policy" in titles
    assert not [t for t in titles if "Sentiment" in t]
    assert "## Model cards" in text and "trust.json" in text


def test_security_txt_follows_rfc_9116(built):
    lines = dict(line.split(": ", 1) for line in (built / ".well-known" / "security.txt").read_text().splitlines())
    assert lines["Contact"] == "mailto:trust@fernhill.example"
    expires = date.fromisoformat(lines["Expires"][:10])
    assert lines["Expires"].endswith("T00:00:00Z")
    assert date.today() < expires <= date.today() + timedelta(days=365)
    assert lines["Canonical"] == "https://trust.fernhill.example/.well-known/security.txt"


def test_the_page_reader_agrees_with_a_spec_compliant_parser_on_every_page(built):
    """The build reads ids (anchor targets) and inline scripts (CSP hashes) with two patterns; on
    every page they must find exactly what html5lib finds."""
    pages = sorted(built.rglob("*.html"))
    assert len(pages) > 15
    for path in pages:
        document = path.read_text(encoding="utf-8")
        soup = BeautifulSoup(document, "html5lib")
        ids = {element["id"] for element in soup.find_all(id=True) if element["id"]}
        scripts = [script.string or "" for script in soup.find_all("script")
                   if not script.has_attr("src") and script.get("type", "").lower() in {"", "text/javascript", "module"}]
        assert markup.element_ids(document) == ids, path
        assert markup.inline_scripts(document) == scripts, path
        assert scripts, path  # Material's own inline scripts are there: the comparison is not empty


def test_a_type_with_many_artifacts_gets_a_listing_page_instead_of_a_long_menu(example_copy, tmp_path, monkeypatch):
    """Past the limit, a type's section in the navigation is one page that lists all of them (the
    example has four policies; the limit is lowered to two)."""
    monkeypatch.setattr(pages, "NAV_SECTION_LIMIT", 2)
    out = tmp_path / "site"
    site.build(example_copy, out)
    listing = html(out / "policies" / "index.html")
    titles = [a.get_text(strip=True) for a in listing.select("article ul.tc-catalogue > li > a")]
    assert len(titles) == 4 and titles == sorted(titles, key=str.lower)
    nav = html(out / "index.html").select_one("nav.md-nav--primary")
    entries = {a.get_text(strip=True): a["href"] for a in nav.find_all("a", href=True)}
    assert entries["Policies"] == "policies/"
    assert not [a for a in nav.find_all("a", href=True) if re.search(r"policies/[^/]+/$", a["href"])]
    home = html(out / "index.html")
    assert home.find("a", string=re.compile(r"All 4 policies")) is not None
    # a policy page is still there, linked from the listing, and outside the navigation
    policy = html(out / "policies" / "ai-incident-response" / "index.html")
    assert policy.select_one("article h1") is not None


def test_a_framework_shown_when_cited_stays_off_the_map_until_something_cites_it(built):
    text = text_of(built / "controls" / "index.html")
    assert "ISO/IEC 42001:2023 Annex A" in text and "Trust Services Criteria" not in text
