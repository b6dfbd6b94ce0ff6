"""Lines, comments and blank lines for :mod:`smsguard.lang.formatter`.

The printer turns a syntax tree into :class:`Line` objects that remember the source position of their first
token. The source's comments come from its tokens (:class:`Tokens`) and are put back by :class:`Assembler`: a
comment on a line of its own goes before the line whose first token follows it most closely in the source, a
comment after code goes at the end of the line holding the code that precedes it most closely. A line that
collects several end-of-line comments keeps the first and puts the others on their own lines below it. Blank
lines: one around every block declaration, and one wherever the source had one (never right after an opening
bracket or before a closing one).
"""

from __future__ import annotations

import bisect
import unicodedata
from dataclasses import dataclass, field

from lark import Token

from smsguard.lang.parser import _parser

WIDTH = 120
INDENT = 2
Pos = tuple[int, int]


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@dataclass(slots=True)
class Line:
    """One output line; ``src`` is the source (line, column) of its first token (None when unknown)."""

    indent: int
    text: str
    src: Pos | None
    closing: bool = False
    opening: bool = False
    leading: list[str] = field(default_factory=list)
    trailing: list[str] = field(default_factory=list)

    def fits(self) -> bool:
        return self.indent + width(self.text) <= WIDTH


def src_of(loc: object) -> Pos | None:
    line, column = getattr(loc, "line", 0), getattr(loc, "column", 0)
    return (line, column) if isinstance(line, int) and isinstance(column, int) and line > 0 else None


def at(token: Token | None) -> Pos | None:
    return (token.line or 0, token.column or 0) if token is not None else None


class Tokens:
    """The tokens and comments of the source, to find where brackets and list items were written."""

    def __init__(self, source: str) -> None:
        self.tokens: list[Token] = []
        self.comments: list[Token] = []
        self.line_starts = [0]
        if not source:
            return
        for index, ch in enumerate(source):
            if ch == "\n":
                self.line_starts.append(index + 1)
        for token in _parser().lex(source, dont_ignore=True):
            if token.type == "COMMENT":
                self.comments.append(token)
            elif token.type != "WS":
                self.tokens.append(token)
        self.starts = [t.start_pos or 0 for t in self.tokens]

    def offset(self, loc: object) -> int | None:
        line, column = getattr(loc, "line", 0), getattr(loc, "column", 0)
        if not self.tokens or not line or line > len(self.line_starts):
            return None
        return int(self.line_starts[line - 1] + column - 1)

    def indexat(self, offset: int) -> int:
        return bisect.bisect_left(self.starts, offset)

    def find(self, start: int | None, kind: str, stop: int | None = None) -> Token | None:
        """The first token of type ``kind`` at or after offset ``start`` (and before ``stop``)."""
        if start is None or not self.tokens:
            return None
        for token in self.tokens[self.indexat(start) :]:
            if stop is not None and (token.start_pos or 0) >= stop:
                return None
            if token.type == kind:
                return token
        return None

    def last(self, start: int | None, kind: str, stop: int | None) -> Token | None:
        if start is None or not self.tokens:
            return None
        found = None
        for token in self.tokens[self.indexat(start) :]:
            if stop is not None and (token.start_pos or 0) >= stop:
                break
            if token.type == kind:
                found = token
        return found

    def comments_between(self, start: int, stop: int) -> bool:
        return any(start < (c.start_pos or 0) < stop for c in self.comments)


@dataclass(slots=True)
class Row:
    indent: int
    text: str
    src: int | None
    opening: bool = False
    closing: bool = False
    block_start: int | None = None


class Assembler:
    """Joins the declarations' lines, puts the comments back and decides the blank lines."""

    def __init__(self, source: str, tokens: Tokens, blocks: list[list[Line]], spaced: list[bool]) -> None:
        self.source_lines = source.split("\n") if source else []
        self.tokens = tokens
        self.blocks = blocks
        self.spaced = spaced
        self.flat = [line for block in blocks for line in block]
        self.comment_lines: dict[str, int] = {}
        self.tail: list[tuple[str, int]] = []

    def _blank(self, line_number: int) -> bool:
        return 1 <= line_number <= len(self.source_lines) and not self.source_lines[line_number - 1].strip()

    def _attach_comments(self) -> dict[int, list[tuple[str, int]]]:
        """Leading comments (text, source line) by flat line index; trailing ones go on the lines."""
        leading: dict[int, list[tuple[str, int]]] = {}
        numbered = [(line.src, i) for i, line in enumerate(self.flat) if line.src is not None]
        for comment in self.tokens.comments:
            text = str(comment).rstrip()
            at = (comment.line or 0, comment.column or 0)
            before = self.source_lines[at[0] - 1][: at[1] - 1]
            if before.strip():
                earlier = [(pos, i) for pos, i in numbered if pos < at]
                if earlier:
                    self.flat[max(earlier)[1]].trailing.append(text)
                    continue
            later = [(pos, i) for pos, i in numbered if pos > at]
            if later:
                leading.setdefault(min(later)[1], []).append((text, at[0]))
            else:
                self.tail.append((text, at[0]))
        # A line built from several source lines may collect several end-of-line comments: it keeps the first,
        # the others go on their own lines just below it (inside the brackets when the line opens a list).
        for index in range(len(self.flat) - 1, -1, -1):
            line = self.flat[index]
            if len(line.trailing) > 1:
                extra = [(t, line.src[0] if line.src else 0) for t in line.trailing[1:]]
                line.trailing = line.trailing[:1]
                if index + 1 < len(self.flat):
                    leading[index + 1] = extra + leading.get(index + 1, [])
                else:
                    self.tail[:0] = extra
        return leading

    def _rows(self) -> list[Row]:
        leading = self._attach_comments()
        starts = {id(block[0]): index for index, block in enumerate(self.blocks) if block}
        rows: list[Row] = []
        for index, line in enumerate(self.flat):
            block = starts.get(id(line))
            comment_indent = line.indent + (INDENT if line.closing else 0)
            for text, src in leading.get(index, []):
                rows.append(Row(comment_indent, text, src, block_start=block))
                block = None
            text = line.text + ("  " + line.trailing[0] if line.trailing else "")
            src_line = line.src[0] if line.src else None
            rows.append(Row(line.indent, text, src_line, line.opening, line.closing, block))
        rows.extend(Row(0, text, src) for text, src in self.tail)
        return rows

    def text(self) -> str:
        out: list[str] = []
        previous: Row | None = None
        for row in self._rows():
            if previous is not None and self._blank_before(row, previous):
                out.append("")
            out.append(" " * row.indent + row.text)
            previous = row
        return "\n".join(out) + "\n" if out else ""

    def _blank_before(self, row: Row, previous: Row) -> bool:
        if previous.opening or row.closing:
            return False
        block = row.block_start
        if block is not None and block > 0 and (self.spaced[block] or self.spaced[block - 1]):
            return True
        if row.src is None or row.src == previous.src:
            return False
        return self._blank(row.src - 1)
