"""Boolean formulas over numbered variables, with constant folding, and whole-number constraint solving:
the algebra of :mod:`smsguard.lint.logic`."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Fn = Callable[[int], bool]


@dataclass(slots=True)
class Formula:
    """A boolean function of the variables; ``const`` is set when folding already knows the value."""

    fn: Fn
    const: bool | None = None
    reason: str = ""


def const(value: bool, reason: str = "") -> Formula:
    return Formula((lambda a: True) if value else (lambda a: False), value, reason)


def var(index: int) -> Formula:
    mask = 1 << index
    return Formula(lambda a: a & mask != 0)


def neg(f: Formula) -> Formula:
    if f.const is not None:
        return const(not f.const, f.reason)
    fn = f.fn
    return Formula(lambda a: not fn(a))


def conj(items: list[Formula]) -> Formula:
    if any(i.const is False for i in items):
        return const(False, next(i.reason for i in items if i.const is False))
    fns = [i.fn for i in items if i.const is None]
    if not fns:
        return const(True)
    return Formula(lambda a: all(f(a) for f in fns))


def disj(items: list[Formula]) -> Formula:
    if any(i.const is True for i in items):
        return const(True, next(i.reason for i in items if i.const is True))
    fns = [i.fn for i in items if i.const is None]
    if not fns:
        return const(False, items[0].reason if len(items) == 1 else "")
    return Formula(lambda a: any(f(a) for f in fns))


def at_least(count: int, items: list[Formula]) -> Formula:
    known = sum(1 for i in items if i.const is True)
    fns = [i.fn for i in items if i.const is None]
    if known >= count:
        return const(True, "" if count else "0 of anything always holds")
    if known + len(fns) < count:
        return const(False, f"fewer than {count} of its conditions can hold at once")
    need = count - known
    return Formula(lambda a: sum(1 for f in fns if f(a)) >= need)


def iff(left: Formula, right: Formula) -> Formula:
    if left.const is not None and right.const is not None:
        return const(left.const == right.const)
    lf, rf = left.fn, right.fn
    return Formula(lambda a: lf(a) == rf(a))


FLIP = {">=": "<=", "<=": ">=", ">": "<", "<": ">", "==": "==", "!=": "!="}
NEGATE = {">=": "<", "<": ">=", "<=": ">", ">": "<=", "==": "!=", "!=": "=="}


def cardinality(items: list[Formula], op: str, value: float) -> Formula:
    """``count op value`` where the count is the number of ``items`` that hold."""
    if op == "==":
        if value != int(value):
            return const(False)
        return conj([at_least(int(value), items), neg(at_least(int(value) + 1, items))])
    if op == "!=":
        return neg(cardinality(items, "==", value))
    if op in (">=", ">"):
        least = math.ceil(value) if op == ">=" else math.floor(value) + 1
        return at_least(max(least, 0), items)
    most = math.floor(value) if op == "<=" else math.ceil(value) - 1
    return neg(at_least(most + 1, items)) if most >= 0 else const(False)


def feasible(constraints: list[tuple[str, float]], lower: float, upper: float, integer: bool = True) -> bool:
    """Whether some number in [lower, upper] (a whole number if ``integer``) meets every constraint."""
    low, high = lower, upper
    excluded: set[float] = set()
    for op, value in constraints:
        if op == ">=":
            low = max(low, math.ceil(value) if integer else value)
        elif op == ">":
            low = max(low, math.floor(value) + 1 if integer else math.nextafter(value, math.inf))
        elif op == "<=":
            high = min(high, math.floor(value) if integer else value)
        elif op == "<":
            high = min(high, math.ceil(value) - 1 if integer else math.nextafter(value, -math.inf))
        elif op == "==":
            if integer and value != int(value):
                return False
            low, high = max(low, value), min(high, value)
        elif op == "!=":
            excluded.add(value)
    if low > high:
        return False
    if high == math.inf or not integer:
        return not (low == high and low in excluded)
    points = int(high - low) + 1
    return points > sum(1 for v in excluded if low <= v <= high and v == int(v))


def num(value: float) -> str:
    return str(int(value)) if math.isfinite(value) and value == int(value) else str(value)


COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: bool(a == b),
    "!=": lambda a, b: bool(a != b),
    ">=": lambda a, b: bool(a >= b),
    "<=": lambda a, b: bool(a <= b),
    ">": lambda a, b: bool(a > b),
    "<": lambda a, b: bool(a < b),
}


def fold(op: str, left: object, right: object) -> bool:
    try:
        return COMPARE[op](left, right)
    except TypeError:
        return False
