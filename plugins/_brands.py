"""Brands shared by the link and sender checkers: who a message claims to be, and what belongs to whom.

Four lexicons tie a brand id (``cmb``) to what identifies it: ``brands`` (names in text and signatures, the
first one being the display name), ``official_domains``, ``hotlines`` and ``brand_keywords``. All are plain
files users extend through ``SMSGUARD_LEXICON_PATH``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from smsguard.extract import Features, Link, TextFeature
from smsguard.lexicon import LexiconEntry, load_lexicon
from smsguard.native import load
from smsguard.normalize import NormalizedText

from ._terms import Entry, TermHit, TermSet, _message, lexicon_env, lexicon_path_setting

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"
BRAND = "brand"
CLAIM = "claim"  # counts only in a signature or when the text opens by naming itself
IGNORE = "ignore"  # a phrase that holds a name by accident (北京东路)
_NAME_KINDS = frozenset({BRAND, CLAIM})
# A court or police station speaking for itself: "XX人民法院通知：", "XX派出所执行局提醒".
_SELF_NAMING = re.compile(r"[^,.!?;:。，]{0,4}?(?:通知|提醒|告知|公告|温馨提示|客服|:)")
# "我是招商银行客服", "这里是XX": the sender introduces itself by the name.
_INTRODUCTION = re.compile(r"(?:我是|我们是|这里是|本人是|我方是|我司是|来自)[^,.!?;:。，]{0,4}\Z")
_INTRODUCTION_WINDOW = 8
_OPENING = 30  # a self-naming claim must end within this many characters of the text's start


T = TypeVar("T")
_DERIVED: dict[str, tuple[str, Any]] = {}


def from_lexicons(key: str, names: tuple[str, ...], build: Callable[..., T], env: str | None = None) -> T:
    """``build`` applied to the named lexicons, rebuilt only when ``SMSGUARD_LEXICON_PATH`` changes.

    ``env`` is the variable's value when the caller has it already (see :func:`lexicon_env`).
    """
    if env is None:
        env = lexicon_path_setting()
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
    speaks: bool = True  # the sender speaks as the brand (signature, 我是XX, XX通知 at the start), not names it


# The names are found by the term detectors' shared automaton (plugins/_terms.py): no pass of their own.
_NAME_TERMS = TermSet("brands")


def _display_table(entries: tuple[LexiconEntry, ...]) -> dict[str, str]:
    display: dict[str, str] = {}
    for e in entries:
        if len(e.attributes) > 1 and e.attributes[0] in (BRAND, CLAIM) and e.attributes[1]:
            display.setdefault(e.attributes[1], e.term)
    return display


_DISPLAY_TABLE = ("brands", ("brands",), _display_table)  # from_lexicons' key, lexicons and builder


def display_names(env: str | None = None) -> dict[str, str]:
    """Brand id -> display name (the first name listed for it in ``brands.txt``)."""
    return from_lexicons(*_DISPLAY_TABLE, env)


def _name_hits(ntext: NormalizedText) -> list[TermHit]:
    """Non-overlapping hits of brand names in the text the detectors read: masks applied, longest first."""
    kept: list[TermHit] = []
    last_end = -1
    for h in _NAME_TERMS.read(ntext)[1]:  # masks applied, ordered by start then longest
        entry = h.entry
        if h.start < last_end or entry.kind not in _NAME_KINDS or not entry.attrs or not entry.attrs[0]:
            continue
        kept.append(h)
        last_end = h.end
    return kept


def display_name(brand: str, env: str | None = None) -> str:
    return display_names(env).get(brand, brand)


_LAST: list[tuple[NormalizedText, Features, tuple[Claim, ...]] | None] = [None]  # the link and sender checkers share it


def find_claims(ntext: NormalizedText, features: Features) -> tuple[Claim, ...]:
    """Brands the message names, signature claims first; names inside a link do not count."""
    if not _NAME_TERMS.read(ntext)[1]:
        return ()  # most messages name no brand
    last = _LAST[0]
    if last is not None and last[0] is ntext and last[1] is features:
        return last[2]
    claims = tuple(_find_claims(ntext, features))
    _LAST[0] = (ntext, features, claims)
    return claims


def _find_claims(ntext: NormalizedText, features: Features) -> list[Claim]:
    text = ntext.text
    hits = _name_hits(ntext)
    if not hits:
        return []
    signatures = [s.nspan for s in features.signatures]
    links = [link.nspan for link in features.links]
    display = display_names(lexicon_env(ntext))
    claims: list[Claim] = []
    for h in hits:
        start, end = h.start, h.end
        if any(a <= start and end <= b for a, b in links):
            continue
        in_signature = any(a <= start and end <= b for a, b in signatures)
        speaks = in_signature or _names_itself(text, end, signatures) or _introduced(text, start)
        if h.entry.kind == CLAIM and not speaks:
            continue
        brand = h.entry.attrs[0]
        claims.append(Claim(brand, display.get(brand, brand), start, end, in_signature, speaks))
    claims.sort(key=lambda c: (not c.in_signature, c.start))
    return claims


def _names_itself(text: str, end: int, signatures: list[tuple[int, int]]) -> bool:
    opening = next((b for a, b in signatures if a == 0), 0)
    return end - opening <= _OPENING and _SELF_NAMING.match(text, end) is not None


def _introduced(text: str, start: int) -> bool:
    return _INTRODUCTION.search(text, max(0, start - _INTRODUCTION_WINDOW), start) is not None


def official_brand(host: str, env: str | None = None) -> str | None:
    """The brand whose official domain ``host`` is or lies under (``zxfw.court.gov.cn`` -> ``court``)."""
    domains = from_lexicons("official", ("official_domains",), _official_domains, env)
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


def hotline_owner(number: str, env: str | None = None) -> Hotline | None:
    """The hotline ``number`` belongs to (the number itself or followed by up to three extension digits)."""
    table = from_lexicons("hotlines", ("hotlines",), _hotlines, env)
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


# find_claims and from_lexicons above are the reference. The accelerator gives the same results
# (tests/test_native_brands.py): it runs the detectors' usual inputs in C and hands anything else to the reference.
REFERENCE: dict[str, Callable[..., object]] = {
    "find_claims": find_claims,
    "_find_claims": _find_claims,
    "from_lexicons": from_lexicons,
}
_native = load("brands")


def _bind(references: dict[str, Callable[..., object]]) -> bool:
    """Hand the C its objects and the functions it calls for what it does not handle (tests pass others).

    True when the C's pre-checks of _SELF_NAMING and _INTRODUCTION are on (they are written for these patterns).
    """
    assert _native is not None
    pre_checks: bool = _native.bind(
        claim=Claim,
        normalized_text=NormalizedText,
        features=Features,
        link=Link,
        text_feature=TextFeature,
        term_hit=TermHit,
        entry=Entry,
        read=_NAME_TERMS.read,
        last=_LAST,
        self_naming=_SELF_NAMING.match,
        introduction=_INTRODUCTION.search,
        window=_INTRODUCTION_WINDOW,
        opening=_OPENING,
        brand=BRAND,
        claim_kind=CLAIM,
        message=_message,  # lexicon_env(ntext) is _message(ntext).env: the C reads it so, without a Python call
        display_table_args=_DISPLAY_TABLE,
        derived=_DERIVED,
        references=references,
    )
    return pre_checks


if _native is not None:
    _bind(REFERENCE)
    globals().update({name: getattr(_native, name) for name in ("find_claims", "from_lexicons")})
