"""Scam-script detector: the loan and credit scripts of FACTS.md §5, each recognised by the combination of
words that makes the script, never by one innocent word.

A script is skipped when one of its anchor words is denied or warned about (谨防“注销校园贷”诈骗), so the
anti-fraud campaigns that describe these scripts do not fire them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from smsguard.extract import Features
from smsguard.hookspecs import hookimpl
from smsguard.model import Message, Signal, SignalSpec
from smsguard.native import load
from smsguard.normalize import NormalizedText

from ._cues import HitIndex, cue_after, cue_before, negated
from ._evidence import by_kind, make_signal
from ._native_binding import bind_tables
from ._terms import Entry, TermHit, TermSet

_TERMS = TermSet("script_terms")
_REPAIR_WINDOW = 4
_HOTLINE_PREFIXES = ("400", "800")
# A mobile or 400/800 number: how a credit-repair seller is reached.
_SELLER_PHONE = re.compile(r"1[3-9]\d{9}\Z|[48]00\d{7}\Z")

Kinds = Mapping[str, Sequence[TermHit]]


class Script(NamedTuple):
    """A script: what it is, the kinds of words that belong to it, its anchors and the test over the kinds present.

    The test holds when, for each group of ``needs``, a word of one of its kinds is present, and then ``also``
    (when given) holds. The script is skipped when one of its anchor words is denied or warned about. The test
    never holds without an anchor word, so a message with none is not tested.
    """

    description: str
    kinds: frozenset[str]
    anchors: frozenset[str]
    needs: tuple[tuple[str, ...], ...]
    also: Callable[[Kinds, str, Features], bool] | None = None

    def holds(self, kinds: Kinds, t: str, features: Features) -> bool:
        for group in self.needs:
            for kind in group:
                if kinds.get(kind):
                    break
            else:
                return False  # no word of this group
        return self.also is None or self.also(kinds, t, features)


def _has(kinds: Kinds, *names: str) -> bool:
    return any(kinds.get(n) for n in names)


def _offered_repair(kinds: Kinds, t: str, features: Features) -> bool:
    """A removal word next to a credit word, offered: a service or fee word, or a number to call (news is none)."""
    objects = HitIndex(kinds.get("credit_object", ()))
    offered = _has(kinds, "offer") or any(_SELLER_PHONE.match(p.value) for p in features.phones)
    return (
        offered
        and bool(objects)
        and any(
            cue_before(t, objects, a, _REPAIR_WINDOW, clause=True)
            or cue_after(t, objects, a, _REPAIR_WINDOW, clause=True)
            for a in kinds.get("repair_action", ())
        )
    )


def _webank_threat(kinds: Kinds, t: str, features: Features) -> bool:
    """A credit threat or a number to call: the word, or a 400/800 hotline."""
    return _has(kinds, "credit_impact", "call") or any(p.value.startswith(_HOTLINE_PREFIXES) for p in features.phones)


SCRIPTS: dict[str, Script] = {
    "credit_repair": Script(
        "credit repair offered: a removal word next to a credit word (征信修复, 消除逾期记录) plus an offer "
        "(包过, 代办, 收费, 加微信, a number to call)",
        frozenset({"repair_action", "credit_object", "offer"}),
        frozenset({"repair_action", "credit_object"}),
        (("repair_action",), ("credit_object",)),
        _offered_repair,
    ),
    "student_loan_cancel": Script(
        "student-loan cancellation: a student account or 校园贷 plus cancelling it (注销, 转成人)",
        frozenset({"student", "cancel", "credit_impact"}),
        frozenset({"student"}),
        (("student",), ("cancel",)),
    ),
    "fake_jd": Script(
        "fake JD support: 京东金条/白条 plus a rate claim (利率过高), "
        "or a regulator claim plus closing it or a credit threat",
        frozenset({"jd", "regulator_claim", "cancel", "credit_impact"}),
        frozenset({"jd"}),
        (("jd",), ("regulator_claim",)),
        lambda k, t, f: (
            _has(k, "cancel", "credit_impact") or any("strong" in h.entry.attrs for h in k["regulator_claim"])
        ),
    ),
    "loan_unfreeze": Script(
        "loan unfreezing: frozen funds plus a loan plus a wrong card number or a fee (卡号填错, 解冻金, 保证金)",
        frozenset({"freeze", "unfreeze_fee", "wrong_info", "fee", "loan"}),
        frozenset({"freeze", "unfreeze_fee"}),
        (("freeze", "unfreeze_fee"), ("loan",), ("wrong_info", "fee", "unfreeze_fee")),
    ),
    "fake_webank": Script(
        "fake WeBank: 微粒贷 plus rate reform (LPR, 利率整改) plus a number to call or a credit threat",
        frozenset({"webank", "rate_reform", "credit_impact", "call"}),
        frozenset({"webank"}),
        (("webank",), ("rate_reform",)),
        _webank_threat,
    ),
    "huabei_reduction": Script(
        "花呗/借呗 plus relief (减免, 停息挂账) plus a fee, deposit or transfer",
        frozenset({"ant", "reduction", "fee"}),
        frozenset({"ant", "reduction"}),
        (("ant",), ("reduction",), ("fee",)),
    ),
}

_SPECS: tuple[SignalSpec, ...] = tuple(
    SignalSpec(f"scripts.{name}", "bool", script.description) for name, script in SCRIPTS.items()
)


@hookimpl
def smsguard_signals() -> Sequence[SignalSpec]:
    return _SPECS


def detect_reference(message: Message, text: NormalizedText, features: Features) -> list[Signal]:
    """The pure-Python detector: the reference of the C one (tests/test_native_scripts.py)."""
    t, found = _TERMS.read(text)
    if len(found) < 2:
        return []
    # A script that does not hold on all the words cannot hold on the asserted ones (every test only asks for
    # more words): the negation tests are left to the messages where some script might hold.
    every = by_kind(found)
    candidates = [
        (name, script)
        for name, script in SCRIPTS.items()
        if not script.anchors.isdisjoint(every) and script.holds(every, t, features)
    ]
    if not candidates:
        return []
    asserted: list[TermHit] = []
    denied: set[str] = set()
    for h in found:
        if negated(t, h.start, h.end):
            denied.add(h.kind)
        else:
            asserted.append(h)
    kinds = by_kind(asserted)
    signals: list[Signal] = []
    for name, script in candidates:
        if script.anchors.isdisjoint(denied) and script.holds(kinds, t, features):
            used = [h for h in asserted if h.kind in script.kinds]
            signals.append(make_signal(f"scripts.{name}", text, used))
    return signals


# What the C detector is handed, once: the scripts (read when the module is imported, with the names of their
# signals), the shared helpers it calls (the C ones when those are built) and the records it reads.
NATIVE_TABLES: dict[str, Any] = {
    "read": _TERMS.read,
    "by_kind": by_kind,
    "negated": negated,
    "make_signal": make_signal,
    "scripts": tuple(zip((spec.name for spec in _SPECS), SCRIPTS.values(), strict=True)),
    "types": (TermHit, Entry),
}
_native = load("scripts")
# The C body when built (smsguard_plugins._cscripts); it hands odd input to detect_reference.
detect = bind_tables(_native, detect_reference, NATIVE_TABLES)


@hookimpl
def smsguard_detect(message: Message, text: NormalizedText, features: Features) -> Iterable[Signal]:
    return detect(message, text, features)
