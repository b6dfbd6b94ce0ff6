"""Brands shared by the link and sender checkers: who a message claims to be, and what belongs to whom.

Four lexicons tie a brand id (``cmb``) to what identifies it: ``brands`` (names in text and signatures, the
first one being the display name), ``official_domains``, ``hotlines`` and ``brand_keywords``. All are plain
files users extend through ``SMSGUARD_LEXICON_PATH``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from smsguard.extract import Features
from smsguard.lexicon import ENV_PATH, LexiconEntry, load_lexicon
from smsguard.normalize import NormalizedText
from smsguard.termscan import TermMatcher

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"
BRAND = "brand"
CLAIM = "claim"  # counts only in a signature or when the text opens by naming itself
IGNORE = "ignore"  # a phrase that holds a name by accident (北京东路)
_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
# A court or police station speaking for itself: "XX人民法院通知：", "XX派出所执行局提醒".
_SELF_NAMING = re.compile(r"[^,.!?;:。，]{0,4}?(?:通知|提醒|告知|公告|温馨提示|:)")
_OPENING = 30  # a self-naming claim must end within this many characters of the text's start


T = TypeVar("T")
_DERIVED: dict[str, tuple[str, Any]] = {}


def from_lexicons(key: str, names: tuple[str, ...], build: Callable[..., T]) -> T:
    """``build`` applied to the named lexicons, rebuilt only when ``SMSGUARD_LEXICON_PATH`` changes."""
    env = os.environ.get(ENV_PATH, "")
    cached = _DERIVED.get(key)
    if cached is not None and cached[0] == env:
        return cached[1]  # type: ignore[no-any-return]
    value = build(*(load_lexicon(LEXICON_DIR, name) for name in names))
    _DERIVED[key] = (env, value)
    return value


@dataclass(frozen=True, slots=True)
class Claim:
    """A brand named in a message: the brand id, its display name, and where the name stands (normalized)."""

    brand: str
    name: str
    start: int
    end: int
    in_signature: bool


@dataclass(frozen=True, slots=True)
class _Names:
    matcher: TermMatcher
    kinds: tuple[str, ...]  # per term: brand, claim or ignore
    brands: tuple[str, ...]  # per term: brand id ("" for ignore)
    display: dict[str, str]


def _names_table(entries: tuple[LexiconEntry, ...]) -> _Names:
    rows = [(e.term, e.attributes[0], e.attributes[1] if len(e.attributes) > 1 else "") for e in entries]
    rows = [r for r in rows if r[1] == IGNORE or (r[1] in (BRAND, CLAIM) and r[2])]
    display: dict[str, str] = {}
    for term, kind, brand in rows:
        if kind != IGNORE:
            display.setdefault(brand, term)
    return _Names(TermMatcher(r[0] for r in rows), tuple(r[1] for r in rows), tuple(r[2] for r in rows), display)


def _names() -> _Names:
    return from_lexicons("brands", ("brands",), _names_table)


def display_names() -> dict[str, str]:
    """Brand id -> display name (the first name listed for it in ``brands.txt``)."""
    return _names().display


def _name_hits(text: str) -> list[tuple[int, int, int]]:
    """Non-overlapping ``(start, end, term id)`` of brand names in ``text``: masks applied, longest first."""
    table = _names()
    hits = []
    for m in table.matcher.find(text):
        term = table.matcher.normalized[m.term_id]
        if term[0] in _ASCII_WORD and m.start > 0 and text[m.start - 1] in _ASCII_WORD:
            continue
        if term[-1] in _ASCII_WORD and m.end < len(text) and text[m.end] in _ASCII_WORD:
            continue
        hits.append((m.start, m.end, m.term_id))
    masks = [(a, b) for a, b, t in hits if table.kinds[t] == IGNORE]
    kept: list[tuple[int, int, int]] = []
    last_end = -1
    for a, b, t in sorted(hits, key=lambda h: (h[0], -h[1])):
        if table.kinds[t] == IGNORE or any(x <= a and b <= y for x, y in masks) or a < last_end:
            continue
        kept.append((a, b, t))
        last_end = b
    return kept


def display_name(brand: str) -> str:
    return display_names().get(brand, brand)


_LAST: list[tuple[NormalizedText, Features, list[Claim]]] = []  # the link and sender checkers share one scan


def find_claims(ntext: NormalizedText, features: Features) -> list[Claim]:
    """Brands the message names, signature claims first; names inside a link do not count."""
    last = _LAST[0] if _LAST else None
    if last is not None and last[0] is ntext and last[1] is features:
        return list(last[2])
    claims = _find_claims(ntext, features)
    _LAST[:] = [(ntext, features, claims)]
    return list(claims)


def _find_claims(ntext: NormalizedText, features: Features) -> list[Claim]:
    text = ntext.text
    signatures = [s.nspan for s in features.signatures]
    links = [link.nspan for link in features.links]
    table = _names()
    claims: list[Claim] = []
    for start, end, term_id in _name_hits(text):
        if any(a <= start and end <= b for a, b in links):
            continue
        in_signature = any(a <= start and end <= b for a, b in signatures)
        if table.kinds[term_id] == CLAIM and not in_signature and not _names_itself(text, end, signatures):
            continue
        brand = table.brands[term_id]
        claims.append(Claim(brand, table.display.get(brand, brand), start, end, in_signature))
    claims.sort(key=lambda c: (not c.in_signature, c.start))
    return claims


def _names_itself(text: str, end: int, signatures: list[tuple[int, int]]) -> bool:
    opening = next((b for a, b in signatures if a == 0), 0)
    return end - opening <= _OPENING and _SELF_NAMING.match(text, end) is not None


def official_brand(host: str) -> str | None:
    """The brand whose official domain ``host`` is or lies under (``zxfw.court.gov.cn`` -> ``court``)."""
    domains = from_lexicons("official", ("official_domains",), _official_domains)
    parts = host.split(".")
    for i in range(len(parts)):
        brand = domains.get(".".join(parts[i:]))
        if brand is not None:
            return brand
    return None


def _official_domains(entries: tuple[LexiconEntry, ...]) -> dict[str, str]:
    return {e.term.lower(): e.attributes[0] for e in entries if e.attributes}


@dataclass(frozen=True, slots=True)
class Hotline:
    number: str
    brand: str
    name: str


def hotline_owner(number: str) -> Hotline | None:
    """The hotline ``number`` belongs to (the number itself or followed by up to three extension digits)."""
    table = from_lexicons("hotlines", ("hotlines",), _hotlines)
    for length in range(min(len(number), 8), 4, -1):
        hotline = table.get(number[:length])
        if hotline is not None and len(number) - length <= 3:
            return hotline
    return None


def _hotlines(entries: tuple[LexiconEntry, ...]) -> dict[str, Hotline]:
    table: dict[str, Hotline] = {}
    for e in entries:
        if e.attributes:
            brand = e.attributes[0]
            name = e.attributes[1] if len(e.attributes) > 1 else display_name(brand)
            table[e.term] = Hotline(e.term, brand, name)
    return table
