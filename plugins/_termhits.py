"""The records of the term detectors' hits and the tests the shared scan makes on them (see :mod:`._terms`)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import NamedTuple

IGNORE = "ignore"
ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


class Entry(NamedTuple):
    """One lexicon entry as a detector sees it."""

    term: str
    lexicon: str
    kind: str
    attrs: tuple[str, ...]  # the attributes after the kind
    source: str


class TermHit(NamedTuple):
    """One occurrence of a lexicon entry; ``start``/``end`` index the normalized text."""

    entry: Entry
    start: int
    end: int
    fuzzy: bool = False  # found only after ignoring characters wedged inside the term

    @property
    def kind(self) -> str:
        return self.entry.kind

    @property
    def term(self) -> str:
        return self.entry.term


def hit_order(h: TermHit) -> tuple[int, int]:
    return (h.start, -h.end)


def on_boundary(text: str, start: int, end: int, left: bool, right: bool) -> bool:
    if left and start > 0 and text[start - 1] in ASCII_WORD:
        return False
    return not (right and end < len(text) and text[end] in ASCII_WORD)


def apply_masks(hits: list[TermHit]) -> list[TermHit]:
    """The hits inside no mask (kind ``ignore``), masks left out; ``hits`` itself when it holds no mask."""
    masks = sorted((h.start, h.end) for h in hits if h.entry.kind == IGNORE)
    if not masks:
        return hits
    starts = [a for a, _ in masks]
    longest = max(b - a for a, b in masks)

    def masked(h: TermHit) -> bool:
        lo = bisect_left(starts, h.start - longest)
        hi = bisect_right(starts, h.start)
        return any(masks[i][1] >= h.end for i in range(lo, hi))

    return [h for h in hits if h.entry.kind != IGNORE and not masked(h)]
