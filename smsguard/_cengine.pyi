"""The engine's per-message work around the rule closures and the verdict, in C (see smsguard.engine_native)."""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from smsguard.engine import Judgement
from smsguard.extract import Features
from smsguard.matching import BoolResult, EvaluationPlan
from smsguard.model import Hit, Message, PluginFailure, Signal, Verdict
from smsguard.normalize import NormalizedText
from smsguard.pack import CompiledCategory, CompiledRule

class Evaluator:
    """One compiled pack's evaluation and verdict; a ValueError when built for a plan it does not take."""

    def __init__(
        self,
        rules: tuple[CompiledRule, ...],
        plan: EvaluationPlan | None,
        fact_names: tuple[str, str, str, str],
        tokenizer: Callable[[str], list[tuple[str, int, int]]] | None,
        categories: tuple[CompiledCategory, ...],
        fallback: str,
        advice_of: dict[str, tuple[str, ...]],
        version: Mapping[str, str],
        classes: tuple[type, type, type, type, type, type, type, type, type],
        helpers: tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]],
    ) -> None: ...
    def evaluate(
        self,
        message: Message,
        ntext: NormalizedText,
        features: Features,
        signals: Sequence[Signal],
        failures: list[PluginFailure],
        found: Mapping[int, object],
        /,
    ) -> tuple[list[BoolResult], list[Hit]]: ...
    def verdict(
        self, hits: list[Hit], signals: Sequence[Signal], failures: Sequence[PluginFailure], /
    ) -> Verdict | None: ...
    def judgement(
        self,
        message: Message,
        text: NormalizedText,
        features: Features,
        signals: Sequence[Signal],
        rule_results: Sequence[BoolResult],
        verdict: Verdict,
        /,
    ) -> Judgement: ...
    def conclude(
        self,
        message: Message,
        ntext: NormalizedText,
        features: Features,
        signals: Sequence[Signal],
        failures: list[PluginFailure],
        find_spans: Callable[[str], Mapping[int, object]],
        /,
    ) -> Judgement | None: ...
