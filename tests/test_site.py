"""End to end: build a trust center with the CLI and read the pages as a browser would."""

import json

import pytest

from conftest import TrustCenter, all_site_text, html, text_of

SECRET = "zanzibarwombat"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tc = TrustCenter(tmp_path_factory.mktemp("built") / "trust")
    tc.root.mkdir()
    tc.write_config()
    tc.publish("policy", "acceptable-use", title="Acceptable use policy",
               body="## Scope\n\nSee the [model card](../content/model-cards/reply.md#tc-metrics).\n")
    tc.publish("model-card", "reply", title="Reply assistant")
    tc.publish("sla", "platform", title="Platform SLA")
    tc.publish("disclosure", "ai-use", title="How we use AI")
    tc.publish("notice", "outage", title="Slow replies in February",
               affected=["model-card/reply", "sla/platform"])
    tc.publish("policy", "old-terms", title="Old terms", status="retired")
    tc.write("policy", "unreleased", title="Unreleased policy", status="review", body=f"Secret {SECRET}.\n")
    tc.publish("policy", "nda", title="Customer-only policy", audience="customer")
    result = tc.build()
    assert result.returncode == 0, result.stderr + result.stdout
    return tc


def page(tc, url):
    return tc.root / "site" / url / "index.html"


def test_home_lists_the_catalogue_by_type_latest_changes_and_feedback(built):
    doc = html(page(built, ""))
    headings = [h.get_text(strip=True) for h in doc.select("section[aria-labelledby=tc-catalogue] h3")]
    assert headings == ["Policies", "Model cards", "SLAs", "Disclosures", "Notices"]
    links = {a.get_text(strip=True): a["href"] for a in doc.select(".tc-catalogue a")}
    assert links["Reply assistant"] == "model-cards/reply/"
    assert "Old terms" not in links  # retired: out of the catalogue
    assert doc.select_one(".tc-changes tbody tr")
    assert doc.find("a", href="feedback/")


def test_artifact_page_has_header_body_and_changelog(built):
    doc = html(page(built, "policies/acceptable-use"))
    facts = {dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(" ", strip=True)
             for dt in doc.select(".tc-facts dt")}
    assert facts["Version"] == "1.0.0" and facts["Status"] == "approved"
    assert facts["Effective"] == "2026-01-01" and facts["Owner"] == "Legal team"
    assert facts["Next review"] == "2099-01-01"
    assert "legal: Lee Gal, 2026-01-02" in facts["Approved by"]
    assert doc.select_one(".tc-body h2").get_text(strip=True).startswith("Scope")
    link = doc.select_one(".tc-body a[href*='model-cards']")
    assert link["href"] == "../../model-cards/reply/#tc-metrics"
    rows = doc.select(".tc-changelog tbody tr")
    assert [td.get_text(strip=True) for td in rows[0].find_all("td")] == ["1.0.0", "2026-01-01", "First version."]


def test_model_card_shows_uses_limits_risks_and_a_metrics_table(built):
    doc = html(page(built, "model-cards/reply"))
    text = text_of(page(built, "model-cards/reply"))
    for words in ("What it is for", "Drafting replies for human agents", "Not for", "Medical or legal advice",
                  "Limitations", "Confident but wrong answers", "An agent reviews every draft"):
        assert words in text
    headers = [th.get_text(strip=True) for th in doc.select(".tc-metrics table th")]
    assert headers == ["Metric", "Value", "Task", "Dataset", "Split", "Evaluated"]
    cells = [td.get_text(strip=True) for td in doc.select(".tc-metrics table tbody td")]
    assert cells == ["Accepted without edits", "0.71", "Reply drafting", "Acme held-out tickets", "test", "2026-01-15"]


def test_sla_shows_its_targets_table(built):
    doc = html(page(built, "slas/platform"))
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in doc.select(".tc-targets table tbody tr")]
    assert rows == [["Uptime", "99.9%", "calendar month"], ["API response, p95", "800 ms", "calendar month"]]
    assert "10.0% of the monthly fee" in text_of(page(built, "slas/platform"))


def test_notice_links_the_affected_artifacts(built):
    doc = html(page(built, "notices/outage"))
    links = {a.get_text(strip=True): a["href"] for a in doc.select(".tc-affected a")}
    assert links == {"Reply assistant": "../../model-cards/reply/", "Platform SLA": "../../slas/platform/"}
    assert "Slow replies for an hour." in text_of(page(built, "notices/outage"))


def test_changes_and_feedback_pages(built):
    rows = html(page(built, "changes")).select(".tc-changes tbody tr")
    assert len(rows) == 6  # one per published version, retired included
    text = text_of(page(built, "feedback"))
    for words in ("Trust team", "trust@acme.example", "2 business days", "We investigate and reply.",
                  "a person reviews the decision", "opt out of training"):
        assert words in text


def test_retired_artifact_keeps_its_url_and_is_marked(built):
    doc = html(page(built, "policies/old-terms"))
    assert "Retired" in doc.select_one(".tc-banner--retired").get_text()


def test_nothing_unapproved_or_customer_only_reaches_any_output(built):
    site = built.root / "site"
    everything = all_site_text(site)
    assert SECRET not in everything
    assert "Unreleased policy" not in everything and "unreleased" not in everything
    assert "Customer-only policy" not in everything and "policies/nda" not in everything
    index = json.loads((site / "search" / "search_index.json").read_text())
    assert not [d for d in index["docs"] if "unreleased" in d["location"] or "nda" in d["location"]]
    assert "policies/acceptable-use/" in (site / "sitemap.xml").read_text()


def test_navigation_lists_artifacts_by_type(built):
    doc = html(page(built, ""))
    nav = " ".join(doc.select_one("nav.md-nav--primary").get_text(" ").split())
    for label in ("Policies", "Model cards", "SLAs", "Disclosures", "Notices", "Changes"):
        assert label in nav


def test_customer_build_includes_customer_artifacts(built):
    result = built.build("--audience", "customer", "--out", str(built.root / "customer-site"))
    assert result.returncode == 0, result.stderr
    assert (built.root / "customer-site" / "policies" / "nda" / "index.html").is_file()
    assert SECRET not in all_site_text(built.root / "customer-site")


def test_preview_shows_drafts_under_a_banner(built):
    out = built.root / "preview-site"
    result = built.build("--preview", "--out", str(out))
    assert result.returncode == 0, result.stderr
    doc = html(out / "policies" / "unreleased" / "index.html")
    banner = doc.select_one(".tc-banner--draft").get_text(" ", strip=True)
    assert banner.startswith("DRAFT") and "legal (missing)" in banner
    assert SECRET in doc.get_text()


def test_scripts_and_handlers_never_reach_a_page(tc):
    body = ('Hello <script>alert("x")</script>\n\n<img src="x.png" onerror="alert(1)">\n\n'
            '[click](javascript:alert(1))\n\n<iframe src="https://evil.example"></iframe>\n\n'
            'Styled {: onclick="alert(2)" }\n')
    tc.publish("policy", "p", body=body)
    check = tc.run("check")
    assert check.returncode == 1
    assert sum("unsafe-html" in line for line in check.stdout.splitlines()) >= 4
    assert tc.build().returncode == 1  # not publishable
    result = tc.build("--preview")
    assert result.returncode == 0, result.stderr
    doc = html(tc.root / "site" / "policies" / "p" / "index.html")
    article = doc.select_one("article.tc-artifact")
    assert not article.find_all(["script", "iframe"])
    assert not [tag for tag in doc.find_all(True) for attr in tag.attrs if attr.startswith("on")]
    assert not [a for a in doc.find_all("a", href=True) if a["href"].lower().startswith("javascript")]


def test_a_broken_link_fails_the_build_and_keeps_the_old_site(tc):
    tc.publish("policy", "p")
    assert tc.build().returncode == 0
    index = tc.root / "site" / "index.html"
    before = index.read_bytes()
    path = tc.write("policy", "p", body="See [missing](nowhere.md).\n")
    tc.approve_all(path, "policy")
    check = tc.run("check")
    assert check.returncode == 1 and "link-broken" in check.stdout
    result = tc.build()
    assert result.returncode == 1 and "link-broken" in result.stderr
    assert index.read_bytes() == before
    assert not list(tc.root.glob(".site.*"))


def test_a_link_to_an_unpublished_artifact_is_refused(tc):
    tc.write("policy", "draft-one", status="draft")
    tc.publish("policy", "p", body="See [the draft](draft-one.md).\n")
    check = tc.run("check")
    assert check.returncode == 1 and "link-unpublished" in check.stdout


def test_strict_build_fails_on_a_broken_anchor_free_page_link(tc):
    tc.publish("policy", "p")
    tc.publish("page", "about", title="About", body="See [gone](gone.md).\n")
    result = tc.build()
    assert result.returncode == 1
    assert "gone.md" in result.stderr and "Traceback" not in result.stderr
