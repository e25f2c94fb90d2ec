"""A live preview makes again only what an edit changed: page sources, the history, compiled templates.

Each test builds the same thing twice in one process, as `serve` does on every save, and checks two
things: what is taken again is the very object of the previous build, and the result is exactly what
a build from scratch makes.
"""

from datetime import date

import jinja2
import pytest

from trustcenter.checks import run_checks
from trustcenter.config import load_config
from trustcenter.history import read_history
from trustcenter.incremental import CompiledTemplates, RenderedPages
from trustcenter.pages import PageCache, build_site
from trustcenter.publish import AudienceName, publish_set

TODAY = date(2026, 4, 1)
PRIVACY = "policies/privacy/index.md"
SECURITY = "policies/security/index.md"
OUTAGE = "notices/outage/index.md"


def site_of(root, reuse):
    config = load_config(root)
    result = run_checks(root, config, TODAY)
    return build_site(root, config, publish_set(result, AudienceName.PUBLIC, True, TODAY), TODAY, reuse=reuse)


@pytest.fixture
def center(tc):
    tc.publish("policy", "privacy", title="Privacy")
    tc.publish("policy", "security", title="Security")
    tc.publish("notice", "outage", title="Outage", affected=["policy/privacy"])
    tc.commit("Two policies and a notice")
    return tc


def test_an_edit_makes_only_that_artifacts_pages_again(center):
    reuse = PageCache()
    first = site_of(center.root, reuse)
    center.write("policy", "privacy", title="Privacy", body="## Text\n\nKept for 30 days.\n")  # now a draft
    second = site_of(center.root, reuse)
    assert second.pages[SECURITY] is first.pages[SECURITY]
    assert second.pages[OUTAGE] is first.pages[OUTAGE]
    assert second.pages[PRIVACY] is not first.pages[PRIVACY]
    assert "Kept for 30 days." in second.pages[PRIVACY].body
    assert second.pages == site_of(center.root, None).pages


def test_a_new_title_makes_the_pages_that_show_it_again(center):
    reuse = PageCache()
    first = site_of(center.root, reuse)
    center.write("policy", "privacy", title="Privacy and retention")
    second = site_of(center.root, reuse)
    assert second.pages[OUTAGE] is not first.pages[OUTAGE]
    assert [row["title"] for row in second.pages[OUTAGE].data["affected"]] == ["Privacy and retention"]
    assert second.pages == site_of(center.root, None).pages


def test_a_configuration_change_makes_every_page_again(center):
    reuse = PageCache()
    first = site_of(center.root, reuse)
    config = (center.root / "site-config.yml").read_text()
    (center.root / "site-config.yml").write_text(config.replace("acme.example/feedback", "acme.example/report"))
    second = site_of(center.root, reuse)
    assert all(second.pages[uri] is not first.pages[uri] for uri in (PRIVACY, SECURITY, OUTAGE))
    assert second.pages[SECURITY].data["report_url"].startswith("https://acme.example/report?")
    assert second.pages == site_of(center.root, None).pages


def test_the_history_is_read_again_only_after_a_commit(center):
    first = read_history(center.root)
    assert read_history(center.root) is first
    center.write("policy", "privacy", title="Privacy", version="1.1.0", body="## Text\n\nNew.\n",
                 changelog=[{"version": "1.1.0", "date": "2026-02-01", "summary": "New."},
                            {"version": "1.0.0", "date": "2026-01-01", "summary": "First version."}])
    assert read_history(center.root) is first           # an uncommitted edit is no history
    center.commit("Privacy 1.1.0", when="2026-02-01T10:00:00Z")
    second = read_history(center.root)
    assert second is not first
    assert [str(r.artifact.meta.version) for r in second.of("policy/privacy")] == ["1.0.0", "1.1.0"]


def test_templates_are_compiled_once_until_their_source_changes(monkeypatch):
    cache, sources = CompiledTemplates(), {"page.html": "Hello {{ name }}"}

    def environment():
        return jinja2.Environment(loader=jinja2.DictLoader(sources), bytecode_cache=cache)

    assert environment().get_template("page.html").render(name="you") == "Hello you"
    again = environment()
    monkeypatch.setattr(again, "compile", lambda *args, **kwargs: pytest.fail("compiled again"))
    assert again.get_template("page.html").render(name="again") == "Hello again"
    sources["page.html"] = "Goodbye {{ name }}"
    assert environment().get_template("page.html").render(name="you") == "Goodbye you"


def test_a_failed_build_forgets_the_pages_it_rendered(center):
    site = site_of(center.root, None)
    rendered = RenderedPages()
    rendered.start("shared")
    for page in site.pages.values():
        rendered.rendered(page, [])
    rendered.finish(site)
    assert rendered.is_current(site.pages[PRIVACY])
    rendered.start("shared")
    rendered.rendered(site.pages[PRIVACY], [])   # written, then the build stopped
    rendered.failed()
    assert not rendered.is_current(site.pages[PRIVACY])
    assert rendered.is_current(site.pages[SECURITY])
