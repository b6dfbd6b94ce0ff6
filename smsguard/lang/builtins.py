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

A term set is a quoted literal, a ``/regex/`` or the name of a list. The term functions are compiled here;
``signal``, ``amount``, ``length``, constants and comparisons in :mod:`smsguard.lang.values`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, cast

from smsguard.lang import combinators
from smsguard.matching import (
    BoolEval,
    BoolResult,
    Candidate,
    MatchContext,
    NSpan,
    RegexSearcher,
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


# Up to this many literals, probing the found-literal table once per literal beats a set intersection.
_PROBE_LIMIT = 20
Found = dict[int, list[NSpan]]


def prober(ids: frozenset[int]) -> Callable[[Found], list[int]]:
    """A function giving the literal ids of ``ids`` that occur in a message's found-literal table."""
    if len(ids) <= _PROBE_LIMIT:
        probe = tuple(sorted(ids))

        def by_probe(found: Found) -> list[int]:
            return [i for i in probe if i in found] if found else []

        return by_probe

    def by_intersection(found: Found) -> list[int]:
        return list(ids.intersection(found)) if found else []

    return by_intersection


def span_finder(terms: TermSet) -> Callable[[MatchContext], list[NSpan]]:
    """A function giving the spans of every occurrence of the terms, in a new list, unsorted."""
    present, regexes = prober(terms.literal_ids), terms.regexes

    def spans(ctx: MatchContext) -> list[NSpan]:
        found = ctx.found
        out: list[NSpan] = []
        for literal_id in present(found):
            out += found[literal_id]
        for regex in regexes:
            out += ctx.regex_spans(regex)
        return out

    return spans


def compile_any(terms: TermSet) -> BoolEval:
    """``any(...)``: the sorted spans of every occurrence of every term, or None when none occurs.

    The common shapes get their own closure (or C node, which holds the closure). Each list of ``ctx.found``
    holds at least one span, in text order (``find_spans``), so a literal's presence is a key test and the spans
    of one literal need no sort.
    """
    ids, regexes, nodes = terms.literal_ids, terms.regexes, combinators.NODES
    if regexes:
        return _any_with_regexes(terms)
    if len(ids) == 1:
        closure = _any_literal(next(iter(ids)))
        return closure if nodes is None else cast(BoolEval, nodes.any_literal(ids, closure))
    if len(ids) <= _PROBE_LIMIT:
        closure = _any_probed(tuple(sorted(ids)))
        return closure if nodes is None else cast(BoolEval, nodes.any_probed(ids, closure))
    closure = _any_intersected(ids)
    return closure if nodes is None else cast(BoolEval, nodes.any_intersected(ids, closure))


def _any_literal(literal_id: int) -> BoolEval:
    def evaluate(ctx: MatchContext) -> BoolResult:
        spans = ctx.found.get(literal_id)
        if not spans:
            return None
        return tuple(spans) if ctx.identity else ctx.original(spans)

    return evaluate


def _any_probed(probe: tuple[int, ...]) -> BoolEval:
    def evaluate(ctx: MatchContext) -> BoolResult:
        found = ctx.found
        first: list[NSpan] | None = None
        spans: list[NSpan] | None = None
        for literal_id in probe:
            if literal_id in found:
                if first is None:
                    first = found[literal_id]
                elif spans is None:
                    spans = first + found[literal_id]
                else:
                    spans += found[literal_id]
        if spans is None:
            if not first:
                return None
            spans = first
        else:
            spans.sort()
        return tuple(spans) if ctx.identity else ctx.original(spans)

    return evaluate


def _any_intersected(ids: frozenset[int]) -> BoolEval:
    def evaluate(ctx: MatchContext) -> BoolResult:
        found = ctx.found
        present = ids.intersection(found)
        if not present:
            return None
        if len(present) == 1:
            (only,) = present
            spans = found[only]
        else:
            spans = []
            for literal_id in present:
                spans += found[literal_id]
            spans.sort()
        return tuple(spans) if ctx.identity else ctx.original(spans)

    return evaluate


def _any_with_regexes(terms: TermSet) -> BoolEval:
    occurrences = span_finder(terms)

    def evaluate(ctx: MatchContext) -> BoolResult:
        spans = occurrences(ctx)
        if not spans:
            return None
        spans.sort()
        return tuple(spans) if ctx.identity else ctx.original(spans)

    return evaluate


def compile_none_of(terms: TermSet) -> BoolEval:
    """``not any(...)`` of literals only: true (with no spans) when the literal pass found none of them."""
    ids = terms.literal_ids

    def evaluate(ctx: MatchContext) -> BoolResult:
        return () if ids.isdisjoint(ctx.found) else None

    return evaluate if combinators.NODES is None else cast(BoolEval, combinators.NODES.none_of(ids, evaluate))


def compile_all(terms: TermSet) -> BoolEval:
    ids, regexes = tuple(sorted(terms.literal_ids)), terms.regexes

    def evaluate(ctx: MatchContext) -> BoolResult:
        found = ctx.found
        spans: list[NSpan] = []
        for literal_id in ids:
            matched = found.get(literal_id)
            if not matched:
                return None
            spans.append(matched[0])
        for regex in regexes:
            matched = ctx.regex_spans(regex)
            if not matched:
                return None
            spans.append(matched[0])
        spans.sort()
        return tuple(spans) if ctx.identity else ctx.original(spans)

    return evaluate


def compile_count(terms: TermSet) -> ValueEval:
    present, regexes = prober(terms.literal_ids), terms.regexes
    nothing: list[Candidate] = [(0.0, ())]

    def evaluate(ctx: MatchContext) -> list[Candidate]:
        found = ctx.found
        ids = present(found)
        if not ids and not regexes:
            return nothing
        spans: list[NSpan] = []
        for literal_id in ids:
            spans += found[literal_id]
        value = len(ids)  # distinct literals, plus every match of each regex
        for regex in regexes:
            matched = ctx.regex_spans(regex)
            value += len(matched)
            spans += matched
        spans.sort()
        return [(float(value), tuple(spans) if ctx.identity else ctx.original(spans))]

    return evaluate


def count_compare_node(terms: TermSet, op: str, constant: float, count_left: bool, closure: BoolEval) -> BoolEval:
    """``count(terms) OP constant`` (or the mirror) of literals only, as the C node for ``closure``, the comparison
    ``compile_compare`` builds of ``compile_count(terms)`` and the constant. Needs the accelerator."""
    nodes = combinators.NODES
    assert nodes is not None and not terms.regexes
    ids = terms.literal_ids
    return cast(BoolEval, nodes.count_compare(ids, len(ids) <= _PROBE_LIMIT, op, constant, count_left, closure))


def compile_near(left: TermSet, right: TermSet, within: int) -> BoolEval:
    """The first close pair of distinct spans in reading order (by the left span, then the right one)."""
    left_spans, right_spans = span_finder(left), span_finder(right)

    def evaluate(ctx: MatchContext) -> BoolResult:
        a = left_spans(ctx)
        if not a:
            return None
        b = right_spans(ctx)
        if not b:
            return None
        a.sort()
        b.sort()
        for s1, e1 in a:
            for s2, e2 in b:
                if s2 - e1 > within:
                    break  # the gap is at least s2 - e1, and the right spans that follow start later still
                gap = (s1 if s1 > s2 else s2) - (e1 if e1 < e2 else e2)
                if gap <= within and (s1 != s2 or e1 != e2):
                    pair = [(s1, e1), (s2, e2)] if (s1, e1) < (s2, e2) else [(s2, e2), (s1, e1)]
                    return tuple(pair) if ctx.identity else ctx.original(pair)
        return None

    nodes = combinators.NODES
    if nodes is None or left.regexes or right.regexes:
        return evaluate
    a, b = left.literal_ids, right.literal_ids
    return cast(BoolEval, nodes.near(a, len(a) <= _PROBE_LIMIT, b, len(b) <= _PROBE_LIMIT, within, evaluate))


def compile_word(terms: TermSet) -> BoolEval:
    words = frozenset(terms.literals)
    ids, regexes = terms.literal_ids, terms.regexes
    # A word is a substring of the text: when no term was found by the literal pass, jieba need not run.
    guarded = not any(regex.required is None for regex in regexes)
    needed = ids.union(*(regex.required or () for regex in regexes))

    def evaluate(ctx: MatchContext) -> BoolResult:
        if guarded and ctx.prefilter and needed.isdisjoint(ctx.found):
            return None
        tokens = ctx.tokens()
        spans = [span for word in words.intersection(tokens) for span in tokens[word]]
        for regex in terms.regexes:
            spans.extend(span for token, found in tokens.items() if regex.compiled.fullmatch(token) for span in found)
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

    if combinators.NODES is None:
        return evaluate
    return cast(BoolEval, combinators.NODES.sender(literals, bool(terms.regexes), evaluate))


def compile_field_contains(field: Literal["signature", "link"], terms: TermSet) -> BoolEval:
    # A signature is a substring of the normalized text, so none of the literals can be in it when the literal
    # pass found none of them (a link's text is rewritten, so links get no such shortcut).
    shortcut = field == "signature" and not terms.regexes
    ids, literals, regexes = terms.literal_ids, terms.literals, terms.regexes

    def evaluate(ctx: MatchContext) -> BoolResult:
        if shortcut and ids.isdisjoint(ctx.found):
            return None
        features = ctx.features
        items = features.signatures if field == "signature" else features.links
        for item in items:
            value = item.value if field == "signature" else item.text  # type: ignore[union-attr]
            for term in literals:
                if term in value:
                    return (item.span,)
            for regex in regexes:
                if regex.compiled.search(value):
                    return (item.span,)
        return None

    if combinators.NODES is None or not shortcut:
        return evaluate
    return cast(BoolEval, combinators.NODES.signature_guard(ids, evaluate))  # the shortcut in C, then the closure
