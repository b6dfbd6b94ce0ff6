"""Regex prefilters: the literal atoms named for a regex must occur in every match of it."""

from __future__ import annotations

import pytest
import re2
from hypothesis import given, settings
from hypothesis import strategies as st

from smsguard.lang.prefilter import regex_atoms

PATTERNS = [
    r"[(（]\d{4}[)）][\p{Han}]{1,2}\d{0,4}[\p{Han}]{1,4}\d{1,6}号",
    r"(?:转账|汇款)到[^，。]{0,10}账户",
    r"贷款.{0,20}(手续费|保证金)",
    r"ab?c",
    r"a(b|c)d|xy",
    r"\bvx\b",
    r"[a-c]x+",
    r"a{2,3}b",
    r"(?s)a.c",
    r"欠(?s)?款",
    r"\Qa.b\E|转",
    r"^起诉$",
    r"a[-b]c",
    r"x(?:y?z|w)",
]
FRAGMENTS = ["a", "b", "c", "d", "w", "x", "y", "z", "vx", " ", ".", "-", "\n", "转账", "汇款", "到", "账户", "贷款"]
FRAGMENTS += ["手续费", "保证金", "(", "（", "2024", ")", "）", "京", "民初", "123", "号", "起诉", "转", "a.b"]
TEXTS = st.lists(st.sampled_from(FRAGMENTS), max_size=24).map("".join)


@pytest.mark.parametrize(
    ("pattern", "atoms"),
    [
        (r"abc", {"abc"}),
        (r"a(b|c)d", {"abd", "acd"}),
        (r"ab?c", {"ac", "abc"}),
        (r"foo|bar", {"foo", "bar"}),
        (r"贷款.{0,20}(手续费|保证金)", {"手续费", "保证金"}),
        (r"\x{4e00}", {"一"}),
    ],
)
def test_atoms_of_simple_patterns(pattern: str, atoms: set[str]) -> None:
    assert regex_atoms(pattern) == atoms


@pytest.mark.parametrize("pattern", [r".", r"\d+", r"foo|.*", r"a*", r"(?i)abc", r"[^a]"])
def test_no_atoms_when_a_match_needs_no_literal(pattern: str) -> None:
    assert regex_atoms(pattern) is None


def test_case_insensitive_flag_gives_up() -> None:
    assert regex_atoms("abc", "i") is None


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PATTERNS), TEXTS)
def test_every_match_holds_an_atom(pattern: str, text: str) -> None:
    atoms = regex_atoms(pattern)
    if atoms is None:
        return
    for match in re2.finditer(pattern, text):
        if match.end() > match.start():
            assert any(atom in match.group() for atom in atoms), (pattern, text, atoms)
