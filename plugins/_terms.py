"""Shared machinery of the built-in term detectors (legal, collector, payment, credential, ...).

Each detector names its lexicons in a :class:`TermSet`. The lexicons of all term sets are compiled once, lazily,
into one :class:`~smsguard.termscan.TermMatcher`, and the scan of the last text is kept, so judging a message costs
one Aho-Corasick pass for all these detectors together, the reader context and the brand names of the link and
sender checkers included; the message keeps each term set's hits, those of the sets of one lexicon made as the
scan ends. Hits carry the lexicon entry (term, kind, attributes) and the span in the normalized text;
:mod:`._evidence` turns them into signals and :mod:`._cues` holds the small text tests several detectors share
(negation, proximity, whether a message is directed at its reader).

Lexicon conventions shared by these detectors (``plugins/lexicons/*.txt``): the first attribute after the
term is its *kind*; an entry of kind ``ignore`` is a mask: a longer innocent phrase (``送货上门``) whose inner
terms (``上门``) do not count. Terms that begin or end with an ASCII letter or digit (``12368``, ``lpr``) only
match on an ASCII word boundary, so ``12368`` does not match inside a longer number.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from smsguard.lexicon import ENV_PATH, load_lexicon
from smsguard.native import load
from smsguard.normalize import NormalizedText
from smsguard.termscan import TermMatcher

from ._termhits import ASCII_WORD, apply_masks, hit_order, on_boundary
from ._termhits import IGNORE as IGNORE
from ._termhits import Entry as Entry
from ._termhits import TermHit as TermHit

if TYPE_CHECKING:
    from smsguard._ctermscan import LexiconScan, Terms

# The C versions of the scan and of the per-message look-ups (smsguard/_native/termscan*.c), when built.
_native = load("termscan")

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"
# The lexicon of reader and debt context shared by several detectors (kinds: address, request, debt, framing,
# demand); grouped by kind only when a detector asks (see ``context_of``).
CONTEXT = "context"

_START = itemgetter(1)  # of a raw match (pattern, start, end) or a TermHit
# A character of a wedge, one or two foreign characters between two Han characters: 永x雄资产, 永3雄, 永*雄.
_WEDGE_CHAR = r"[^\u4e00-\u9fff,;:!?。、，\n]"
# The detectors read at most this many normalized characters: an SMS, even concatenated, is a few hundred long,
# and the limit keeps a pathological 100 kB input within a plugin's time budget.
MAX_SCAN_CHARS = 20_000


def lexicon_path_setting() -> str:
    """``SMSGUARD_LEXICON_PATH``, "" when unset: read once per message (see :func:`lexicon_env`)."""
    return os.environ.get(ENV_PATH, "")


# A term as the scan sees it: its entry, its lexicon, (starts, ends) with an ASCII letter or digit or None for
# neither, and whether it is a mask (kind ``ignore``).
_Row = tuple[Entry, str, tuple[bool, bool] | None, bool]


class _Compiled(NamedTuple):
    matcher: TermMatcher
    entries: tuple[Entry, ...]
    rows: tuple[tuple[_Row, ...], ...]  # per automaton pattern, one row per term that normalizes to it
    # per automaton pattern, (lexicon, entry) of each term it stands for when none needs a boundary test or is a
    # mask (nearly all), else None; and the one pair when it stands for one term only (most), else None
    plain: tuple[tuple[tuple[str, Entry], ...] | None, ...]
    single: tuple[tuple[str, Entry] | None, ...]
    names: frozenset[str]  # the lexicons compiled in
    env: str
    native: LexiconScan | None  # the C scan of the same rows, when built


class _Scan(NamedTuple):
    text: str
    compiled: _Compiled
    by_lexicon: dict[str, list[TermHit]]  # each list in text order: by start, longest first, then term id
    masking: set[str]  # the lexicons that hit a mask (kind ``ignore``) in this text


class _Fuzzy(NamedTuple):
    compiled: _Compiled  # what the rest was built from
    matcher: TermMatcher
    entries: tuple[Entry, ...]
    pairs: frozenset[str]
    wedge: re.Pattern[str]  # see _wedge_pattern
    wedged: Callable[[str], object]  # whether wedge finds anything: its search, or the same test in C


def _wedge_pattern(pairs: frozenset[str]) -> re.Pattern[str]:
    """A wedge between the first and the second character of one of ``pairs`` (the Han ones).

    A wedge is a whole run of one or two foreign characters between Han characters, so narrowing the characters
    around it only drops wedges that could hide nothing; the pair itself is checked on each match. The pattern
    opens with the wedge's first character and looks back from there: a search then skips the Han characters
    that make up most of a message in C, where a pattern opening with the look-behind tries every position.
    """
    firsts, seconds = _wedge_ends(pairs)
    if not firsts or not seconds:
        return re.compile("(?!)")
    return re.compile(f"{_WEDGE_CHAR}(?<=[{firsts}].){_WEDGE_CHAR}?(?=[{seconds}])")


def _wedge_ends(pairs: frozenset[str]) -> tuple[str, str]:
    """The Han characters a wedge may follow and those it may precede."""
    firsts = "".join(sorted({p[0] for p in pairs if "\u4e00" <= p[0] <= "\u9fff"}))
    return firsts, "".join(sorted({p[1] for p in pairs if "\u4e00" <= p[1] <= "\u9fff"}))


class _Scanner:
    """One automaton over the lexicons of every :class:`TermSet` of one directory and group.

    The detectors all read the same normalized text of a message, so the scan of the last text is kept and the
    other detectors take their hits from it: one Aho-Corasick pass per message and group, whatever the number
    of detectors. A change of ``SMSGUARD_LEXICON_PATH`` takes effect from the next message.
    """

    # slots: the C (smsguard/_native/termscan_terms.c) reads them at the first read of each message
    __slots__ = ("_compiled", "_defaults", "_last_message", "_plain_keys", "directory")

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._defaults: dict[str, str] = {}  # lexicon name -> kind of its entries without one
        self._compiled: _Compiled | None = None
        # A message and its scan, as one object: a reader never pairs one message with another's scan.
        self._last_message: tuple[_Message, _Scan] | None = None
        # lexicon name -> the key of its plain read (see plain_key) in _Message.reads
        self._plain_keys: dict[str, object] = {}

    def register(self, names: Iterable[str], default_kinds: Mapping[str, str]) -> None:
        for name in names:
            self._defaults.setdefault(name, default_kinds.get(name, ""))
        self._last_message = None

    def plain_key(self, name: str) -> object:
        """The key under which a message keeps the plain read of one lexicon of this scanner (its hits as the
        scan found them, masks applied), shared by every term set that reads that lexicon alone."""
        return self._plain_keys.setdefault(name, object())

    def compiled(self, env: str | None = None) -> _Compiled:
        if env is None:
            env = lexicon_path_setting()
        compiled = self._compiled
        if compiled is None or compiled.env != env or len(compiled.names) != len(self._defaults):
            compiled = self._build(env)
            self._compiled = compiled
        return compiled

    def _build(self, env: str) -> _Compiled:
        entries: list[Entry] = []
        names = dict(self._defaults)
        for name, default in names.items():
            for e in load_lexicon(self.directory, name):
                kind, attrs = (e.attributes[0], e.attributes[1:]) if e.attributes else (default, ())
                entries.append(Entry(e.term, name, kind, attrs, e.source))
        matcher = TermMatcher(e.term for e in entries)
        term_rows = [
            (
                entry,
                entry.lexicon,
                (n[0] in ASCII_WORD, n[-1] in ASCII_WORD)
                if n and (n[0] in ASCII_WORD or n[-1] in ASCII_WORD)
                else None,
                entry.kind == IGNORE,
            )
            for entry, n in zip(entries, matcher.normalized, strict=True)
        ]
        # Rows by automaton pattern: the scan reads the matcher's raw matches (below).
        rows = tuple(tuple(term_rows[i] for i in ids) for ids in matcher.pattern_ids)
        plain = tuple(
            tuple((lexicon, entry) for entry, lexicon, _, _ in r)
            if all(row[2] is None and not row[3] for row in r)
            else None
            for r in rows
        )
        single = tuple(p[0] if p is not None and len(p) == 1 else None for p in plain)
        native = (
            None if _native is None or matcher.native is None else _native.LexiconScan(matcher.native, rows, TermHit)
        )
        return _Compiled(matcher, tuple(entries), rows, plain, single, frozenset(names), env, native)

    def scan_message(self, message: _Message) -> _Scan:
        """The scan of the text a message's detectors read: checked once per message, not at every look-up."""
        last = self._last_message
        if last is not None and last[0] is message:
            return last[1]
        scan = self.scan(message.text, message.env)
        self._last_message = (message, scan)
        # The plain reads of the lexicons, made at once: most detectors read one lexicon, and a look-up in the
        # message is cheaper than a call for each. A lexicon with a mask in this text is left to TermSet._hits.
        text, reads, by_lexicon, masking = message.text, message.reads, scan.by_lexicon, scan.masking
        for name, key in self._plain_keys.items():
            if name not in masking:
                hits = by_lexicon.get(name)
                reads[key] = (text, [] if hits is None else hits)
        return scan

    def scan(self, text: str, env: str) -> _Scan:
        c = self.compiled(env)
        if c.native is not None:
            return _Scan(text, c, *c.native.scan(text))
        by_lexicon: dict[str, list[TermHit]] = {}
        masking: set[str] = set()
        rows, plain, single = c.rows, c.plain, c.single
        new = tuple.__new__  # TermHit's own __new__ is a Python function: too slow for the hot path
        get = by_lexicon.get
        # The raw (pattern, start, end) matches, not TermMatcher.find_spans: this runs for every message, and a
        # second loop over the matches costs as much as the Aho-Corasick pass itself. They come ordered by end:
        # reversed and sorted by start (stable), they are in the order find() hands out, by start, longest first.
        matches = c.matcher.matches(text)
        matches.reverse()
        matches.sort(key=_START)
        for pattern, start, end in matches:
            one = single[pattern]
            if one is not None:  # most patterns: one term, no boundary test, no mask
                lexicon, entry = one
                hits = get(lexicon)
                if hits is None:
                    by_lexicon[lexicon] = [new(TermHit, (entry, start, end, False))]
                else:
                    hits.append(new(TermHit, (entry, start, end, False)))
                continue
            targets = plain[pattern]
            if targets is None:
                targets = _kept_rows(rows[pattern], text, start, end, masking)
            for lexicon, entry in targets:
                hits = get(lexicon)
                if hits is None:
                    by_lexicon[lexicon] = [new(TermHit, (entry, start, end, False))]
                else:
                    hits.append(new(TermHit, (entry, start, end, False)))
        return _Scan(text, c, by_lexicon, masking)


def _kept_rows(
    rows: tuple[_Row, ...], text: str, start: int, end: int, masking: set[str]
) -> tuple[tuple[str, Entry], ...]:
    """(lexicon, entry) of the rows of a pattern found at ``text[start:end]`` that pass their boundary test; the
    lexicons of the masks among them go to ``masking``."""
    kept: list[tuple[str, Entry]] = []
    for entry, lexicon, edge, mask in rows:
        if edge is not None and not on_boundary(text, start, end, edge[0], edge[1]):
            continue
        if mask:
            masking.add(lexicon)
        kept.append((lexicon, entry))
    return tuple(kept)


class _Message:
    """The message being judged. A NormalizedText is made for each message, but its text may be the very string
    object of an earlier message (normalization changed nothing), so the text alone does not tell messages apart.
    """

    __slots__ = ("env", "ntext", "reads", "text")

    def __init__(self, ntext: NormalizedText) -> None:
        self.ntext = ntext
        self.text = ntext.text[:MAX_SCAN_CHARS]  # the part the detectors read (see scan_text)
        self.env = lexicon_path_setting()  # as read for this message
        # the term sets' reads of this message (see TermSet.read)
        self.reads: dict[object, tuple[str, list[TermHit]]] = {}


_MESSAGE: list[_Message | None] = [None]


def _message(ntext: NormalizedText, /) -> _Message:
    message = _MESSAGE[0]
    if message is None or message.ntext is not ntext:
        message = _MESSAGE[0] = _Message(ntext)
    return message


def lexicon_env(ntext: NormalizedText) -> str:
    """``SMSGUARD_LEXICON_PATH``, read once per message rather than at every look-up: a change takes effect from
    the next message."""
    return _message(ntext).env


_SCANNERS: dict[tuple[Path, str], _Scanner] = {}
# A name shorter than this is not looked for with wedged characters: too many accidents.
_FUZZY_MIN_LENGTH = 3


class TermSet:
    """The lexicons one detector reads, found with a single pass per message shared by all detectors.

    :param lexicons: lexicon names (``legal_terms`` -> ``plugins/lexicons/legal_terms.txt`` plus the user's
        files of the same name on ``SMSGUARD_LEXICON_PATH``).
    :param default_kinds: the kind given to entries of a lexicon that carry no kind attribute.
    :param fuzzy: lexicons whose terms (three characters or longer) are also found with one or two foreign
        characters wedged between Han characters (``永x雄资产``); such hits come back with ``fuzzy=True``.
    :param directory: where the built-in lexicon files are.
    :param group: term sets of one group share an automaton and its pass; a group that only some messages need
        (the reader context, looked at only when a detector found something) is kept apart.

    ``read(ntext)`` is ``(scan_text(ntext), find(scan_text(ntext)))`` for the message being judged, made once per
    message (callers must not change the list); see ``_read``.
    """

    read: Callable[[NormalizedText], tuple[str, list[TermHit]]]

    def __init__(
        self,
        *lexicons: str,
        default_kinds: Mapping[str, str] | None = None,
        fuzzy: Iterable[str] = (),
        directory: Path = LEXICON_DIR,
        group: str = "main",
    ) -> None:
        self.lexicons = lexicons
        self.names = frozenset(lexicons)
        self.fuzzy = frozenset(fuzzy)
        self._scanner = _SCANNERS.setdefault((directory, group), _Scanner(directory))
        self._scanner.register(lexicons, default_kinds or {})
        # where a message keeps this set's read: a set of one lexicon shares the lexicon's plain read
        self._read_key = self._scanner.plain_key(lexicons[0]) if len(lexicons) == 1 and not self.fuzzy else self
        self._fuzzy: _Fuzzy | None = None
        # the C read when built: the same steps, without a Python frame when the message holds the read already
        if _native is not None and _C_TERMS is not None:
            self.read = _native.Reader(_C_TERMS, self)
        else:
            self.read = self._read

    def find(self, text: str) -> list[TermHit]:
        """Every hit in a normalized ``text`` (overlaps kept, masks applied), ordered by start then length, from a
        scan of its own: for tests and one-off look-ups. Detectors use :meth:`read`, made once per message."""
        return self._hits(self._scanner.scan(text, lexicon_path_setting()), text)

    def _read(self, ntext: NormalizedText) -> tuple[str, list[TermHit]]:
        """``read`` in Python: the reference of the C one (smsguard._ctermscan.Reader)."""
        message = _MESSAGE[0]
        if message is None or message.ntext is not ntext:
            message = _message(ntext)
        found = message.reads.get(self._read_key)
        return self._read_miss(message) if found is None else found

    def _read_miss(self, message: _Message) -> tuple[str, list[TermHit]]:
        scan = self._scanner.scan_message(message)
        found = message.reads.get(self._read_key)  # the scan makes the plain reads
        if found is None:
            found = message.reads[self._read_key] = (message.text, self._hits(scan, message.text))
        return found

    def _hits(self, scan: _Scan, text: str) -> list[TermHit]:
        by_lexicon = scan.by_lexicon
        if len(self.lexicons) == 1:
            name = self.lexicons[0]
            hits = by_lexicon.get(name) or []  # the scan's own list, already in order
            ordered = True
            masking = name in scan.masking
        else:
            hits = [h for name in self.lexicons if name in by_lexicon for h in by_lexicon[name]]
            ordered = False
            masking = not scan.masking.isdisjoint(self.names)
        if self.fuzzy:
            fuzzy = self._fuzzy
            if fuzzy is None or fuzzy.compiled is not scan.compiled:
                fuzzy = self._build_fuzzy(scan.compiled)
            if fuzzy.wedged(text) and (extra := _fuzzy_hits(fuzzy, text)):
                hits = [*hits, *extra]
                ordered = False
        if masking:
            hits = apply_masks(hits)
        if not ordered and len(hits) > 1:
            hits.sort(key=hit_order)
        return hits

    def _build_fuzzy(self, c: _Compiled) -> _Fuzzy:
        """The matcher of the fuzzy lexicons' terms, the pairs of adjacent characters inside those terms and the
        wedges that may stand inside one of those pairs."""
        entries = tuple(
            e for e in c.entries if e.lexicon in self.fuzzy and e.kind != IGNORE and len(e.term) >= _FUZZY_MIN_LENGTH
        )
        matcher = TermMatcher(e.term for e in entries)
        pairs = frozenset(key[i : i + 2] for key in matcher.normalized for i in range(len(key) - 1))
        wedge = _wedge_pattern(pairs)
        wedged = wedge.search if _native is None else _native.Wedges(*_wedge_ends(pairs)).search
        self._fuzzy = _Fuzzy(c, matcher, entries, pairs, wedge, wedged)
        return self._fuzzy


def _fuzzy_hits(fuzzy: _Fuzzy, text: str) -> list[TermHit]:
    """The hits of the fuzzy lexicons that only show once the wedged characters are left out."""
    # Only wedges between two characters that stand side by side in some term can hide one (永x雄, not 款3560元).
    wedges = [m for m in fuzzy.wedge.finditer(text) if text[m.start() - 1] + text[m.end()] in fuzzy.pairs]
    if not wedges:
        return []
    matcher, entries = fuzzy.matcher, fuzzy.entries
    kept: list[int] = []
    parts: list[str] = []
    pos = 0
    for m in wedges:
        parts.append(text[pos : m.start()])
        kept.extend(range(pos, m.start()))
        pos = m.end()
    parts.append(text[pos:])
    kept.extend(range(pos, len(text)))
    found: list[TermHit] = []
    for tm in matcher.find("".join(parts)):
        start, end = kept[tm.start], kept[tm.end - 1] + 1
        if end - start != tm.end - tm.start:  # only what the wedged characters hid
            found.append(TermHit(entries[tm.term_id], start, end, True))
    return found


def scan_text(ntext: NormalizedText) -> str:
    """The part of the normalized text the detectors read (see ``MAX_SCAN_CHARS``), one string object for all of
    them: the shared scan and the per-text results are kept by that object."""
    return _message(ntext).text


# _message, lexicon_path_setting and TermSet.read (with _Scanner.scan_message and TermSet._hits) in C when built:
# the same steps on the same objects.
_C_TERMS: Terms | None = None
if _native is not None:
    terms: Terms = _native.Terms(
        _MESSAGE,
        _Message,
        _Scanner,
        _Scan,
        _Compiled,
        MAX_SCAN_CHARS,
        ENV_PATH,
        os,
        _fuzzy_hits,
        apply_masks,
        TermHit,
        Entry,
        IGNORE,
    )
    _C_TERMS, _message, lexicon_path_setting = terms, terms.message, terms.env
