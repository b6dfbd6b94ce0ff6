"""The legal detector's body in C (plugins/_native/legal.c); the Python reference is legal.detect_reference."""

import re
from collections.abc import Callable, Sequence
from typing import Unpack, final

from smsguard.extract import Features, Link, TextFeature
from smsguard.model import Message, Signal, SignalValue
from smsguard.normalize import NormalizedText

from ._native_binding import HitBinding
from ._terms import Entry, TermHit

@final
class Detector:
    """detector(message, text, features): the signals of legal.detect_reference, computed in C."""

    def __call__(self, message: Message, text: NormalizedText, features: Features, /) -> list[Signal]: ...
    @property
    def posing_words(self) -> tuple[str, ...] | None: ...

class _Binding(HitBinding):
    normalized_text: type[NormalizedText]
    features: type[Features]
    text_feature: type[TextFeature]
    link: type[Link]
    threats: dict[str, str]
    threat_signals: dict[str, str]
    freeze: re.Pattern[str]
    freeze_entry: Entry
    order: Callable[[TermHit], tuple[int, int]]
    posing: re.Pattern[str]
    court_host: re.Pattern[str]
    court_tail: re.Pattern[str]
    court_tail_window: int
    court_signature: re.Pattern[str]
    resolve_overlaps: Callable[[Sequence[TermHit]], list[TermHit]]
    inside: Callable[[TermHit, Sequence[tuple[int, int]]], int | None]
    impersonated: Callable[[str, int], bool]
    context_of: Callable[[NormalizedText], dict[str, list[TermHit]]]
    reader_directed: Callable[[dict[str, list[TermHit]]], bool]
    span_signal: Callable[[str, NormalizedText, tuple[int, int], SignalValue, str], Signal]
    phrases: Callable[[str, list[TermHit]], list[str]]
    occurrences: Callable[[list[TermHit]], int]

def bind(**objects: Unpack[_Binding]) -> Detector: ...
