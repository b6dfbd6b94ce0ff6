from __future__ import annotations

import pytest

from smsguard.errors import RulePackError
from smsguard.lang import ast
from smsguard.lang.parser import parse

FULL = """pack "p" version "2.1"
include "more.sg"
category scam { title: "诈骗" threshold: 0.6 priority: 100 risk: high advice: ["a", "b"] }
list terms = ["起诉", "立案",]
list lenders = file("lexicons/lenders.txt")
rule r1 {
  title: "t"
  description: "d"
  category: scam
  weight: -2.5
  tags: ["x"]
  when: any(terms) and not signal("link.shortener") or 2 of (/a\\/b/i, "x", count(lenders) >= 2)
  examples {
    hit: "hit text" from "12368" at "2025-01-01T23:00"
    miss: "miss text"
  }
}
override r1 { weight: 1 }
disable r2
"""


def test_every_construct_becomes_a_node() -> None:
    rule_file = parse(FULL, "p.sg")
    kinds = [type(item).__name__ for item in rule_file.items]
    assert kinds == [
        "PackHeader",
        "Include",
        "CategoryDecl",
        "ListDecl",
        "ListDecl",
        "RuleDecl",
        "Override",
        "Disable",
    ]
    assert rule_file.header == ast.PackHeader("p", "2.1")
    rule = rule_file.items[5]
    assert isinstance(rule, ast.RuleDecl)
    assert rule.loc.line == 6 and rule.loc.column == 1 and rule.loc.path == "p.sg"
    assert isinstance(rule.when, ast.Or)
    left, right = rule.when.items
    assert left == ast.And(
        (ast.Call("any", (ast.Ref("terms"),)), ast.Not(ast.Call("signal", (ast.Literal("link.shortener"),))))
    )
    assert isinstance(right, ast.NOf) and right.count == 2
    assert right.items[0] == ast.Regex("a/b", "i")
    assert right.items[2] == ast.Compare(">=", ast.Call("count", (ast.Ref("lenders"),)), ast.Number(2.0))
    assert rule.examples == (
        ast.Example("hit", "hit text", "12368", "2025-01-01T23:00"),
        ast.Example("miss", "miss text"),
    )
    props = {p.name: p.value for p in rule.props}
    assert props["weight"] == -2.5 and props["category"] == ast.NameValue("scam")


def test_locations_do_not_take_part_in_equality() -> None:
    a = parse('rule x { when: "a" }', "a.sg")
    b = parse('\n\n   rule   x {\n when:\n "a" }', "b.sg")
    assert a.items == b.items


def test_near_keyword_argument_and_inline_list() -> None:
    rule_file = parse('rule x { when: near("上门", ["催收", "核实"], within=8) }')
    rule = rule_file.items[0]
    assert isinstance(rule, ast.RuleDecl)
    assert rule.when == ast.Call(
        "near",
        (ast.Literal("上门"), ast.StringList(("催收", "核实"))),
        (ast.KeywordArgument("within", ast.Number(8.0)),),
    )


def test_syntax_error_names_file_line_column_with_caret() -> None:
    with pytest.raises(RulePackError) as info:
        parse("rule x {\n  when: any(a) and \n}\n", "bad.sg")
    (diag,) = info.value.diagnostics
    assert (diag.path, diag.line, diag.column) == ("bad.sg", 3, 1)
    rendered = diag.render()
    assert rendered.startswith("bad.sg:3:1: error: unexpected '}'")
    assert rendered.splitlines()[1].strip() == "}"
    assert rendered.splitlines()[2].strip() == "^"


def test_caret_accounts_for_wide_characters() -> None:
    with pytest.raises(RulePackError) as info:
        parse('rule x { title: "起诉" when: ) }', "w.sg")
    lines = info.value.diagnostics[0].render().splitlines()
    caret_col = lines[2].index("^") - 4
    # "rule x { title: " is 16 columns, the two CJK characters take 4 more, then '" when: '
    assert caret_col == 16 + 1 + 4 + 1 + 7


def test_bad_escape_is_a_rule_pack_error() -> None:
    with pytest.raises(RulePackError, match="invalid escape"):
        parse(r'rule x { when: "\q" }')


def test_end_of_file_error() -> None:
    with pytest.raises(RulePackError, match="ends too early"):
        parse("rule x {")
