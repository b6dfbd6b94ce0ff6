"""The canonical layout of rule files (``smsguard fmt``), printed from the syntax tree.

Layout: declarations in source order; a blank line around every block (``category``, ``rule``, ``override``)
and wherever the author left one; two spaces of indentation; in a rule, the properties in source order, then
``when:``, then ``examples``. Lists, conditions, calls and ``N of`` stay on one line when they fit in
:data:`WIDTH` display columns (a Chinese character takes two) and are broken one element a line when they do
not. Strings are re-quoted (only the escapes that are needed), numbers printed in their shortest form (weights
and thresholds always with a decimal point).

The tree has no comments, so they are re-attached from the source's tokens by :mod:`smsguard.lang.layout`: a
comment on a line of its own goes before the element that follows it, a comment after code stays at the end of
the line that code lands on. A list with a comment inside stays one element a line, so the comment stays with
its element. No comment is ever dropped. Formatting is idempotent (``format(format(x)) == format(x)``) and
keeps the tree (``parse(format(tree)) == tree``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from smsguard.lang import ast
from smsguard.lang.layout import INDENT, WIDTH, Assembler, Line, Pos, Tokens, at, src_of, width
from smsguard.lang.parser import parse

_FLOAT_PROPS = frozenset({"weight", "threshold"})
_FILL_ITEM_WIDTH = 26


def format_source(source: str, path: str = "<string>") -> str:
    """The canonical layout of a rule file. Raises :class:`~smsguard.errors.RulePackError` on syntax errors."""
    return format_rule_file(parse(source, path), source)


def format_rule_file(rule_file: ast.RuleFile, source: str | None = None) -> str:
    """Print a parsed file; with its ``source``, the comments and blank lines of the source are kept."""
    tokens = Tokens(source or "")
    printer = _Printer(tokens)
    blocks = [printer.item(item, _item_end(rule_file, index, tokens)) for index, item in enumerate(rule_file.items)]
    spaced = [isinstance(item, ast.CategoryDecl | ast.RuleDecl | ast.Override) for item in rule_file.items]
    return Assembler(source or "", tokens, blocks, spaced).text()


# ---- values ------------------------------------------------------------------------------------------------


def quote(text: str) -> str:
    """A string literal that the parser reads back as ``text``."""
    out = ['"']
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch == " " or ch.isprintable():
            out.append(ch)
        elif ord(ch) > 0xFFFF:
            high, low = divmod(ord(ch) - 0x10000, 0x400)
            out.append(f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    out.append('"')
    return "".join(out)


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def number(value: float, decimal_point: bool = False) -> str:
    """The shortest text that reads back as ``value``; whole numbers without ``.0`` unless asked for."""
    if value == int(value) and not decimal_point:
        return str(int(value))
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    if decimal_point and "." not in text:
        text += ".0"
    return text


def regex(node: ast.Regex) -> str:
    return "/" + node.pattern.replace("/", "\\/") + "/" + node.flags


# ---- expressions, flat ---------------------------------------------------------------------------------------

_PRECEDENCE = {ast.Or: 1, ast.And: 2, ast.Not: 3, ast.Compare: 4}


def _precedence(expr: ast.Expr) -> int:
    return _PRECEDENCE.get(type(expr), 5)


def _needs_parens(parent: ast.Expr, index: int, child: ast.Expr) -> bool:
    """Parentheses that make the parser build ``child`` again at this place, plus ``a or (b and c)``, which
    needs none but reads better with them."""
    if isinstance(parent, ast.Or | ast.And):
        # a and (b and c): the parser folds only the left operand into the chain
        return (
            _precedence(child) < _precedence(parent)
            or type(child) is type(parent)
            or (isinstance(parent, ast.Or) and isinstance(child, ast.And))
        )
    if isinstance(parent, ast.Not):
        return _precedence(child) < _precedence(parent)
    if isinstance(parent, ast.Compare):
        return _precedence(child) <= _precedence(parent)
    return False


def render(expr: ast.Expr) -> str:
    """An expression on one line."""
    if isinstance(expr, ast.Or | ast.And):
        op = " or " if isinstance(expr, ast.Or) else " and "
        return op.join(_sub(expr, i, item) for i, item in enumerate(expr.items))
    if isinstance(expr, ast.Not):
        return "not " + _sub(expr, 0, expr.item)
    if isinstance(expr, ast.Compare):
        return f"{_sub(expr, 0, expr.left)} {expr.op} {_sub(expr, 1, expr.right)}"
    if isinstance(expr, ast.NOf):
        return f"{expr.count} of (" + ", ".join(render(i) for i in expr.items) + ")"
    if isinstance(expr, ast.Call):
        return f"{expr.name}(" + ", ".join(_arguments(expr)) + ")"
    return _atom(expr)


def _sub(parent: ast.Expr, index: int, child: ast.Expr) -> str:
    text = render(child)
    return f"({text})" if _needs_parens(parent, index, child) else text


def _arguments(call: ast.Call) -> list[str]:
    return [render(a) for a in call.args] + [f"{k.name}={render(k.value)}" for k in call.kwargs]


def _atom(expr: ast.Expr) -> str:
    if isinstance(expr, ast.Literal):
        return quote(expr.text)
    if isinstance(expr, ast.Regex):
        return regex(expr)
    if isinstance(expr, ast.Number):
        return number(expr.value)
    if isinstance(expr, ast.Bool):
        return "true" if expr.value else "false"
    if isinstance(expr, ast.Ref):
        return expr.name
    if isinstance(expr, ast.StringList):
        return "[" + ", ".join(quote(t) for t in expr.items) + "]"
    raise TypeError(f"not an expression: {expr!r}")


# ---- lines ---------------------------------------------------------------------------------------------------


def _item_end(rule_file: ast.RuleFile, index: int, tokens: Tokens) -> int | None:
    if index + 1 < len(rule_file.items):
        return tokens.offset(rule_file.items[index + 1].loc)
    return None if not tokens.tokens else len(tokens.line_starts) and (tokens.tokens[-1].end_pos or 0)


class _Printer:
    """Lines for one declaration."""

    def __init__(self, tokens: Tokens) -> None:
        self.tokens = tokens

    def item(self, item: ast.Item, end: int | None) -> list[Line]:
        src = src_of(item.loc)
        if isinstance(item, ast.PackHeader):
            return [Line(0, f"pack {quote(item.name)} version {quote(item.version)}", src)]
        if isinstance(item, ast.Include):
            return [Line(0, f"include {quote(item.path)}", src)]
        if isinstance(item, ast.Disable):
            return [Line(0, f"disable {item.name}", src)]
        if isinstance(item, ast.ListDecl):
            if isinstance(item.value, ast.FileRef):
                return [Line(0, f"list {item.name} = file({quote(item.value.path)})", src)]
            return self.string_list(item.value, 0, f"list {item.name} = ", src)
        head = {ast.CategoryDecl: "category", ast.RuleDecl: "rule", ast.Override: "override"}[type(item)]
        lines = [Line(0, f"{head} {item.name} {{", src, opening=True)]
        for prop in item.props:
            lines.extend(self.prop(prop))
        if isinstance(item, ast.RuleDecl):
            if item.when is not None:
                lines.extend(self.expr(item.when, INDENT, "when: ", "", src_of(item.when_loc)))
            if item.examples:
                lines.extend(self.examples(item))
        close = self.tokens.last(self.tokens.offset(item.loc), "RBRACE", end)
        lines.append(Line(0, "}", at(close), closing=True))
        return lines

    def prop(self, prop: ast.Prop) -> list[Line]:
        value = prop.value
        src = src_of(prop.loc)
        prefix = f"{prop.name}: "
        if isinstance(value, ast.StringList):
            return self.string_list(value, INDENT, prefix, src)
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, float | int):
            text = number(value, prop.name in _FLOAT_PROPS)
        elif isinstance(value, ast.NameValue):
            text = value.name
        else:
            text = quote(value)
        return [Line(INDENT, prefix + text, src)]

    def examples(self, rule: ast.RuleDecl) -> list[Line]:
        first = self.tokens.offset(rule.examples[0].loc)
        head = None
        if first is not None:
            start = self.tokens.offset(rule.loc)
            head = self.tokens.last(start, "EXAMPLES", first)
        lines = [Line(INDENT, "examples {", at(head), opening=True)]
        for example in rule.examples:
            text = f"{example.kind}: {quote(example.text)}"
            if example.sender is not None:
                text += f" from {quote(example.sender)}"
            if example.received_at is not None:
                text += f" at {quote(example.received_at)}"
            lines.append(Line(INDENT * 2, text, src_of(example.loc)))
        last = self.tokens.offset(rule.examples[-1].loc)
        close = self.tokens.find(last, "RBRACE")
        lines.append(Line(INDENT, "}", at(close), closing=True))
        return lines

    def string_list(
        self, value: ast.StringList, indent: int, prefix: str, src: Pos | None, suffix: str = ""
    ) -> list[Line]:
        flat = Line(indent, prefix + _atom(value) + suffix, src)
        start = self.tokens.offset(value.loc)
        open_token = self.tokens.find(start, "LSQB")
        close_token = self.tokens.find(start, "RSQB")
        commented = (
            open_token is not None
            and close_token is not None
            and self.tokens.comments_between(open_token.start_pos or 0, close_token.start_pos or 0)
        )
        if (flat.fits() and not commented) or not value.items:
            return [flat]
        item_lines: list[Pos | None] = [None] * len(value.items)
        if open_token is not None:
            strings = self.tokens.tokens[self.tokens.indexat(open_token.start_pos or 0) :]
            found = [at(t) for t in strings if t.type == "STRING"][: len(value.items)]
            item_lines[: len(found)] = found
        lines = [Line(indent, prefix + "[", src, opening=True)]
        inner = indent + INDENT
        # Short terms (words of a lexicon) fill the lines; sentences (advice) go one a line.
        fill = not commented and max(width(quote(t)) for t in value.items) <= _FILL_ITEM_WIDTH
        for text, line in zip(value.items, item_lines, strict=True):
            quoted = quote(text) + ","
            last = lines[-1]
            if fill and not last.opening and inner + width(last.text + " " + quoted) <= WIDTH:
                last.text += " " + quoted
            else:
                lines.append(Line(inner, quoted, line))
        lines.append(Line(indent, "]" + suffix, at(close_token), closing=True))
        return lines

    def expr(
        self, expr: ast.Expr, indent: int, prefix: str, suffix: str, src: Pos | None, hanging: int = INDENT
    ) -> list[Line]:
        """``expr`` with ``prefix`` before its first line and ``suffix`` after its last, broken if too wide;
        the operators of a broken chain go ``hanging`` columns further in (none inside parentheses)."""
        flat = Line(indent, prefix + render(expr) + suffix, src)
        if flat.fits():
            return [flat]
        if isinstance(expr, ast.Or | ast.And):
            op = "or " if isinstance(expr, ast.Or) else "and "
            lines: list[Line] = []
            last = len(expr.items) - 1
            for i, item in enumerate(expr.items):
                head = prefix if i == 0 else op
                tail = suffix if i == last else ""
                where = indent if i == 0 else indent + hanging
                line_src = src if i == 0 else src_of(item.loc)
                parens = _needs_parens(expr, i, item)
                if isinstance(item, ast.Or | ast.And):
                    flat_item = Line(where, head + (f"({render(item)})" if parens else render(item)) + tail, line_src)
                    if flat_item.fits():
                        lines.append(flat_item)
                    else:  # a broken group inside a broken chain: parenthesized, so the nesting shows
                        lines.append(Line(where, head + "(", line_src, opening=True))
                        lines.extend(self.expr(item, where + INDENT, "", "", src_of(item.loc), hanging=0))
                        lines.append(Line(where, ")" + tail, None, closing=True))
                elif parens:
                    lines.extend(self.expr(item, where, head + "(", ")" + tail, line_src))
                else:
                    lines.extend(self.expr(item, where, head, tail, line_src))
            return lines
        if isinstance(expr, ast.Not):
            if _needs_parens(expr, 0, expr.item):
                return self.expr(expr.item, indent, prefix + "not (", ")" + suffix, src)
            return self.expr(expr.item, indent, prefix + "not ", suffix, src)
        if isinstance(expr, ast.NOf):
            return self._bracketed(
                f"{expr.count} of (", [(i, "") for i in expr.items], ")", indent, prefix, suffix, src
            )
        if isinstance(expr, ast.Call) and (expr.args or expr.kwargs):
            parts = [(a, "") for a in expr.args] + [(k.value, f"{k.name}=") for k in expr.kwargs]
            return self._bracketed(f"{expr.name}(", parts, ")", indent, prefix, suffix, src)
        if isinstance(expr, ast.StringList) and expr.items:
            return self.string_list(expr, indent, prefix, src, suffix)
        return [flat]

    def _bracketed(
        self,
        opener: str,
        parts: Sequence[tuple[ast.Expr, str]],
        closer: str,
        indent: int,
        prefix: str,
        suffix: str,
        src: Pos | None,
    ) -> list[Line]:
        lines = [Line(indent, prefix + opener, src, opening=True)]
        for item, label in parts:
            lines.extend(self.expr(item, indent + INDENT, label, ",", src_of(item.loc)))
        lines.append(Line(indent, closer + suffix, None, closing=True))
        return lines
