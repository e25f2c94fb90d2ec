"""Property tests: what must hold for every input, not just the ones we thought of."""

from datetime import date

import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from conftest import CONFIG, front_matter
from trustcenter import markup
from trustcenter.approval import approval_state, artifact_digest, digest_of
from trustcenter.config import SiteConfig
from trustcenter.findings import Finding
from trustcenter.load import decode, parse_artifact
from trustcenter.schema import ARTIFACT_TYPES

POLICY = ARTIFACT_TYPES["policy"]
VALID = "---\n" + yaml.safe_dump(front_matter("policy"), sort_keys=False) + "---\n\n## Text\n\nBody.\n"
config = SiteConfig.model_validate({**CONFIG, "facts": {"retention": "30 days"}})


def load(data: bytes):
    """Everything `trustcenter check` does to one file's bytes, up to the validated artifact."""
    text, problem = decode(data, "policies/p.md")
    if problem:
        return None, [problem]
    return parse_artifact(text, POLICY, "p", "policies/p.md", config.fact_values)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_loading_any_bytes_gives_an_artifact_or_located_findings(data):
    artifact, findings = load(data)
    assert (artifact is None) == bool(findings)
    assert all(isinstance(f, Finding) and f.line >= 1 and f.rule for f in findings)


@settings(max_examples=300)
@given(st.text(max_size=400), st.integers(min_value=0, max_value=len(VALID)))
def test_loading_mutated_artifacts_never_raises(insert, position):
    """Arbitrary text spliced into a valid artifact: findings, never an exception."""
    load((VALID[:position] + insert + VALID[position:]).encode("utf-8", "surrogatepass"))


@settings(max_examples=200)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
                        max_size=40), max_size=8))
def test_digest_ignores_line_endings(lines):
    body = "\n".join(lines) + "\n"
    front = front_matter("policy")
    lf = digest_of(front, body)
    assert digest_of(front, body.replace("\n", "\r\n")) == lf
    assert digest_of(front, body.replace("\n", "\r")) == lf


@settings(max_examples=200)
@given(st.text(min_size=1, max_size=200), st.integers(min_value=0, max_value=200),
       st.characters(blacklist_categories=("Cs",)))
def test_digest_changes_with_any_change_of_content(body, position, character):
    front = front_matter("policy")
    position = min(position, len(body))
    changed = body[:position] + character + body[position:]
    if changed.rstrip() == body.rstrip() or changed.replace("\r\n", "\n").replace("\r", "\n").rstrip() \
            == body.replace("\r\n", "\n").replace("\r", "\n").rstrip():
        return  # only trailing whitespace or a line-ending form changed: the same text
    assert digest_of(front, changed) != digest_of(front, body)


@settings(max_examples=100)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30))
def test_digest_changes_with_a_fact(value):
    text = VALID.replace("Body.", "Kept for {{ facts.retention }}.")
    before, _ = parse_artifact(text, POLICY, "p", "policies/p.md", {"retention": "30 days"})
    after, _ = parse_artifact(text, POLICY, "p", "policies/p.md", {"retention": value})
    assert (artifact_digest(before) == artifact_digest(after)) == (value == "30 days")


titles = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="<>"),
                 min_size=1, max_size=60).filter(str.strip)
bodies = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=300)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=titles, body=bodies, version=st.tuples(st.integers(0, 20), st.integers(0, 20), st.integers(0, 20)))
def test_approve_then_check_always_passes(tc, title, body, version):
    """Whatever an artifact says, approving it by every required role makes it publishable."""
    from trustcenter.approve import approve
    from trustcenter.load import load_artifact

    semver = ".".join(map(str, version))
    path = tc.path("policy", "p")
    path.parent.mkdir(parents=True, exist_ok=True)
    data = front_matter("policy", title=title, version=semver)
    data["changelog"][0]["version"] = semver
    path.write_text("---\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True) + "---\n\n" + body,
                    encoding="utf-8")
    site_config = SiteConfig.model_validate(CONFIG)
    approve(tc.root, path, site_config, "legal", "Lee Gal <legal@example.com>", date(2026, 1, 2))
    artifact, problems = load_artifact(tc.root, POLICY, path)
    assert artifact is not None, problems
    assert approval_state(artifact, site_config).pending_roles == []


# Pieces of the documents the importers read, to be put together in any order.
IMPORT_PIECES = [
    "---\n", "# Model Card for Ünïcödé/Name_v2\n", "## Uses\n", "### Direct Use\n", "### Out-of-Scope Use\n",
    "## Bias, Risks, and Limitations\n", "## Recommendations\nDo x.\n", "## Model Card Contact\n",
    "## Table of Contents\n- [x](#x)\n", "- item\n", "  - nested\n", "1. one\n", "```\n", "~~~\n",
    "<!-- c -->\n", "<!--\n", "-->\n", "[More Information Needed]\n", "**BibTeX:**\n", "| a | b |\n|---|---|\n",
    "> quote\n", "text [link](rel.md) ![img](x.png) {-}\n", "Title\n=====\n", "\n", "\r\n", "\t code\n",
    "<details>\n", "name: X\n", "name:\n", "acronym: Y\n", "majorRevisions:\n  - date: Jun 31 2019\n    comment: c\n",
    "majorRevisions: x\n", "satisfies:\n  TSC: [CC6.1, CC9.9]\n", "satisfies: [a]\n", "license: mit\n",
    "model-index:\n- name: m\n  results: []\n", "model-index: 5\n", "title: [a, b]\n", "version: 1.0\n",
    "status: approved\n", "changelog: 5\n", "datasets: 7\n", "owner: 3\n", "effective: nope\n", "type: sla\n",
]


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(IMPORT_PIECES), max_size=16))
def test_importing_any_document_gives_a_valid_draft_or_a_located_usage_error(tmp_path, pieces):
    from trustcenter.findings import ConfigError
    from trustcenter.importers.draft import validate_draft
    from trustcenter.importers.hf_card import import_hf_card
    from trustcenter.importers.policy import import_policies
    source = tmp_path / "source.md"
    source.write_text("".join(pieces), encoding="utf-8")
    for make in (lambda: [import_hf_card(source, None, date(2026, 1, 1))],
                 lambda: import_policies([source], None, date(2026, 1, 1))):
        try:
            drafts = make()
        except ConfigError as error:   # the source's YAML cannot be read: exit 2, with its line
            assert all(f.path == str(source) and f.line >= 1 for f in error.findings)
            continue
        for draft in drafts:
            validate_draft(draft)      # raises if the draft would not load as its type
            assert draft.front["status"] == "draft"


# Mostly prose, now and then a character that some Markdown syntax starts with.
PROSE = st.text(alphabet=st.sampled_from(list("abzAÉßЖ09 .,;:'\"()?%/-") * 8 + list("\t*_`[]<>&\\|{}~!^=#+")),
                max_size=40)


@settings(max_examples=500, suppress_health_check=[HealthCheck.filter_too_much])
@given(st.lists(st.tuples(st.sampled_from(list("aZéЖ")), PROSE), min_size=1, max_size=4))
@example([("a", "\t"), ("b", "")]).via("a tab becomes spaces: a hard break")
@example([("a", "b  "), ("c", "")]).via("two spaces at the end of a line: a hard break")
def test_text_read_without_markdown_is_the_text_markdown_shows(lines):
    """plain_text skips Python-Markdown for a plain paragraph; Python-Markdown must agree on it."""
    text = "\n".join(first + rest for first, rest in lines)
    assume(markup._PLAIN_PARAGRAPH.fullmatch(text))
    assert markup._rendered_text(text) == " ".join(text.split())


@settings(max_examples=300, suppress_health_check=[HealthCheck.filter_too_much])
@given(st.integers(1, 6), st.sampled_from(list("aZ9Ж")), PROSE)
def test_a_heading_read_without_markdown_is_the_text_markdown_shows(level, first, rest):
    text = "#" * level + " " + first + rest
    heading = markup._PLAIN_HEADING.fullmatch(text)
    assume(heading)
    assert markup._rendered_text(text) == " ".join(heading.group(1).split())


# YAML scalars of every kind a key or value can be: numbers, booleans, nulls, dates, text.
YAML_SCALARS = st.one_of(st.integers(-5, 5), st.floats(allow_nan=False, allow_infinity=False, width=16),
                         st.booleans(), st.none(), st.dates(), st.text(max_size=6))
YAML_VALUES = st.recursive(YAML_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(YAML_SCALARS, inner, max_size=4)), max_leaves=12)
MODEL_CARD = ARTIFACT_TYPES["model-card"]
CARD_FIELDS = ("widget", "inference", "co2_eq_emissions", "title", "owner", "metrics", "changelog",
               "approvals", "languages", "x-unknown")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(CARD_FIELDS), st.dictionaries(YAML_SCALARS, YAML_VALUES, min_size=1, max_size=5))
@example("widget", {1: "a", "b": "c"}).via("mixed key types used to crash the digest")
@example("widget", {None: 1, True: 2, 1.5: 3, date(2026, 1, 1): 4})
def test_mappings_with_keys_of_any_type_give_findings_or_a_digest_never_an_error(name, mapping):
    front = front_matter("model-card")
    front[name] = mapping
    text = "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n\nBody.\n"
    artifact, findings = parse_artifact(text, MODEL_CARD, "m", "content/model-cards/m.md")
    assert (artifact is None) == any(f.blocking for f in findings)
    assert all(f.line >= 1 for f in findings)
    if artifact is not None:
        assert artifact_digest(artifact).startswith("sha256:")
        approval_state(artifact, config)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(min_size=1, max_size=600), st.booleans())
@example(b"\xff\xfe", False).via("Latin-1 in a free page used to pass check and fail the build")
@example(b"caf\xe9\n", True)
def test_any_bytes_in_a_free_page_are_refused_or_built_never_a_traceback(tc, data, after_front_matter):
    page = tc.write("page", "about", title="About us")
    page.write_bytes(page.read_bytes() + data if after_front_matter else data)
    out = tc.root.parent / "out"
    for args in (("check",), ("build", "--preview", "--out", str(out))):
        result = tc.run(*args)
        assert "Traceback" not in result.stdout + result.stderr, (args, result.stderr)
        assert result.returncode in (0, 1), (args, result.stdout + result.stderr)
