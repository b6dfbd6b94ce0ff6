"""Payment-demand detector: the reader is asked to move money (转账, 汇款, 打款) to a "safe", designated or
personal account, by QR code, or to pay a fee before a loan or payout (解冻费, 保证金, 验资, 刷流水).

Every term is skipped when the sentence denies or warns about it (公检法没有安全账户, 请勿向陌生账户转账), so
anti-fraud reminders do not read as demands. A bank's transaction notice (转账支出, 转入工资) is no demand either:
a transfer word needs an imperative cue before it or an account after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from smsguard.extract import Features
from smsguard.hookspecs import hookimpl
from smsguard.model import Message, Signal, SignalSpec
from smsguard.native import load
from smsguard.normalize import NormalizedText

from ._cues import HitIndex, context_of, cue_after, cue_before, negated
from ._evidence import by_kind, make_signal
from ._native_binding import bind_keywords
from ._terms import Entry, TermHit, TermSet

_TERMS = TermSet("payment_terms")
_CUE_WINDOW = 10
_TARGET_WINDOW = 20
# 16 to 19 digits, optionally grouped by spaces or dashes: a bank card number.
_CARD_DIGITS = (16, 19)
_CARD_SEPARATORS = " -"
_CARD = re.compile(rf"(?<![\d])\d(?:[{_CARD_SEPARATORS}]?\d){{{_CARD_DIGITS[0] - 1},{_CARD_DIGITS[1] - 1}}}(?![\dx])")
_NO_SEPARATORS = str.maketrans("", "", _CARD_SEPARATORS)
_CARD_ENTRY = Entry("卡号", "payment_terms", "card_number", (), "bank card number pattern (16 to 19 digits)")
# Words that only give context are never taken as denied; a denied transfer, account or fee is.
_NEVER_NEGATED = frozenset({"money", "payout"})
_ACCOUNT_KINDS = ("safe_account", "designated_account", "private_account", "payee", "card_number")
_PERSONAL_KINDS = ("private_account", "payee", "card_number")
# An ID card number (region, birth date, sequence, check digit) is no bank card.
_ID_LIKE = re.compile(r"[1-8]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dx]\Z")

_SPECS: tuple[SignalSpec, ...] = (
    SignalSpec(
        "payment.transfer_demand",
        "bool",
        "the reader is asked to transfer or remit money (请转账, 急汇, 打到以下账户)",
    ),
    SignalSpec("payment.safe_account", "bool", "a so-called safe or supervision account (安全账户, 资金清查账户)"),
    SignalSpec(
        "payment.designated_account",
        "bool",
        "money is to go to a designated account (指定账户, 以下账户, 对公账户)",
    ),
    SignalSpec(
        "payment.personal_account",
        "bool",
        "a personal account, bank card number or account holder is given for money to go to",
    ),
    SignalSpec("payment.qr_code", "bool", "payment by scanning a QR code (扫码支付, 收款码)"),
    SignalSpec(
        "payment.upfront_fee",
        "bool",
        "a fee before a loan or payout (解冻费, 保证金, 验资, 刷流水, 手续费 with a loan or payout)",
    ),
)


@hookimpl
def smsguard_signals() -> Sequence[SignalSpec]:
    return _SPECS


def detect_reference(message: Message, text: NormalizedText, features: Features) -> list[Signal]:
    """The pure-Python detector: the reference of the C one (tests/test_native_payment.py)."""
    t, found = _TERMS.read(text)
    if not found:
        return []  # a card number alone asks for nothing
    kinds = {h.entry.kind for h in found}
    money_words = "transfer" in kinds or "money" in kinds
    # Every other signal needs a transfer or money word (negation only takes hits away): return before the
    # negation tests and the card pattern, which only count next to those words.
    if not money_words and "safe_account" not in kinds and "fee" not in kinds:
        return []
    cards = _cards(t) if money_words else []
    asserted = [h for h in found if h.kind in _NEVER_NEGATED or not negated(t, h.start, h.end)]
    g = by_kind([*asserted, *cards])
    transfers = g.get("transfer", [])
    money = bool(transfers or g.get("money"))
    signals: list[Signal] = []

    if transfers:
        cues = HitIndex(context_of(text).get("demand", ()))
        targets = HitIndex(h for k in _ACCOUNT_KINDS for h in g.get(k, ()))
        demands = [
            h for h in transfers if cue_before(t, cues, h, _CUE_WINDOW) or cue_after(t, targets, h, _TARGET_WINDOW)
        ]
        if demands:
            signals.append(make_signal("payment.transfer_demand", text, demands))
    if safe := g.get("safe_account"):
        signals.append(make_signal("payment.safe_account", text, safe))
    if money and (designated := g.get("designated_account")):
        signals.append(make_signal("payment.designated_account", text, designated))
    personal = [h for k in _PERSONAL_KINDS for h in g.get(k, ())]
    if money and personal:
        signals.append(make_signal("payment.personal_account", text, personal))
    if money and (qr := g.get("qr")):
        signals.append(make_signal("payment.qr_code", text, qr))
    fees = g.get("fee", [])
    if fees and (g.get("payout") or any("strong" in h.entry.attrs for h in fees)):
        signals.append(make_signal("payment.upfront_fee", text, fees))
    return signals


def _cards(t: str) -> list[TermHit]:
    """The bank card numbers in ``t`` (the C calls this only where ``t`` holds enough digits for one)."""
    return [TermHit(_CARD_ENTRY, *m.span()) for m in _CARD.finditer(t) if _is_card(m.group(0))]


def _is_card(digits: str) -> bool:
    plain = digits.translate(_NO_SEPARATORS)
    return _CARD_DIGITS[0] <= len(plain) <= _CARD_DIGITS[1] and not _ID_LIKE.match(plain)


# What the C body is handed, once: the reference (for the inputs it leaves to Python) and the tables, patterns
# and helpers it calls.
_BINDING: dict[str, object] = {
    "reference": detect_reference,
    "read": _TERMS.read,
    "term_hit": TermHit,
    "entry": Entry,
    "cards": _cards,
    "card_min_digits": _CARD_DIGITS[0],
    "card_separators": _CARD_SEPARATORS,
    "negated": negated,
    "by_kind": by_kind,
    "make_signal": make_signal,
    "context_of": context_of,
    "hit_index": HitIndex,
    "cue_before": cue_before,
    "cue_after": cue_after,
    "never_negated": _NEVER_NEGATED,
    "account_kinds": _ACCOUNT_KINDS,
    "personal_kinds": _PERSONAL_KINDS,
    "cue_window": _CUE_WINDOW,
    "target_window": _TARGET_WINDOW,
}
_native = load("payment")
detect = bind_keywords(_native, _BINDING)


@hookimpl
def smsguard_detect(message: Message, text: NormalizedText, features: Features) -> Iterable[Signal]:
    return detect(message, text, features)
