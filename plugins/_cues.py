"""The small text tests the built-in detectors share: is a term negated or warned about, are two hits near each
other in one sentence or clause, is the message directed at its reader, what is a small Chinese numeral worth."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import itemgetter

from smsguard.native import load
from smsguard.normalize import NormalizedText

from ._evidence import by_kind, resolve_overlaps
from ._terms import CONTEXT, TermHit, TermSet

_START = itemgetter(1)  # of a TermHit

# Sentence ends after normalization (NFKC folds ！？； to !?;); "." is left out: it sits inside amounts and URLs.
_SENTENCE_ENDS = "。!?;\n"
_SENTENCE_END = re.compile(f"[{_SENTENCE_ENDS}]")
_CLAUSE_MARKS = _SENTENCE_ENDS + ",、，"  # the ends of the clause same_clause tests
_CLAUSE_END = re.compile(f"[{_CLAUSE_MARKS}]")
_NEGATORS = (
    "勿|不要|不会|不得|不可|不能|切莫|没有|无需|无须|不需|不用|从不|从未|绝不|决不|谨防|警惕|防范|严禁|禁止|不存在"
    "|拒绝|当心|小心|千万别|请别|别将|别把|别向|别给|别轻信|别相信|不轻信|不相信|并非|不是|冒充|假冒|谎称"
)
# The ends of the clause a negator governs; an enumeration comma does not end it (请勿泄露密码、验证码).
_GOVERNED_CLAUSE_ENDS = _SENTENCE_ENDS + ",，"
_NOT_CLAUSE_END = f"[^{_GOVERNED_CLAUSE_ENDS}]"
# A negator and then only the rest of its clause up to the term: the negator governs the term.
_NEAR_NEGATION = re.compile(f"(?:{_NEGATORS}){_NOT_CLAUSE_END}*\\Z")
_NEGATION_WINDOW = 10
# The unmistakable prohibitions reach further back in their clause (切勿轻信陌生人的话术或要求进行转账).
_FAR_NEGATORS = "切勿|请勿|谨防|警惕|严禁|千万别|千万不要|不存在"
_FAR_NEGATION = re.compile(f"(?:{_FAR_NEGATORS}){_NOT_CLAUSE_END}*\\Z")
_FAR_NEGATION_WINDOW = 20
# A denial of the whole clause reaches back to the clause's start: 京东金融不会以任何理由要求您向个人账户转账,
# 我们从不索取密码, 绝不会让您转账.
_CLAUSE_DENIALS = "从不|从未|从来不|绝不|决不|绝对不|不会以任何"
_DENIAL = "不会"  # followed, a few characters on, by what it denies asking for
_DENIED_ASKS = "要求|索要|索取|让您|让你|向您|向你"
_DENIAL_GAP = 12
_CLAUSE_NEGATION = re.compile(
    f"(?:{_CLAUSE_DENIALS}|{_DENIAL}{_NOT_CLAUSE_END}{{0,{_DENIAL_GAP}}}?(?:{_DENIED_ASKS})){_NOT_CLAUSE_END}*\\Z"
)
_CLAUSE_NEGATION_WINDOW = 40
# Cheap pre-checks: the characters a negator starts with, and those every warning of _WARNED_AFTER holds.
_NEGATOR_FIRST_CHARS = "".join(sorted({word[0] for word in _NEGATORS.split("|")}))
_NEGATOR_FIRST = re.compile(f"[{_NEGATOR_FIRST_CHARS}]")
_WARNING_CHARS = "骗冒"
_WARNING_WORD = re.compile(f"[{_WARNING_CHARS}]")
_POSING = "冒充|假冒|谎称|伪装成"
# Every text in which impersonated() holds somewhere holds one of these words: a test per text, not per term.
POSING_WORD = re.compile(_POSING)
_IMPERSONATION = re.compile(f"(?:{_POSING}){_NOT_CLAUSE_END}*\\Z")
# "...任何人索取验证码均为诈骗": a warning that follows the term in the same sentence.
_COPULAS = "是|为|属|属于|均系|系|就是"
_FRAUD_WORDS = "诈骗|骗子|骗局|假冒|冒充"
_WARNED_GAP = 16
_WARNED_AFTER = re.compile(f"[^{_SENTENCE_ENDS}]{{0,{_WARNED_GAP}}}?(?:{_COPULAS})(?:{_FRAUD_WORDS})")
_WARNED_WINDOW = 24


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


# The cues above are the reference of their C versions (see _evidence.py), which test the same patterns on the
# same words; the C context_of reads CONTEXT_TERMS and keeps its cache in _CONTEXT_LAST, as the Python one does.
# The C HitIndex is a class too; given other than TermHits it gives the reference's index, which the C cues
# hand to their references.
REFERENCE: dict[str, Callable[..., object]] = {
    "context_of": context_of,
    "reader_directed": reader_directed,
    "impersonated": impersonated,
    "negated": negated,
    "HitIndex": HitIndex,
    "near": near,
    "cue_before": cue_before,
    "cue_after": cue_after,
}
_native = load("evidence")
if _native is not None:
    _native.bind_cues(
        globals(),
        REFERENCE,
        {
            "negators": _NEGATORS,
            "far_negators": _FAR_NEGATORS,
            "clause_denials": _CLAUSE_DENIALS,
            "denial": _DENIAL,
            "denied_asks": _DENIED_ASKS,
            "posing": _POSING,
            "copulas": _COPULAS,
            "fraud_words": _FRAUD_WORDS,
            "clause_ends": _GOVERNED_CLAUSE_ENDS,
            "sentence_ends": _SENTENCE_ENDS,
            "clause_marks": _CLAUSE_MARKS,
            "negator_first": _NEGATOR_FIRST_CHARS,
            "warning_chars": _WARNING_CHARS,
            "near_window": _NEGATION_WINDOW,
            "far_window": _FAR_NEGATION_WINDOW,
            "clause_window": _CLAUSE_NEGATION_WINDOW,
            "denial_gap": _DENIAL_GAP,
            "warned_gap": _WARNED_GAP,
            "warned_window": _WARNED_WINDOW,
        },
    )
    globals().update({name: getattr(_native, name) for name in REFERENCE})  # each name now the C function
