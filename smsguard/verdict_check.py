"""Whether a verdict an adjuster (``smsguard_adjust_verdict``) returned may replace the one it was given: a
category of the pack, a known risk level, probabilities by category name, evidence of the right types, and a
``to_dict()`` that is still JSON-safe."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping

from smsguard.errors import describe
from smsguard.model import RISK_LEVELS, Hit, Signal, Verdict

_PARTS: tuple[tuple[str, type], ...] = (("hits", Hit), ("signals", Signal), ("advice", str))


def verdict_problem(verdict: Verdict, categories: Collection[str]) -> str | None:
    """What is wrong with an adjusted ``verdict`` for a pack of ``categories`` (ids), or None."""
    if not isinstance(verdict.category, str) or verdict.category not in categories:
        return f"returned a verdict of category {verdict.category!r}, which the pack does not declare"
    if verdict.risk not in RISK_LEVELS:
        return f"returned a verdict of risk {verdict.risk!r}, not one of {', '.join(RISK_LEVELS)}"
    scores = verdict.scores
    if not isinstance(scores, Mapping) or not all(
        isinstance(name, str) and _is_probability(p) for name, p in scores.items()
    ):
        return "returned a verdict whose scores are not probabilities (from 0 to 1) by category name"
    for part, kind in _PARTS:
        value = getattr(verdict, part)
        if not isinstance(value, tuple) or not all(isinstance(item, kind) for item in value):
            return f"returned a verdict whose {part} is not a tuple of {kind.__name__}"
    if not isinstance(verdict.category_title, str):
        return "returned a verdict whose category_title is not a string"
    try:
        json.dumps(verdict.to_dict(), allow_nan=False)
    except (TypeError, ValueError, AttributeError) as exc:
        return f"returned a verdict that is not JSON-safe: {describe(exc)}"
    return None


def _is_probability(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1  # NaN fails the range
