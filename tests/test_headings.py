"""Every page of the example site, built from its git history, names itself: in its heading and title.

A speed-up once let MkDocs forget page titles after rendering, and frozen versions, changelogs and
diffs went out headed "None". This reads every page a customer (or a reviewer, in a preview) can open.
"""

import pytest

from conftest import REPO, html, run_cli


@pytest.mark.parametrize("flags", [(), ("--preview",)], ids=["public", "preview"])
def test_every_page_has_a_heading_and_a_title_that_name_it(tmp_path, flags):
    out = tmp_path / "site"
    result = run_cli("build", *flags, "--out", str(out), cwd=REPO, env={"SOURCE_DATE_EPOCH": "1775001600"})
    assert result.returncode == 0, result.stdout + result.stderr
    pages = sorted(out.rglob("index.html"))
    assert len(pages) > 40
    unnamed = []
    for page in pages:
        doc = html(page)
        headings = [h.get_text(" ", strip=True).removesuffix("¶").strip() for h in doc.select("article h1")]
        title = doc.title.get_text(strip=True) if doc.title else ""
        if len(headings) != 1 or headings[0] in ("", "None", "null") or \
                title.split(" - ")[0].strip() in ("", "None", "null"):
            unnamed.append((page.relative_to(out).as_posix(), headings, title))
    assert unnamed == []
