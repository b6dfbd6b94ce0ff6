"""One Aho-Corasick pass that finds every occurrence of many literal terms in a normalized text.

The automaton is the C one of ``smsguard._ctermscan`` when it is built (see :mod:`smsguard.native`), else
``ahocorasick_rs`` (Rust), the reference it is tested against; keys with a lone surrogate, which the Rust one
takes in its own way, always go to the Rust one. pyahocorasick was measured here too and dropped: it looks up a
trie node's children one by one, so a pack whose terms start with a thousand different characters pays a scan
of the root's children at almost every character of a message (about 0.2 ms per 1,000 characters with the
default pack's 1,750 literals, against 0.04 ms here; see docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from operator import itemgetter
from typing import TYPE_CHECKING, NamedTuple

import ahocorasick_rs

from smsguard.native import load
from smsguard.normalize import Normalizer, default_normalizer, replace_surrogates

if TYPE_CHECKING:
    from smsguard._ctermscan import Automaton

_END = itemgetter(2)
_native = load("termscan")


class TermMatch(NamedTuple):
    """One occurrence of a term: the term's index in the matcher and its span in the normalized text."""

    term_id: int
    start: int
    end: int


class TermMatcher:
    """Finds many literal terms at once.

    Terms are normalized with the same normalizer as the messages, so ``"起 诉"`` or ``"ＶＸ"`` in a lexicon
    match what the message normalizes to. ``terms[i]`` is the original term for id ``i``; terms that
    normalize to the same text share one automaton entry but keep their own ids.

    ``matches`` and ``find_spans`` are the C automaton's methods when it is built (no Python frame for the literal
    pass of every message), else ``_matches`` and ``_find_spans`` below: the reference, with identical results.
    """

    matches: Callable[[str], list[tuple[int, int, int]]]
    find_spans: Callable[[str], dict[int, list[tuple[int, int]]]]

    def __init__(
        self, terms: Iterable[str], normalizer: Normalizer | None = None, *, keys: Iterable[str] | None = None
    ) -> None:
        self.terms: tuple[str, ...] = tuple(terms)
        if keys is None:
            normalizer = normalizer or default_normalizer()
            self.normalized: tuple[str, ...] = tuple(normalizer.normalize_pattern(t) for t in self.terms)
        else:
            self.normalized = tuple(keys)
            if len(self.normalized) != len(self.terms):
                raise ValueError("one key per term")
        by_key: dict[str, list[int]] = {}
        for term_id, key in enumerate(self.normalized):
            if key:
                by_key.setdefault(key, []).append(term_id)
        # Pattern i of the automaton stands for the term ids in pattern_ids[i] (terms that normalize alike share it).
        self.pattern_ids: tuple[tuple[int, ...], ...] = tuple(tuple(ids) for ids in by_key.values())
        self._single = all(len(ids) == 1 for ids in self.pattern_ids)
        self._first: tuple[int, ...] = tuple(ids[0] for ids in self.pattern_ids)
        self._automaton: ahocorasick_rs.AhoCorasick | None = None
        self.native: Automaton | None = None
        if by_key and _native is not None and all(replace_surrogates(key) is key for key in by_key):
            native: Automaton = _native.Automaton(list(by_key), self.pattern_ids)
            self.native = native
            self.matches, self.find_spans = native.matches, native.find_spans
            return
        if by_key:
            self._automaton = ahocorasick_rs.AhoCorasick(list(by_key), matchkind=ahocorasick_rs.MatchKind.Standard)
        self.matches, self.find_spans = self._matches, self._find_spans

    @classmethod
    def from_keys(cls, keys: Iterable[str]) -> TermMatcher:
        """A matcher for texts searched exactly as given (already normalized, or raw regex literals)."""
        terms = tuple(keys)
        return cls(terms, keys=terms)

    def _matches(self, text: str) -> list[tuple[int, int, int]]:
        """(pattern, start, end) of every occurrence, overlapping included, ordered by end: the raw form for
        callers that map patterns to their own rows (see ``pattern_ids``). The list is the caller's to change."""
        if self._automaton is None or not text:
            return []
        try:
            matches = self._automaton.find_matches_as_indexes(text, overlapping=True)
        except UnicodeEncodeError:  # lone surrogates: replaced one for one, so offsets stay the same
            matches = self._automaton.find_matches_as_indexes(replace_surrogates(text), overlapping=True)
        matches.sort(key=_END)  # already so in practice; the order is part of this class's contract
        return matches

    def find(self, text: str) -> list[TermMatch]:
        """Every occurrence (overlapping included) in ``text``, ordered by end then term id."""
        ids = self.pattern_ids
        ordered = sorted(
            (end, term_id, start) for pattern, start, end in self.matches(text) for term_id in ids[pattern]
        )
        return [TermMatch(term_id, start, end) for end, term_id, start in ordered]

    def _find_spans(self, text: str) -> dict[int, list[tuple[int, int]]]:
        """Spans of every occurrence by term id, each list in text order: the hot-path form of compiled packs."""
        found: dict[int, list[tuple[int, int]]] = {}
        matches = self._matches(text)
        if not matches:
            return found
        get = found.get
        if self._single:
            first = self._first
            for pattern, start, end in matches:
                term_id = first[pattern]
                spans = get(term_id)
                if spans is None:
                    found[term_id] = [(start, end)]
                else:
                    spans.append((start, end))
            return found
        for pattern, start, end in matches:
            for term_id in self.pattern_ids[pattern]:
                spans = get(term_id)
                if spans is None:
                    found[term_id] = [(start, end)]
                else:
                    spans.append((start, end))
        return found

    def __len__(self) -> int:
        return len(self.terms)
