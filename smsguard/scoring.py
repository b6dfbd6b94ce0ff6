"""Merge the fired rules into a probability per category and choose the verdict's category.

Each rule's weight is evidence for its category. A category's probability is ``1 - exp(-W)`` where ``W`` is
the sum of the weights of its fired rules, floored at 0: one rule of weight 1 gives 0.63, weight 2 gives 0.86,
weight 3 gives 0.95, and negative weights (counter-evidence) pull it back. Independent pieces of evidence
combine like a noisy-OR, so adding a fired rule of positive weight never lowers the probability.

The verdict is the category of highest priority among those whose probability reaches their threshold (ties:
higher probability, then id); when none does, the pack's fallback category.

The engine accelerator (smsguard/_native/engine.c) computes the same, with the float operations in the same order
so that every probability is the same bits; this module is its reference.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from smsguard.model import Hit
from smsguard.pack import CompiledCategory


def category_evidence(categories: Sequence[CompiledCategory], hits: Iterable[Hit]) -> dict[str, float]:
    """Summed weight per category (every declared category present, in declaration order).

    The sum is exact (``math.fsum``), so it does not depend on the order of the rules or of the hits.
    """
    totals = {c.id: 0.0 for c in categories}
    weights: dict[str, list[float]] = {}
    for hit in hits:
        found = weights.get(hit.category)
        if found is None:
            weights[hit.category] = [hit.weight]
        else:
            found.append(hit.weight)
    for category, found in weights.items():
        if category in totals:
            # fsum of one weight is that weight as a float (and -0.0 as 0.0), which ``+ 0.0`` gives without a call
            totals[category] = found[0] + 0.0 if len(found) == 1 else math.fsum(found)
    return totals


def probability(evidence: float) -> float:
    """Map summed evidence to a probability in [0, 1)."""
    return 1.0 - math.exp(-evidence) if evidence > 0 else 0.0


def scores(categories: Sequence[CompiledCategory], hits: Iterable[Hit]) -> dict[str, float]:
    evidence = category_evidence(categories, hits)
    return {cid: probability(total) if total else 0.0 for cid, total in evidence.items()}


def decide(
    categories: Sequence[CompiledCategory], category_scores: Mapping[str, float], fallback: str
) -> CompiledCategory:
    """The category of the verdict: see the module docstring."""
    qualified = [
        c
        for c in categories
        if c.id != fallback and category_scores.get(c.id, 0.0) > 0.0 and category_scores[c.id] >= c.threshold
    ]
    if len(qualified) == 1:
        return qualified[0]
    if qualified:
        return min(qualified, key=lambda c: (-c.priority, -category_scores[c.id], c.id))
    for category in categories:
        if category.id == fallback:
            return category
    return CompiledCategory(fallback, fallback, 0.0, 0.0, "none")
