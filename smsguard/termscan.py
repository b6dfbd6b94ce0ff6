"""One Aho-Corasick pass that finds every occurrence of many literal terms in a normalized text."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

from smsguard.normalize import Normalizer, default_normalizer


@dataclass(frozen=True, slots=True)
class TermMatch:
    """One occurrence of a term: the term's index in the matcher and its span in the normalized text."""

    term_id: int
    start: int
    end: int


class TermMatcher:
    """Finds many literal terms at once.

    Terms are normalized with the same normalizer as the messages, so ``"起 诉"`` or ``"ＶＸ"`` in a lexicon
    match what the message normalizes to. ``terms[i]`` is the original term for id ``i``; terms that
    normalize to the same text share one automaton entry but keep their own ids.
    """

    def __init__(self, terms: Iterable[str], normalizer: Normalizer | None = None) -> None:
        normalizer = normalizer or default_normalizer()
        self.terms: tuple[str, ...] = tuple(terms)
        self.normalized: tuple[str, ...] = tuple(normalizer.normalize_pattern(t) for t in self.terms)
        by_key: dict[str, list[int]] = {}
        for term_id, key in enumerate(self.normalized):
            if key:
                by_key.setdefault(key, []).append(term_id)
        self._automaton: ahocorasick.Automaton | None = None
        if by_key:
            automaton = ahocorasick.Automaton()
            for key, ids in by_key.items():
                automaton.add_word(key, (len(key), tuple(ids)))
            automaton.make_automaton()
            self._automaton = automaton

    def find(self, text: str) -> list[TermMatch]:
        """Every occurrence (overlapping included) in ``text``, ordered by end then term id."""
        if self._automaton is None or not text:
            return []
        found: list[TermMatch] = []
        for end_index, (length, ids) in self._automaton.iter(text):
            start = end_index + 1 - length
            for term_id in ids:
                found.append(TermMatch(term_id, start, end_index + 1))
        return found

    def find_spans(self, text: str) -> dict[int, list[tuple[int, int]]]:
        """Spans of every occurrence by term id: the hot-path form used by compiled packs."""
        found: dict[int, list[tuple[int, int]]] = {}
        if self._automaton is None or not text:
            return found
        for end_index, (length, ids) in self._automaton.iter(text):
            span = (end_index + 1 - length, end_index + 1)
            for term_id in ids:
                spans = found.get(term_id)
                if spans is None:
                    found[term_id] = [span]
                else:
                    spans.append(span)
        return found

    def __len__(self) -> int:
        return len(self.terms)
