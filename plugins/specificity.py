"""Specificity detector: the marks of a lawful repayment reminder. An exact amount, a due date, the days overdue,
the last digits of the card or account, a 【signature】 and an official channel to repay or verify through.

A lender that knows the debt says how much, since when and where to pay; a scare message rarely does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from smsguard.extract import Amount, Features, TextFeature
from smsguard.hookspecs import hookimpl
from smsguard.model import Message, Signal, SignalSpec
from smsguard.native import load
from smsguard.normalize import NormalizedText

from ._cues import CN_NUMBER, number_value
from ._evidence import make_signal, span_signal
from ._native_binding import bind_tables
from ._terms import Entry, TermHit, TermSet

_TERMS = TermSet("specificity_terms")
_DAYS_PER_MONTH = 30
_MONTH = "月"  # in a unit of months (个月, 月)
_LIST_SEP = "、"
# The days overdue, after the word (逾期45天) or before it (45天未还): two patterns, not one alternation, so the
# opening words of the first let a search skip ahead; the second, which can open anywhere, runs only on a text
# that holds 未还 or 未归还. Every match of _OVERDUE_AFTER and of _TAIL opens with one of their words: the C
# detector searches only a text that holds one.
_OVERDUE_WORDS = ("逾期", "拖欠", "超期")
_OVERDUE_AFTER = re.compile(
    "(?:" + "|".join(_OVERDUE_WORDS) + r")(?:已经|已|了|达|第)*\s*(\d{1,4}|" + CN_NUMBER + r")\s*(天|日|个月|月)"
)
_UNPAID, _UNRETURNED = "未还", "未归还"
_OVERDUE_BEFORE = re.compile(r"(\d{1,4}|" + CN_NUMBER + r")\s*(天|日|个月)(?:未还|未还款|未归还)")
_TAIL_WORDS = ("尾号", "末四位", "后四位", "末4位", "后4位", "尾数")
_TAIL = re.compile("(?:" + "|".join(_TAIL_WORDS) + r")(?:为|是|:)?\s*(\d{3,4})(?!\d)")
_CALENDAR_CHARS = "月/.-"  # a date with one is a calendar date; "-" last, a literal in the class
_CALENDAR = re.compile(f"[{_CALENDAR_CHARS}]")
_DUE_AFTER = re.compile(r"\s*(?:前|之前|以前|到期)")
_DUE_WINDOW = 12  # how far before a date _DUE_BEFORE looks
_DUE_BEFORE = re.compile(r"(?:还款日|到期日|最后还款日|截止|应还|账单日|请于|须于|需于|务必于)[^,，。!?;\n]{0,6}\Z")
_HOTLINE = re.compile(r"9[56]\d{3}\Z")

_SPECS: tuple[SignalSpec, ...] = (
    SignalSpec("specificity.amount", "number", "an exact amount of money is stated (the first, in yuan)"),
    SignalSpec("specificity.due_date", "string", "a calendar due date is given (请于5月20日前, 还款日2024-05-20)"),
    SignalSpec("specificity.days_overdue", "number", "the days overdue are stated (逾期45天; months count 30 days)"),
    SignalSpec("specificity.card_tail", "string", "the last digits of a card or account are given (尾号1234)"),
    SignalSpec("specificity.signature", "string", "the message carries a 【signature】 (its text)"),
    SignalSpec(
        "specificity.official_channel",
        "string",
        "an official channel to repay or verify through (官方APP, 客服热线, 手机银行, a 95xxx hotline)",
    ),
)


@hookimpl
def smsguard_signals() -> Sequence[SignalSpec]:
    return _SPECS


def detect_reference(message: Message, text: NormalizedText, features: Features) -> list[Signal]:
    """The pure-Python detector: the reference of the C one (tests/test_native_specificity.py)."""
    t, channels = _TERMS.read(text)
    signals: list[Signal] = []
    if features.amounts:
        first = features.amounts[0]
        detail = _LIST_SEP.join([a.text for a in features.amounts])
        signals.append(span_signal("specificity.amount", text, first.nspan, first.yuan, detail))
    due = (
        [
            d
            for d in features.dates
            if _CALENDAR.search(d.value)
            and (_DUE_AFTER.match(t, d.nspan[1]) or _DUE_BEFORE.search(t, max(0, d.nspan[0] - _DUE_WINDOW), d.nspan[0]))
        ]
        if features.dates
        else ()
    )
    if due:
        signals.append(span_signal("specificity.due_date", text, due[0].nspan, due[0].value, ""))
    if overdue := _overdue(t):
        number, unit = overdue.group(1), overdue.group(2)
        days = number_value(number) * (_DAYS_PER_MONTH if _MONTH in unit else 1)
        signals.append(span_signal("specificity.days_overdue", text, overdue.span(), days, ""))
    if tail := _TAIL.search(t):
        signals.append(span_signal("specificity.card_tail", text, tail.span(), tail.group(1), ""))
    if features.signatures:
        first_sig = features.signatures[0]
        signals.append(span_signal("specificity.signature", text, first_sig.nspan, first_sig.value, ""))
    hotlines = [p for p in features.phones if _HOTLINE.match(p.value)] if features.phones else []
    if channels or hotlines:
        names = _LIST_SEP.join(dict.fromkeys([*(h.term for h in channels), *(p.value for p in hotlines)]))
        signals.append(
            make_signal(
                "specificity.official_channel",
                text,
                channels,
                nspans=[p.nspan for p in hotlines],
                value=names,
                detail=names,
            )
        )
    return signals


def _overdue(t: str) -> re.Match[str] | None:
    """The first statement of the days overdue, of either form (the one after the word at one place)."""
    after = _OVERDUE_AFTER.search(t)
    if _UNPAID in t or _UNRETURNED in t:
        before = _OVERDUE_BEFORE.search(t)
        if before is not None and (after is None or before.start() < after.start()):
            return before
    return after


# What the C detector is handed, once: the tables, patterns and helpers above, the records it reads and the shared
# helpers it calls (the C ones when those are built).
NATIVE_TABLES: dict[str, Any] = {
    "read": _TERMS.read,
    "span_signal": span_signal,
    "make_signal": make_signal,
    "number_value": number_value,
    "names": tuple(spec.name for spec in _SPECS),  # in the order of _SPECS
    "overdue_after": _OVERDUE_AFTER,
    "overdue_before": _OVERDUE_BEFORE,
    "tail": _TAIL,
    "calendar_chars": _CALENDAR_CHARS,
    "due_after": _DUE_AFTER,
    "due_before": _DUE_BEFORE,
    "hotline": _HOTLINE,
    "overdue_words": _OVERDUE_WORDS,
    "tail_words": _TAIL_WORDS,
    "unpaid_words": (_UNPAID, _UNRETURNED),
    "due_window": _DUE_WINDOW,
    "days_per_month": _DAYS_PER_MONTH,
    "month": _MONTH,
    "list_sep": _LIST_SEP,
    "match_type": re.Match,
    "types": (Features, Amount, TextFeature, TermHit, Entry),
}
_native = load("specificity")
# The C body when built (smsguard_plugins._cspecificity); it hands odd input to detect_reference.
detect = bind_tables(_native, detect_reference, NATIVE_TABLES)


@hookimpl
def smsguard_detect(message: Message, text: NormalizedText, features: Features) -> Iterable[Signal]:
    return detect(message, text, features)
