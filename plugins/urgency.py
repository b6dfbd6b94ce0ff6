"""Urgency detector: pressure to act now. Short deadlines (24小时内, 三日内, 今天下午五点前), last notices and
haste words (立即, 马上, 否则, 逾期将), summed into an urgency level.

A validity period is no deadline: "验证码5分钟内有效" does not count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from smsguard.extract import Features
from smsguard.hookspecs import hookimpl
from smsguard.model import Message, Signal, SignalSpec
from smsguard.native import load
from smsguard.normalize import NormalizedText

from ._cues import CN_NUMBER, number_value
from ._evidence import make_signal
from ._native_binding import bind_tables
from ._terms import Entry, TermHit, TermSet

_TERMS = TermSet("urgency_terms")
MAX_LEVEL = 10
SHORT_DEADLINE_WEIGHT = 3
DEADLINE_WEIGHT = 1
_SHORT_HOURS = 72
_FINAL = "final"  # the kind of a last notice
_MINUTES, _HOURS = "分钟", "小时"  # units of _WITHIN
# Two kinds of deadline: a span (24小时内, 三日内) and a day (今天下午五点前). They are two patterns, not one
# alternation, so the day's opening words let a search skip ahead; a span needs 内, which most texts lack, and a
# day 内 or 前.
_WITHIN_MARK, _BEFORE_MARK = "内", "前"
_UNITS, _WITHIN_ENDS = ("小时", "分钟", "天", "日", "工作日"), ("之内", "以内", "内")
_WITHIN = re.compile(
    r"(\d{1,3}|" + CN_NUMBER + r")\s*个?(" + "|".join(_UNITS) + ")(?:" + "|".join(_WITHIN_ENDS) + ")(?!有效)"
)
# Before its unit a span holds only digits, spaces and these (CN_NUMBER's characters, a few of its syntax among
# them, harmless, and 个): so no span opens before the run of them that ends at the first unit + end of a text,
# where the C detector starts its search.
_WITHIN_LEAD = CN_NUMBER + "个"
_DAY_WORDS = ("今天", "今日", "当天", "当日", "本日", "今晚", "明天", "明日")  # every match of _BY_DAY opens with one
_BY_DAY = re.compile("(?:" + "|".join(_DAY_WORDS) + r")[^,，。!?;\n]{0,8}?(?:之前|以前|前|之内|以内|内)(?!有效)")

_SPECS: tuple[SignalSpec, ...] = (
    SignalSpec(
        "urgency.level",
        "number",
        f"how hard the message presses: the weights of its urgency words plus its deadline, at most {MAX_LEVEL}",
    ),
    SignalSpec("urgency.deadline", "string", "a deadline is set (24小时内, 三日内, 今天下午五点前); the first one"),
    SignalSpec("urgency.short_deadline", "bool", "a deadline of at most three days (72 hours), today or tomorrow"),
    SignalSpec("urgency.final_notice", "bool", "the message calls itself a last notice (最后通知, 最后警告)"),
)


@hookimpl
def smsguard_signals() -> Sequence[SignalSpec]:
    return _SPECS


def detect_reference(message: Message, text: NormalizedText, features: Features) -> list[Signal]:
    """The pure-Python detector: the reference of the C one (tests/test_native_urgency.py)."""
    t, hits = _TERMS.read(text)
    deadlines = _deadlines(t)
    if not hits and not deadlines:
        return []
    signals: list[Signal] = []
    weights = {h.term: _weight(h.entry.attrs) for h in hits}
    level = sum(weights.values())
    if deadlines:
        spans = [m.span() for m in deadlines]
        signals.append(make_signal("urgency.deadline", text, nspans=spans, value=deadlines[0].group(0), detail=""))
        short = [m.span() for m in deadlines if _is_short(m)]
        if short:
            signals.append(make_signal("urgency.short_deadline", text, nspans=short, detail=""))
        level += SHORT_DEADLINE_WEIGHT if short else DEADLINE_WEIGHT
    if final := [h for h in hits if h.kind == _FINAL]:
        signals.append(make_signal("urgency.final_notice", text, final))
    signals.append(
        make_signal(
            "urgency.level",
            text,
            hits,
            nspans=[m.span() for m in deadlines],
            value=min(level, MAX_LEVEL),
        )
    )
    return signals


def _weight(attrs: tuple[str, ...]) -> int:
    return int(attrs[0]) if attrs and attrs[0].isdigit() else 1


def _deadlines(t: str) -> list[re.Match[str]]:
    """Every deadline in text order, found as one pattern of both kinds would find them: the leftmost, a span
    before a day at one place, the next search after the end of the last."""
    found: list[re.Match[str]] = []
    within = _WITHIN_MARK in t
    if not within and _BEFORE_MARK not in t:
        return found
    span = _WITHIN.search(t) if within else None
    day = _BY_DAY.search(t)
    while True:
        if span is not None and (day is None or span.start() <= day.start()):
            m = span
        elif day is not None:
            m = day
        else:
            return found
        found.append(m)
        end = m.end()
        if span is not None and span.start() < end:
            span = _WITHIN.search(t, end)
        if day is not None and day.start() < end:
            day = _BY_DAY.search(t, end)


def _is_short(m: re.Match[str]) -> bool:
    if m.re is _BY_DAY:
        return True  # today, tonight, tomorrow
    number, unit = m.group(1), m.group(2)
    amount = number_value(number)
    if unit == _MINUTES:
        return True
    if unit == _HOURS:
        return amount <= _SHORT_HOURS
    return amount <= _SHORT_HOURS // 24


# What the C detector is handed, once: the tables and patterns above, the records it reads and the shared helpers
# it calls (the C ones when those are built).
NATIVE_TABLES: dict[str, Any] = {
    "read": _TERMS.read,
    "make_signal": make_signal,
    "number_value": number_value,
    "names": tuple(spec.name for spec in _SPECS),  # in the order of _SPECS
    "within": _WITHIN,
    "by_day": _BY_DAY,
    "marks": (_WITHIN_MARK, _BEFORE_MARK),
    "day_words": _DAY_WORDS,
    "units_within": (_UNITS, _WITHIN_ENDS, _WITHIN_LEAD),
    "units": (_MINUTES, _HOURS),
    "final": _FINAL,
    "max_level": MAX_LEVEL,
    "short_deadline_weight": SHORT_DEADLINE_WEIGHT,
    "deadline_weight": DEADLINE_WEIGHT,
    "short_hours": _SHORT_HOURS,
    "short_days": _SHORT_HOURS // 24,
    "match_type": re.Match,
    "types": (TermHit, Entry),
}
_native = load("urgency")
# The C body when built (smsguard_plugins._curgency); it hands odd input to detect_reference.
detect = bind_tables(_native, detect_reference, NATIVE_TABLES)


@hookimpl
def smsguard_detect(message: Message, text: NormalizedText, features: Features) -> Iterable[Signal]:
    return detect(message, text, features)
