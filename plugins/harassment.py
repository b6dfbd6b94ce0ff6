"""Harassment detector: the marks of illegal collection. Insults, threats, exposure (曝光, P图), call bombing,
reaching the debtor's family, employer or contacts, messages sent to a contact to pass a debt on, and collection
messages that arrive at night.

Insults count in a message directed at its reader when they stand next to 你/您 (or cannot be anything but an
insult); everything else only in a message about a debt (a school notice that mentions 孩子, an advert whose
prices are 曝光 or a verification code at 23:00 is no harassment).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone

from smsguard.extract import Features
from smsguard.hookspecs import hookimpl
from smsguard.model import Message, Signal, SignalSpec
from smsguard.native import load
from smsguard.normalize import NormalizedText

from ._cues import HitIndex, context_of, cue_after, cue_before, negated, reader_directed
from ._evidence import by_kind, make_signal, resolve_overlaps, span_signal
from ._native_binding import bind_keywords
from ._terms import Entry, TermHit, TermSet

_TERMS = TermSet("harassment_terms")
_CONTACT_WINDOW = 10
_INSULT_WINDOW = 6
# FACTS.md §4: the 2025 guideline and national standard forbid collection between 22:00 and 08:00.
NIGHT_START_HOUR = 22
NIGHT_END_HOUR = 8
CHINA_TIME = timezone(timedelta(hours=8))
_PEOPLE = ("family", "employer", "contacts")
# Threats, exposure and bombing count only in a message about a debt (an advert's 价格曝光 is none).
_DEBT_ONLY = ("threat", "exposure", "bombing", "third_party")
_CONTACT_ONLY = frozenset({"contact"})

_SPECS: tuple[SignalSpec, ...] = (
    SignalSpec("harassment.insult", "bool", "the reader is insulted (老赖, 骗子, 不要脸, 人渣 ...)"),
    SignalSpec("harassment.threat", "bool", "a threat (后果自负, 小心点, 你等着, 让你好看 ...)"),
    SignalSpec("harassment.exposure", "bool", "exposure is threatened (曝光, 发朋友圈, P图, 大字报)"),
    SignalSpec("harassment.bombing", "bool", "call or message bombing (电话轰炸, 呼死你, 打爆你电话)"),
    SignalSpec("harassment.family", "bool", "the collector contacts or will contact the debtor's family"),
    SignalSpec("harassment.employer", "bool", "the collector contacts or will contact the employer or colleagues"),
    SignalSpec("harassment.contacts", "bool", "the collector reaches the contact list or friends (爆通讯录)"),
    SignalSpec("harassment.third_party", "bool", "the reader is asked to pass someone else's debt on (请转告, 督促其)"),
    SignalSpec(
        "harassment.night",
        "bool",
        "a debt message received between 22:00 and 08:00 China time (only when the receive time is known)",
    ),
)


@hookimpl
def smsguard_signals() -> Sequence[SignalSpec]:
    return _SPECS


def detect_reference(message: Message, text: NormalizedText, features: Features) -> list[Signal]:
    """The pure-Python detector: the reference of the C one (tests/test_native_harassment.py)."""
    t, found = _TERMS.read(text)
    night = message.received_at is not None and is_night(message.received_at)
    if not night and (not found or _CONTACT_ONLY.issuperset([h.entry.kind for h in found])):
        return []  # nothing, or only contact verbs, which count only next to the people contacted
    context = context_of(text)
    debt = bool(context.get("debt"))
    signals: list[Signal] = []
    if found and reader_directed(context):
        g = by_kind(resolve_overlaps(found))
        if "insult" in g:
            addressed = HitIndex(context.get("address", ()))
            insults = [h for h in g["insult"] if not negated(t, h.start, h.end) and _aimed(t, h, addressed)]
            if insults:
                signals.append(make_signal("harassment.insult", text, insults))
        if debt:
            for kind in _DEBT_ONLY:
                if hits := g.get(kind):
                    signals.append(make_signal(f"harassment.{kind}", text, hits))
            people = [kind for kind in _PEOPLE if kind in g]
            if people:
                verbs = HitIndex(h for h in g.get("contact", ()) if not negated(t, h.start, h.end))
                for kind in people:
                    reached = [
                        h for h in g[kind] if "strong" in h.entry.attrs or cue_before(t, verbs, h, _CONTACT_WINDOW)
                    ]
                    if reached:
                        signals.append(make_signal(f"harassment.{kind}", text, reached))
    if debt and night and message.received_at is not None:
        when = message.received_at.isoformat(timespec="minutes")
        signals.append(span_signal("harassment.night", text, (0, len(t)), True, when))
    return signals


def _aimed(t: str, insult: TermHit, addressed: HitIndex) -> bool:
    """An insult counts when it cannot be anything else ("strong") or stands next to 你/您 (你这个老赖, 骗子你)."""
    if "strong" in insult.entry.attrs:
        return True
    return cue_before(t, addressed, insult, _INSULT_WINDOW, clause=True) or cue_after(
        t, addressed, insult, _INSULT_WINDOW, clause=True
    )


def is_night(received_at: datetime) -> bool:
    """Whether a receive time lies in 22:00–08:00; aware times are read in China time, naive ones as local."""
    local = received_at.astimezone(CHINA_TIME) if received_at.tzinfo is not None else received_at
    return local.hour >= NIGHT_START_HOUR or local.hour < NIGHT_END_HOUR


# What the C body is handed, once: the reference (for the inputs it leaves to Python) and the tables and
# helpers it calls.
_BINDING: dict[str, object] = {
    "reference": detect_reference,
    "read": _TERMS.read,
    "term_hit": TermHit,
    "entry": Entry,
    "contact_only": _CONTACT_ONLY,
    "debt_only": _DEBT_ONLY,
    "people": _PEOPLE,
    "contact_window": _CONTACT_WINDOW,
    "is_night": is_night,
    "aimed": _aimed,
    "hit_index": HitIndex,
    "cue_before": cue_before,
    "negated": negated,
    "context_of": context_of,
    "reader_directed": reader_directed,
    "resolve_overlaps": resolve_overlaps,
    "by_kind": by_kind,
    "make_signal": make_signal,
    "span_signal": span_signal,
}
_native = load("harassment")
detect = bind_keywords(_native, _BINDING)


@hookimpl
def smsguard_detect(message: Message, text: NormalizedText, features: Features) -> Iterable[Signal]:
    return detect(message, text, features)
