"""The harassment detector's body in C (plugins/_native/harassment.c); the Python reference is
harassment.detect_reference."""

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Unpack, final

from smsguard.extract import Features
from smsguard.model import Message, Signal, SignalValue
from smsguard.normalize import NormalizedText

from ._native_binding import HitBinding
from ._terms import TermHit

@final
class Detector:
    """detector(message, text, features): the signals of harassment.detect_reference, computed in C."""

    def __call__(self, message: Message, text: NormalizedText, features: Features, /) -> list[Signal]: ...

class _Binding(HitBinding):
    contact_only: frozenset[str]
    debt_only: tuple[str, ...]
    people: tuple[str, ...]
    contact_window: int
    is_night: Callable[[datetime], bool]
    aimed: Callable[[str, TermHit, Any], bool]
    hit_index: Callable[[Iterable[TermHit]], Any]
    cue_before: Callable[..., bool]
    negated: Callable[[str, int, int], bool]
    context_of: Callable[[NormalizedText], dict[str, list[TermHit]]]
    reader_directed: Callable[[dict[str, list[TermHit]]], bool]
    resolve_overlaps: Callable[[Sequence[TermHit]], list[TermHit]]
    span_signal: Callable[[str, NormalizedText, tuple[int, int], SignalValue, str], Signal]

def bind(**objects: Unpack[_Binding]) -> Detector: ...
