"""The value side of the rule language: ``signal("name")``, ``amount()``, ``length()``, constants, comparisons, and
a value used as a condition. Each compiles into a closure over a :class:`MatchContext` (the term functions are in
:mod:`smsguard.lang.builtins`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from smsguard.matching import BoolEval, BoolResult, Candidate, MatchContext, ValueEval


def compile_signal_condition(name: str) -> BoolEval:
    """``signal("x")`` as a condition: the spans of the first truthy value (``truthy(compile_signal(x))``)."""

    def evaluate(ctx: MatchContext) -> BoolResult:
        for signal in ctx.signals.get(name, ()):
            if signal.value:
                return signal.spans
        return None

    return evaluate


def compile_signals_condition(names: list[str]) -> BoolEval:
    """``signal("a") or signal("b") or ...``: the spans of the first truthy value, by signal in that order."""
    if len(names) == 1:
        return compile_signal_condition(names[0])
    order = tuple(names)

    def evaluate(ctx: MatchContext) -> BoolResult:
        signals = ctx.signals
        for name in order:
            for signal in signals.get(name, ()):
                if signal.value:
                    return signal.spans
        return None

    return evaluate


def compile_signal_compare(name: str, op: str, constant: object, signal_left: bool) -> BoolEval:
    """``signal("x") OP constant`` (or the mirror): what ``compile_compare`` gives for it, in one closure."""
    test = COMPARISONS[op]

    def evaluate(ctx: MatchContext) -> BoolResult:
        for signal in ctx.signals.get(name, ()):
            try:
                holds = test(signal.value, constant) if signal_left else test(constant, signal.value)
            except TypeError:
                continue
            if holds:
                return signal.spans
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


COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}


def compile_compare(op: str, left: ValueEval, right: ValueEval) -> BoolEval:
    test = COMPARISONS[op]

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
