"""The full trace of one judgement (``smsguard explain``): what each stage saw and why the verdict is what it is.

The verdict, the rule results, the signals and the normalized text are the engine's own. Each rule's condition
is then walked node by node by the reference evaluator (:class:`~smsguard.lang.reference.ConditionWalker`) over
that same observation, to show which sub-conditions held and on which characters; the walk must agree with the
engine on every rule, and a disagreement is reported rather than hidden.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from smsguard.engine import Engine, Judgement
from smsguard.lang.formatter import render
from smsguard.lang.reference import ConditionWalker, Observed, Trace
from smsguard.model import Message
from smsguard.pack import CompiledCategory, CompiledRule


@dataclass(frozen=True, slots=True)
class RuleExplanation:
    """One rule: whether its condition held (``fired``), whether it counted (fired and enabled), and the trace."""

    rule: CompiledRule
    fired: bool
    trace: Trace

    @property
    def counted(self) -> bool:
        return self.fired and self.rule.enabled

    @property
    def agrees(self) -> bool:
        return self.trace.truth == self.fired


@dataclass(frozen=True, slots=True)
class CategoryExplanation:
    """The score arithmetic of one category: the weights that counted, their sum and the probability."""

    category: CompiledCategory
    weights: tuple[tuple[str, float], ...]
    evidence: float
    probability: float
    fallback: bool

    @property
    def qualifies(self) -> bool:
        return not self.fallback and self.probability > 0 and self.probability >= self.category.threshold


@dataclass(frozen=True, slots=True)
class Explanation:
    judgement: Judgement
    rules: tuple[RuleExplanation, ...]
    categories: tuple[CategoryExplanation, ...]
    decided_by_rules: str
    decision: str

    @property
    def adjusted(self) -> bool:
        """Whether a plugin's ``smsguard_adjust_verdict`` changed the category the rules chose."""
        return self.decided_by_rules != self.judgement.verdict.category

    def to_dict(self) -> dict[str, Any]:
        j = self.judgement
        return {
            "text": {"original": j.message.text, "normalized": j.text.text},
            "sender": j.message.sender,
            "features": {
                "links": [link.text for link in j.features.links],
                "amounts": [a.yuan for a in j.features.amounts],
                "signatures": [s.value for s in j.features.signatures],
            },
            "signals": [s.to_dict() for s in j.signals],
            "rules": [
                {
                    "rule": r.rule.id,
                    "title": r.rule.title,
                    "pack": r.rule.pack,
                    "category": r.rule.category,
                    "weight": r.rule.weight,
                    "enabled": r.rule.enabled,
                    "fired": r.fired,
                    "counted": r.counted,
                    "condition": trace_dict(r.trace, j.message.text),
                }
                for r in self.rules
            ],
            "categories": [
                {
                    "category": c.category.id,
                    "title": c.category.title,
                    "weights": [{"rule": rule, "weight": weight} for rule, weight in c.weights],
                    "evidence": c.evidence,
                    "probability": c.probability,
                    "threshold": c.category.threshold,
                    "priority": c.category.priority,
                    "qualifies": c.qualifies,
                    "fallback": c.fallback,
                }
                for c in self.categories
            ],
            "decision": self.decision,
            "adjusted_by_plugin": self.adjusted,
            "verdict": j.verdict.to_dict(),
        }


def trace_dict(trace: Trace, original: str) -> dict[str, Any]:
    """A trace as JSON: each node's text, truth, values, spans and the characters behind the spans."""
    return {
        "expr": render(trace.expr),
        "truth": trace.truth,
        "values": [v if isinstance(v, bool | int | float | str) else repr(v) for v in trace.values],
        "spans": [list(s) for s in trace.spans],
        "evidence": [original[s:e] for s, e in trace.spans],
        "children": [trace_dict(c, original) for c in trace.children],
    }


def explain(engine: Engine, message: Message) -> Explanation:
    """Judge ``message`` and explain every step."""
    judgement = engine.judge(message)
    pack = engine.pack
    rules_by_id = {rule.id: rule for rule in pack.rules}
    walker = ConditionWalker(
        engine, rules_by_id, Observed(message, judgement.text, judgement.features, judgement.signals)
    )
    rules = tuple(
        RuleExplanation(rule, result is not None, walker.rule_trace(rule.id))
        for rule, result in zip(pack.rules, judgement.rule_results, strict=True)
    )
    scores = judgement.verdict.scores
    categories = []
    for category in pack.categories:
        weights = tuple((r.rule.id, r.rule.weight) for r in rules if r.counted and r.rule.category == category.id)
        categories.append(
            CategoryExplanation(
                category,
                weights,
                math.fsum(w for _, w in weights),
                scores.get(category.id, 0.0),
                category.id == pack.fallback,
            )
        )
    qualified = [c for c in categories if c.qualifies]
    if qualified:
        best = max(
            qualified, key=lambda c: (c.category.priority, c.probability, tuple(-ord(ch) for ch in c.category.id))
        )
        chosen = best.category.id
        others = [c.category.id for c in qualified if c is not best]
        decision = f"{chosen} reaches its threshold ({best.probability:.3f} >= {best.category.threshold:g})" + (
            f" and has the highest priority ({best.category.priority:g}) of {', '.join([chosen, *others])}"
            if others
            else ""
        )
    else:
        chosen = pack.fallback
        decision = f"no category reaches its threshold, so the fallback category {chosen}"
    if chosen != judgement.verdict.category:
        decision += f"; a plugin then changed the verdict to {judgement.verdict.category}"
    return Explanation(judgement, rules, tuple(categories), chosen, decision)
