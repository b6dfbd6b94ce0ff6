"""Lark parse trees to :mod:`smsguard.lang.ast` nodes, without recursion (deep trees are fine).

Bad literals (an invalid escape, a number too large, a fractional ``N of``) are recorded as diagnostics and
replaced by a harmless value, so that every one of them is reported, not only the first.
"""

from __future__ import annotations

import json
import math
from typing import Any

from lark import Token, Transformer_NonRecursive, v_args
from lark.tree import Meta

from smsguard.diagnostics import Diagnostic, Location, make_diagnostic
from smsguard.lang import ast


def _string(token: Token) -> str | None:
    try:
        value = json.loads(str(token))
    except (json.JSONDecodeError, RecursionError):
        return None
    return value if isinstance(value, str) else None


@v_args(meta=True, inline=True)
class ToAst(Transformer_NonRecursive[Token, list[ast.Item]]):
    """Tree to AST. Bad literals are recorded as errors and replaced by a harmless value, so all are found."""

    def __init__(self, path: str, source: str) -> None:
        super().__init__()
        self.path = path
        self.source = source
        self.errors: list[Diagnostic] = []

    def _loc(self, meta: Meta) -> Location:
        return Location(self.path, getattr(meta, "line", 0), getattr(meta, "column", 0))

    def _token_loc(self, token: Token) -> Location:
        return Location(self.path, token.line or 0, token.column or 0)

    def _error(self, loc: Location, message: str) -> None:
        self.errors.append(make_diagnostic(loc, message, code="syntax", source=self.source))

    def _str(self, token: Token) -> str:
        value = _string(token)
        if value is None:
            self._error(self._token_loc(token), 'invalid escape in string (use \\\\, \\", \\n, \\t or \\uXXXX)')
            return ""
        return value

    def _float(self, token: Token) -> float:
        value = float(token)
        if not math.isfinite(value):
            self._error(self._token_loc(token), "this number is too large")
            return 0.0
        return value

    @v_args(inline=False)
    def start(self, items: list[ast.Item]) -> list[ast.Item]:
        return items

    # ---- declarations
    def pack_header(self, meta: Meta, name: Token, version: Token) -> ast.PackHeader:
        return ast.PackHeader(self._str(name), self._str(version), self._loc(meta))

    def include(self, meta: Meta, path: Token) -> ast.Include:
        return ast.Include(self._str(path), self._loc(meta))

    def category(self, meta: Meta, name: Token, *props: ast.Prop) -> ast.CategoryDecl:
        return ast.CategoryDecl(str(name), props, self._loc(meta))

    def list_decl(self, meta: Meta, name: Token, value: ast.StringList | ast.FileRef) -> ast.ListDecl:
        return ast.ListDecl(str(name), value, self._loc(meta))

    def file_ref(self, meta: Meta, path: Token) -> ast.FileRef:
        return ast.FileRef(self._str(path), self._loc(meta))

    def rule(self, meta: Meta, name: Token, *parts: Any) -> ast.RuleDecl:
        props = tuple(p for p in parts if isinstance(p, ast.Prop))
        whens = [p for p in parts if isinstance(p, _When)]
        examples = tuple(e for p in parts if isinstance(p, _Examples) for e in p.items)
        for extra in whens[1:]:
            self._error(extra.loc, f"rule {name} has more than one 'when'; combine them with 'and' or 'or'")
        when = whens[0] if whens else None
        return ast.RuleDecl(
            str(name),
            props,
            when.expr if when else None,
            examples,
            self._loc(meta),
            when.loc if when else self._loc(meta),
        )

    def override(self, meta: Meta, name: Token, *props: ast.Prop) -> ast.Override:
        return ast.Override(str(name), props, self._loc(meta))

    def disable(self, meta: Meta, name: Token) -> ast.Disable:
        return ast.Disable(str(name), self._loc(meta))

    def when(self, meta: Meta, expr: ast.Expr) -> _When:
        return _When(expr, self._loc(meta))

    def examples(self, meta: Meta, *items: ast.Example) -> _Examples:
        return _Examples(items)

    def example(self, meta: Meta, kind: Token, text: Token, sender: Token | None, at: Token | None) -> ast.Example:
        return ast.Example(
            str(kind),
            self._str(text),
            self._str(sender) if sender is not None else None,
            self._str(at) if at is not None else None,
            self._loc(meta),
        )

    def prop(self, meta: Meta, name: Token, value: ast.PropValue) -> ast.Prop:
        return ast.Prop(str(name), value, self._loc(meta))

    def string_value(self, meta: Meta, token: Token) -> str:
        return self._str(token)

    def number_value(self, meta: Meta, token: Token) -> float:
        return self._float(token)

    def name_value(self, meta: Meta, token: Token) -> ast.NameValue:
        return ast.NameValue(str(token), self._loc(meta))

    def true_value(self, meta: Meta) -> bool:
        return True

    def false_value(self, meta: Meta) -> bool:
        return False

    def string_list(self, meta: Meta, *tokens: Token | None) -> ast.StringList:
        return ast.StringList(tuple(self._str(t) for t in tokens if t is not None), self._loc(meta))

    # ---- expressions
    def or_(self, meta: Meta, left: ast.Expr, right: ast.Expr) -> ast.Or:
        items = (*left.items, right) if isinstance(left, ast.Or) else (left, right)
        return ast.Or(items, self._loc(meta))

    def and_(self, meta: Meta, left: ast.Expr, right: ast.Expr) -> ast.And:
        items = (*left.items, right) if isinstance(left, ast.And) else (left, right)
        return ast.And(items, self._loc(meta))

    def not_(self, meta: Meta, item: ast.Expr) -> ast.Not:
        return ast.Not(item, self._loc(meta))

    def compare(self, meta: Meta, left: ast.Expr, op: Token, right: ast.Expr) -> ast.Compare:
        return ast.Compare(str(op), left, right, self._loc(meta))

    def literal(self, meta: Meta, token: Token) -> ast.Literal:
        return ast.Literal(self._str(token), self._loc(meta))

    def regex(self, meta: Meta, token: Token) -> ast.Regex:
        text = str(token)
        end = text.rindex("/")
        return ast.Regex(text[1:end].replace("\\/", "/"), text[end + 1 :], self._loc(meta))

    def number(self, meta: Meta, token: Token) -> ast.Number:
        return ast.Number(self._float(token), self._loc(meta))

    def true_(self, meta: Meta) -> ast.Bool:
        return ast.Bool(True, self._loc(meta))

    def false_(self, meta: Meta) -> ast.Bool:
        return ast.Bool(False, self._loc(meta))

    def ref(self, meta: Meta, name: Token) -> ast.Ref:
        return ast.Ref(str(name), self._loc(meta))

    def call(self, meta: Meta, name: Token, arguments: list[Any] | None) -> ast.Call:
        args = tuple(a for a in arguments or () if not isinstance(a, ast.KeywordArgument))
        kwargs = tuple(a for a in arguments or () if isinstance(a, ast.KeywordArgument))
        return ast.Call(str(name), args, kwargs, self._loc(meta))

    @v_args(inline=False, meta=True)
    def arguments(self, meta: Meta, items: list[Any]) -> list[Any]:
        return [i for i in items if i is not None]

    def keyword_argument(self, meta: Meta, name: Token, value: ast.Expr) -> ast.KeywordArgument:
        return ast.KeywordArgument(str(name), value, self._loc(meta))

    def n_of(self, meta: Meta, count: Token, *items: ast.Expr | None) -> ast.NOf:
        value = self._float(count)
        whole = 0
        if value != int(value) or value < 0:
            self._error(self._loc(meta), "the N of 'N of (...)' must be a whole number, 0 or more")
        else:
            whole = int(value)
        return ast.NOf(whole, tuple(i for i in items if i is not None), self._loc(meta))


class _When:
    __slots__ = ("expr", "loc")

    def __init__(self, expr: ast.Expr, loc: Location) -> None:
        self.expr = expr
        self.loc = loc


class _Examples:
    __slots__ = ("items",)

    def __init__(self, items: tuple[ast.Example, ...]) -> None:
        self.items = items
