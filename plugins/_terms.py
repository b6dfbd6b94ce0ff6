"""Shared machinery of the built-in term detectors (legal, collector, payment, credential, ...).

Each detector names its lexicons in a :class:`TermSet`. The lexicons of all term sets are compiled once, lazily,
into one :class:`~smsguard.termscan.TermMatcher`, and the scan of the last text is kept, so judging a message costs
one Aho-Corasick pass for all these detectors together, the reader context and the brand names of the link and
sender checkers included; the message keeps each term set's hits, those of the sets of one lexicon made as the
scan ends. Hits carry the lexicon entry (term, kind, attributes) and the span in the normalized text;
:func:`make_signal` maps them back to the original text. The rest are the small text tests several detectors
share: negation, proximity, whether a message is directed at its reader.

Lexicon conventions shared by these detectors (``plugins/lexicons/*.txt``): the first attribute after the
term is its *kind*; an entry of kind ``ignore`` is a mask: a longer innocent phrase (``送货上门``) whose inner
terms (``上门``) do not count. Terms that begin or end with an ASCII letter or digit (``12368``, ``lpr``) only
match on an ASCII word boundary, so ``12368`` does not match inside a longer number.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from smsguard.lexicon import ENV_PATH, load_lexicon
from smsguard.model import Signal, SignalValue, Span
from smsguard.normalize import NormalizedText
from smsguard.termscan import TermMatcher

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"
IGNORE = "ignore"
# The lexicon of reader and debt context shared by several detectors (kinds: address, request, debt, framing,
# demand); grouped by kind only when a detector asks (see ``context_of``).
CONTEXT = "context"

_START = itemgetter(1)  # of a raw match (pattern, start, end) or a TermHit
_SPAN_START = itemgetter(0)
_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
# Sentence ends after normalization (NFKC folds ！？； to !?;); "." is left out: it sits inside amounts and URLs.
_SENTENCE_END = re.compile("[。!?;\n]")
_CLAUSE_END = re.compile("[。!?;\n,、，]")
# A character of a wedge, one or two foreign characters between two Han characters: 永x雄资产, 永3雄, 永*雄.
_WEDGE_CHAR = r"[^\u4e00-\u9fff,;:!?。、，\n]"
_NEGATORS = (
    "勿|不要|不会|不得|不可|不能|切莫|没有|无需|无须|不需|不用|从不|从未|绝不|决不|谨防|警惕|防范|严禁|禁止|不存在"
    "|拒绝|当心|小心|千万别|请别|别将|别把|别向|别给|别轻信|别相信|不轻信|不相信|并非|不是|冒充|假冒|谎称"
)
# The rest of a clause; an enumeration comma does not end it (请勿泄露密码、验证码).
_NOT_CLAUSE_END = "[^。!?;\n,，]"
# A negator and then only the rest of its clause up to the term: the negator governs the term.
_NEAR_NEGATION = re.compile(f"(?:{_NEGATORS}){_NOT_CLAUSE_END}*\\Z")
_NEGATION_WINDOW = 10
# The unmistakable prohibitions reach further back in their clause (切勿轻信陌生人的话术或要求进行转账).
_FAR_NEGATION = re.compile(f"(?:切勿|请勿|谨防|警惕|严禁|千万别|千万不要|不存在){_NOT_CLAUSE_END}*\\Z")
_FAR_NEGATION_WINDOW = 20
# A denial of the whole clause reaches back to the clause's start: 京东金融不会以任何理由要求您向个人账户转账,
# 我们从不索取密码, 绝不会让您转账.
_CLAUSE_NEGATION = re.compile(
    f"(?:从不|从未|从来不|绝不|决不|绝对不|不会以任何|不会{_NOT_CLAUSE_END}{{0,12}}?(?:要求|索要|索取|让您|让你|向您|向你))"
    f"{_NOT_CLAUSE_END}*\\Z"
)
_CLAUSE_NEGATION_WINDOW = 40
# Cheap pre-checks: the characters a negator starts with, and those every warning of _WARNED_AFTER holds.
_NEGATOR_FIRST = re.compile("[" + "".join(sorted({word[0] for word in _NEGATORS.split("|")})) + "]")
_WARNING_WORD = re.compile("[骗冒]")
_POSING = "冒充|假冒|谎称|伪装成"
# Every text in which impersonated() holds somewhere holds one of these words: a test per text, not per term.
POSING_WORD = re.compile(_POSING)
_IMPERSONATION = re.compile(f"(?:{_POSING}){_NOT_CLAUSE_END}*\\Z")
# "...任何人索取验证码均为诈骗": a warning that follows the term in the same sentence.
_WARNED_AFTER = re.compile(r"[^。!?;\n]{0,16}?(?:是|为|属|属于|均系|系|就是)(?:诈骗|骗子|骗局|假冒|冒充)")
_WARNED_WINDOW = 24
# The detectors read at most this many normalized characters: an SMS, even concatenated, is a few hundred long,
# and the limit keeps a pathological 100 kB input within a plugin's time budget.
MAX_SCAN_CHARS = 20_000
# A name found only after ignoring wedged characters is less certain than one written plainly.
FUZZY_CONFIDENCE = 0.8

_ENVIRON = os.environ
_ENVIRON_DATA: dict[Any, Any] | None = data if isinstance(data := getattr(_ENVIRON, "_data", None), dict) else None
_ENV_KEY: Any = None
if _ENVIRON_DATA is not None:
    try:
        _ENV_KEY = _ENVIRON.encodekey(ENV_PATH)
    except AttributeError:  # not CPython's os._Environ: ask os.environ the ordinary way
        _ENVIRON_DATA = None


def lexicon_path_setting() -> str:
    """``SMSGUARD_LEXICON_PATH``, "" when unset: read for every message, so it must be cheap.

    ``os.environ.get`` raises and catches ``KeyError`` twice when the variable is unset, a microsecond or more;
    CPython's ``os.environ`` keeps the variables, encoded, in a plain dict, looked up here directly as
    ``os.environ`` itself does. Anything standing in for ``os.environ`` is asked the ordinary way.
    """
    if os.environ is _ENVIRON and _ENVIRON_DATA is not None:
        value = _ENVIRON_DATA.get(_ENV_KEY)
        return "" if value is None else _ENVIRON.decodevalue(value)
    return os.environ.get(ENV_PATH, "")


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


def _wedge_pattern(pairs: frozenset[str]) -> re.Pattern[str]:
    """A wedge between the first and the second character of one of ``pairs`` (the Han ones).

    A wedge is a whole run of one or two foreign characters between Han characters, so narrowing the characters
    around it only drops wedges that could hide nothing; the pair itself is checked on each match. The pattern
    opens with the wedge's first character and looks back from there: a search then skips the Han characters
    that make up most of a message in C, where a pattern opening with the look-behind tries every position.
    """
    firsts = "".join(sorted({p[0] for p in pairs if "\u4e00" <= p[0] <= "\u9fff"}))
    seconds = "".join(sorted({p[1] for p in pairs if "\u4e00" <= p[1] <= "\u9fff"}))
    if not firsts or not seconds:
        return re.compile("(?!)")
    return re.compile(f"{_WEDGE_CHAR}(?<=[{firsts}].){_WEDGE_CHAR}?(?=[{seconds}])")


class _Scanner:
    """One automaton over the lexicons of every :class:`TermSet` of one directory and group.

    The detectors all read the same normalized text of a message, so the scan of the last text is kept and the
    other detectors take their hits from it: one Aho-Corasick pass per message and group, whatever the number
    of detectors. A change of ``SMSGUARD_LEXICON_PATH`` takes effect from the next message.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._defaults: dict[str, str] = {}  # lexicon name -> kind of its entries without one
        self._compiled: _Compiled | None = None
        self._last: _Scan | None = None
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
                (n[0] in _ASCII_WORD, n[-1] in _ASCII_WORD)
                if n and (n[0] in _ASCII_WORD or n[-1] in _ASCII_WORD)
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
        return _Compiled(matcher, tuple(entries), rows, plain, single, frozenset(names), env)

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
        last = self._last
        if (
            last is not None
            and last.text is text
            and last.compiled.env == env
            and len(last.compiled.names) == len(self._defaults)
        ):
            return last
        c = self.compiled(env)
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
        scan = _Scan(text, c, by_lexicon, masking)
        self._last = scan
        return scan


def _kept_rows(
    rows: tuple[_Row, ...], text: str, start: int, end: int, masking: set[str]
) -> tuple[tuple[str, Entry], ...]:
    """(lexicon, entry) of the rows of a pattern found at ``text[start:end]`` that pass their boundary test; the
    lexicons of the masks among them go to ``masking``."""
    kept: list[tuple[str, Entry]] = []
    for entry, lexicon, edge, mask in rows:
        if edge is not None and not _on_boundary(text, start, end, edge[0], edge[1]):
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


def _message(ntext: NormalizedText) -> _Message:
    message = _MESSAGE[0]
    if message is None or message.ntext is not ntext:
        message = _MESSAGE[0] = _Message(ntext)
    return message


def lexicon_env(ntext: NormalizedText) -> str:
    """``SMSGUARD_LEXICON_PATH``, read once per message rather than at every look-up: a change takes effect from
    the next message."""
    return _message(ntext).env


def _env_of(text: str) -> str:
    """``SMSGUARD_LEXICON_PATH`` for a text that :func:`scan_text` handed out, read anew for any other."""
    message = _MESSAGE[0]
    if message is not None and message.text is text:
        return message.env
    return lexicon_path_setting()


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
    """

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
        self._last: tuple[_Scan, list[TermHit]] | None = None

    def find(self, text: str) -> list[TermHit]:
        """Every hit in the normalized ``text`` (overlaps kept, masks applied), ordered by start then length.

        The list of the last text is kept and handed out again: callers must not change it.
        """
        scan = self._scanner.scan(text, _env_of(text))
        last = self._last
        if last is not None and last[0] is scan:
            return last[1]
        hits = self._hits(scan, text)
        self._last = (scan, hits)
        return hits

    def read(self, ntext: NormalizedText) -> tuple[str, list[TermHit]]:
        """``(scan_text(ntext), find(scan_text(ntext)))`` for the message being judged, made once per message:
        callers must not change the list."""
        message = _MESSAGE[0]
        if message is None or message.ntext is not ntext:
            message = _message(ntext)
        found = message.reads.get(self._read_key)
        if found is None:
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
            if fuzzy.wedge.search(text) and (extra := _fuzzy_hits(fuzzy, text)):
                hits = [*hits, *extra]
                ordered = False
        if masking:
            hits = _apply_masks(hits)
        if not ordered and len(hits) > 1:
            hits.sort(key=_hit_order)
        return hits

    def _build_fuzzy(self, c: _Compiled) -> _Fuzzy:
        """The matcher of the fuzzy lexicons' terms, the pairs of adjacent characters inside those terms and the
        wedges that may stand inside one of those pairs."""
        entries = tuple(
            e for e in c.entries if e.lexicon in self.fuzzy and e.kind != IGNORE and len(e.term) >= _FUZZY_MIN_LENGTH
        )
        matcher = TermMatcher(e.term for e in entries)
        pairs = frozenset(key[i : i + 2] for key in matcher.normalized for i in range(len(key) - 1))
        self._fuzzy = _Fuzzy(c, matcher, entries, pairs, _wedge_pattern(pairs))
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


def _hit_order(h: TermHit) -> tuple[int, int]:
    return (h.start, -h.end)


def _on_boundary(text: str, start: int, end: int, left: bool, right: bool) -> bool:
    if left and start > 0 and text[start - 1] in _ASCII_WORD:
        return False
    return not (right and end < len(text) and text[end] in _ASCII_WORD)


def _apply_masks(hits: list[TermHit]) -> list[TermHit]:
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


def scan_text(ntext: NormalizedText) -> str:
    """The part of the normalized text the detectors read (see ``MAX_SCAN_CHARS``), one string object for all of
    them: the shared scan and the per-text results are kept by that object."""
    return _message(ntext).text


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
        plugin = self[signal_name] = signal_name[: signal_name.find(".")]
        return plugin


_PLUGIN_OF = _PluginNames()


def negated(text: str, start: int, end: int) -> bool:
    """Whether the term at ``text[start:end]`` is denied or warned about rather than asserted.

    A negator shortly before the term in its clause (``请勿泄露验证码``), a prohibition further back in the clause
    (``切勿轻信陌生人的话术或要求进行转账``), a denial of the whole clause (``不会以任何理由要求您向个人账户转账``,
    ``从不``, ``绝不``), or a verdict of fraud later in the same sentence
    (``索取验证码的均为诈骗``).
    """
    lo = max(0, start - _CLAUSE_NEGATION_WINDOW)
    if _NEGATOR_FIRST.search(text, lo, start) and (
        _NEAR_NEGATION.search(text, max(0, start - _NEGATION_WINDOW), start)
        or _FAR_NEGATION.search(text, max(0, start - _FAR_NEGATION_WINDOW), start)
        or _CLAUSE_NEGATION.search(text, lo, start)
    ):
        return True
    return (
        _WARNING_WORD.search(text, end, end + _WARNED_WINDOW) is not None and _WARNED_AFTER.match(text, end) is not None
    )


def impersonated(text: str, start: int) -> bool:
    """Whether the clause before ``start`` says someone poses as what follows (冒充公安机关): a scam described."""
    return _IMPERSONATION.search(text, max(0, start - _NEGATION_WINDOW), start) is not None


def same_sentence(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` holds no sentence end."""
    return _SENTENCE_END.search(text, start, end) is None


def same_clause(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` holds no sentence or clause end (comma, enumeration comma)."""
    return _CLAUSE_END.search(text, start, end) is None


def gap(a: TermHit, b: TermHit) -> tuple[int, int]:
    """The normalized range between two hits (empty when they touch or overlap)."""
    first, second = (a, b) if a.start <= b.start else (b, a)
    return (first.end, max(first.end, second.start))


def near(text: str, a: TermHit, b: TermHit, within: int, *, clause: bool = False) -> bool:
    """Whether two hits lie at most ``within`` characters apart in one sentence (or one clause)."""
    lo, hi = gap(a, b)
    if hi - lo > within:
        return False
    return same_clause(text, lo, hi) if clause else same_sentence(text, lo, hi)


class HitIndex:
    """Hits sorted by start for range look-ups, so proximity tests stay linear in the length of the text."""

    __slots__ = ("_hits", "_longest", "_starts")

    def __init__(self, hits: Iterable[TermHit]) -> None:
        self._hits = sorted(hits, key=_START)
        self._starts = [h.start for h in self._hits]
        self._longest = max([h.end - h.start for h in self._hits]) if self._hits else 0

    def __bool__(self) -> bool:
        return bool(self._hits)

    def ending_in(self, lo: int, hi: int) -> list[TermHit]:
        """The hits whose end lies in ``[lo, hi]``."""
        first = bisect_left(self._starts, lo - self._longest)
        last = bisect_right(self._starts, hi)
        return [h for h in self._hits[first:last] if lo <= h.end <= hi]

    def starting_in(self, lo: int, hi: int) -> list[TermHit]:
        """The hits whose start lies in ``[lo, hi]``."""
        return self._hits[bisect_left(self._starts, lo) : bisect_right(self._starts, hi)]


def cue_before(text: str, cues: HitIndex, hit: TermHit, within: int, *, clause: bool = False) -> bool:
    """Whether one of ``cues`` ends at most ``within`` characters before ``hit``, in the same sentence or clause."""
    return bool(cues) and any(
        near(text, c, hit, within, clause=clause) for c in cues.ending_in(hit.start - within, hit.start)
    )


def cue_after(text: str, cues: HitIndex, hit: TermHit, within: int, *, clause: bool = False) -> bool:
    """Whether one of ``cues`` starts at most ``within`` characters after ``hit``, in the same sentence or clause."""
    return bool(cues) and any(
        near(text, hit, c, within, clause=clause) for c in cues.starting_in(hit.end, hit.end + within)
    )


# In the main automaton: nearly every message that gives a detector something to do needs its context, and a
# second pass costs more than the few extra hits (你, 您, 请) of the messages that do not.
CONTEXT_TERMS = TermSet(CONTEXT)


_CONTEXT_LAST: list[tuple[list[TermHit], dict[str, list[TermHit]]] | None] = [None]


def context_of(ntext: NormalizedText) -> dict[str, list[TermHit]]:
    """The reader and debt context of the message by kind (address, request, debt, framing, demand), overlaps
    settled.

    Computed once per message for all the detectors that ask; callers must not change the result.
    """
    hits = CONTEXT_TERMS.read(ntext)[1]  # the same list all the message long
    last = _CONTEXT_LAST[0]
    if last is not None and last[0] is hits:
        return last[1]
    grouped = by_kind(resolve_overlaps(hits))
    _CONTEXT_LAST[0] = (hits, grouped)
    return grouped


def reader_directed(grouped: Mapping[str, Sequence[TermHit]]) -> bool:
    """Whether the message speaks to its reader about a debt, judged from the ``context`` lexicon's hits.

    True when it talks about a debt (欠款, 逾期, 还款 ...), or addresses the reader (你, 您, 尊敬的) or asks them to
    act (请今日内联系处理) outside a news, advert or legal-education framing (快讯, 讲座, 普法 ...). A news push
    about someone else's lawsuit or a law firm's seminar advert is not directed at its reader in this sense.
    """
    if grouped.get("debt"):
        return True
    return bool(grouped.get("address") or grouped.get("request")) and not grouped.get("framing")


def inside(hit: TermHit, spans: Sequence[tuple[int, int]]) -> int | None:
    """The index of the span in ``spans`` (sorted, not overlapping, e.g. 【signatures】) that holds the hit."""
    i = bisect_right(spans, hit.start, key=_SPAN_START) - 1
    if i >= 0 and spans[i][0] <= hit.start and hit.end <= spans[i][1]:
        return i
    return None


_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_NUMBER = "[零一二两三四五六七八九十百]{1,6}"


def number_value(text: str) -> int:
    """An Arabic number or a small Chinese numeral: "45" -> 45, 三 -> 3, 十二 -> 12, 一百二十 -> 120."""
    if text.isdigit():
        return int(text)
    total = 0
    digit = 0
    for ch in text:
        if ch == "百":
            total += (digit or 1) * 100
            digit = 0
        elif ch == "十":
            total += (digit or 1) * 10
            digit = 0
        else:
            digit = _CN_DIGITS.get(ch, 0)
    return total + digit
