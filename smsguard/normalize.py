"""Normalization: the text rules match against, plus a map from every normalized character to the original.

A :class:`Normalizer` runs a list of steps. A step either returns a string of the same length (a character-
aligned rewrite, such as width folding, that keeps the offset map unchanged) or a list of edits
``(start, end, replacement)`` that delete, expand or contract text; the offset map follows every edit, so a
match anywhere in the normalized text maps back to the characters the sender actually typed.

The default steps, in order (the order matters):

1. ``charfold``: NFKC per character (full-width letters, digits and punctuation to ASCII, compatibility forms),
   zero-width characters removed, lower case. The ellipsis ``…`` is kept as it is: it is sentence punctuation.
2. ``separators``: spaces and symbols (``* - _ · ~ | / + . #`` and the like) between two CJK characters are
   dropped (``起 诉``, ``法*院``, ``起-诉`` -> ``起诉``). Sentence punctuation (``，。！？；：、``) stays, and so does
   anything between non-CJK characters, so URLs, numbers and English words are untouched.
3. ``t2s``: traditional to simplified Chinese with OpenCC. Runs after step 2 so phrase-level conversion sees
   the words as they are meant (``訴 訟`` -> ``訴訟`` -> ``诉讼``).
4. ``lookalikes-parts`` then ``lookalikes-words``: the homophone and lookalike table ``lexicons/homophones.txt``
   (``徽信``/``vx`` -> ``微信``, ``fa院`` -> ``法院``, ``扣扣`` -> ``qq``), which users extend through
   ``SMSGUARD_LEXICON_PATH``. Its entries are written in any form: they are normalized with steps 1-3 before use.
   Entries whose result is part of another entry (split characters: ``亻言`` -> ``信``) run first, so rewrites
   that build on one another resolve (``薇亻言`` -> ``薇信`` -> ``微信``); longer chains are not supported.
5. ``separators`` again: a rewrite can turn a Latin evasion into CJK characters (``加 vx 号`` -> ``加 微信 号``),
   whose separators then go too (``加微信号``).

Every step has a fast path for the common case (plain simplified text, nothing to do), and the whole is
idempotent: normalizing a normalized text changes nothing. The steps after ``charfold`` also tell where they
can change a text (:class:`ChangeTest`), so one search lets the many texts that need none of them skip them all.

With the native accelerator ``normalize`` (``smsguard._cnormalize``), a :class:`Normalizer` whose steps are the
default ones runs ``charfold``, ``separators`` and that search in C, with the tables of its own steps, and calls
the other steps only for the texts they can change. The Python here is the reference it is tested against.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, runtime_checkable

from smsguard.model import Span
from smsguard.native import load
from smsguard.skipsearch import searched_at

if TYPE_CHECKING:
    from smsguard._cnormalize import Plan

Edit = tuple[int, int, str]

ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e\u034f")
CJK_CHARS = "\u2e80-\u2eff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Symbols that senders put inside words to dodge keyword filters; removed only between two CJK characters.
SEPARATOR_CHARS = " \t*-_·~|/+.#^=`'\"•‧・∙⋅●○◆◇■□▲△★☆♡♥❤✿❀※@%&$\\"
_KEEP_AS_IS = frozenset("…‥")


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """The normalized form of a text and the way back to the original.

    ``starts[i]``/``ends[i]`` give the original span of normalized character ``i``; both are ``None`` when the
    normalization changed no length (the common case), meaning the map is the identity.
    """

    original: str
    text: str
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    def to_original(self, start: int, end: int) -> Span:
        """Map a half-open span of the normalized text to the original text."""
        if self.starts is None or self.ends is None:
            return (start, end)
        n = len(self.text)
        if start >= end:
            pos = self.starts[start] if start < n else len(self.original)
            return (pos, pos)
        return (self.starts[start], self.ends[min(end, n) - 1])

    def original_slice(self, start: int, end: int) -> str:
        """The original characters behind a normalized span."""
        a, b = self.to_original(start, end)
        return self.original[a:b]


class NormalizationStep(Protocol):
    """One rewrite of the text; see the module docstring for the two kinds of result.

    A step may also tell where it can change a text (:class:`ChangeTestedStep`), which lets :class:`Normalizer`
    skip it on the many texts it would leave alone.
    """

    name: str

    def apply(self, text: str) -> str | list[Edit]: ...


class ChangeTest(NamedTuple):
    """Where a step can change a text: every text it changes has a match of ``pattern`` (an expression without
    capturing groups), and every match of ``pattern`` starts with one of ``first_chars`` (an escaped character
    class body; empty if the step never changes anything)."""

    first_chars: str
    pattern: str


@runtime_checkable
class ChangeTestedStep(NormalizationStep, Protocol):
    """A step that tells where it can change a text."""

    def change_test(self) -> ChangeTest: ...


# Characters that certainly fold to themselves: ASCII other than A-Z, CJK ideographs and the CJK punctuation
# that NFKC keeps. Anything else is looked at one character at a time.
_MAY_FOLD = re.compile(
    "[^\x00-\x40\x5b-\x7f\u00b7\u2010\u2012-\u2016\u2018-\u2023\u3001-\u3035\u303b-\u303f\u3400-\u4dbf\u4e00-\u9fff]"
)


_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_surrogates(text: str) -> str:
    """``text`` with every lone surrogate (which no encoder accepts) replaced one for one by U+FFFD; ``text``
    itself when it has none."""
    if text.isascii() or _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub("\ufffd", text)


_FOLD_CACHE: dict[str, str] = {}


def fold_char(ch: str) -> str:
    """NFKC and lower case of one character, repeated until stable (so folding is idempotent)."""
    folded = _FOLD_CACHE.get(ch)
    if folded is None:
        folded = _fold_char(ch)
        if len(_FOLD_CACHE) < 65536:
            _FOLD_CACHE[ch] = folded
    return folded


def _fold_char(ch: str) -> str:
    if ch in ZERO_WIDTH:
        return ""
    if ch in _KEEP_AS_IS:
        return ch
    current = ch
    for _ in range(4):
        folded = "".join(c if c in _KEEP_AS_IS else unicodedata.normalize("NFKC", c) for c in current).lower()
        folded = "".join(c for c in folded if c not in ZERO_WIDTH)
        if folded == current:
            break
        current = folded
    return current


def _fold_in_text(ch: str) -> str:
    """What :class:`CharFoldStep` turns the character ``ch`` into (the native fold asks this once per character)."""
    return fold_char(ch) if _MAY_FOLD.match(ch) else ch


_native = load("normalize")
if _native is not None:
    _native.set_fold(_fold_in_text)


class CharFoldStep:
    """NFKC per character (full width to half width and compatibility forms), zero-width removal, lower case."""

    name = "charfold"

    def apply(self, text: str) -> str | list[Edit]:
        if text.isascii():
            return text.lower()
        folded_text = text
        for ch in set(_MAY_FOLD.findall(text)):
            folded = fold_char(ch)
            if len(folded) != 1:
                break
            if folded != ch:
                # fold_char folds until stable, so a later replace never rewrites what this one produced.
                folded_text = folded_text.replace(ch, folded)
        else:
            return folded_text
        edits: list[Edit] = []
        for m in _MAY_FOLD.finditer(text):
            folded = fold_char(m.group())
            if folded != m.group():
                edits.append((m.start(), m.end(), folded))
        return edits


class SeparatorStep:
    """Drops separator symbols and spaces between two CJK characters (``起 诉``, ``法*院`` -> ``起诉``, ``法院``)."""

    _separator = f"[{re.escape(SEPARATOR_CHARS)}]"
    # A run of separators after a CJK character and before one. It starts with the separator class (the CJK
    # character before is checked by the lookbehind after it), so a search skips in C to the separators.
    _between = re.compile(f"{_separator}(?<=[{CJK_CHARS}]{_separator}){_separator}*(?=[{CJK_CHARS}])")

    def __init__(self, name: str = "separators") -> None:
        self.name = name

    def apply(self, text: str) -> str | list[Edit]:
        if text.isascii() or self._between.search(text) is None:
            return text
        return [(m.start(), m.end(), "") for m in self._between.finditer(text)]

    def change_test(self) -> ChangeTest:
        return ChangeTest(re.escape(SEPARATOR_CHARS), self._between.pattern)


class TraditionalToSimplifiedStep:
    """Traditional to simplified Chinese with OpenCC ``t2s`` (phrase-aware where it keeps the length).

    Text without a character that t2s changes on its own is left alone without calling OpenCC; when the phrase
    conversion would change the length, the text is converted character by character to keep the map aligned.
    """

    name = "t2s"

    def apply(self, text: str) -> str | list[Edit]:
        if text.isascii() or _t2s_trigger().search(text) is None:
            return text
        converter = _opencc()
        try:
            out: str = converter.convert(text)
        except (UnicodeError, ValueError):  # lone surrogates cannot cross into OpenCC
            return _t2s_by_char(text)
        if out == text:
            return text
        if len(out) != len(text):
            return _t2s_by_char(text)
        # A few mappings chain (薴 -> 苧 -> 苎): convert until stable so the step is idempotent.
        for _ in range(3):
            again: str = converter.convert(out)
            if again == out or len(again) != len(out):
                break
            out = again
        return out

    def change_test(self) -> ChangeTest:
        chars = _t2s_trigger_chars()
        return ChangeTest(chars, f"[{chars}]")


@lru_cache(maxsize=1)
def _opencc() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _t2s_char_map() -> dict[str, str]:
    """Single-character t2s mappings (to a fixed point), for text whose phrase conversion changes length."""
    converter = _opencc()
    ranges = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))
    chars = [chr(cp) for lo, hi in ranges for cp in range(lo, hi)]
    converted = converter.convert("\n".join(chars)).split("\n")
    mapping: dict[str, str] = {}
    if len(converted) == len(chars):
        mapping = {a: b for a, b in zip(chars, converted, strict=True) if a != b and len(b) == 1}
    for key, value in mapping.items():
        while value in mapping and mapping[value] != value:
            value = mapping[value]
        mapping[key] = value
    return mapping


@lru_cache(maxsize=1)
def _t2s_trigger_chars() -> str:
    """The characters that t2s changes on its own (a character class body); text without one is taken to be
    simplified already."""
    return re.escape("".join(sorted(_t2s_char_map())))


@lru_cache(maxsize=1)
def _t2s_trigger() -> re.Pattern[str]:
    return re.compile(f"[{_t2s_trigger_chars()}]")


def _t2s_by_char(text: str) -> str:
    mapping = _t2s_char_map()
    return "".join(mapping.get(ch, ch) for ch in text)


def combined_change_test(steps: Sequence[ChangeTestedStep]) -> re.Pattern[str] | None:
    """Matches a text that one of ``steps`` can change; None if none of them ever changes one."""
    tests = [test for test in (step.change_test() for step in steps) if test.first_chars]
    if not tests:
        return None
    first_chars = "".join(test.first_chars for test in tests)
    return searched_at(first_chars, "|".join(f"(?:{test.pattern})" for test in tests))


class Normalizer:
    """Runs normalization steps in order and keeps the offset map to the original text.

    With ``native=False`` it never uses the native accelerator: the pure-Python reference.
    """

    def __init__(self, steps: Sequence[NormalizationStep], *, native: bool = True) -> None:
        self.steps = tuple(steps)
        self._native = native
        # The last steps that all tell where they can change a text: before the first of them, one search tells
        # whether any of them has something to do (for most texts none has), instead of one search in each.
        tail: list[ChangeTestedStep] = []
        for step in reversed(self.steps):
            if not isinstance(step, ChangeTestedStep):
                break
            tail.insert(0, step)
        self._tail_steps = tuple(tail)
        self._tail = len(self.steps) - len(tail) if tail else -1

    @cached_property
    def _tail_test(self) -> re.Pattern[str] | None:
        """Matches a text that one of the tail steps can change; None if none of them ever changes one."""
        return combined_change_test(self._tail_steps)

    @cached_property
    def _plan(self) -> Plan | None:
        """The native plan when the steps are the default ones (see :func:`_native_plan`)."""
        return _native_plan(self.steps) if self._native else None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_plan", None)  # a native object; built again on first use
        return state

    def normalize_any(self, original: str) -> NormalizedText:
        """:meth:`normalize` for any string: lone surrogates are replaced with U+FFFD first (see
        :func:`replace_surrogates`), one for one, and ``original`` is still the text as given."""
        plan = self._plan
        if plan is not None:
            done = plan.normalize(original, True)
            if done is not None:
                return done
        clean = replace_surrogates(original)
        if clean is original:
            return self.normalize(original)
        return replace(self.normalize(clean), original=original)

    def normalize(self, original: str) -> NormalizedText:
        plan = self._plan
        if plan is not None:
            done = plan.normalize(original, False)
            if done is not None:
                return done
        text = original
        starts: Sequence[int] | None = None
        ends: Sequence[int] | None = None
        for index, step in enumerate(self.steps):
            if index == self._tail and ((test := self._tail_test) is None or test.search(text) is None):
                break
            result = step.apply(text)
            if result is text:  # the step had nothing to do
                continue
            if isinstance(result, str):
                if len(result) != len(text):
                    raise ValueError(f"normalization step {step.name!r} changed length without edits")
                text = result
                continue
            if not result:
                continue
            if starts is None or ends is None:
                starts, ends = range(len(text)), range(1, len(text) + 1)  # the identity, not copied
            text, starts, ends = _apply_edits(text, starts, ends, result, len(original))
        if starts is None or ends is None:
            return NormalizedText(original, text)
        return NormalizedText(original, text, tuple(starts), tuple(ends))

    def normalize_pattern(self, pattern: str) -> str:
        """Normalize a rule literal exactly as message text is normalized (no offset map needed)."""
        return self.normalize(pattern).text


def _apply_edits(
    text: str, starts: Sequence[int], ends: Sequence[int], edits: list[Edit], original_length: int
) -> tuple[str, list[int], list[int]]:
    parts: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    pos = 0
    for start, end, replacement in sorted(edits):
        if start < pos:
            continue  # overlapping edit from the same step: the earlier one wins
        parts.append(text[pos:start])
        new_starts.extend(starts[pos:start])
        new_ends.extend(ends[pos:start])
        if replacement:
            parts.append(replacement)
            if len(replacement) == end - start:  # same length: keep the character-aligned map
                new_starts.extend(starts[start:end])
                new_ends.extend(ends[start:end])
            else:
                if start < end:
                    origin_start, origin_end = starts[start], ends[end - 1]
                else:
                    origin_start = origin_end = starts[start] if start < len(starts) else original_length
                new_starts.extend([origin_start] * len(replacement))
                new_ends.extend([origin_end] * len(replacement))
        pos = max(pos, end)
    parts.append(text[pos:])
    new_starts.extend(starts[pos:])
    new_ends.extend(ends[pos:])
    return "".join(parts), new_starts, new_ends


def _native_plan(steps: tuple[NormalizationStep, ...]) -> Plan | None:
    """The native plan for ``steps`` if they are the default steps (whatever the lookalike tables hold), else None.

    The plan runs the first two steps, charfold and separators, in C. Then, as :meth:`Normalizer.normalize` does,
    one test tells whether any of the others can change the text, reading the tables of these very steps: the t2s
    triggers, and the lookalike variants with their change tests. Only if one can does it call their ``apply``,
    applying their edits to the text and its map in C as :func:`_apply_edits` does.
    """
    if _native is None:
        return None
    from smsguard.lookalikes import LookalikeStep

    kinds = (CharFoldStep, SeparatorStep, TraditionalToSimplifiedStep, LookalikeStep, LookalikeStep, SeparatorStep)
    if tuple(type(step) for step in steps) != kinds:
        return None
    lookalikes = [step for step in steps if isinstance(step, LookalikeStep)]
    combined = combined_change_test(lookalikes)
    lookalike_test = None if combined is None else combined.search
    plan: Plan = _native.Plan(
        record=NormalizedText,
        separators=SEPARATOR_CHARS,
        cjk=CJK_CHARS,
        t2s="".join(_t2s_char_map()),
        variants=[variant for step in lookalikes for variant in step.variants()],
        lookalike_test=lookalike_test,
        tail=steps[2:],
    )
    return plan


def default_steps() -> list[NormalizationStep]:
    """The steps every engine runs unless it is given others, in the order the module docstring explains."""
    from smsguard.lookalikes import LookalikeStep  # it builds its table with the steps above

    return [
        CharFoldStep(),
        SeparatorStep(),
        TraditionalToSimplifiedStep(),
        LookalikeStep(stage="parts"),
        LookalikeStep(stage="words"),
        SeparatorStep("separators-after-lookalikes"),
    ]


def default_normalizer() -> Normalizer:
    return Normalizer(default_steps())
