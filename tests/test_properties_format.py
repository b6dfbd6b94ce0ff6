"""Properties of the formatter: parse(format(tree)) == tree, format is idempotent, no comment is lost."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rule_strategies import rule_files
from test_properties_parser import SPACED

from smsguard.errors import RulePackError
from smsguard.lang import ast
from smsguard.lang.formatter import format_rule_file, format_source
from smsguard.lang.parser import parse

SLOW = settings(suppress_health_check=[HealthCheck.too_slow])
_COMMENT = re.compile(r"#[^\n]*")


@SLOW
@given(rule_files)
def test_parse_of_format_gives_the_same_tree(rule_file: ast.RuleFile) -> None:
    text = format_rule_file(rule_file)
    assert parse(text, "formatted.sg").items == rule_file.items


@SLOW
@given(rule_files)
def test_format_is_idempotent(rule_file: ast.RuleFile) -> None:
    text = format_rule_file(rule_file)
    assert format_source(text) == text


def _comments(text: str, tree: ast.RuleFile) -> list[str]:
    """The comments of a source that parses: the '#' outside strings and regexes, found by the lexer."""
    from smsguard.lang.parser import _parser

    return sorted(str(t).rstrip() for t in _parser().lex(text, dont_ignore=True) if t.type == "COMMENT")


@SLOW
@given(SPACED)
def test_formatting_source_keeps_every_comment_and_the_tree(text: str) -> None:
    try:
        tree = parse(text)
    except RulePackError:
        return
    formatted = format_source(text)
    assert parse(formatted).items == tree.items
    assert _comments(formatted, tree) == _comments(text, tree)
    assert format_source(formatted) == formatted


@given(st.data())
def test_comments_stay_next_to_what_they_annotate(data: st.DataObject) -> None:
    source = (
        "# head\n"
        'list a = ["x", "y"]  # after a\n'
        "# before r\n"
        'rule r { title: "t"  # on title\n'
        '  when: any(a)\n  examples { hit: "x" miss: "z" } }\n'
    )
    formatted = format_source(source)
    lines = formatted.splitlines()
    assert lines[0] == "# head"
    assert lines[lines.index('list a = ["x", "y"]  # after a') + 1] == ""
    assert lines[lines.index("# before r") + 1] == "rule r {"
    assert '  title: "t"  # on title' in lines
    assert data.draw(st.just(formatted)) == format_source(formatted)
