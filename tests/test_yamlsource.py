import pytest

from trustcenter import yamlsource


def test_records_the_line_of_every_key_and_item():
    document = yamlsource.parse("\ntitle: x\nchangelog:\n  - version: 1.0.0\n    date: 2026-01-01\n")
    assert document.lines[("title",)] == 2
    assert document.lines[("changelog",)] == 3
    assert document.lines[("changelog", 0, "date")] == 5
    assert document.line_of(("changelog", 0, "unknown")) == 4


def test_duplicate_keys_are_refused_with_both_lines():
    with pytest.raises(yamlsource.YamlProblem) as caught:
        yamlsource.parse("status: draft\ntitle: x\nstatus: approved\n")
    assert caught.value.rule == "yaml-duplicate-key"
    assert caught.value.line == 3
    assert "first given on line 1" in caught.value.message


def test_duplicate_keys_in_nested_mappings_are_refused():
    with pytest.raises(yamlsource.YamlProblem) as caught:
        yamlsource.parse("uptime:\n  target: 99.9\n  target: 99.99\n")
    assert caught.value.line == 3


def test_aliases_are_refused():
    bomb = 'a: &a ["x","x"]\nb: &b [*a,*a]\nc: [*b,*b]\n'
    with pytest.raises(yamlsource.YamlProblem) as caught:
        yamlsource.parse(bomb)
    assert caught.value.rule == "yaml-alias"
    assert caught.value.line == 1


def test_dates_stay_text_and_only_true_false_are_booleans():
    data = yamlsource.parse("effective: 2026-13-45\nlanguage: no\nused: false\n").data
    assert data == {"effective": "2026-13-45", "language": "no", "used": False}


def test_syntax_errors_carry_their_line():
    with pytest.raises(yamlsource.YamlProblem) as caught:
        yamlsource.parse("title: x\nsummary: [unclosed\nowner: y\n")
    assert caught.value.rule == "yaml-syntax"
    assert caught.value.line >= 2


def test_dump_round_trips():
    data = {"approvals": [{"role": "legal", "by": "A <a@b.example>", "date": "2026-01-01"}]}
    assert yamlsource.parse(yamlsource.dump(data)).data == data


def test_dump_writes_a_value_used_twice_twice_not_as_an_alias():
    from datetime import date
    today = date(2026, 1, 1)
    text = yamlsource.dump({"changelog": [{"date": today}], "evaluation": {"date": today}})
    assert "&" not in text and "*" not in text
    assert yamlsource.parse(text).data == {"changelog": [{"date": "2026-01-01"}], "evaluation": {"date": "2026-01-01"}}
