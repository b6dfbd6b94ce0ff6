"""Link checker: judges every link extracted from a message, offline.

Domains are split with the Public Suffix List snapshot bundled with ``tldextract`` (never fetched, never
cached to disk). Lists live in lexicon files users extend: ``shorteners``, ``risky_tlds``,
``official_domains``, ``brand_keywords`` (plus ``brands`` and ``hotlines`` shared with the sender checker).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from smsguard.extract import Features, Link
from smsguard.hookspecs import hookimpl
from smsguard.lexicon import LexiconEntry
from smsguard.model import Message, Signal, SignalSpec, SignalValue, Span
from smsguard.native import load
from smsguard.normalize import NormalizedText

from . import _brands
from ._brands import Claim, display_name, display_names, find_claims, from_lexicons, official_brand
from ._native_binding import Detect
from ._terms import _message, lexicon_env

_IP_HOST = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
_NUMERIC_LABEL = re.compile(r"^[0-9-]{5,}$")
_SHORT_KEYWORD = 3  # keywords this short count only at a label's start and only with the brand named
_SPELLING_PREFIX = 3  # a misspelt name shares this many first letters with the official one
_LETTER_RUNS = re.compile("[a-z]+")
_MEMO_LIMIT = 4096  # lookalike judgements kept per lexicon setting
_PLUGIN = "link"  # the name the host stamps on our signals: set here, it saves a copy (see _evidence._PluginNames)


@hookimpl
def smsguard_signals() -> Sequence[SignalSpec]:
    # Called once when the engine starts: pay for the suffix list (~0.3 s) and the lists here, not on the first
    # message with a link, where it would overrun the plugin's per-call time budget.
    warm_up()
    return _SPECS


def warm_up() -> None:
    """Load the Public Suffix List snapshot and the link lexicons now rather than on the first link."""
    _split("example.com.cn")
    from_lexicons(*_LIST_TABLE)
    display_names()


_SPECS: tuple[SignalSpec, ...] = (
    SignalSpec("link.present", "number", "number of links in the message (URLs and bare domains)"),
    SignalSpec("link.shortener", "bool", "a link goes through a URL shortener that hides its target"),
    SignalSpec("link.ip_host", "bool", "a link's host is a bare IP address"),
    SignalSpec("link.punycode", "bool", "a link's host is an internationalized (xn--) or non-Latin name"),
    SignalSpec("link.risky_tld", "string", "a link ends in a top-level domain phishing favours (the TLD)"),
    SignalSpec("link.numeric_domain", "bool", "a link's registrable name is all digits (9510103.com)"),
    SignalSpec("link.at_sign", "bool", "a link hides its real host after an @ (icbc.com.cn@evil.top)"),
    SignalSpec(
        "link.lookalike",
        "string",
        "a link imitates a brand's official domain by spelling or brand-plus-junk (the brand imitated)",
    ),
    SignalSpec("link.official", "string", "a link is on an official domain (the brand that owns it)"),
    SignalSpec("link.all_official", "bool", "every link in the message is on an official domain"),
    SignalSpec(
        "link.brand_mismatch",
        "string",
        "the message names a brand but links to a domain that is not official (the brand named)",
    ),
)


@dataclass
class _Found:
    """The links that support one signal value, merged into one signal."""

    confidence: float
    # Insertion-ordered sets: a message may hold thousands of links, so membership must not be a list search.
    spans: dict[Span, None] = field(default_factory=dict)
    details: dict[str, None] = field(default_factory=dict)


class _Collector:
    def __init__(self) -> None:
        self.found: dict[tuple[str, SignalValue], _Found] = {}

    def add(self, name: str, value: SignalValue, confidence: float, spans: Iterable[Span], detail: str) -> None:
        found = self.found.setdefault((name, value), _Found(confidence))
        found.confidence = max(found.confidence, confidence)
        found.spans.update(dict.fromkeys(spans))
        found.details[detail] = None

    def signals(self) -> list[Signal]:
        return [
            Signal(name, value, f.confidence, tuple(sorted(f.spans)), ", ".join(f.details), _PLUGIN)
            for (name, value), f in self.found.items()
        ]


def detect_reference(message: Message, text: NormalizedText, features: Features) -> list[Signal]:
    """The pure-Python detector: the reference of the C one (tests/test_native_link.py)."""
    if not features.links:
        return []
    env = lexicon_env(text)
    lists = from_lexicons(*_LIST_TABLE, env)
    claims = find_claims(text, features)
    named = {c.brand for c in claims}
    out = _Collector()
    official_count = 0
    for link in features.links:
        host, span = link.host, link.span
        owner = official_brand(host, env)
        if owner is not None:
            official_count += 1
            out.add("link.official", display_name(owner, env), 1.0, [span], host)
        shortener = _under(host, lists.shorteners)
        if shortener:
            out.add("link.shortener", True, 0.8, [span], host)
        if "@" in link.text.split("?", 1)[0]:
            out.add("link.at_sign", True, 0.9, [span], link.text)
        if _IP_HOST.match(host):
            out.add("link.ip_host", True, 0.9, [span], host)
        else:
            _judge_name(out, link, owner, lists, named, env)
        if claims and owner is None:
            _mismatch(out, link, claims[0], text, 0.6 if shortener else 1.0)
    spans = tuple(link.span for link in features.links)
    signals = [Signal("link.present", len(features.links), spans=spans, plugin=_PLUGIN)]
    signals.extend(out.signals())
    if official_count == len(features.links):
        signals.append(Signal("link.all_official", True, 1.0, spans, plugin=_PLUGIN))
    return signals


def _judge_name(out: _Collector, link: Link, owner: str | None, lists: _Lists, named: set[str], env: str) -> None:
    """Signals from the host name itself: punycode, risky TLD, numeric name, lookalike."""
    host, span = link.host, link.span
    if any(label.startswith("xn--") for label in host.split(".")) or not host.isascii():
        out.add("link.punycode", True, 0.8, [span], _readable(host))
    parts = _split(host)
    tld = parts.suffix.rsplit(".", 1)[-1]
    if tld in lists.risky_tlds:
        out.add("link.risky_tld", tld, 0.6, [span], host)
    if owner is not None:
        return
    if _NUMERIC_LABEL.match(parts.domain):
        out.add("link.numeric_domain", True, 0.6, [span], host)
    key = (host, frozenset(named))
    if key in lists.memo:
        imitated = lists.memo[key]
    else:
        imitated = _lookalike(parts, lists, named)
        if len(lists.memo) < _MEMO_LIMIT:
            lists.memo[key] = imitated
    if imitated is not None:
        brand, confidence, why = imitated
        out.add("link.lookalike", display_name(brand, env), confidence, [span], f"{host} ({why})")


def _mismatch(out: _Collector, link: Link, claim: Claim, text: NormalizedText, scale: float) -> None:
    confidence = (0.9 if claim.in_signature else 0.7) * scale
    spans = [link.span, text.to_original(claim.start, claim.end)]
    out.add("link.brand_mismatch", claim.name, confidence, spans, f"{claim.name} -> {link.host}")


@dataclass(frozen=True, slots=True)
class _Lists:
    shorteners: frozenset[str]
    risky_tlds: frozenset[str]
    keywords: tuple[tuple[str, str, bool], ...]  # (keyword, brand, needs the brand named in the message)
    spellings: tuple[tuple[str, str, bool], ...]  # official labels compared by edit distance
    memo: dict[tuple[str, frozenset[str]], tuple[str, float, str] | None] = field(
        default_factory=dict, compare=False, hash=False
    )


_LIST_NAMES = ("shorteners", "risky_tlds", "official_domains", "brand_keywords", "hotlines")


def _lists(
    shorteners: tuple[LexiconEntry, ...],
    risky_tlds: tuple[LexiconEntry, ...],
    official: tuple[LexiconEntry, ...],
    keywords: tuple[LexiconEntry, ...],
    hotlines: tuple[LexiconEntry, ...],
) -> _Lists:
    mention_only = {e.term.lower() for e in keywords if "mention" in e.attributes[1:]}
    table: dict[str, str] = {}
    for e in official:
        label = _split(e.term.lower()).domain
        if e.attributes and len(label) >= 2:
            table.setdefault(label, e.attributes[0])
    official_labels = dict(table)
    for e in keywords:
        if e.attributes:
            table.setdefault(e.term.lower(), e.attributes[0])
    for e in hotlines:
        if e.attributes:
            table.setdefault(e.term, e.attributes[0])
    keyword_rows = tuple(
        sorted(
            ((k, b, len(k) <= _SHORT_KEYWORD or k in mention_only) for k, b in table.items()),
            key=lambda row: -len(row[0]),
        )
    )
    spellings = tuple(
        (label, brand, label in mention_only)
        for label, brand in official_labels.items()
        if len(label) >= 5 and label.isalpha()
    )
    return _Lists(
        frozenset(e.term.lower() for e in shorteners),
        frozenset(e.term.lower().lstrip(".") for e in risky_tlds),
        keyword_rows,
        spellings,
    )


_LIST_TABLE = ("link-lists", _LIST_NAMES, _lists)  # from_lexicons' key, lexicons and builder for _Lists


@dataclass(frozen=True, slots=True)
class _Parts:
    subdomain: str
    domain: str
    suffix: str

    def labels(self) -> list[str]:
        return [label for label in [*self.subdomain.split("."), self.domain] if label]


@lru_cache(maxsize=1)
def _extractor() -> Any:
    import tldextract

    # No suffix-list URLs and no cache directory: the bundled snapshot only, nothing fetched or written.
    return tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)


@lru_cache(maxsize=1024)
def _split(host: str) -> _Parts:
    result = _extractor()(host)
    return _Parts(str(result.subdomain), str(result.domain), str(result.suffix))


def _under(host: str, domains: frozenset[str]) -> bool:
    parts = host.split(".")
    return any(".".join(parts[i:]) in domains for i in range(len(parts)))


def _lookalike(parts: _Parts, lists: _Lists, named: set[str]) -> tuple[str, float, str] | None:
    """The brand a non-official host imitates, how sure, and why; ``None`` when it imitates none.

    A label may contain a brand keyword (icbc-vip, 95516aa; the whole label: cmbchina.top) or be spelled within
    one or two edits of an official name (cmbchlna). The candidate that matches the most characters of a brand
    wins: cmbchlna imitates cmbchina (招商银行) more than it contains cmbc (民生银行).
    """
    best: tuple[int, float, str, str] | None = None  # (characters matched, confidence, brand, why)
    for label in parts.labels():
        compact = label.replace("-", "")
        for keyword, brand, needs_name in lists.keywords:
            if needs_name:
                if brand in named and compact.startswith(keyword):
                    best = max(best or (0, 0.0, "", ""), (len(keyword), 0.7, brand, f"starts with {keyword}"))
            elif keyword in compact and _keyword_stands_out(label, compact, keyword):
                confidence = 0.9 if compact == keyword else 0.8
                best = max(best or (0, 0.0, "", ""), (len(keyword), confidence, brand, f"contains {keyword}"))
        pieces = {compact, *label.split("-")}  # unioay-anquan: the first piece is the misspelling
        for official, brand, needs_name in lists.spellings:
            if needs_name and brand not in named:
                continue
            for piece in pieces:
                # A misspelling keeps the start of the name readable (cmbchlna, unioay); airchina is another word.
                if piece[:_SPELLING_PREFIX] != official[:_SPELLING_PREFIX] or piece == official:
                    continue
                if abs(len(piece) - len(official)) > 2:
                    continue
                limit = 1 if len(official) < 7 else 2
                distance = _edit_distance(piece, official, limit)
                if distance <= limit:
                    candidate = (len(official) - distance, 0.8, brand, f"spelled like {official}")
                    best = max(best or (0, 0.0, "", ""), candidate)
    return None if best is None else (best[2], best[1], best[3])


def _keyword_stands_out(label: str, compact: str, keyword: str) -> bool:
    """Whether a keyword found in a label is the brand's and not part of another word.

    A hotline number counts only at the start of the label (95516aa, 10086rpa): brands themselves put a letter in
    front of theirs (e95555.cn). A keyword of letters counts at the start or end of the label or of a piece between
    hyphens and digits (icbc-vip, vip-icbc, 2icbc), not with letters on both sides (the abc of xyzabcd).
    """
    if keyword.isdigit():
        return compact.startswith(keyword)
    if not keyword.isalpha():
        return True
    return compact.startswith(keyword) or any(
        token.startswith(keyword) or token.endswith(keyword) for token in _LETTER_RUNS.findall(label)
    )


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (returning ``limit + 1``) once it must exceed ``limit``."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _readable(host: str) -> str:
    """``xn--`` labels decoded for the detail line (the host as is when a label does not decode)."""
    try:
        return ".".join(
            label.encode("ascii").decode("idna") if label.startswith("xn--") else label for label in host.split(".")
        )
    except UnicodeError:
        return host


_native = load("link")


def _bind(reference: Detect) -> Detect:
    """Hand the C body the records, tables and helpers it reads, and the Python it hands odd input to (tests pass
    another); returns the C detect."""
    assert _native is not None
    detect_c: Detect = _native.bind(
        reference=reference,
        signal=Signal,
        features=Features,
        link=Link,
        claim=Claim,
        parts=_Parts,
        lists=_Lists,
        message=_message,  # lexicon_env(text) is _message(text).env: the C reads it so, without a Python call
        from_lexicons=from_lexicons,
        list_args=_LIST_TABLE,
        # official_brand's table: the C looks the host's suffixes up in it itself
        official_args=("official", ("official_domains",), _brands._official_domains),
        display_args=_brands._DISPLAY_TABLE,
        find_claims=find_claims,
        split=_split,
        readable=_readable,
        ip_host=_IP_HOST.match,
        numeric_label=_NUMERIC_LABEL.match,
        plugin=_PLUGIN,
        memo_limit=_MEMO_LIMIT,
        spelling_prefix=_SPELLING_PREFIX,
    )
    return detect_c


# The C body when built (plugins/_native/link.c), else the reference.
detect: Detect = detect_reference if _native is None else _bind(detect_reference)


@hookimpl
def smsguard_detect(message: Message, text: NormalizedText, features: Features) -> Iterable[Signal]:
    return detect(message, text, features)
