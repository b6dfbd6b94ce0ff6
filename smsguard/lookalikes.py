"""The homophone and lookalike step of normalization (``徽信``/``vx`` -> ``微信``, ``fa院`` -> ``法院``).

The table is the lexicon ``homophones`` (``smsguard/lexicons/homophones.txt`` plus any file of that name in a
directory on ``SMSGUARD_LEXICON_PATH``); see :class:`LookalikeStep` for its format.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from smsguard.lexicon import LexiconEntry, load_lexicon
from smsguard.normalize import (
    SEPARATOR_CHARS,
    ChangeTest,
    CharFoldStep,
    Edit,
    Normalizer,
    SeparatorStep,
    TraditionalToSimplifiedStep,
)

LOOKALIKE_DIR: Traversable = files("smsguard").joinpath("lexicons")


@dataclass(frozen=True, slots=True)
class _LookalikeTable:
    """One alternation of every variant with a branch per first character: every branch opens with that
    character, so a search skips in C to where a variant can start (see :func:`_after_first`)."""

    pattern: re.Pattern[str] | None
    replacements: tuple[str, ...]
    change_test: ChangeTest  # the same alternation without the groups
    variants: tuple[str, ...]  # normalized, in the order of replacements


class LookalikeStep:
    """Rewrites homophones and lookalikes from a lexicon (``徽信`` -> ``微信``); see ``homophones.txt``.

    Each line is ``variant<TAB>canonical`` with optional context attributes: ``before=A|B`` (the variant must
    follow one of these), ``after=X|Y`` (or be followed by one of these; when both are given either suffices),
    ``notbefore=...`` and ``notafter=...`` (must not). ``<alnum>``, ``<digit>`` and ``<start>``/``<end>`` stand
    for a letter or digit, a digit, and the ends of the text. A variant that starts or ends with a Latin letter or
    digit only matches as a whole word (``vx`` in ``加vx`` but not in ``/wxcs/``); spaces or symbols may stand
    where the variant switches between Latin and CJK characters (``fa 院``).
    """

    def __init__(self, entries: Sequence[LexiconEntry] | None = None, stage: str = "words") -> None:
        if stage not in ("parts", "words"):
            raise ValueError(f"unknown lookalike stage {stage!r}")
        if entries is None:
            entries = load_lexicon(LOOKALIKE_DIR, "homophones")
        self.name = f"lookalikes-{stage}"
        self._table = _compile_lookalikes(tuple(entries))[stage]

    def apply(self, text: str) -> str | list[Edit]:
        pattern = self._table.pattern
        if pattern is None:
            return text
        m = pattern.search(text)
        if m is None:
            return text
        edits: list[Edit] = []
        while m is not None:
            if m.lastgroup is not None:  # always: every alternative is a group e<index>
                replacement = self._table.replacements[int(m.lastgroup[1:])]
                if m.group() != replacement:
                    edits.append((m.start(), m.end(), replacement))
            m = pattern.search(text, m.end())
        return edits

    def change_test(self) -> ChangeTest:
        return self._table.change_test

    def variants(self) -> tuple[str, ...]:
        """The variants of the table, normalized: every match of its pattern consists of the characters of one,
        with only separators (if anything) added where it switches between ASCII and other characters."""
        return self._table.variants


_SEP_CLASS = f"[{re.escape(SEPARATOR_CHARS)}]"
_TOKENS = {"<alnum>": "[a-z0-9]", "<digit>": "[0-9]"}


def _context_literals(value: str) -> list[str]:
    return [v for v in value.split("|") if v]


def _after_first(first: str, body: str, negative: bool) -> str:
    """A lookbehind for ``body`` just before a variant, written to be checked after its first character ``first``.

    Then every alternative of a table starts with a literal character, which lets ``re`` skip in C to the places
    where one can match instead of trying the whole alternation at every position.
    """
    return f"(?<{'!' if negative else '='}{body}{re.escape(first)})"


def _lookbehinds(literals: list[str], prep: Normalizer, negative: bool, first: str) -> str:
    parts: list[str] = []
    for lit in literals:
        if lit == "<start>":
            parts.append(_after_first(first, "[\\s\\S]", negative=not negative))
            continue
        body = _TOKENS.get(lit) or re.escape(prep.normalize_pattern(lit))
        if negative:
            parts.append(_after_first(first, body, negative=True))
        else:
            parts.append(f"{_after_first(first, body, False)}|{_after_first(first, body + _SEP_CLASS, False)}")
    return "".join(parts) if negative else "(?:" + "|".join(parts) + ")"


def _lookahead(literals: list[str], prep: Normalizer, negative: bool) -> str:
    bodies = [
        "$" if lit == "<end>" else (_TOKENS.get(lit) or re.escape(prep.normalize_pattern(lit))) for lit in literals
    ]
    alternatives = "|".join(bodies)
    return f"(?!{alternatives})" if negative else f"(?={_SEP_CLASS}?(?:{alternatives}))"


def _variant_regex(variant: str) -> str:
    """The variant after its first character (which the table's alternative starts with)."""
    parts: list[str] = []
    if variant[0].isascii() and variant[0].isalnum():
        parts.append(_after_first(variant[0], "[a-z0-9_./@-]", negative=True))
    for i in range(1, len(variant)):
        if variant[i].isascii() != variant[i - 1].isascii():
            parts.append(f"{_SEP_CLASS}*")
        parts.append(re.escape(variant[i]))
    if variant[-1].isascii() and variant[-1].isalnum():
        parts.append(r"(?![a-z0-9_/@-]|\.[a-z0-9])")
    return "".join(parts)


_Row = tuple[str, str, dict[str, list[str]]]


@lru_cache(maxsize=16)
def _compile_lookalikes(entries: tuple[LexiconEntry, ...]) -> dict[str, _LookalikeTable]:
    """Two tables: ``parts`` (rewrites whose result feeds another entry, like 亻言 -> 信) and ``words``."""
    prep = Normalizer([CharFoldStep(), SeparatorStep(), TraditionalToSimplifiedStep()])
    rows: list[_Row] = []
    for entry in entries:
        if not entry.attributes:
            continue
        variant = prep.normalize_pattern(entry.term)
        canonical = prep.normalize_pattern(entry.attributes[0])
        if not variant or variant == canonical:
            continue
        context: dict[str, list[str]] = {}
        for attribute in entry.attributes[1:]:
            key, _, value = attribute.partition("=")
            context[key.strip().lower()] = _context_literals(value.strip())
        rows.append((variant, canonical, context))
    feeds = [row[0] for row in rows] + [lit for row in rows for lits in row[2].values() for lit in lits]
    parts = [row for row in rows if any(row[1] in other and row[1] != other for other in feeds)]
    words = [row for row in rows if row not in parts]
    return {"parts": _build_table(parts, prep), "words": _build_table(words, prep)}


def _build_table(rows: list[_Row], prep: Normalizer) -> _LookalikeTable:
    if not rows:
        return _LookalikeTable(None, (), ChangeTest("", ""), ())
    rows = sorted(rows, key=lambda row: -len(row[0]))  # longest variant first, so v信 wins over a lone v
    by_first: dict[str, list[tuple[int, str]]] = {}  # the variants after their first character, in table order
    for index, (variant, _, context) in enumerate(rows):
        first = variant[0]
        core = _variant_regex(variant)
        guards = _lookbehinds(context["notbefore"], prep, True, first) if context.get("notbefore") else ""
        tail = _lookahead(context["notafter"], prep, negative=True) if context.get("notafter") else ""
        before, after = context.get("before"), context.get("after")
        if before and after:
            body = f"(?:{_lookbehinds(before, prep, False, first)}{core}|{core}{_lookahead(after, prep, False)})"
        elif before:
            body = f"{_lookbehinds(before, prep, False, first)}{core}"
        elif after:
            body = f"{core}{_lookahead(after, prep, False)}"
        else:
            body = core
        by_first.setdefault(first, []).append((index, f"{guards}{body}{tail}"))
    pattern = "|".join(
        f"{re.escape(first)}(?:{'|'.join(f'(?P<e{index}>{rest})' for index, rest in rests)})"
        for first, rests in by_first.items()
    )
    test = "|".join(f"{re.escape(first)}(?:{'|'.join(rest for _, rest in rests)})" for first, rests in by_first.items())
    return _LookalikeTable(
        re.compile(pattern),
        tuple(row[1] for row in rows),
        ChangeTest(re.escape("".join(by_first)), test),
        tuple(row[0] for row in rows),
    )
