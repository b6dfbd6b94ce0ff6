"""Parse rule files with Lark (LALR) into :mod:`smsguard.lang.ast` nodes. No ``lark.Tree`` leaves this module.

Errors are collected, not raised one at a time. A file that does not parse as a whole is cut into declarations
at every line that starts with a top-level keyword (``rule``, ``list``, ``category``...) not followed by a colon
(``category: scam`` is a property), and each declaration is parsed on its own, so one broken rule gives one error
and the rules after it are still read. Messages say what was expected in a rule author's words (see
:mod:`smsguard.lang.syntax_hints`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput, UnexpectedToken

from smsguard.diagnostics import Diagnostic, Location, make_diagnostic
from smsguard.errors import RulePackError
from smsguard.lang import ast
from smsguard.lang.syntax_hints import TOP_KEYWORDS, describe_error
from smsguard.lang.transform import ToAst

MAX_DEPTH = 64
"""How deeply conditions may nest; deeper ones are rejected so no later stage can run out of stack."""

# The colon may be the full-width one, which gets its own hint (see syntax_hints).
_DECLARATION_START = re.compile(r"^[ \t]*(?:" + "|".join(TOP_KEYWORDS) + r")\b(?![ \t]*[:：])", re.MULTILINE)


@cache
def grammar_text() -> str:
    """The Lark grammar shipped with the package (or, when running from a source checkout that shadows the
    installed package, the top-level ``grammars/`` directory it is built from)."""
    try:
        grammars = resources.files("smsguard.grammars")
    except ModuleNotFoundError:
        return (Path(__file__).resolve().parents[2] / "grammars" / "smsguard.lark").read_text(encoding="utf-8")
    return grammars.joinpath("smsguard.lark").read_text(encoding="utf-8")


KEYWORD_TERMINALS = (
    *(k.upper() for k in TOP_KEYWORDS),
    *("VERSION", "FILE", "WHEN", "EXAMPLES", "TRUE", "FALSE", "FROM", "AT", "OR", "AND", "NOT", "OF"),
    "EXAMPLE_KIND",
)
_NAME_CHAR = re.compile(r"[A-Za-z0-9_]")
# (text being parsed, keywords found glued to a following name) for the lexer callback below.
_GLUED: ContextVar[tuple[str, list[Token]] | None] = ContextVar("_GLUED", default=None)


def _check_glued(token: Token) -> Token:
    """Where no name may stand, the lexer reads ``rulex`` as ``rule`` then ``x``: remember it to report it."""
    state = _GLUED.get()
    if state is not None and token.end_pos is not None:
        text, glued = state
        if _NAME_CHAR.match(text, token.end_pos):
            glued.append(token)
    return token


@cache
def _parser() -> Lark:
    return Lark(
        grammar_text(),
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=True,
        lexer_callbacks=dict.fromkeys(KEYWORD_TERMINALS, _check_glued),
    )


def _parse_text(
    text: str, path: str, source: str
) -> tuple[Tree[Token] | None, list[Diagnostic], UnexpectedInput | None]:
    """Parse with Lark: the tree or the error, and the keywords glued to a name (which Lark would silently
    split: ``rulex`` read as ``rule x``) before the error, if any."""
    glued: list[Token] = []
    reset = _GLUED.set((text, glued))
    tree: Tree[Token] | None = None
    error: UnexpectedInput | None = None
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        error = exc
    finally:
        _GLUED.reset(reset)
    limit = getattr(error, "pos_in_stream", None)
    problems: list[Diagnostic] = []
    for token in glued:
        if error is not None and limit is not None and (token.start_pos or 0) > limit:
            continue
        word = _NAME_CHAR_RUN.match(text, token.start_pos or 0)
        whole = word.group() if word else str(token)
        keyword, rest = str(token), whole[len(str(token)) :]
        problems.append(
            make_diagnostic(
                Location(path, token.line or 0, token.column or 0),
                f"unexpected name {whole!r}; a keyword and a name need a space between them: "
                f"did you mean {keyword + ' ' + rest!r}?",
                code="syntax",
                source=source,
            )
        )
    return tree, problems, error


_NAME_CHAR_RUN = re.compile(r"[A-Za-z0-9_]+")


def parse(source: str, path: str = "<string>") -> ast.RuleFile:
    """Parse one rule file. Raises :class:`RulePackError` carrying every error found."""
    rule_file, diagnostics = parse_recovering(source, path)
    if diagnostics:
        raise RulePackError(diagnostics)
    return rule_file


def parse_recovering(source: str, path: str = "<string>") -> tuple[ast.RuleFile, list[Diagnostic]]:
    """Parse as much of a rule file as possible: the declarations that parsed, and every error found."""
    diagnostics: list[Diagnostic] = []
    trees: list[Tree[Token]] = []
    tree, glued, _ = _parse_text(source, path, source)
    if tree is not None:
        trees.append(tree)
        diagnostics.extend(glued)
    else:
        chunks = list(_chunks(source))
        index = 0
        while index < len(chunks):
            chunk = chunks[index]
            chunk_tree, problems = _parse_chunk(source, chunk, path)
            index += 1
            # A line may start with a keyword used as a name (`rule` as a list's name): if the declaration is
            # unfinished and reads well together with the next piece, it was cut in the wrong place.
            for extra in range(index, min(index + 2, len(chunks))):
                if chunk_tree is not None or not _unfinished(problems):
                    break
                joined = _Chunk(chunk.start, chunks[extra].end, chunks[extra].last)
                joined_tree, joined_problems = _parse_chunk(source, joined, path)
                if joined_tree is not None and not joined_problems:
                    chunk_tree, problems, index = joined_tree, [], extra + 1
            if chunk_tree is not None:
                trees.append(chunk_tree)
            diagnostics.extend(problems)
    builder = ToAst(path, source)
    items: list[ast.Item] = []
    for tree in trees:
        items.extend(builder.transform(tree))
    diagnostics.extend(builder.errors)
    for index, item in enumerate(items):
        too_deep = _too_deep(item.when) if isinstance(item, ast.RuleDecl) and item.when is not None else None
        if too_deep is not None and isinstance(item, ast.RuleDecl):
            message = f"this condition nests more than {MAX_DEPTH} levels deep; split it into several rules"
            diagnostics.append(make_diagnostic(too_deep, message, code="syntax", source=source))
            items[index] = replace(item, when=ast.Bool(False, item.when_loc))
    return ast.RuleFile(path, tuple(items), source), sorted(diagnostics)


def syntax_diagnostics(source: str, path: str, exc: UnexpectedInput) -> list[Diagnostic]:
    """Turn one Lark error into a diagnostic that says what was expected in words."""
    line, column, message = describe_error(source, exc, _parser().parse)
    return [make_diagnostic(Location(path, line, column), message, code="syntax", source=source)]


@dataclass(frozen=True, slots=True)
class _Chunk:
    start: int
    end: int
    last: bool


def _chunks(source: str) -> Iterator[_Chunk]:
    """Cut the source before every line that starts with a top-level keyword."""
    starts = [m.start() for m in _DECLARATION_START.finditer(source)]
    bounds = [0, *[s for s in starts if s > 0], len(source)]
    for index in range(len(bounds) - 1):
        yield _Chunk(bounds[index], bounds[index + 1], index == len(bounds) - 2)


def _masked(source: str, start: int, end: int) -> str:
    """Source[start:end] preceded by blank lines and spaces, so Lark gives the lines and columns of the file."""
    lines = source.count("\n", 0, start)
    column = start - (source.rfind("\n", 0, start) + 1)
    return "\n" * lines + " " * column + source[start:end]


def _parse_chunk(source: str, chunk: _Chunk, path: str) -> tuple[Tree[Token] | None, list[Diagnostic]]:
    text = _masked(source, chunk.start, chunk.end)
    tree, glued, error = _parse_text(text, path, source)
    if error is None or glued:
        return tree, glued
    if _is_end(error) and not chunk.last:
        _, _, message = describe_error(text, error, _parser().parse)
        line, column = _location_of(source, chunk.end)
        keyword = source[chunk.end :].split(None, 1)[0]
        hint = message.split("; ", 1)[-1]
        message = f"unexpected {keyword!r}: the declaration above is not finished; {hint}"
        return None, [make_diagnostic(Location(path, line, column), message, code="syntax", source=source)]
    line, column, message = describe_error(text, error, _parser().parse)
    return None, [make_diagnostic(Location(path, line, column), message, code="syntax", source=source)]


def _unfinished(problems: list[Diagnostic]) -> bool:
    return len(problems) == 1 and "the declaration above is not finished" in problems[0].message


def _is_end(exc: UnexpectedInput) -> bool:
    return isinstance(exc, UnexpectedToken) and exc.token.type == "$END"


def _location_of(source: str, offset: int) -> tuple[int, int]:
    while offset < len(source) and source[offset] in " \t":
        offset += 1
    line = source.count("\n", 0, offset) + 1
    column = offset - (source.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _too_deep(expr: ast.Expr) -> Location | None:
    stack: list[tuple[ast.Expr, int]] = [(expr, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return node.loc
        stack.extend((child, depth + 1) for child in children(node))
    return None


def children(expr: ast.Expr) -> tuple[ast.Expr, ...]:
    """The direct sub-expressions of an expression (keyword argument values included)."""
    if isinstance(expr, ast.And | ast.Or | ast.NOf):
        return expr.items
    if isinstance(expr, ast.Not):
        return (expr.item,)
    if isinstance(expr, ast.Compare):
        return (expr.left, expr.right)
    if isinstance(expr, ast.Call):
        return (*expr.args, *(k.value for k in expr.kwargs))
    return ()
