"""``smsguard lint`` and its checks (smsguard/lint/)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from smsguard.cli import main
from smsguard.engine import default_pack_path
from smsguard.lang.parser import parse
from smsguard.lint import CHECKS, LintReport, lint_paths
from smsguard.lint.logic import RuleLogic
from smsguard.normalize import default_normalizer
from smsguard.plugins import PluginHost

DOCS = Path(__file__).resolve().parent.parent / "docs" / "lint.md"
HOST = PluginHost.from_entry_points()

# One line per finding: the rule file, then (line of the finding, check id, words of the message).
BAD = """\
category scary { title: "吓人" threshold: 0.99 priority: 5 risk: high }
category lonely { threshold: 0.5 }
list three = ["甲", "乙", "丙"]
list unused = ["丁"]
list dup = ["起诉", "起 诉", "x", "x", "\\u200b"]
rule contradiction { title: "c" category: scary when: "a" and not "a" }
rule tautology { title: "t" category: scary when: not "x" or "x" }
rule any_length { title: "l" category: scary when: length() >= 0 }
rule too_many { title: "m" category: scary when: count(three) >= 4 }
rule dead_branch { title: "p" category: scary when: any(dup) or count(three) > 5 }
rule near_not { category: scary when: near("甲", "乙") and not "甲" }
rule two_senders { title: "s" category: scary when: sender("12368") and sender("95555") }
rule lengths { title: "n" category: scary when: length() > 10 and length() < 5 }
rule regexes { title: "r" category: scary when: /A+/ or /x*/ }
rule bad_time { title: "b" category: scary when: "甲" examples { hit: "甲" miss: "乙" at "yesterday" } }
rule on_fallback { title: "f" category: normal weight: 1 when: "甲" }
rule nowhere { title: "u" category: nosuch when: signal("nope.x") and any(missing) and frob("x") }
rule impossible { title: "z" category: scary when: 3 of ("a", "b") }
rule typed { title: "y" category: scary weight: "heavy" wieght: 1 when: count("a") == "two" and near("a") }
rule loop_a { title: "la" category: scary when: loop_b }
rule loop_b { title: "lb" category: scary when: loop_a }
rule rejected { title: "re" category: scary when: /(a)\\1/ }
rule contradiction { title: "again" category: scary when: "b" }
override nobody { weight: 2 }
rule cascade { title: "k" category: scary when: frob("x") > 2 or signal("nope.y") == "z" }
"""
EXPECTED = [
    (2, "unreachable-category", "category 'lonely' can never be chosen: no enabled rule"),
    (2, "missing-title", "category 'lonely' has no title"),
    (4, "unused-list", "list 'unused' is never used"),
    (5, "duplicate-term", "list 'dup' has 'x' twice"),
    (5, "duplicate-term", "'起诉' and '起 诉' are the same once normalized"),
    (5, "empty-term", "normalizes to nothing"),
    (6, "never-fires", 'rule \'contradiction\' can never fire: `"a" and not "a"` is a contradiction'),
    (7, "always-fires", 'rule \'tautology\' always fires: `not "x" or "x"` holds for every message'),
    (8, "always-fires", "`length() >= 0` is always true (length() is a whole number, 0 or more)"),
    (9, "never-fires", "`count(three) >= 4` is never true (count() of 3 literals is between 0 and 3)"),
    (10, "constant-condition", "`count(three) > 5` is never true"),
    (11, "missing-title", "rule 'near_not' has no title"),
    (11, "never-fires", 'rule \'near_not\' can never fire: `near("甲", "乙") and not "甲"` is a contradiction'),
    (12, "never-fires", '`sender("12368") and sender("95555")` is a contradiction'),
    (13, "never-fires", "`length() > 10 and length() < 5` is a contradiction"),
    (14, "regex-case", "/A+/ has upper-case 'A'"),
    (14, "regex-empty", "/x*/ can match the empty string"),
    (15, "example-time", "'at' 'yesterday' is not an ISO 8601 time"),
    (16, "weight-on-fallback", "rule 'on_fallback' puts weight on the fallback category 'normal'"),
    (17, "unknown-category", "unknown category 'nosuch'"),
    (17, "unknown-signal", "unknown signal 'nope.x'"),
    (17, "unknown-list", "unknown list 'missing'"),
    (17, "unknown-function", "unknown function 'frob'"),
    (18, "impossible-count", "3 of 2 conditions can never hold"),
    (19, "type", "'weight' must be a number"),
    (19, "unknown-property", "unknown rule property 'wieght'; did you mean 'weight'?"),
    (19, "type", "cannot compare a number with a string"),
    (19, "argument", "near() takes two term sets"),
    (21, "cycle", "rules refer to each other in a cycle: loop_a -> loop_b -> loop_a"),
    (22, "regex-rejected", "the linear-time regex engine rejects"),
    (23, "duplicate", "the name 'contradiction' is declared twice"),
    (24, "unknown-rule", "unknown rule 'nobody'"),
    (25, "unknown-function", "unknown function 'frob'"),  # and no type error for comparing its value
    (25, "unknown-signal", "unknown signal 'nope.y'"),
]


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def bad_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lint") / "bad.sg"
    path.write_text(BAD, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def report(bad_pack: Path) -> LintReport:
    return lint_paths([bad_pack], host=HOST)


def test_every_check_has_an_id_a_severity_and_a_docstring() -> None:
    ids = [c.id for c in CHECKS]
    assert len(ids) == len(set(ids))
    for check in CHECKS:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", check.id)
        assert check.severity in ("error", "warning", "info")
        assert check.summary(), f"{check.__name__} needs a docstring"


def test_every_check_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for check in CHECKS:
        heading = re.search(rf"^### `{re.escape(check.id)}` \((\w+)\)$", text, re.MULTILINE)
        assert heading, f"docs/lint.md has no section for {check.id}"
        assert heading.group(1) == check.severity


@pytest.mark.parametrize(("line", "check", "words"), EXPECTED, ids=[f"{c}@{n}" for n, c, _ in EXPECTED])
def test_each_finding_is_reported_where_it_is(report: LintReport, line: int, check: str, words: str) -> None:
    found = [d for d in report.diagnostics if d.line == line and d.code == check]
    assert any(words in d.message for d in found), [d.render() for d in found]


def test_every_finding_is_expected(report: LintReport) -> None:
    """No false positives: each finding of the bad pack is one the table above expects."""
    unexpected = [
        d.render()
        for d in report.diagnostics
        if not any(d.line == n and d.code == c and w in d.message for n, c, w in EXPECTED)
        and d.code != "missing-examples"
    ]
    assert unexpected == []


def test_output_format_order_and_exit_status(bad_pack: Path) -> None:
    code, out, err = run("lint", str(bad_pack))
    assert code == 1
    heads = [line for line in out.splitlines() if re.match(r"^\S+:\d+:\d+: (error|warning|info): ", line)]
    keys = [(int(h.split(":")[1]), int(h.split(":")[2])) for h in heads]
    assert keys == sorted(keys)
    assert f"{bad_pack}:6:" in out and "errors" in err
    first = out.splitlines()
    index = first.index(next(h for h in heads if ":17:" in h and "unknown-category" in h))
    assert first[index + 1].strip().startswith("rule nowhere")
    assert first[index + 2].strip() == "^"
    assert run("lint", str(bad_pack))[1] == out  # deterministic


def test_warnings_fail_only_with_strict(tmp_path: Path) -> None:
    pack = tmp_path / "warn.sg"
    pack.write_text('list unused = ["甲"]\n', encoding="utf-8")
    assert run("lint", str(pack))[0] == 0
    assert run("lint", "--strict", str(pack))[0] == 1
    assert run("lint", "--strict", "--ignore", "unused-list", str(pack))[0] == 0
    assert run("lint", "--ignore", "no-such-check", str(pack))[0] == 2


def test_json_output(bad_pack: Path) -> None:
    code, out, _ = run("lint", "--json", str(bad_pack))
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert {"path", "line", "column", "severity", "check", "message"} <= set(rows[0])
    assert any(r["check"] == "never-fires" and r["line"] == 6 for r in rows)


def test_list_checks() -> None:
    code, out, _ = run("lint", "--list-checks")
    assert code == 0
    assert all(check.id in out for check in CHECKS)
    assert "``" not in out
    lines = out.splitlines()
    assert len(lines) == len(CHECKS)  # one line per check, however long its docstring's first paragraph
    never_fires = next(line for line in lines if line.startswith("never-fires "))
    assert never_fires.endswith("a term that normalizes to nothing.")


def test_the_default_pack_lints_without_errors() -> None:
    report = lint_paths([default_pack_path()], host=HOST)
    assert report.count("error") == 0, [d.render() for d in report.diagnostics if d.is_error]
    code, _, _ = run("lint", str(default_pack_path()))
    assert code == 0


def test_a_broken_rule_gives_one_error_and_no_false_errors_after_it(tmp_path: Path) -> None:
    pack = tmp_path / "broken.sg"
    pack.write_text(
        'rule first { title: "a" category: scam when: any("甲") and }\n'
        'rule second { title: "b" category: scam when: "乙" examples { hit: "乙" miss: "丙" } }\n'
        'rule third { title: "c" category: scam when: first or second examples { hit: "乙" miss: "丙" }\n'
        'rule fourth { title "d" category: scam when: "丁" }\n'
        'rule fifth { title: "e" category: scam when: second examples { hit: "乙" miss: "丙" } }\n',
        encoding="utf-8",
    )
    found = [d for d in lint_paths([pack], host=HOST).diagnostics if d.is_error]
    assert [(d.line, d.code) for d in found] == [(1, "syntax"), (4, "syntax"), (4, "syntax")]
    assert "a condition is missing after 'and'" in found[0].message
    assert "the declaration above is not finished" in found[1].message
    assert "a property is written 'name: value'" in found[2].message


@pytest.mark.parametrize(
    ("title", "category", "line", "words"),
    [
        ('title: "示例"', "category： scam", 3, "use the ASCII colon ':' instead of the full-width '：'"),
        ('title "示例"', "category: scam", 2, "a property is written 'name: value'"),
    ],
)
def test_a_property_named_like_a_keyword_does_not_cut_a_broken_rule_in_two(
    tmp_path: Path, title: str, category: str, line: int, words: str
) -> None:
    pack = tmp_path / "colon.sg"
    pack.write_text(
        f'rule demo {{\n  {title}\n  {category}\n  when: any(["退款"])\n}}\n'
        'rule later { title: "后" category: scam when: "改签" examples { hit: "改签" miss: "你好" } }\n',
        encoding="utf-8",
    )
    found = [d for d in lint_paths([pack], host=HOST).diagnostics if d.is_error]
    assert [(d.line, d.code) for d in found] == [(line, "syntax")], [d.render() for d in found]
    assert words in found[0].message


def test_syntax_errors_say_what_was_expected_in_words(tmp_path: Path) -> None:
    cases = {
        'rule x { title "t" }': "a property is written 'name: value', with a colon",
        "rule x { when: 'a' }": "strings are written in double quotes",
        "rule x { when：any(a) }": "use the ASCII colon ':' instead of the full-width '：'",
        'list a = ["x" "y"]': "items of a list are separated by commas",
        "rule x { when: count(a) = 2 }": "compare with '==', not '='",
        "rules x { }": "unexpected name 'rules'; a keyword and a name need a space between them",
        "foo": "expected a declaration (pack, include, category, list, rule, override or disable)",
        "rul x { }": "did you mean 'rule'?",
        "rulex { }": "unexpected name 'rulex'; a keyword and a name need a space between them: did you mean 'rule x'?",
        "rule x { when: 2 of a }": "'N of' takes its conditions in parentheses",
        "rule x {": "the file ends too early; a closing '}' is missing",
    }
    for source, words in cases.items():
        pack = tmp_path / "case.sg"
        pack.write_text(source, encoding="utf-8")
        messages = [d.message for d in lint_paths([pack], base=False, host=HOST).diagnostics if d.code == "syntax"]
        assert any(words in m for m in messages), (source, messages)


def test_analysis_knows_substrings_and_counts() -> None:
    logic = RuleLogic({"words": ("起诉", "法院")}, {}, default_normalizer().normalize_pattern)

    def value(condition: str) -> bool | None:
        rule = parse(f"rule r {{ when: {condition} }}").items[0]
        assert rule.when is not None  # type: ignore[union-attr]
        analysis = logic.analyse(rule.when)  # type: ignore[union-attr]
        return analysis.value(analysis.root)

    assert value('"起诉" and not "起"') is False  # 起诉 contains 起
    assert value('"起" and not "起诉"') is None
    assert value("count(words) >= 1 and not any(words)") is False
    assert value("count(words) == 2 and not all(words)") is False
    assert value("not (count(words) <= 2)") is False
    assert value('any(words) or not "起诉" and not "法院"') is True
    assert value("length() > 3 or length() < 5") is True
    assert value('all("a", "\\u200b")') is False
    assert value('any("a") and signal("x.y")') is None


def _documented_examples() -> list[tuple[str, str]]:
    text = DOCS.read_text(encoding="utf-8")
    found = []
    for section in re.split(r"^### ", text, flags=re.MULTILINE)[1:]:
        check = re.match(r"`([a-z-]+)`", section)
        block = re.search(r"^```smsguard[^\n]*\n(.*?)^```", section, re.MULTILINE | re.DOTALL)
        if check and block:
            found.append((check.group(1), block.group(1)))
    return found


@pytest.mark.parametrize(("check", "source"), _documented_examples(), ids=lambda v: v if "\n" not in v else "")
def test_each_documented_example_shows_its_check(tmp_path: Path, check: str, source: str) -> None:
    pack = tmp_path / "pack" / "example.sg"
    pack.parent.mkdir()
    pack.write_text(source, encoding="utf-8")
    codes = {d.code for d in lint_paths([pack], host=HOST).diagnostics}
    assert check in codes, codes
