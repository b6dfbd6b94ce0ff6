"""Parse rule files with Lark (LALR) into :mod:`smsguard.lang.ast` nodes. No ``lark.Tree`` leaves this module."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError
from lark.tree import Meta

from smsguard.diagnostics import Diagnostic, Location, make_diagnostic
from smsguard.errors import RulePackError
from smsguard.lang import ast

_TERMINAL_WORDS = {
    "NAME": "a name",
    "STRING": 'a quoted string ("...")',
    "REGEX": "a regular expression (/.../)",
    "SIGNED_NUMBER": "a number",
    "COMPARATOR": "a comparison (>=, ==, ...)",
    "EXAMPLE_KIND": "hit or miss",
    "LBRACE": '"{"',
    "RBRACE": '"}"',
    "LPAR": '"("',
    "RPAR": '")"',
    "LSQB": '"["',
    "RSQB": '"]"',
    "COLON": '":"',
    "COMMA": '","',
    "EQUAL": '"="',
    "$END": "the end of the file",
}


@cache
def grammar_text() -> str:
    """The Lark grammar shipped with the package."""
    return resources.files("smsguard.grammars").joinpath("smsguard.lark").read_text(encoding="utf-8")


@cache
def _parser() -> Lark:
    return Lark(grammar_text(), parser="lalr", propagate_positions=True, maybe_placeholders=True)


def parse(source: str, path: str = "<string>") -> ast.RuleFile:
    """Parse one rule file. Raises :class:`RulePackError` carrying every error found."""
    try:
        tree = _parser().parse(source)
    except UnexpectedInput as exc:
        raise RulePackError(syntax_diagnostics(source, path, exc)) from None
    try:
        items = _ToAst(path).transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, _LiteralError):
            err = exc.orig_exc
            raise RulePackError([make_diagnostic(err.location, err.message, source=source)]) from None
        raise
    return ast.RuleFile(path, tuple(items), source)


def syntax_diagnostics(source: str, path: str, exc: UnexpectedInput) -> list[Diagnostic]:
    """Turn a Lark error into a diagnostic that says what was expected in words."""
    line, column = getattr(exc, "line", 0) or 0, getattr(exc, "column", 0) or 0
    if isinstance(exc, UnexpectedEOF):
        lines = source.splitlines() or [""]
        line, column = len(lines), len(lines[-1]) + 1
        message = f"the file ends too early; expected {_expected({str(t) for t in exc.expected})}"
    elif isinstance(exc, UnexpectedToken):
        if exc.token.type == "$END":
            message = f"the file ends too early; expected {_expected(exc.expected)}"
        else:
            message = f"unexpected {str(exc.token)!r}; expected {_expected(exc.expected)}"
    elif isinstance(exc, UnexpectedCharacters):
        message = f"unexpected character {exc.char!r}"
    else:
        message = "syntax error"
    return [make_diagnostic(Location(path, line, column), message, code="syntax", source=source)]


def _expected(names: set[str] | frozenset[str]) -> str:
    words = sorted({_TERMINAL_WORDS.get(n, _keyword(n)) for n in names})
    if len(words) > 6:
        words = [*words[:6], "..."]
    return ", ".join(words) if words else "something else"


def _keyword(terminal: str) -> str:
    return f'"{terminal.lower()}"'


class _LiteralError(Exception):
    def __init__(self, location: Location, message: str) -> None:
        super().__init__(message)
        self.location = location
        self.message = message


def _string(token: Token, path: str) -> str:
    try:
        value = json.loads(str(token))
    except json.JSONDecodeError:
        raise _LiteralError(_token_loc(token, path), "invalid escape in string") from None
    assert isinstance(value, str)
    return value


def _token_loc(token: Token, path: str) -> Location:
    return Location(path, token.line or 0, token.column or 0)


@v_args(meta=True, inline=True)
class _ToAst(Transformer[Token, list[ast.Item]]):
    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def _loc(self, meta: Meta) -> Location:
        return Location(self.path, getattr(meta, "line", 0), getattr(meta, "column", 0))

    def _str(self, token: Token) -> str:
        return _string(token, self.path)

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
        if len(whens) > 1:
            raise _LiteralError(whens[1].loc, f"rule {name} has more than one 'when'")
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

    def example(
        self, meta: Meta, kind: Token, text: Token, sender: Token | None, at: Token | None
    ) -> ast.Example:
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
        return float(token)

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
        return ast.Number(float(token), self._loc(meta))

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
        value = float(count)
        if value != int(value) or value < 0:
            raise _LiteralError(self._loc(meta), "the N of 'N of (...)' must be a whole number")
        return ast.NOf(int(value), tuple(i for i in items if i is not None), self._loc(meta))


class _When:
    __slots__ = ("expr", "loc")

    def __init__(self, expr: ast.Expr, loc: Location) -> None:
        self.expr = expr
        self.loc = loc


class _Examples:
    __slots__ = ("items",)

    def __init__(self, items: tuple[ast.Example, ...]) -> None:
        self.items = items
