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
    CharFoldStep,
    Edit,
    Normalizer,
    SeparatorStep,
    TraditionalToSimplifiedStep,
)

LOOKALIKE_DIR: Traversable = files("smsguard").joinpath("lexicons")


@dataclass(frozen=True, slots=True)
class _LookalikeTable:
    """Variants grouped by their first character: one small regex per group, tried only where it can match."""

    triggers: re.Pattern[str] | None
    by_first: dict[str, re.Pattern[str]]
    replacements: tuple[str, ...]


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
        table = self._table
        if table.triggers is None:
            return text
        edits: list[Edit] = []
        pos = 0
        while True:
            hit = table.triggers.search(text, pos)
            if hit is None:
                break
            start = hit.start()
            m = table.by_first[hit.group()].match(text, start)
            if m is None or m.lastgroup is None:
                pos = start + 1
                continue
            replacement = table.replacements[int(m.lastgroup[1:])]
            if m.group() != replacement:
                edits.append((start, m.end(), replacement))
            pos = max(m.end(), start + 1)
        return edits


_SEP_CLASS = f"[{re.escape(SEPARATOR_CHARS)}]"
_TOKENS = {"<alnum>": "[a-z0-9]", "<digit>": "[0-9]"}


def _context_literals(value: str) -> list[str]:
    return [v for v in value.split("|") if v]


def _lookbehinds(literals: list[str], prep: Normalizer, negative: bool) -> str:
    parts: list[str] = []
    for lit in literals:
        if lit == "<start>":
            parts.append("(?<![\\s\\S])" if not negative else "(?<=[\\s\\S])")
            continue
        body = _TOKENS.get(lit) or re.escape(prep.normalize_pattern(lit))
        if negative:
            parts.append(f"(?<!{body})")
        else:
            parts.append(f"(?<={body})|(?<={body}{_SEP_CLASS})")
    return "".join(parts) if negative else "(?:" + "|".join(parts) + ")"


def _lookahead(literals: list[str], prep: Normalizer, negative: bool) -> str:
    bodies = [
        "$" if lit == "<end>" else (_TOKENS.get(lit) or re.escape(prep.normalize_pattern(lit))) for lit in literals
    ]
    alternatives = "|".join(bodies)
    return f"(?!{alternatives})" if negative else f"(?={_SEP_CLASS}?(?:{alternatives}))"


def _variant_regex(variant: str) -> str:
    parts: list[str] = []
    for i, ch in enumerate(variant):
        if i and ch.isascii() != variant[i - 1].isascii():
            parts.append(f"{_SEP_CLASS}*")
        parts.append(re.escape(ch))
    core = "".join(parts)
    if variant[0].isascii() and variant[0].isalnum():
        core = "(?<![a-z0-9_./@-])" + core
    if variant[-1].isascii() and variant[-1].isalnum():
        core += r"(?![a-z0-9_/@-]|\.[a-z0-9])"
    return core


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
        return _LookalikeTable(None, {}, ())
    rows = sorted(rows, key=lambda row: -len(row[0]))  # longest variant first, so v信 wins over a lone v
    alternatives: dict[str, list[str]] = {}
    replacements: list[str] = []
    for index, (variant, canonical, context) in enumerate(rows):
        core = _variant_regex(variant)
        guards = _lookbehinds(context["notbefore"], prep, negative=True) if context.get("notbefore") else ""
        tail = _lookahead(context["notafter"], prep, negative=True) if context.get("notafter") else ""
        before, after = context.get("before"), context.get("after")
        if before and after:
            body = f"(?:{_lookbehinds(before, prep, False)}{core}|{core}{_lookahead(after, prep, False)})"
        elif before:
            body = f"{_lookbehinds(before, prep, False)}{core}"
        elif after:
            body = f"{core}{_lookahead(after, prep, False)}"
        else:
            body = core
        alternatives.setdefault(variant[0], []).append(f"(?P<e{index}>{guards}{body}{tail})")
        replacements.append(canonical)
    triggers = re.compile("[" + re.escape("".join(sorted(alternatives))) + "]")
    by_first = {first: re.compile("|".join(alts)) for first, alts in alternatives.items()}
    return _LookalikeTable(triggers, by_first, tuple(replacements))
