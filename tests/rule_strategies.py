"""Hypothesis strategies for rule files: any syntax tree the parser can build, and small valid packs over a few
Chinese characters (so that literals, lists and regexes really match the generated messages)."""

from __future__ import annotations

import types
from typing import Any

from hypothesis import strategies as st

from smsguard.functions import RuleFunction
from smsguard.hookspecs import hookimpl
from smsguard.lang import ast
from smsguard.model import Message, Signal, SignalSpec

KEYWORDS = frozenset(
    {
        *("pack", "version", "include", "category", "list", "file", "rule", "override", "disable", "when"),
        *("examples", "true", "false", "from", "at", "or", "and", "not", "of", "hit", "miss"),
    }
)
OPS = (">=", "<=", "==", "!=", ">", "<")

# ---- any tree the parser can build ----------------------------------------------------------------------------

names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True).filter(lambda n: n not in KEYWORDS)
any_chars = st.characters(codec=None, exclude_categories=())
strings = st.text(any_chars, max_size=12) | st.text('甲乙 "\\\n\t#/', max_size=8)
numbers = st.floats(allow_nan=False, allow_infinity=False) | st.integers(-1000, 1000).map(float)


def _pattern_parts() -> st.SearchStrategy[str]:
    plain = st.characters(codec=None, exclude_categories=(), exclude_characters="/\\\n")
    escaped = st.characters(codec=None, exclude_categories=(), exclude_characters="/\n").map(lambda c: "\\" + c)
    return st.one_of(plain, escaped, st.just("/"))


regexes = st.builds(
    ast.Regex,
    st.lists(_pattern_parts(), min_size=1, max_size=6).map("".join).filter(lambda p: not p.startswith("*")),
    st.text("imsu", max_size=3),
)
string_lists = st.builds(ast.StringList, st.lists(strings, max_size=4).map(tuple))

atoms: st.SearchStrategy[ast.Expr] = st.one_of(
    st.builds(ast.Literal, strings),
    regexes,
    st.builds(ast.Number, numbers),
    st.builds(ast.Bool, st.booleans()),
    st.builds(ast.Ref, names),
    string_lists,
)


def _extend(inner: st.SearchStrategy[ast.Expr]) -> st.SearchStrategy[ast.Expr]:
    items = st.lists(inner, min_size=2, max_size=4).map(tuple)
    return st.one_of(
        items.filter(lambda xs: not isinstance(xs[0], ast.Or)).map(ast.Or),
        items.filter(lambda xs: not isinstance(xs[0], ast.And)).map(ast.And),
        st.builds(ast.Not, inner),
        st.builds(ast.Compare, st.sampled_from(OPS), inner, inner),
        st.builds(ast.NOf, st.integers(0, 5), st.lists(inner, min_size=1, max_size=3).map(tuple)),
        st.builds(
            ast.Call,
            names,
            st.lists(inner, max_size=3).map(tuple),
            st.lists(st.builds(ast.KeywordArgument, names, inner), max_size=1).map(tuple),
        ),
    )


expressions = st.recursive(atoms, _extend, max_leaves=10)

prop_values: st.SearchStrategy[ast.PropValue] = st.one_of(
    strings, numbers, st.booleans(), st.builds(ast.NameValue, names), string_lists
)
props = st.lists(st.builds(ast.Prop, names, prop_values), max_size=4).map(tuple)
examples = st.lists(
    st.builds(
        ast.Example,
        st.sampled_from(["hit", "miss"]),
        strings,
        st.none() | strings,
        st.none() | strings,
    ),
    max_size=3,
).map(tuple)

items: st.SearchStrategy[ast.Item] = st.one_of(
    st.builds(ast.PackHeader, strings, strings),
    st.builds(ast.Include, strings),
    st.builds(ast.CategoryDecl, names, props),
    st.builds(ast.ListDecl, names, string_lists | st.builds(ast.FileRef, strings)),
    st.builds(ast.RuleDecl, names, props, st.none() | expressions, examples),
    st.builds(ast.Override, names, props),
    st.builds(ast.Disable, names),
)
rule_files = st.lists(items, max_size=6).map(lambda xs: ast.RuleFile("<generated>", tuple(xs)))

# ---- small valid packs -----------------------------------------------------------------------------------------

ALPHABET = "甲乙丙丁"
MESSAGE_CHARS = ALPHABET + "元1 ,\u200bＡa"
SENDERS = (None, "12368", "95555", "1069 0000")
CATEGORIES = ("c0", "c1", "c2")
WEIGHTS = (-1.0, 0.1, 0.2, 0.3, 0.7, 1.0, 1.5, 3.0)
REGEXES = ("甲+", "[乙丙]", "甲.", "\\d+", "丁|甲乙", "乙{2}")

messages = st.text(MESSAGE_CHARS, max_size=12)
senders = st.sampled_from(SENDERS)
# Mostly plain words; sometimes one that normalization changes (full width, a zero-width space) or erases.
words = st.text(ALPHABET, min_size=1, max_size=2) | st.sampled_from(["甲\u200b乙", "Ａ", "a", "\u200b", " "])


@st.composite
def valid_packs(draw: st.DrawFn, rule_count: int = 6) -> ast.RuleFile:
    """Categories c0..c2 and a fallback, lists l0..l2, rules r0.. that may use the lists and earlier rules."""
    decls: list[ast.Item] = []
    for name in CATEGORIES:
        decls.append(
            ast.CategoryDecl(
                name,
                (
                    ast.Prop("title", name),
                    ast.Prop("threshold", draw(st.sampled_from([0.0, 0.3, 0.5, 0.9]))),
                    ast.Prop("priority", float(draw(st.integers(0, 3)))),
                ),
            )
        )
    decls.append(ast.CategoryDecl("normal", (ast.Prop("fallback", True),)))
    for name in LISTS:
        decls.append(ast.ListDecl(name, ast.StringList(tuple(draw(st.lists(words, min_size=1, max_size=3))))))
    rules: list[str] = []
    for index in range(draw(st.integers(1, rule_count))):
        name = f"r{index}"
        condition = _earlier_rules_only(draw(CONDITIONS), set(rules))
        decls.append(
            ast.RuleDecl(
                name,
                (
                    ast.Prop("category", ast.NameValue(draw(st.sampled_from(CATEGORIES)))),
                    ast.Prop("weight", draw(st.sampled_from(WEIGHTS))),
                    ast.Prop("enabled", draw(st.sampled_from([True, True, True, False]))),
                ),
                condition,
            )
        )
        rules.append(name)
    return ast.RuleFile("<generated>", tuple(decls))


def _earlier_rules_only(expr: ast.Expr, allowed: set[str]) -> ast.Expr:
    """Replace references to rules not declared before (which could form cycles) by a literal."""
    if isinstance(expr, ast.Ref) and expr.name.startswith("r"):
        return expr if expr.name in allowed else ast.Literal("甲")
    if isinstance(expr, ast.Not):
        return ast.Not(_earlier_rules_only(expr.item, allowed))
    if isinstance(expr, ast.And | ast.Or):
        return type(expr)(tuple(_earlier_rules_only(i, allowed) for i in expr.items))
    if isinstance(expr, ast.NOf):
        return ast.NOf(expr.count, tuple(_earlier_rules_only(i, allowed) for i in expr.items))
    return expr


def term_args(lists: list[str]) -> st.SearchStrategy[tuple[ast.Expr, ...]]:
    term = st.one_of(
        st.builds(ast.Literal, words),
        st.builds(ast.Regex, st.sampled_from(REGEXES)),
        st.sampled_from(lists).map(ast.Ref),
        st.builds(ast.StringList, st.lists(words, min_size=1, max_size=2).map(tuple)),
    )
    return st.lists(term, min_size=1, max_size=2).map(tuple)


def conditions(lists: list[str], rules: list[str]) -> st.SearchStrategy[ast.Expr]:
    small = st.integers(0, 4).map(lambda n: ast.Number(float(n)))
    args = term_args(lists)
    leaves: list[st.SearchStrategy[ast.Expr]] = [
        st.builds(ast.Literal, words),
        st.builds(ast.Regex, st.sampled_from(REGEXES)),
        st.sampled_from(lists).map(ast.Ref),
        args.map(lambda a: ast.Call("any", a)),
        args.map(lambda a: ast.Call("all", a)),
        st.builds(lambda a, op, n: ast.Compare(op, ast.Call("count", a), n), args, st.sampled_from(OPS), small),
        st.builds(
            lambda a, b, n: ast.Call("near", (a, b), (ast.KeywordArgument("within", ast.Number(float(n))),)),
            term_args(lists).map(lambda t: t[0]),
            term_args(lists).map(lambda t: t[0]),
            st.integers(0, 4),
        ),
        st.builds(lambda op, n: ast.Compare(op, ast.Call("length"), n), st.sampled_from(OPS), small),
        st.builds(lambda op, n: ast.Compare(op, ast.Call("amount"), n), st.sampled_from(OPS), small),
        st.sampled_from(["12368", "95555", "10690000"]).map(lambda s: ast.Call("sender", (ast.Literal(s),))),
        st.just(ast.Call("signal", (ast.Literal("t.flag"),))),
        st.builds(
            lambda op, n: ast.Compare(op, ast.Call("signal", (ast.Literal("t.count"),)), n),
            st.sampled_from(OPS),
            small,
        ),
        st.builds(
            lambda w, op, n: ast.Compare(op, ast.Call("tcount", (ast.Literal(w),)), n),
            words,
            st.sampled_from(OPS),
            small,
        ),
        st.builds(ast.Bool, st.booleans()),
    ]
    if rules:
        leaves.append(st.sampled_from(rules).map(ast.Ref))

    def extend(inner: st.SearchStrategy[ast.Expr]) -> st.SearchStrategy[ast.Expr]:
        group = st.lists(inner, min_size=2, max_size=3).map(tuple)
        return st.one_of(
            st.builds(ast.Not, inner),
            group.map(ast.And),
            group.map(ast.Or),
            group.flatmap(lambda g: st.integers(0, len(g)).map(lambda n: ast.NOf(n, g))),
        )

    return st.recursive(st.one_of(leaves), extend, max_leaves=6)


LISTS = ["l0", "l1", "l2"]
CONDITIONS = conditions(LISTS, [f"r{i}" for i in range(8)])


# ---- a deterministic plugin for the generated packs --------------------------------------------------------------


@hookimpl
def smsguard_signals() -> list[SignalSpec]:
    return [SignalSpec("t.flag", "bool", "丁 occurs"), SignalSpec("t.count", "number", "how many 甲")]


@hookimpl
def smsguard_detect(message: Message, text: Any, features: Any) -> list[Signal]:
    found: list[Signal] = []
    normalized: str = text.text
    where = normalized.find("丁")
    if where >= 0:
        found.append(Signal("t.flag", True, 1.0, (text.to_original(where, where + 1),)))
    count = normalized.count("甲")
    if count:
        found.append(Signal("t.count", count))
    return found


@hookimpl
def smsguard_functions() -> list[RuleFunction]:
    return [RuleFunction("tcount", ("string",), "number", lambda view, s: float(view.text.text.count(s)), "count")]


def make_test_plugin(name: str = "t_plugin") -> types.ModuleType:
    module = types.ModuleType(name)
    module.smsguard_signals = smsguard_signals  # type: ignore[attr-defined]
    module.smsguard_detect = smsguard_detect  # type: ignore[attr-defined]
    module.smsguard_functions = smsguard_functions  # type: ignore[attr-defined]
    return module
