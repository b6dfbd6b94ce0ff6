"""The built-in functions of the rule language, each compiled into a closure over a :class:`MatchContext`.

| function | type | meaning |
|---|---|---|
| ``any(t, ...)`` | bool | some term of the term sets occurs in the text |
| ``all(t, ...)`` | bool | every literal and every regex of the term sets occurs |
| ``count(t, ...)`` | number | how many distinct terms occur (each regex match counts once) |
| ``near(a, b, within=N)`` | bool | a term of ``a`` and a term of ``b`` at most N characters apart |
| ``word(t, ...)`` | bool | a jieba word of the text equals a term (word-level, not substring) |
| ``sender(t, ...)`` | bool | the sender equals a literal or matches a regex |
| ``signature(t, ...)`` | bool | a 【signature】 contains a term |
| ``link(t, ...)`` | bool | a link contains a term |
| ``signal("name")`` | declared | the values a plugin emitted for that signal |
| ``amount()`` | number | every sum of money in yuan |
| ``length()`` | number | the length of the normalized text |

A term set is a quoted literal, a ``/regex/`` or the name of a list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from smsguard.matching import (
    BoolEval,
    BoolResult,
    Candidate,
    MatchContext,
    NSpan,
    RegexSearcher,
    Spans,
    ValueEval,
)

Kind = Literal["bool", "number", "string"]


@dataclass(frozen=True, slots=True)
class TermSet:
    """Literals (by id in the pack's automaton, and as text) and regexes named by one or more arguments."""

    literal_ids: frozenset[int]
    literals: tuple[str, ...]
    regexes: tuple[RegexSearcher, ...]

    def __or__(self, other: TermSet) -> TermSet:
        return TermSet(
            self.literal_ids | other.literal_ids,
            self.literals + other.literals,
            self.regexes + other.regexes,
        )


EMPTY_TERMS = TermSet(frozenset(), (), ())
TEXT_TERM_FUNCTIONS = frozenset({"any", "all", "count", "near"})


def text_matches(ctx: MatchContext, terms: TermSet) -> list[tuple[int, int, int]]:
    """(key, start, end) of every occurrence in the normalized text; key identifies the term."""
    out: list[tuple[int, int, int]] = []
    found = ctx.found
    if terms.literal_ids and found:
        for literal_id in terms.literal_ids.intersection(found):
            out.extend((literal_id, s, e) for s, e in found[literal_id])
    for regex in terms.regexes:
        out.extend((-1 - regex.id, s, e) for s, e in ctx.regex_spans(regex))
    return out


def compile_any(terms: TermSet) -> BoolEval:
    ids, regexes = terms.literal_ids, terms.regexes

    def evaluate(ctx: MatchContext) -> BoolResult:
        found = ctx.found
        spans: list[NSpan] = []
        if found:
            for literal_id in ids.intersection(found):
                spans.extend(found[literal_id])
        for regex in regexes:
            spans.extend(ctx.regex_spans(regex))
        return ctx.original(sorted(spans)) if spans else None

    return evaluate


def compile_all(terms: TermSet) -> BoolEval:
    ids, regexes = terms.literal_ids, terms.regexes

    def evaluate(ctx: MatchContext) -> BoolResult:
        found = ctx.found
        if not ids.issubset(found):
            return None
        spans: list[NSpan] = [found[i][0] for i in ids]
        for regex in regexes:
            matched = ctx.regex_spans(regex)
            if not matched:
                return None
            spans.append(matched[0])
        return ctx.original(sorted(spans))

    return evaluate


def compile_count(terms: TermSet) -> ValueEval:
    def evaluate(ctx: MatchContext) -> list[Candidate]:
        matches = text_matches(ctx, terms)
        keys = {key for key, _, _ in matches if key >= 0}
        regex_hits = sum(1 for key, _, _ in matches if key < 0)
        spans = sorted((s, e) for _, s, e in matches)
        return [(float(len(keys) + regex_hits), ctx.original(spans))]

    return evaluate


def compile_near(left: TermSet, right: TermSet, within: int) -> BoolEval:
    def evaluate(ctx: MatchContext) -> BoolResult:
        a = text_matches(ctx, left)
        if not a:
            return None
        b = text_matches(ctx, right)
        for _, s1, e1 in a:
            for _, s2, e2 in b:
                gap = max(s1, s2) - min(e1, e2)
                if gap <= within and (s1, e1) != (s2, e2):
                    return ctx.original(sorted({(s1, e1), (s2, e2)}))
        return None

    return evaluate


def compile_word(terms: TermSet) -> BoolEval:
    words = frozenset(terms.literals)

    def evaluate(ctx: MatchContext) -> BoolResult:
        tokens = ctx.tokens()
        spans = [span for word in words.intersection(tokens) for span in tokens[word]]
        for regex in terms.regexes:
            spans.extend(
                span for token, found in tokens.items() if regex.compiled.fullmatch(token) for span in found
            )
        return ctx.original(sorted(spans)) if spans else None

    return evaluate


def compile_sender(literals: frozenset[str], terms: TermSet) -> BoolEval:
    def evaluate(ctx: MatchContext) -> BoolResult:
        sender = ctx.sender
        if not sender:
            return None
        if sender in literals:
            return ()
        for regex in terms.regexes:
            if regex.compiled.search(sender):
                return ()
        return None

    return evaluate


def compile_field_contains(field: Literal["signature", "link"], terms: TermSet) -> BoolEval:
    def evaluate(ctx: MatchContext) -> BoolResult:
        items = ctx.features.signatures if field == "signature" else ctx.features.links
        for item in items:
            value = item.value if field == "signature" else item.text  # type: ignore[union-attr]
            if any(term in value for term in terms.literals) or any(
                regex.compiled.search(value) for regex in terms.regexes
            ):
                return (item.span,)
        return None

    return evaluate


def compile_signal(name: str) -> ValueEval:
    def evaluate(ctx: MatchContext) -> list[Candidate]:
        return [(s.value, s.spans) for s in ctx.signals.get(name, ())]

    return evaluate


def compile_amount() -> ValueEval:
    def evaluate(ctx: MatchContext) -> list[Candidate]:
        return [(a.yuan, (a.span,)) for a in ctx.features.amounts]

    return evaluate


def compile_length() -> ValueEval:
    def evaluate(ctx: MatchContext) -> list[Candidate]:
        return [(float(len(ctx.ntext.text)), ())]

    return evaluate


def truthy(values: ValueEval) -> BoolEval:
    """A value used as a condition: true when some candidate value is truthy."""

    def evaluate(ctx: MatchContext) -> BoolResult:
        for value, spans in values(ctx):
            if value:
                return spans
        return None

    return evaluate


_COMPARISONS: dict[str, Callable[[object, object], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">=": lambda a, b: a >= b,  # type: ignore[operator]
    "<=": lambda a, b: a <= b,  # type: ignore[operator]
    ">": lambda a, b: a > b,  # type: ignore[operator]
    "<": lambda a, b: a < b,  # type: ignore[operator]
}


def compile_compare(op: str, left: ValueEval, right: ValueEval) -> BoolEval:
    test = _COMPARISONS[op]

    def evaluate(ctx: MatchContext) -> BoolResult:
        rights = right(ctx)
        for lvalue, lspans in left(ctx):
            for rvalue, rspans in rights:
                try:
                    if test(lvalue, rvalue):
                        return lspans + rspans
                except TypeError:
                    continue
        return None

    return evaluate


def constant(value: object) -> ValueEval:
    candidates: list[Candidate] = [(value, ())]

    def evaluate(ctx: MatchContext) -> list[Candidate]:
        return candidates

    return evaluate


def merge_spans(parts: list[Spans]) -> Spans:
    return tuple(sorted({span for part in parts for span in part}))
