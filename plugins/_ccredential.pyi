"""The credential detector's body in C (plugins/_native/credential.c); the Python reference is
credential.detect_reference."""

from collections.abc import Callable, Sequence
from re import Match
from typing import Unpack, final

from smsguard.extract import Features
from smsguard.model import Message, Signal
from smsguard.normalize import NormalizedText

from ._cues import HitIndex
from ._native_binding import HitBinding
from ._terms import TermHit

@final
class Detector:
    """detector(message, text, features): the signals of credential.detect_reference, computed in C."""

    def __call__(self, message: Message, text: NormalizedText, features: Features, /) -> list[Signal]: ...

class _Binding(HitBinding):
    negated: Callable[[str, int, int], bool]
    resolve_overlaps: Callable[[Sequence[TermHit]], list[TermHit]]
    hit_index: type[HitIndex]
    asked: Callable[[str, TermHit, HitIndex], bool]
    code_value: Callable[[str, TermHit], tuple[int, int] | None]
    app_follows: Callable[[str, TermHit, HitIndex], bool]
    others: Callable[[str, int], Match[str] | None]
    start: Callable[[TermHit], int]
    signalling_kinds: frozenset[str]
    credential_kinds: tuple[str, ...]
    unless_negated: tuple[tuple[str, str], ...]
    ask_before: int
    ask_after: int
    code_window: int
    code_min_digits: int

def bind(**objects: Unpack[_Binding]) -> Detector: ...
