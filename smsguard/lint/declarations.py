"""Checks of declarations: lists, titles, examples present, categories that can be chosen."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator

from smsguard import scoring
from smsguard.diagnostics import Diagnostic, Location
from smsguard.lang import ast
from smsguard.lang.loader import LEXICON_PREFIX
from smsguard.lint.base import Check, LintContext, walk


class UnusedList(Check):
    """A list that no rule of any loaded pack uses."""

    id = "unused-list"
    severity = "warning"

    def run(self, ctx: LintContext) -> Iterable[Diagnostic]:
        used: set[str] = set()
        for _, rule_file in ctx.all_files():
            for item in rule_file.items:
                if isinstance(item, ast.RuleDecl) and item.when is not None:
                    used.update(n.name for n in walk(item.when) if isinstance(n, ast.Ref))
        for _, rule_file in ctx.target_files():
            for item in rule_file.items:
                if isinstance(item, ast.ListDecl) and item.name not in used:
                    yield self.report(ctx, item.loc, f"list {item.name!r} is never used")


def _term_lists(ctx: LintContext) -> Iterator[tuple[Location, str, tuple[str, ...]]]:
    """(where, what, terms) for every list and inline list of the linted files (plugins' lexicons excepted)."""
    for pack, rule_file in ctx.target_files():
        for item in rule_file.items:
            if isinstance(item, ast.ListDecl):
                if isinstance(item.value, ast.FileRef) and item.value.path.startswith(LEXICON_PREFIX):
                    continue
                yield item.loc, f"list {item.name!r}", pack.terms_of(rule_file, item)
            elif isinstance(item, ast.RuleDecl) and item.when is not None:
                for node in term_nodes(item.when):
                    if isinstance(node, ast.StringList):
                        yield node.loc, "this list", node.items
                    else:
                        yield node.loc, "this literal", (node.text,)


TERM_FUNCTIONS = frozenset({"any", "all", "count", "near", "word", "signature", "link"})


def term_nodes(expr: ast.Expr) -> Iterator[ast.Literal | ast.StringList]:
    """Literals and inline lists used as text terms (not compared strings, signal names or sender numbers)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Literal | ast.StringList):
            yield node
        elif isinstance(node, ast.And | ast.Or | ast.NOf):
            stack.extend(reversed(node.items))
        elif isinstance(node, ast.Not):
            stack.append(node.item)
        elif isinstance(node, ast.Call) and node.name in TERM_FUNCTIONS:
            stack.extend(a for a in reversed(node.args) if isinstance(a, ast.Literal | ast.StringList))
        elif isinstance(node, ast.Compare):
            stack.extend(s for s in (node.right, node.left) if isinstance(s, ast.Call))


class DuplicateTerm(Check):
    """A list that names the same term twice, or two terms that are the same once normalized (``"APP"`` and
    ``"app"``, ``"起 诉"`` and ``"起诉"``)."""

    id = "duplicate-term"
    severity = "warning"

    def run(self, ctx: LintContext) -> Iterable[Diagnostic]:
        normalize = ctx.normalizer.normalize_pattern
        for loc, what, terms in _term_lists(ctx):
            first: dict[str, str] = {}
            for term in terms:
                key = normalize(term)
                if not key:
                    continue
                if key in first:
                    same = first[key]
                    how = "twice" if same == term else f"twice ({same!r} and {term!r} are the same once normalized)"
                    yield self.report(ctx, loc, f"{what} has {key!r} {how}")
                else:
                    first[key] = term


class EmptyTerm(Check):
    """A literal that normalization reduces to nothing (``""``, only spaces or zero-width characters): it never
    matches."""

    id = "empty-term"
    severity = "warning"

    def run(self, ctx: LintContext) -> Iterable[Diagnostic]:
        normalize = ctx.normalizer.normalize_pattern
        for loc, what, terms in _term_lists(ctx):
            for term in terms:
                if not normalize(term):
                    yield self.report(ctx, loc, f"{what} has the term {term!r}, which normalizes to nothing")


class MissingTitle(Check):
    """A rule or category without ``title:``; the title is what people see in a verdict."""

    id = "missing-title"
    severity = "warning"

    def run(self, ctx: LintContext) -> Iterable[Diagnostic]:
        for _, rule_file in ctx.target_files():
            for item in rule_file.items:
                if isinstance(item, ast.RuleDecl | ast.CategoryDecl) and not any(p.name == "title" for p in item.props):
                    kind = "rule" if isinstance(item, ast.RuleDecl) else "category"
                    yield self.report(ctx, item.loc, f"{kind} {item.name!r} has no title")


class MissingExamples(Check):
    """A rule without a ``hit`` example or without a ``miss`` example: ``smsguard test`` cannot check it."""

    id = "missing-examples"
    severity = "warning"

    def run(self, ctx: LintContext) -> Iterable[Diagnostic]:
        for site in ctx.target_rules():
            kinds = {e.kind for e in site.decl.examples}
            missing = [k for k in ("hit", "miss") if k not in kinds]
            if missing:
                what = "examples" if len(missing) == 2 else f"{missing[0]} example"
                yield self.report(ctx, site.decl.loc, f"rule {site.decl.name!r} has no {what}")


class UnreachableCategory(Check):
    """A category that can never be the verdict: no enabled rule puts positive weight on it, or all of its
    rules together stay below its threshold."""

    id = "unreachable-category"
    severity = "warning"

    def run(self, ctx: LintContext) -> Iterable[Diagnostic]:
        if ctx.pack is None:
            return
        fallback = ctx.pack.fallback
        categories = {c.id: c for c in ctx.pack.categories}
        for _, rule_file in ctx.target_files():
            for item in rule_file.items:
                if not isinstance(item, ast.CategoryDecl) or item.name == fallback or item.name not in categories:
                    continue
                weights = [r.weight for r in ctx.pack.rules if r.enabled and r.category == item.name and r.weight > 0]
                threshold = categories[item.name].threshold
                if not weights:
                    yield self.report(
                        ctx,
                        item.loc,
                        f"category {item.name!r} can never be chosen: no enabled rule puts positive weight on it",
                    )
                    continue
                best = scoring.probability(math.fsum(weights))
                if best < threshold:
                    yield self.report(
                        ctx,
                        item.loc,
                        f"category {item.name!r} can never be chosen: all its rules together give "
                        f"{best:.3f}, below its threshold {threshold:g}",
                    )


class WeightOnFallback(Check):
    """A rule that puts weight on the fallback category: that category is chosen only when no other qualifies,
    so the weight never changes a verdict."""

    id = "weight-on-fallback"
    severity = "info"

    def run(self, ctx: LintContext) -> Iterable[Diagnostic]:
        if ctx.pack is None:
            return
        for site in ctx.target_rules():
            rule = site.compiled
            if rule is not None and rule.category == ctx.pack.fallback and rule.weight != 0:
                yield self.report(
                    ctx,
                    site.decl.loc,
                    f"rule {rule.id!r} puts weight on the fallback category {rule.category!r}; it never changes a "
                    "verdict",
                )
