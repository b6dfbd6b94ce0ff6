"""The engine's per-message work around the rule closures and the verdict, in C (``smsguard._cengine``).

:func:`native_evaluator` builds, for one engine, the object whose ``evaluate``, ``verdict`` and ``judgement`` stand
in for ``Engine.evaluate`` (after the literal pass), ``Engine._verdict`` and the construction of a ``Judgement``.
The Python in :mod:`smsguard.engine` and :mod:`smsguard.scoring` stays the reference; ``verdict`` returns None
where it leaves the work to it (weights or thresholds that are not floats, NaN, repeated category ids).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from smsguard.extract import Features
from smsguard.lang import combinators, prefilter
from smsguard.matching import MatchContext, RuleAborted, Spans, normalize_sender
from smsguard.model import Hit, Message, Signal, Verdict
from smsguard.native import load
from smsguard.normalize import NormalizedText
from smsguard.pack import CompiledPack

if TYPE_CHECKING:
    from smsguard._cengine import Evaluator

log = logging.getLogger(__name__)
_native = load("engine")
FACTS = (prefilter.FEATURE_AMOUNTS, prefilter.FEATURE_SIGNATURES, prefilter.FEATURE_LINKS, prefilter.SENDER)


def native_evaluator(
    pack: CompiledPack,
    tokenizer: Callable[[str], list[tuple[str, int, int]]] | None,
    advice_of: dict[str, tuple[str, ...]],
    version: dict[str, str],
    judgement: type,
) -> Evaluator | None:
    """The C evaluator of ``pack``, or None when the accelerator is off or the pack's plan is not one it takes."""
    if _native is None:
        return None
    try:
        evaluator: Evaluator = _native.Evaluator(
            pack.rules,
            pack.plan,
            FACTS,
            tokenizer,
            pack.categories,
            pack.fallback,
            advice_of,
            version,
            (MatchContext, Hit, Verdict, judgement, RuleAborted, Signal, Message, NormalizedText, Features),
            (normalize_sender, hit_parts, math.fsum),
        )
    except ValueError:  # the pure-Python path judges such a pack alike
        log.debug("the engine accelerator does not take this pack", exc_info=True)
        return None
    if combinators.NODES is not None:
        # the conditions then look literal ids up in the literal pass's table with the table's own int objects
        shared = {literal_id: literal_id for ids in pack.literals.pattern_ids for literal_id in ids}
        combinators.NODES.share_ids(tuple(rule.evaluate for rule in pack.rules), shared)
    return evaluator


def hit_parts(result: Spans, original: str) -> tuple[Spans, tuple[str, ...]]:
    """A hit's spans and evidence, as ``Engine.evaluate`` builds them; the C calls it for the rule results that are
    not tuples of ``(int, int)`` tuples of non-negative ints."""
    spans = tuple(sorted(set(result))) if len(result) > 1 else tuple(result)
    return spans, tuple([original[s:e] for s, e in spans])
