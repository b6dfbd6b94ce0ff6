"""Legal-term checker: threats of lawsuit, filing, summons, enforcement, arrest or a visit, which of them no
court ever sends by SMS, and the marks of a genuine court notice (case number, 12368 or court.gov.cn, a court's
signature).

Threat terms count only in a message directed at its reader (see :func:`smsguard_plugins._cues.reader_directed`)
and outside its 【signature】, so a news push about someone else's trial or a 【XX公安局】 reminder does not
fire them. The court-notice marks are facts of the text and fire regardless.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from smsguard.extract import Features, Link, TextFeature
from smsguard.hookspecs import hookimpl
from smsguard.model import Message, Signal, SignalSpec
from smsguard.native import load
from smsguard.normalize import NormalizedText

from ._cues import POSING_WORD, context_of, impersonated, reader_directed
from ._evidence import by_kind, inside, make_signal, occurrences, phrases, resolve_overlaps, span_signal
from ._native_binding import bind_keywords
from ._terms import Entry, TermHit, TermSet

_TERMS = TermSet("legal_terms")

THREATS: dict[str, str] = {
    "lawsuit": "a lawsuit or legal action is threatened (起诉, 提起诉讼, 法律途径)",
    "filing": "a case is said to be filed (立案)",
    "summons": "a summons or court appearance is mentioned (传票, 传唤, 开庭, 应诉)",
    "lawyer_letter": "a lawyer's letter is mentioned (律师函, 催告函)",
    "enforcement": "enforcement or freezing of property (强制执行, 冻结财产, 查封, 划扣, 冻结你的…余额)",
    "blacklist": "defaulter list or consumption limits (失信, 限高, 影响子女): scare-only by SMS",
    "criminal": "arrest, detention, police or criminal liability (拘留, 逮捕, 刑事责任, 坐牢, 公安)",
    "visit": "a home or workplace visit (上门, 外访, 到你单位)",
    "mediation": "mediation, usually pre-litigation (诉前调解, 调解)",
    "credit_record": "the credit record (征信, 信用记录): a lawful consequence when stated plainly",
}
_THREAT_SIGNALS = {kind: f"legal.{kind}" for kind in THREATS}
_COURT_HOST = re.compile(r"(?:^|\.)court\.gov\.cn\Z")
# A court named alone after the last sentence, the way unbracketed notices sign off ("……。XX区人民法院").
_COURT_TAIL = re.compile(r"(?:\A|[。!?\s—-])([\u4e00-\u9fff]{2,16}人民法院)[\s.。!]*\Z")
_COURT_TAIL_WINDOW = 32
_COURT_SIGNATURE = re.compile(r"[\u4e00-\u9fff]{2,16}法院\Z")
# 冻结 with the reader's money after it, a few words apart (冻结你的微信和支付宝余额): what no lexicon entry spells.
_FREEZE = re.compile(r"冻结(?:你|您)[^,，。!?;\n]{0,12}?(?:余额|账户|资金|存款|银行卡|财产|资产|工资)")
_FREEZE_ENTRY = Entry("冻结…余额", "legal_terms", "enforcement", (), "freezing of the reader's money (pattern)")

_SPECS: tuple[SignalSpec, ...] = (
    *(SignalSpec(f"legal.{kind}", "bool", text) for kind, text in THREATS.items()),
    SignalSpec("legal.scare_only", "string", "the scare-only terms found (失信, 限高, 逮捕令 ...), joined by 、"),
    SignalSpec("legal.term_count", "number", "number of legal-threat terms, credit-record terms not counted"),
    SignalSpec("legal.case_number", "string", "a court case number such as （2024）京0105民初12345号 (the first one)"),
    SignalSpec(
        "legal.court_channel", "string", "an official court channel is named: 12368, court.gov.cn, 法院专递 ..."
    ),
    SignalSpec(
        "legal.court_signature", "string", "the message is signed by a court (【XX人民法院】 or a closing court name)"
    ),
)


@hookimpl
def smsguard_signals() -> Sequence[SignalSpec]:
    return _SPECS


def detect_reference(message: Message, text: NormalizedText, features: Features) -> list[Signal]:
    """The pure-Python detector: the reference of the C one (tests/test_native_legal.py)."""
    t, hits = _TERMS.read(text)
    if "冻结" in t:
        hits = sorted([*hits, *(TermHit(_FREEZE_ENTRY, *m.span()) for m in _FREEZE.finditer(t))], key=_order)
    if not hits:
        return _court_marks(text, features, ())
    found = resolve_overlaps(hits)
    signals: list[Signal] = []
    signature_spans = [s.nspan for s in features.signatures]
    posing = POSING_WORD.search(t) is not None
    threats = [
        h
        for h in found
        if h.entry.kind in THREATS
        and not (signature_spans and inside(h, signature_spans) is not None)
        and not (posing and impersonated(t, h.start))
    ]
    if threats and reader_directed(context_of(text)):
        for kind, hits in by_kind(threats).items():
            signals.append(make_signal(_THREAT_SIGNALS[kind], text, hits))
        scare = [h for h in threats if "scare" in h.entry.attrs]
        if scare:
            signals.append(make_signal("legal.scare_only", text, scare, value="、".join(phrases(t, scare))))
        counted = [h for h in threats if h.entry.kind != "credit_record"]
        if counted:
            signals.append(make_signal("legal.term_count", text, counted, value=occurrences(counted)))
    signals.extend(_court_marks(text, features, [h for h in found if h.entry.kind == "court_channel"]))
    return signals


def _order(h: TermHit) -> tuple[int, int]:
    return (h.start, -h.end)


def _court_marks(text: NormalizedText, features: Features, channel_hits: Sequence[TermHit]) -> list[Signal]:
    signals: list[Signal] = []
    if features.case_numbers:
        first = features.case_numbers[0]
        signals.append(
            make_signal(
                "legal.case_number",
                text,
                nspans=[c.nspan for c in features.case_numbers],
                value=first.value,
                detail="、".join(c.value for c in features.case_numbers),
            )
        )
    court_links = [link for link in features.links if _COURT_HOST.search(link.host)] if features.links else []
    if channel_hits or court_links:
        names = [*(h.term for h in channel_hits), *(link.host for link in court_links)]
        value = "、".join(dict.fromkeys(names))
        signals.append(
            make_signal(
                "legal.court_channel",
                text,
                channel_hits,
                nspans=[link.nspan for link in court_links],
                value=value,
                detail=value,
            )
        )
    signed = (
        [s for s in features.signatures if "法院" in s.value and _COURT_SIGNATURE.search(s.value)]
        if features.signatures
        else None
    )
    t = text.text
    if signed:
        signals.append(span_signal("legal.court_signature", text, signed[0].nspan, signed[0].value, signed[0].value))
    elif "法院" in t:  # the pattern holds 法院: a cheap pre-check
        tail = _COURT_TAIL.search(t, max(0, len(t) - _COURT_TAIL_WINDOW))
        if tail:
            signals.append(span_signal("legal.court_signature", text, tail.span(1), tail.group(1), tail.group(1)))
    return signals


# What the C body is handed, once: the reference (for the inputs it leaves to Python) and the tables,
# patterns and shared helpers it calls.
_BINDING: dict[str, object] = {
    "reference": detect_reference,
    "read": _TERMS.read,
    "normalized_text": NormalizedText,
    "features": Features,
    "text_feature": TextFeature,
    "link": Link,
    "term_hit": TermHit,
    "entry": Entry,
    "threats": THREATS,
    "threat_signals": _THREAT_SIGNALS,
    "freeze": _FREEZE,
    "freeze_entry": _FREEZE_ENTRY,
    "order": _order,
    "posing": POSING_WORD,
    "court_host": _COURT_HOST,
    "court_tail": _COURT_TAIL,
    "court_tail_window": _COURT_TAIL_WINDOW,
    "court_signature": _COURT_SIGNATURE,
    "resolve_overlaps": resolve_overlaps,
    "inside": inside,
    "impersonated": impersonated,
    "context_of": context_of,
    "reader_directed": reader_directed,
    "by_kind": by_kind,
    "make_signal": make_signal,
    "span_signal": span_signal,
    "phrases": phrases,
    "occurrences": occurrences,
}
_native = load("legal")
detect = bind_keywords(_native, _BINDING)


@hookimpl
def smsguard_detect(message: Message, text: NormalizedText, features: Features) -> Iterable[Signal]:
    return detect(message, text, features)
