"""Checks of rule conditions: ones that can never hold or always hold, and regular expressions that mislead."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import re2

from smsguard.diagnostics import Diagnostic, Location
from smsguard.lang import ast
from smsguard.lang.formatter import regex as regex_text
from smsguard.lang.formatter import render
from smsguard.lang.parser import children
from smsguard.lint.base import Check, LintContext, RuleSite, walk
from smsguard.lint.logic import Analysis

_SNIPPET = 60
# Texts on which a regex that can match the empty string shows it (an empty match somewhere).
_PROBES = ("", "a", "中", "1", " ", "a中1 ")


def snippet(expr: ast.Expr) -> str:
    text = render(expr)
    return "`" + (text if len(text) <= _SNIPPET else text[: _SNIPPET - 1] + "…") + "`"


def _loc(node: ast.Expr, site: RuleSite) -> Location:
    return node.loc if node.loc.line else site.decl.when_loc


def culprit(analysis: Analysis, node: ast.Expr, value: bool) -> tuple[ast.Expr, str]:
    """The smallest part of a constant condition that makes it so, and a sentence about it."""
    plain = "is never true" if value is False else "is always true"
    while True:
        reason = analysis.reasons.get(id(node), "")
        if reason:
            return node, f"{plain} ({reason})"
        if isinstance(node, ast.Not):
            node, value = node.item, not value
            plain = "is never true" if value is False else "is always true"
            continue
        deciding = ast.And if value is False else ast.Or
        if isinstance(node, deciding):
            constant = [p for p in node.items if analysis.value(p) is value]
            if constant:
                node = constant[0]
                continue
            return node, "is a contradiction" if value is False else "holds for every message"
        return node, plain


class NeverFires(Check):
    """A rule whose condition can never hold: ``"a" and not "a"``, ``3 of (a, b)``, ``count(x) > 3`` for a list
    of three literals, ``length() < 0``, an empty list, a term that normalizes to nothing."""

    id = "never-fires"
    severity = "warning"
    value = False

    def run(self, ctx: LintContext) -> Iterable[Diagnostic]:
        for site in ctx.target_rules():
            analysis = ctx.analysis(site)
            if analysis is None or analysis.value(analysis.root) is not self.value:
                continue
            node, sentence = culprit(analysis, analysis.root, self.value)
            if isinstance(node, ast.NOf) and node.count > len(node.items):
                continue  # the compiler reports it (impossible-count)
            verb = "can never fire" if self.value is False else "always fires"
            yield self.report(ctx, _loc(node, site), f"rule {site.decl.name!r} {verb}: {snippet(node)} {sentence}")


class AlwaysFires(NeverFires):
    """A rule whose condition holds for every message: ``not "x" or "x"``, ``length() >= 0``, ``0 of (...)``."""

    id = "always-fires"
    value = True


class ConstantCondition(Check):
    """A part of a condition that is always true or never true, so it changes nothing or blocks its branch:
    ``any(a) or count(b) > 5`` where ``b`` has two literals."""

    id = "constant-condition"
    severity = "warning"

    def run(self, ctx: LintContext) -> Iterable[Diagnostic]:
        for site in ctx.target_rules():
            analysis = ctx.analysis(site)
            if analysis is None or analysis.value(analysis.root) is not None:
                continue
            for node in _maximal_constants(analysis):
                value = analysis.value(node)
                if value is None or (isinstance(node, ast.NOf) and node.count > len(node.items)):
                    continue
                shown, sentence = culprit(analysis, node, value)
                yield self.report(ctx, _loc(shown, site), f"{snippet(shown)} {sentence}")


def _maximal_constants(analysis: Analysis) -> Iterator[ast.Expr]:
    stack = [analysis.root]
    while stack:
        node = stack.pop()
        if node is not analysis.root and analysis.value(node) is not None:
            if not isinstance(node, ast.Bool):
                yield node
            continue
        if isinstance(node, ast.Compare):
            continue
        stack.extend(reversed(children(node)))


def _regexes(ctx: LintContext) -> Iterator[tuple[RuleSite, ast.Regex]]:
    for site in ctx.target_rules():
        if site.decl.when is not None:
            for node in walk(site.decl.when):
                if isinstance(node, ast.Regex):
                    yield site, node


def _compile(node: ast.Regex) -> Any:
    flags = "".join(f for f in node.flags if f in "ims")
    try:
        return re2.compile(f"(?{flags}){node.pattern}" if flags else node.pattern)
    except Exception:  # rejected: the compiler reports it (regex-rejected)
        return None


class RegexEmpty(Check):
    """A regular expression that can match the empty string (``/x*/``, ``/a|/``): empty matches are ignored, so
    it does not do what it says."""

    id = "regex-empty"
    severity = "warning"

    def run(self, ctx: LintContext) -> Iterable[Diagnostic]:
        for _, node in _regexes(ctx):
            compiled = _compile(node)
            if compiled is None:
                continue
            if any(m.end() == m.start() for probe in _PROBES for m in compiled.finditer(probe)):
                yield self.report(
                    ctx,
                    node.loc,
                    f"{regex_text(node)} can match the empty string; empty matches are ignored, "
                    "so write what it must match (e.g. + rather than *)",
                )


class RegexCase(Check):
    """A regular expression with upper-case letters and no ``i`` flag: the text is lower-cased before matching,
    so they never match."""

    id = "regex-case"
    severity = "warning"

    def run(self, ctx: LintContext) -> Iterable[Diagnostic]:
        for _, node in _regexes(ctx):
            if "i" in node.flags or "(?i" in node.pattern:
                continue
            upper = _upper_case_letters(node.pattern)
            if upper:
                yield self.report(
                    ctx,
                    node.loc,
                    f"{regex_text(node)} has upper-case {upper!r} but messages are lower-cased before matching; "
                    "write lower case or add the i flag",
                )


def _upper_case_letters(pattern: str) -> str:
    """The upper-case ASCII letters that stand for themselves in ``pattern`` (not escapes, classes or names)."""
    found: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            if i + 2 < len(pattern) and pattern[i + 1] in "pP" and pattern[i + 2] == "{":
                i = pattern.find("}", i)
                i = len(pattern) if i < 0 else i + 1
            else:
                i += 2
            continue
        if pattern.startswith("(?P<", i):
            end = pattern.find(">", i)
            i = len(pattern) if end < 0 else end + 1
            continue
        if pattern.startswith("[:", i):
            end = pattern.find(":]", i)
            i = len(pattern) if end < 0 else end + 2
            continue
        if "A" <= ch <= "Z" and ch not in found:
            found.append(ch)
        i += 1
    return "".join(found)
