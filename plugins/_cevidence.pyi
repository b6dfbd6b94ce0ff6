"""C versions of the shared evidence helpers of the built-in detectors (plugins/_native/evidence.c); the Python
references are in _evidence.py and _cues.py."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from smsguard.model import Signal, SignalValue
from smsguard.normalize import NormalizedText

from ._terms import Entry, TermHit

def make_signal(
    name: str,
    ntext: NormalizedText,
    hits: Sequence[TermHit] = (),
    *,
    value: SignalValue = True,
    confidence: float = 1.0,
    nspans: Sequence[tuple[int, int]] = (),
    detail: str | None = None,
) -> Signal: ...
def span_signal(
    name: str, ntext: NormalizedText, nspan: tuple[int, int], value: SignalValue, detail: str
) -> Signal: ...
def by_kind(hits: Iterable[TermHit]) -> dict[str, list[TermHit]]: ...
def resolve_overlaps(hits: Sequence[TermHit]) -> list[TermHit]: ...
def inside(hit: TermHit, spans: Sequence[tuple[int, int]]) -> int | None: ...
def occurrences(hits: Iterable[TermHit]) -> int: ...
def phrases(text: str, hits: Iterable[TermHit]) -> list[str]: ...
def context_of(ntext: NormalizedText) -> dict[str, list[TermHit]]: ...
def reader_directed(grouped: Mapping[str, Sequence[TermHit]]) -> bool: ...
def impersonated(text: str, start: int) -> bool: ...
def negated(text: str, start: int, end: int) -> bool: ...
def bind_evidence(
    signal: type[Signal],
    normalized_text: type[NormalizedText],
    term_hit: type[TermHit],
    entry: type[Entry],
    plugin_names: dict[str, str],
    fuzzy_confidence: float,
    references: dict[str, Callable[..., object]],
    /,
) -> None: ...
def bind_cues(
    cues_globals: dict[str, Any],
    references: dict[str, Callable[..., object]],
    words: dict[str, str | int] | None = None,
    /,
) -> None: ...
