"""The boolean combinators compiled rule conditions are built from: ``or``, ``and``, ``not``, ``N of``, and the
constant conditions. Each returns a closure over a :class:`~smsguard.matching.MatchContext` giving the spans that
made the condition hold, or None.

With the ``conditions`` accelerator (``NODES``, smsguard/_native/conditions.c) the combinators, and the common
leaves of :mod:`smsguard.lang.builtins` and :mod:`smsguard.lang.expressions`, are C nodes instead: called the same
way, computing the same results from the same children. A leaf node keeps its closure, which it calls for the rare
input it leaves to Python. The closures stay as the reference and the fallback.
"""

from __future__ import annotations

from typing import cast

from smsguard.matching import BoolEval, BoolResult, MatchContext, ValueEval
from smsguard.model import Signal
from smsguard.native import load

NODES = load("conditions")  # read when a condition is compiled: the tests compile both ways
if NODES is not None:
    NODES.bind(MatchContext, Signal)


def as_values(kind: str, evaluator: BoolEval | ValueEval) -> ValueEval:
    if kind != "bool":
        return cast(ValueEval, evaluator)
    condition = cast(BoolEval, evaluator)
    return lambda ctx: [(True, spans)] if (spans := condition(ctx)) is not None else [(False, ())]


def never(ctx: MatchContext) -> BoolResult:
    return None


def always(ctx: MatchContext) -> BoolResult:
    return ()


def any_of(items: list[BoolEval]) -> BoolEval:
    """The first item that holds gives the spans."""
    if NODES is not None:
        return cast(BoolEval, NODES.any_of(items))
    if len(items) == 2:
        first, second = items

        def either(ctx: MatchContext) -> BoolResult:
            result = first(ctx)
            return second(ctx) if result is None else result

        return either
    if len(items) == 3:
        first, second, third = items

        def one_of_three(ctx: MatchContext) -> BoolResult:
            result = first(ctx)
            if result is None:
                result = second(ctx)
                if result is None:
                    return third(ctx)
            return result

        return one_of_three

    def evaluate(ctx: MatchContext) -> BoolResult:
        for item in items:
            result = item(ctx)
            if result is not None:
                return result
        return None

    return evaluate


# The ``and`` of two to four items (nearly every one in a pack) is unrolled: a loop over the items costs about
# as much as the items themselves. Each runs its items in ``order`` and joins their spans in the written order.


def all_of(items: list[BoolEval], order: tuple[int, ...]) -> BoolEval:
    """All items hold; they run in ``order`` (cheapest first) but the spans keep the written order."""
    # written[k]: where the k-th written item comes in the order of evaluation
    evaluated, written = [items[i] for i in order], tuple(order.index(k) for k in range(len(items)))
    if NODES is not None and items:
        return cast(BoolEval, NODES.all_of(evaluated, written))
    if len(items) == 2:
        return _all_of_two(evaluated, written)
    if len(items) == 3:
        return _all_of_three(evaluated, written)
    if len(items) == 4:
        return _all_of_four(evaluated, written)
    ordered = list(zip(order, evaluated, strict=True))
    count = len(items)

    def reordered(ctx: MatchContext) -> BoolResult:
        results: list[BoolResult] = [None] * count
        for index, item in ordered:
            result = item(ctx)
            if result is None:
                return None
            results[index] = result
        spans: list[tuple[int, int]] = []
        for result in results:
            if result:
                spans += result
        return tuple(spans)

    return reordered


def _all_of_two(evaluated: list[BoolEval], written: tuple[int, ...]) -> BoolEval:
    e0, e1 = evaluated
    swapped = written == (1, 0)

    def evaluate(ctx: MatchContext) -> BoolResult:
        r0 = e0(ctx)
        if r0 is None:
            return None
        r1 = e1(ctx)
        if r1 is None:
            return None
        return r1 + r0 if swapped else r0 + r1

    return evaluate


def _all_of_three(evaluated: list[BoolEval], written: tuple[int, ...]) -> BoolEval:
    e0, e1, e2 = evaluated
    w0, w1, w2 = written

    def evaluate(ctx: MatchContext) -> BoolResult:
        r0 = e0(ctx)
        if r0 is None:
            return None
        r1 = e1(ctx)
        if r1 is None:
            return None
        r2 = e2(ctx)
        if r2 is None:
            return None
        results = (r0, r1, r2)
        return results[w0] + results[w1] + results[w2]

    return evaluate


def _all_of_four(evaluated: list[BoolEval], written: tuple[int, ...]) -> BoolEval:
    e0, e1, e2, e3 = evaluated
    w0, w1, w2, w3 = written

    def evaluate(ctx: MatchContext) -> BoolResult:
        r0 = e0(ctx)
        if r0 is None:
            return None
        r1 = e1(ctx)
        if r1 is None:
            return None
        r2 = e2(ctx)
        if r2 is None:
            return None
        r3 = e3(ctx)
        if r3 is None:
            return None
        results = (r0, r1, r2, r3)
        return results[w0] + results[w1] + results[w2] + results[w3]

    return evaluate


def negation(item: BoolEval) -> BoolEval:
    if NODES is not None:
        return cast(BoolEval, NODES.negation(item))
    return lambda ctx: () if item(ctx) is None else None


def n_of(count: int, items: list[BoolEval]) -> BoolEval:
    if NODES is not None and items:
        return cast(BoolEval, NODES.n_of(count, items))
    total = len(items)

    def evaluate(ctx: MatchContext) -> BoolResult:
        spans: list[tuple[int, int]] = []
        held = 0
        for index, item in enumerate(items):
            if held + total - index < count:
                return None
            result = item(ctx)
            if result is not None:
                held += 1
                spans.extend(result)
                if held >= count:
                    return tuple(spans)
        return tuple(spans) if held >= count else None

    return evaluate
