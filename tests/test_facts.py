"""Shared facts: one value in site-config.yml, used by many artifacts, part of what is approved."""

import yaml

from conftest import CONFIG, html


def config_with_facts(**facts):
    return {**CONFIG, "facts": facts}


def test_facts_are_filled_in_on_the_page(tc):
    tc.write_config(config_with_facts(uptime="99.9%", support_email="support@acme.example"))
    tc.publish("sla", "platform", body="We aim for {{ facts.uptime }} uptime. Write to {{facts.support_email}}.\n")
    assert tc.run("check").returncode == 0
    assert tc.build().returncode == 0
    text = html(tc.root / "site" / "slas" / "platform" / "index.html").get_text()
    assert "We aim for 99.9% uptime. Write to support@acme.example." in text
    assert "facts." not in text


def test_an_unknown_fact_is_an_error_with_its_line(tc):
    tc.write_config(config_with_facts(uptime="99.9%"))
    tc.write("sla", "platform", body="Line one.\n\nWe aim for {{ facts.uptme }}.\n")
    result = tc.run("check")
    assert result.returncode == 1
    (line,) = [l for l in result.stdout.splitlines() if "fact-unknown" in l]
    number = int(line.split(":")[1])
    assert "{{ facts.uptme }}" in tc.path("sla", "platform").read_text().splitlines()[number - 1]
    assert "unknown fact 'uptme' (site-config.yml facts: uptime)" in line


def test_changing_a_fact_makes_every_approval_that_uses_it_stale(tc):
    tc.write_config(config_with_facts(retention="30 days"))
    tc.publish("policy", "privacy", body="We keep data for {{ facts.retention }}.\n")
    tc.publish("sla", "platform", body="Data is kept for {{ facts.retention }}.\n")
    tc.publish("policy", "other", body="No facts here.\n")
    assert tc.run("check").returncode == 0
    tc.write_config(config_with_facts(retention="90 days"))
    result = tc.run("check")
    stale = sorted({l.split(":")[0] for l in result.stdout.splitlines() if "approval-stale" in l})
    assert result.returncode == 1
    assert stale == ["content/slas/platform.md", "policies/privacy.md"]


def test_facts_must_be_single_line_text_without_markup(tc):
    tc.write_config(config_with_facts(bad="<script>x</script>"))
    result = tc.run("check")
    assert result.returncode == 2 and "facts.bad" in result.stderr
