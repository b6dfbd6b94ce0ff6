"""Collector-name checker: who is collecting. Known collection companies and lenders (lexicons, also found with
characters wedged inside the name: 永x雄资产), the shapes of collectors' names (XX信用管理有限公司, XX律师事务所,
法务部, 调解中心, 催收部) and 【signatures】 that name such a body.

Known companies and lenders fire wherever they appear. The name shapes fire only in a message directed at its
reader (about a debt, or addressing the reader outside a news or advert framing), so a law firm's seminar
advert or a bank's wealth-management advert does not look like a collector.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from smsguard.extract import Features
from smsguard.hookspecs import hookimpl
from smsguard.model import Message, Signal, SignalSpec
from smsguard.native import load
from smsguard.normalize import NormalizedText

from ._cues import context_of, reader_directed
from ._evidence import by_kind, inside, make_signal, resolve_overlaps, span_signal
from ._native_binding import bind_tables
from ._terms import LEXICON_DIR, Entry, TermHit, TermSet

_TERMS = TermSet(
    "collectors",
    "lenders",
    default_kinds={"collectors": "known_company", "lenders": "lender"},
    fuzzy=("collectors", "lenders"),
)
_NAMED_KINDS = frozenset({"known_company", "lender"})
_SHAPE_KINDS = ("company_shape", "law_firm", "legal_department", "mediation_body", "collection_department")
_SIGNATURE_KINDS = frozenset({*_SHAPE_KINDS, "signature_shape"})
# The kinds whose hit inside a 【signature】 makes it a collector's, in the order they are looked at.
_SIGNATURE_OWNERS = ("known_company", *_SHAPE_KINDS, "signature_shape")
# The shapes whose signal names the body around the suffix, and those that fire on the word alone.
_NAMED_SHAPES = ("company_shape", "law_firm", "mediation_body")
_DEPARTMENTS = ("legal_department", "collection_department")
_CONFIDENCE = {"H": 1.0, "M": 0.8, "L": 0.5}
_DEFAULT_GRADE = "M"  # a company listed without a grade
_UNKNOWN_CONFIDENCE = 0.8  # a grade not in _CONFIDENCE
# Characters that end a company name when walking left from its suffix (verbs and particles before a name).
# Pronouns and demonstratives (我们律所, 该律所, 贵所) stop it too: they are no part of a name.
_NAME_STOP = frozenset("的在已将与及向被给为由是我您你请从对于了托至到把让系找们他她该贵此其")
_NAME_MAX = 10
_NAME_MIN = 2
# Verbs that walking left picks up in front of a name (移交鼎信资产管理公司); the name starts after the last.
_NAME_VERBS = ("委托", "移交", "转交", "交由", "联系", "通知", "授权", "来自", "代表", "提交")
_COMPANY_TAIL = re.compile(r"(?:集团)?(?:股份)?(?:有限)?(?:责任)?公司")

_SPECS: tuple[SignalSpec, ...] = (
    SignalSpec("collector.known_company", "string", "a known debt-collection company is named (its full name)"),
    SignalSpec("collector.lender", "string", "a licensed lender or lending platform is named (微粒贷, 招联金融 ...)"),
    SignalSpec(
        "collector.obfuscated", "bool", "a known company or lender is written with characters wedged inside (永x雄资产)"
    ),
    SignalSpec("collector.company_shape", "string", "a collector-shaped company name (XX信用管理有限公司, XX资产管理)"),
    SignalSpec("collector.law_firm", "string", "a law firm is named (XX律师事务所, 律所)"),
    SignalSpec("collector.legal_department", "bool", "a legal department speaks or is invoked (法务部, 移交法务)"),
    SignalSpec("collector.mediation_body", "string", "a mediation body is named (XX调解中心, 调解委员会)"),
    SignalSpec("collector.collection_department", "bool", "a collection department is named (催收部, 贷后部门)"),
    SignalSpec(
        "collector.signature", "string", "the 【signature】 names a collector, law firm, legal department or mediator"
    ),
)


@hookimpl
def smsguard_signals() -> Sequence[SignalSpec]:
    return _SPECS


@hookimpl
def smsguard_lexicons() -> dict[str, Path | Traversable]:
    return {"collectors": LEXICON_DIR / "collectors.txt", "lenders": LEXICON_DIR / "lenders.txt"}


def detect_reference(message: Message, text: NormalizedText, features: Features) -> list[Signal]:
    """The pure-Python detector: the reference of the C one (tests/test_native_collector.py)."""
    _, found = _TERMS.read(text)
    if not found:
        return []
    chosen = by_kind(
        resolve_overlaps(
            [h for h in found if (k := h.entry.kind) in _NAMED_KINDS or (k in _SIGNATURE_KINDS and not h.fuzzy)]
        )
    )
    signals: list[Signal] = []
    if companies := chosen.get("known_company"):
        names = dict.fromkeys(h.entry.attrs[0] if h.entry.attrs else h.term for h in companies)
        confidence = max(
            _CONFIDENCE.get(h.entry.attrs[1] if len(h.entry.attrs) > 1 else _DEFAULT_GRADE, _UNKNOWN_CONFIDENCE)
            for h in companies
        )
        signals.append(
            make_signal("collector.known_company", text, companies, value="、".join(names), confidence=confidence)
        )
    if lenders := chosen.get("lender"):
        brands = "、".join(dict.fromkeys(h.term for h in lenders))
        detail = "、".join(dict.fromkeys(f"{h.term}({h.entry.attrs[0]})" if h.entry.attrs else h.term for h in lenders))
        signals.append(make_signal("collector.lender", text, lenders, value=brands, detail=detail))
    if companies or lenders:
        fuzzy = [h for h in (*(companies or ()), *(lenders or ())) if h.fuzzy]
        if fuzzy:
            signals.append(make_signal("collector.obfuscated", text, fuzzy))
    shaped = not _SIGNATURE_KINDS.isdisjoint(chosen)
    directed = shaped and reader_directed(context_of(text))
    if directed:
        signals.extend(_shape_signals(text, chosen))
    signals.extend(_signature_signals(text, features, chosen, directed))
    return signals


def _shape_signals(text: NormalizedText, chosen: dict[str, list[TermHit]]) -> list[Signal]:
    signals: list[Signal] = []
    for kind in _NAMED_SHAPES:
        if kind not in chosen:
            continue
        named = [(h, _name_span(text.text, h)) for h in chosen[kind]]
        if kind == "company_shape":  # 您的资产管理 is no company: a shape needs a name in front
            named = [(h, span) for h, span in named if h.start - span[0] >= _NAME_MIN]
        if named:
            names = "、".join(dict.fromkeys(text.text[a:b] for _, (a, b) in named))
            spans = [span for _, span in named]
            signals.append(make_signal(f"collector.{kind}", text, [h for h, _ in named], nspans=spans, value=names))
    for kind in _DEPARTMENTS:
        hits = chosen.get(kind)
        if hits:
            signals.append(make_signal(f"collector.{kind}", text, hits))
    return signals


def _signature_signals(
    text: NormalizedText, features: Features, chosen: dict[str, list[TermHit]], directed: bool
) -> list[Signal]:
    if not features.signatures:
        return []
    kinds = _SIGNATURE_OWNERS if directed else ("known_company",)
    candidates = [h for kind in kinds for h in chosen.get(kind, ())]
    spans = [s.nspan for s in features.signatures]
    owners = [i for h in candidates if (i := inside(h, spans)) is not None]
    if not owners:
        return []
    signature = features.signatures[min(owners)]
    return [span_signal("collector.signature", text, signature.nspan, signature.value, "")]


def _name_span(t: str, hit: TermHit) -> tuple[int, int]:
    """The normalized span of the whole name around a suffix hit: Han characters to its left, 有限公司 to its right."""
    start = hit.start
    while (
        start > 0
        and hit.start - start < _NAME_MAX
        and "\u4e00" <= t[start - 1] <= "\u9fff"
        and t[start - 1] not in _NAME_STOP
    ):
        start -= 1
    prefix = t[start : hit.start]
    start += max((prefix.rfind(v) + len(v) for v in _NAME_VERBS if v in prefix), default=0)
    tail = _COMPANY_TAIL.match(t, hit.end)
    return (start, tail.end() if tail else hit.end)


# What the C detector is handed, once: the tables and the pattern above and the shared helpers it calls (the C ones
# when those are built).
NATIVE_TABLES: dict[str, Any] = {
    "read": _TERMS.read,
    "by_kind": by_kind,
    "resolve_overlaps": resolve_overlaps,
    "make_signal": make_signal,
    "span_signal": span_signal,
    "inside": inside,
    "context_of": context_of,
    "reader_directed": reader_directed,
    "names": {spec.name.partition(".")[2]: spec.name for spec in _SPECS},  # kind -> signal name
    "named_kinds": _NAMED_KINDS,
    "signature_kinds": _SIGNATURE_KINDS,
    "signature_owners": _SIGNATURE_OWNERS,
    "named_shapes": _NAMED_SHAPES,
    "departments": _DEPARTMENTS,
    "confidence": _CONFIDENCE,
    "default_grade": _DEFAULT_GRADE,
    "unknown_confidence": _UNKNOWN_CONFIDENCE,
    "name_stop": _NAME_STOP,
    "name_max": _NAME_MAX,
    "name_min": _NAME_MIN,
    "name_verbs": _NAME_VERBS,
    "company_tail": _COMPANY_TAIL,
    "types": (TermHit, Entry),
}
_native = load("collector")
# The C body when built (smsguard_plugins._ccollector); it hands odd input to detect_reference.
detect = bind_tables(_native, detect_reference, NATIVE_TABLES)


@hookimpl
def smsguard_detect(message: Message, text: NormalizedText, features: Features) -> Iterable[Signal]:
    return detect(message, text, features)
