"""Property: any text parses into a rule file or raises RulePackError, never anything else (issue 5)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark
from rule_strategies import KEYWORDS, OPS, names, numbers, regexes, strings

from smsguard.errors import RulePackError
from smsguard.lang.formatter import format_source, number, quote, regex
from smsguard.lang.parser import KEYWORD_TERMINALS, _parser, parse, parse_recovering

DEFAULT_PACK = Path(__file__).resolve().parent.parent / "smsguard" / "packs" / "default"
SLOW = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _spaced_terminals() -> dict[str, st.SearchStrategy[str]]:
    """Every terminal of the grammar drawn from a strategy of readable tokens, with spaces around it, so that
    most generated files lex as intended and reach the parser's and transformer's deeper states."""
    words: dict[str, st.SearchStrategy[str]] = {
        "NAME": names,
        "STRING": strings.map(quote),
        "REGEX": regexes.map(regex),
        "SIGNED_NUMBER": numbers.map(number) | st.sampled_from(["1.5", "-2", "99999999999999999999", "0"]),
        "COMPARATOR": st.sampled_from(OPS),
        "EXAMPLE_KIND": st.sampled_from(["hit", "miss"]),
        "WS": st.sampled_from([" ", "\n", "\t"]),
        "COMMENT": st.just("# note\n"),
    }
    explicit: dict[str, st.SearchStrategy[str]] = {}
    for terminal in _parser().terminals:
        base = words[terminal.name] if terminal.name in words else st.just(terminal.pattern.value)
        explicit[terminal.name] = base.map(lambda s: f" {s} ")
    return explicit


RAW = from_lark(_parser(), start="start")
SPACED = from_lark(_parser(), start="start", explicit=_spaced_terminals())


def _parses_or_rule_pack_error(text: str) -> None:
    try:
        parse(text, "gen.sg")
    except RulePackError as exc:
        assert exc.diagnostics, "a RulePackError carries at least one diagnostic"
        assert all(d.path == "gen.sg" and d.line >= 1 and d.severity == "error" for d in exc.diagnostics)


@SLOW
@given(RAW)
def test_text_from_the_grammar_parses_or_raises_rule_pack_error(text: str) -> None:
    _parses_or_rule_pack_error(text)


@SLOW
@given(SPACED)
def test_spaced_text_from_the_grammar_parses_or_raises_rule_pack_error(text: str) -> None:
    _parses_or_rule_pack_error(text)


@given(st.text(max_size=200))
def test_any_text_parses_or_raises_rule_pack_error(text: str) -> None:
    _parses_or_rule_pack_error(text)


@pytest.fixture(scope="module")
def default_sources() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(DEFAULT_PACK.glob("*.sg"))]


@given(data=st.data())
def test_damaged_real_files_parse_or_raise_and_keep_the_rest(default_sources: list[str], data: st.DataObject) -> None:
    """Cut, insert or replace a few characters of a real rule file: still only RulePackError, and recovery keeps
    the declarations the damage did not touch."""
    source = data.draw(st.sampled_from(default_sources))
    text = source
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 5))
        insert = data.draw(st.sampled_from(["", "}", "{", '"', "(", ",", "and", "：", "'", "rule", "\n", "#"]))
        text = text[:at] + insert + text[at + cut :]
    _parses_or_rule_pack_error(text)
    recovered, diagnostics = parse_recovering(text, "gen.sg")
    if diagnostics:
        whole = parse(source, "gen.sg")
        assert len(recovered.items) >= len(whole.items) - 3 * len(diagnostics) - 3
    else:
        formatted = format_source(text)
        assert format_source(formatted) == formatted
        assert parse(formatted).items == recovered.items


@pytest.mark.parametrize("keyword", sorted(KEYWORDS))
def test_keywords_are_not_names(keyword: str) -> None:
    with pytest.raises(RulePackError):
        parse(f"list {keyword}x = [] rule {keyword} {{ }}\n{keyword}rule")


def test_every_keyword_of_the_grammar_is_watched_for_a_glued_name() -> None:
    keywords = {t.name for t in _parser().terminals if t.pattern.type == "str" and t.pattern.value.isalpha()}
    assert keywords | {"EXAMPLE_KIND"} == set(KEYWORD_TERMINALS)
    assert {k.lower() for k in keywords} | {"hit", "miss"} == KEYWORDS
