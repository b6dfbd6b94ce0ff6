"""The frozen records that flow between the stages: message in, signals and hits in between, verdict out.

Every span in these records is a half-open ``(start, end)`` range of code points in the ORIGINAL message text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Span = tuple[int, int]
SignalValue = bool | int | float | str
SignalType = Literal["bool", "number", "string"]
Risk = Literal["high", "medium", "low", "none"]
RISK_LEVELS: tuple[Risk, ...] = ("none", "low", "medium", "high")


@dataclass(frozen=True, slots=True)
class Message:
    """One SMS as received: its text, the sender as shown on the phone, and when it arrived."""

    text: str
    sender: str | None = None
    received_at: datetime | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SignalSpec:
    """A signal a plugin promises it may emit; rules may only name declared signals."""

    name: str
    type: SignalType
    description: str


@dataclass(frozen=True, slots=True)
class Signal:
    """One piece of evidence a detector found in a message."""

    name: str
    value: SignalValue = True
    confidence: float = 1.0
    spans: tuple[Span, ...] = ()
    detail: str = ""
    plugin: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "confidence": self.confidence,
            "spans": [list(s) for s in self.spans],
            "detail": self.detail,
            "plugin": self.plugin,
        }


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule whose condition held, with the characters that made it hold."""

    rule: str
    category: str
    weight: float
    title: str
    spans: tuple[Span, ...]
    evidence: tuple[str, ...]
    pack: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "category": self.category,
            "weight": self.weight,
            "title": self.title,
            "spans": [list(s) for s in self.spans],
            "evidence": list(self.evidence),
            "pack": self.pack,
        }


@dataclass(frozen=True, slots=True)
class PluginFailure:
    """A plugin that raised or ran over its time budget while judging this message."""

    plugin: str
    hook: str
    error: str

    def to_dict(self) -> dict[str, str]:
        return {"plugin": self.plugin, "hook": self.hook, "error": self.error}


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer for one message: what it is, how risky, why, and what to do."""

    category: str
    risk: Risk
    scores: Mapping[str, float]
    hits: tuple[Hit, ...]
    signals: tuple[Signal, ...]
    advice: tuple[str, ...]
    errors: tuple[PluginFailure, ...]
    version: Mapping[str, str]
    category_title: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict with the stable keys of the public contract."""
        return {
            "category": self.category,
            "category_title": self.category_title,
            "risk": self.risk,
            "scores": {k: round(v, 6) for k, v in self.scores.items()},
            "hits": [h.to_dict() for h in self.hits],
            "signals": [s.to_dict() for s in self.signals],
            "advice": list(self.advice),
            "errors": [e.to_dict() for e in self.errors],
            "version": dict(self.version),
        }
