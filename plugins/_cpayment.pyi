"""The payment detector's body in C (plugins/_native/payment.c); the Python reference is
payment.detect_reference."""

from collections.abc import Callable
from typing import Unpack, final

from smsguard.extract import Features
from smsguard.model import Message, Signal
from smsguard.normalize import NormalizedText

from ._cues import HitIndex
from ._native_binding import HitBinding
from ._terms import TermHit

@final
class Detector:
    """detector(message, text, features): the signals of payment.detect_reference, computed in C."""

    def __call__(self, message: Message, text: NormalizedText, features: Features, /) -> list[Signal]: ...

class _Binding(HitBinding):
    cards: Callable[[str], list[TermHit]]
    card_min_digits: int
    card_separators: str
    negated: Callable[[str, int, int], bool]
    context_of: Callable[[NormalizedText], dict[str, list[TermHit]]]
    hit_index: type[HitIndex]
    cue_before: Callable[..., bool]
    cue_after: Callable[..., bool]
    never_negated: frozenset[str]
    account_kinds: tuple[str, ...]
    personal_kinds: tuple[str, ...]
    cue_window: int
    target_window: int

def bind(**objects: Unpack[_Binding]) -> Detector: ...
