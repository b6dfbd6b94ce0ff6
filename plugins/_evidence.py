"""From term hits to signals: overlaps between kinds settled, hits grouped and counted, spans mapped back to the
original text, and the :class:`~smsguard.model.Signal` built with the name of the plugin that emits it."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter

from smsguard.model import Signal, SignalValue, Span
from smsguard.native import load
from smsguard.normalize import NormalizedText

from ._terms import Entry, TermHit

_SPAN_START = itemgetter(0)

# A name found only after ignoring wedged characters is less certain than one written plainly.
FUZZY_CONFIDENCE = 0.8


def resolve_overlaps(hits: Sequence[TermHit]) -> list[TermHit]:
    """Settle overlaps between kinds: of two overlapping hits of different kinds the longer wins, then the earlier
    (``失信被执行人`` is a blacklist, not the enforcement term ``被执行人`` inside it). Overlapping hits of one
    kind all stay (``纳入失信`` and ``失信被执行人``); their spans merge in :func:`make_signal`.

    ``hits`` must be in the order :meth:`TermSet.find` returns them (by start, then longest first).
    """
    last_end = -1
    for h in hits:
        if h.start < last_end:
            break
        last_end = h.end
    else:
        return list(hits)  # nothing overlaps: the common case
    beaten: set[int] = set()
    for i, a in enumerate(hits):
        for j in range(i + 1, len(hits)):
            b = hits[j]
            if b.start >= a.end:
                break
            if a.entry.kind != b.entry.kind:
                beaten.add(j if a.end - a.start >= b.end - b.start else i)
    return [h for i, h in enumerate(hits) if i not in beaten] if beaten else list(hits)


def occurrences(hits: Iterable[TermHit]) -> int:
    """How many places the hits cover: overlapping hits count once (提起诉讼 holds 诉讼)."""
    count = 0
    last_end = -1
    for h in sorted(hits, key=lambda h: (h.start, -h.end)):
        if h.start >= last_end:
            count += 1
        last_end = max(last_end, h.end)
    return count


def merged_nspans(nspans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Normalized spans sorted, with the ones that overlap or touch merged."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(nspans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def phrases(text: str, hits: Iterable[TermHit]) -> list[str]:
    """The normalized words the hits cover, overlapping and touching hits taken as one (纳入失信被执行人)."""
    return [text[s:e] for s, e in merged_nspans((h.start, h.end) for h in hits)]


def by_kind(hits: Iterable[TermHit]) -> dict[str, list[TermHit]]:
    grouped: dict[str, list[TermHit]] = {}
    for h in hits:
        grouped.setdefault(h.entry.kind, []).append(h)
    return grouped


def original_spans(ntext: NormalizedText, nspans: Iterable[tuple[int, int]]) -> tuple[Span, ...]:
    """Original-text spans of normalized spans, sorted; spans that overlap or touch in the normalized text merge
    (so ``征 信 修 复`` comes back as one span, separators included)."""
    merged = merged_nspans(nspans)
    if len(merged) == 1:
        return (ntext.to_original(*merged[0]),)
    return tuple(sorted({ntext.to_original(s, e) for s, e in merged}))


def terms_of(hits: Iterable[TermHit]) -> str:
    """The distinct lexicon terms of ``hits`` (given in text order), joined for a signal's detail or value."""
    return "、".join(dict.fromkeys([h.entry.term for h in hits]))


def make_signal(
    name: str,
    ntext: NormalizedText,
    hits: Sequence[TermHit] = (),
    *,
    value: SignalValue = True,
    confidence: float = 1.0,
    nspans: Sequence[tuple[int, int]] = (),
    detail: str | None = None,
) -> Signal:
    """A signal whose spans are the original characters behind ``hits`` and any extra normalized ``nspans``."""
    # One hit or one span is the common case, kept cheap: detectors run on every message.
    if len(hits) == 1 and not nspans:
        hit = hits[0]
        spans: tuple[Span, ...] = (ntext.to_original(hit.start, hit.end),)
        if hit.fuzzy:
            confidence *= FUZZY_CONFIDENCE
        if detail is None:
            detail = hit.entry.term
    elif not hits and len(nspans) == 1:
        spans = (ntext.to_original(*nspans[0]),)
        if detail is None:
            detail = ""
    else:
        nspan_list = [(h.start, h.end) for h in hits]
        if nspans:
            nspan_list.extend(nspans)
        spans = original_spans(ntext, nspan_list)
        if any([h.fuzzy for h in hits]):
            confidence *= FUZZY_CONFIDENCE
        if detail is None:
            detail = terms_of(hits)
    return Signal(name, value, confidence, spans, detail, _PLUGIN_OF[name])


def span_signal(name: str, ntext: NormalizedText, nspan: tuple[int, int], value: SignalValue, detail: str) -> Signal:
    """``make_signal(name, ntext, nspans=[nspan], value=value, detail=detail)``, cheaper: the common case."""
    return Signal(name, value, 1.0, (ntext.to_original(nspan[0], nspan[1]),), detail, _PLUGIN_OF[name])


class _PluginNames(dict[str, str]):
    """Signal name -> the name the host stamps on the signal, the name its plugin is registered under: the
    built-in detectors are registered under the prefix of their signals' names (legal.filing). The host copies
    every signal that does not carry its plugin's name already, so setting it saves a copy (one registered under
    another name is copied). Kept by name: a look-up is cheaper than cutting the name for every signal.
    """

    def __missing__(self, signal_name: str) -> str:
        plugin = self[signal_name] = signal_name.partition(".")[0]
        return plugin


_PLUGIN_OF = _PluginNames()


def inside(hit: TermHit, spans: Sequence[tuple[int, int]]) -> int | None:
    """The index of the span in ``spans`` (sorted, not overlapping, e.g. 【signatures】) that holds the hit."""
    i = bisect_right(spans, hit.start, key=_SPAN_START) - 1
    if i >= 0 and spans[i][0] <= hit.start and hit.end <= spans[i][1]:
        return i
    return None


# The functions above are the reference. The accelerator gives the same results (tests/test_native_evidence.py):
# it runs the detectors' usual inputs in C and hands anything else to the reference.
REFERENCE: dict[str, Callable[..., object]] = {
    "make_signal": make_signal,
    "span_signal": span_signal,
    "by_kind": by_kind,
    "resolve_overlaps": resolve_overlaps,
    "inside": inside,
    "occurrences": occurrences,
    "phrases": phrases,
}
_native = load("evidence")
if _native is not None:
    _native.bind_evidence(Signal, NormalizedText, TermHit, Entry, _PLUGIN_OF, FUZZY_CONFIDENCE, REFERENCE)
    globals().update({name: getattr(_native, name) for name in REFERENCE})  # each name now the C function
