"""Sender checker: what kind of number sent the message, and whether it fits the brand the message claims.

``phonenumbers`` parses international numbers (and tells their region) and checks fixed lines; Chinese short
codes and gateway ports, which it calls invalid, come from the lexicons ``ports`` (106 ports, court and
anti-fraud numbers, virtual-operator prefixes) and ``hotlines`` (95xxx/96xxx and other service numbers).
The sender is not part of the text, so only ``sender.brand_mismatch`` carries spans: those of the claim.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from smsguard.extract import Features
from smsguard.hookspecs import hookimpl
from smsguard.lexicon import LexiconEntry
from smsguard.model import Message, Signal, SignalSpec
from smsguard.native import load
from smsguard.normalize import NormalizedText

from ._brands import Claim, find_claims, from_lexicons, hotline_owner
from ._evidence import REFERENCE, make_signal
from ._native_binding import Detect
from ._terms import _message, lexicon_env, lexicon_path_setting

EMPTY, UNKNOWN = "empty", "unknown"
MOBILE, VIRTUAL, INTERNATIONAL = "mobile", "virtual", "international"
PORT, HOTLINE, COURT, ANTIFRAUD, SERVICE400, FIXED = "port", "hotline", "court", "antifraud", "service400", "fixed"
PERSONAL = frozenset({MOBILE, VIRTUAL})
_PLUGIN = "sender"  # the name the host stamps on our signals: set here, it saves a copy (see _evidence._PluginNames)
_CANNOT_MISMATCH = frozenset({PORT, SERVICE400, FIXED, UNKNOWN, EMPTY})
_NOT_DIGITS = re.compile(r"[\s\-()（）.·]+")
_MOBILE_SECOND = frozenset("3456789")
_SERVICE400 = re.compile(r"^[48]00\d{7}$")
_SHORT_SERVICE = re.compile(r"^(?:9[56]\d{3}|1[0-2]\d{3})\d{0,3}$")
# The C make_signal builds a spanless signal about 4x cheaper than the dataclass constructor; the Python one is
# slower than the constructor, so without the accelerator the constructor is called directly.
_NATIVE_RECORDS = make_signal is not REFERENCE["make_signal"]


class SenderInfo(NamedTuple):
    """What a sender string is: its kind, the digits as dialled in China, and the kind's detail."""

    kind: str
    number: str = ""
    value: str = ""  # carrier for ports, owner for hotlines, region for international, prefix for virtual
    brand: str = ""  # brand id of the hotline owner, "court"/"gov" for court and anti-fraud numbers
    strong: bool = False  # a strong virtual-operator prefix (170/171)


@hookimpl
def smsguard_signals() -> Sequence[SignalSpec]:
    warm_up()
    return _SPECS


def warm_up() -> None:
    """Load ``phonenumbers``' metadata (~60 ms) at engine start-up, not on the first foreign or fixed sender."""
    _region("+85221234567")
    _is_fixed_line("01062345678")


_SPECS: tuple[SignalSpec, ...] = (
    SignalSpec(
        "sender.kind",
        "string",
        "what sent the message: mobile|virtual|international|port|hotline|court|antifraud|service400|"
        "fixed|unknown|empty",
    ),
    SignalSpec("sender.personal", "bool", "the sender is a personal mobile number (virtual operators included)"),
    SignalSpec(
        "sender.virtual_operator",
        "string",
        "the sender is a virtual-operator mobile (the prefix; 170/171 with confidence 0.9, 162/165/167 0.5)",
    ),
    SignalSpec("sender.international", "string", "the sender has a + or 00 prefix other than China (the region code)"),
    SignalSpec(
        "sender.port",
        "string",
        "the sender is a 106 gateway port (the carrier: china_mobile|china_unicom|china_telecom|"
        "multi_carrier|enterprise|unknown); proves a registered sender, not who it is",
    ),
    SignalSpec("sender.hotline", "string", "the sender is a 95xxx/96xxx or other service number (its owner)"),
    SignalSpec("sender.court", "bool", "the sender is the courts' 12368 platform or the SPC e-service port"),
    SignalSpec("sender.antifraud", "bool", "the sender is the 12381 anti-fraud port or the 96110 line"),
    SignalSpec(
        "sender.brand_mismatch",
        "string",
        "the brand the message claims does not fit the sender: a personal or foreign number, or another "
        "organisation's hotline (the brand claimed; spans on the claim)",
    ),
)


def detect_reference(message: Message, text: NormalizedText, features: Features) -> list[Signal]:
    """The pure-Python detector: the reference of the C one (tests/test_native_sender.py)."""
    sender = message.sender
    if sender is None or not sender.strip():
        info, fixed = _EMPTY
    elif sender.isascii() and sender.isdigit() and not sender.startswith(("00", "86")):
        # The usual shape, and mostly a different mobile or port number every time, so that a cache keyed by the
        # sender would miss: the kinds the port table and the mobile shape decide are judged afresh, the rest cached.
        env = lexicon_env(text)
        shaped = _by_prefix(sender, from_lexicons(*_PORT_TABLE, env))
        if shaped is None:
            info, fixed = _judged(sender, env)
        else:
            info = shaped
            fixed = _kind_signals(info)
    else:
        info, fixed = _judged(sender, lexicon_env(text))
    mismatch = _brand_mismatch(info, text, features)
    return [*fixed, mismatch] if mismatch is not None else list(fixed)


@hookimpl
def smsguard_detect(message: Message, text: NormalizedText, features: Features) -> Iterable[Signal]:
    return detect(message, text, features)


def _kind_signals(info: SenderInfo) -> tuple[Signal, ...]:
    """The signals that depend on the sender alone."""
    number = info.number
    signals = [_spanless("sender.kind", info.kind, 1.0, number)]
    if info.kind in PERSONAL:
        signals.append(_spanless("sender.personal", True, 1.0, number))
    if info.kind == VIRTUAL:
        signals.append(_spanless("sender.virtual_operator", info.value, 0.9 if info.strong else 0.5, number))
    elif info.kind == INTERNATIONAL:
        signals.append(_spanless("sender.international", info.value, 0.9, number))
    elif info.kind == PORT:
        signals.append(_spanless("sender.port", info.value, 1.0, number))
    elif info.kind == HOTLINE:
        signals.append(_spanless("sender.hotline", info.value, 1.0, number))
    elif info.kind == COURT:
        signals.append(_spanless("sender.court", True, 1.0, number))
    elif info.kind == ANTIFRAUD:
        signals.append(_spanless("sender.antifraud", True, 1.0, number))
    return tuple(signals)


_NO_TEXT = NormalizedText("", "")  # make_signal reads the text only to map spans; these signals have none


if _NATIVE_RECORDS:

    def _spanless(name: str, value: str | bool, confidence: float, detail: str) -> Signal:
        """A signal without spans, built by the C ``make_signal`` (about four times cheaper than the class)."""
        return make_signal(name, _NO_TEXT, value=value, confidence=confidence, detail=detail)

else:

    def _spanless(name: str, value: str | bool, confidence: float, detail: str) -> Signal:
        """A signal without spans, built by the class (the Python ``make_signal`` costs more)."""
        return Signal(name, value, confidence, (), detail, _PLUGIN)


_EMPTY = (SenderInfo(EMPTY), _kind_signals(SenderInfo(EMPTY)))


def _brand_mismatch(info: SenderInfo, text: NormalizedText, features: Features) -> Signal | None:
    """A claimed brand the sender cannot speak for.

    Personal and foreign numbers cannot speak for any organisation (signature or text claim); a hotline, court
    or anti-fraud number only for its own (signature claims only, since warnings name other brands).
    """
    if info.kind in _CANNOT_MISMATCH:
        return None
    found = find_claims(text, features)
    if not found:
        return None  # most messages name no brand
    # A brand named as an object (冻结你的支付宝余额) is no claim: only the sender speaking as the brand counts.
    claims = [c for c in found if c.speaks]
    if not claims:
        return None
    chosen: list[Claim]
    if info.kind in PERSONAL or info.kind == INTERNATIONAL:
        chosen = claims
        confidence = 0.9 if claims[0].in_signature else 0.6
        why = f"{info.kind} sender {info.number}"
    else:
        if not info.brand:
            return None
        chosen = [c for c in claims if c.in_signature and c.brand != info.brand]
        confidence = 0.8
        why = f"{info.kind} {info.number} belongs to {info.value}"
    if not chosen:
        return None
    first = chosen[0]
    same = [c for c in chosen if c.brand == first.brand]
    detail = f"claims {first.name}; {why}"
    if len(same) == 1 and _NATIVE_RECORDS:  # one span: make_signal maps it the same way
        nspans = [(first.start, first.end)]
        return make_signal(
            "sender.brand_mismatch", text, value=first.name, confidence=confidence, nspans=nspans, detail=detail
        )
    spans = tuple(sorted({text.to_original(c.start, c.end) for c in same}))
    return Signal("sender.brand_mismatch", first.name, confidence, spans, detail, _PLUGIN)


def parse_sender(sender: str | None, env: str | None = None) -> SenderInfo:
    """Classify a sender as shown on the phone (``+86 170 1234 5678``, ``0086…``, ``95588``, ``1065795555``).

    ``env`` is ``SMSGUARD_LEXICON_PATH`` when the caller has read it already.
    """
    if sender is None or not sender.strip():
        return _EMPTY[0]
    return _judged(sender, lexicon_path_setting() if env is None else env)[0]


@lru_cache(maxsize=4096)
def _judged(sender: str, env: str) -> tuple[SenderInfo, tuple[Signal, ...]]:
    """The sender parsed, and its signals. Bulk scans see the same hotlines over and over; ``env`` keys the cache
    to the lexicons. (:func:`smsguard_detect` judges plain mobile and port numbers without it.)"""
    info = _parse(sender, env)
    return info, _kind_signals(info)


def _parse(sender: str, env: str) -> SenderInfo:
    if sender.isascii() and sender.isdigit() and not sender.startswith(("00", "86")):
        return _domestic(sender, env)  # the usual shape, with nothing to clean up or strip
    raw = _NOT_DIGITS.sub("", unicodedata.normalize("NFKC", sender))
    international = raw.startswith("+") or raw.startswith("00")
    digits = raw.lstrip("+")
    if digits.startswith("00"):
        digits = digits[2:]
    if not digits.isdigit() or not digits.isascii():
        return SenderInfo(UNKNOWN, raw)
    if international:
        if not digits.startswith("86"):
            return SenderInfo(INTERNATIONAL, "+" + digits, _region("+" + digits))
        digits = digits[2:]
    elif digits.startswith("86") and len(digits) == 13 and _is_mobile(digits[2:]):
        digits = digits[2:]
    return _domestic(digits, env)


def _domestic(number: str, env: str) -> SenderInfo:
    shaped = _by_prefix(number, from_lexicons(*_PORT_TABLE, env))
    if shaped is not None:
        return shaped
    if _SHORT_SERVICE.match(number):
        owner = hotline_owner(number, env)
        if owner is not None:
            return SenderInfo(HOTLINE, number, owner.name, owner.brand)
        if number.startswith(("95", "96", "12", "10")):
            return SenderInfo(HOTLINE, number, UNKNOWN)
    if _SERVICE400.match(number):
        return SenderInfo(SERVICE400, number)
    if number.startswith("0") and _is_fixed_line(number):
        return SenderInfo(FIXED, number)
    return SenderInfo(UNKNOWN, number)


def _by_prefix(number: str, table: _PortTable) -> SenderInfo | None:
    """What the port table or the mobile shape makes of ASCII ``number``; None when neither decides."""
    if number[: table.shortest] in table.heads:
        special = _longest_prefix(number, table)
        if special is not None:
            prefix, kind, value = special
            extra = len(number) - len(prefix)
            if kind == COURT and extra <= 4:
                return SenderInfo(COURT, number, value, "court")
            if kind == ANTIFRAUD and extra <= 4:
                return SenderInfo(ANTIFRAUD, number, value, "gov")
            if kind == PORT and 8 <= len(number) <= 21:
                return SenderInfo(PORT, number, value)
            if kind == VIRTUAL and _is_mobile(number):
                return SenderInfo(VIRTUAL, number, prefix, strong=value == "strong")
    if len(number) == 11 and number[0] == "1" and number[1] in _MOBILE_SECOND:  # _is_mobile, inlined
        return SenderInfo(MOBILE, number)
    return None


def _is_mobile(digits: str) -> bool:
    """Whether ASCII ``digits`` are a mainland mobile number (1[3-9] and nine more digits)."""
    return len(digits) == 11 and digits[0] == "1" and digits[1] in _MOBILE_SECOND


@dataclass(frozen=True, slots=True)
class _PortTable:
    rows: dict[str, tuple[str, str]]  # prefix -> (kind, value)
    lengths: tuple[int, ...]  # the prefix lengths present, longest first
    shortest: int  # the shortest prefix length (0 without rows)
    heads: frozenset[str]  # the prefixes cut to the shortest length: a number starting otherwise has no row


def _port_table(entries: tuple[LexiconEntry, ...]) -> _PortTable:
    rows = {e.term: (e.attributes[0], e.attributes[1]) for e in entries if len(e.attributes) >= 2}
    lengths = tuple(sorted({len(p) for p in rows}, reverse=True))
    shortest = lengths[-1] if lengths else 0
    return _PortTable(rows, lengths, shortest, frozenset(p[:shortest] for p in rows))


_PORT_TABLE = ("sender-ports", ("ports",), _port_table)  # from_lexicons' key, lexicons and builder for the table


def _longest_prefix(number: str, table: _PortTable) -> tuple[str, str, str] | None:
    """The longest port-table prefix of ``number`` with its kind and value (``number`` starts with a head)."""
    for length in table.lengths:
        row = table.rows.get(number[:length]) if length <= len(number) else None
        if row is not None:
            return number[:length], row[0], row[1]
    return None


def _phonenumbers() -> Any:
    import phonenumbers

    return phonenumbers


def _region(number: str) -> str:
    pn = _phonenumbers()
    try:
        parsed = pn.parse(number, None)
    except pn.NumberParseException:
        return UNKNOWN
    region = pn.region_code_for_number(parsed) or pn.region_code_for_country_code(parsed.country_code)
    return str(region) if region and region != "ZZ" else UNKNOWN


def _is_fixed_line(number: str) -> bool:
    pn = _phonenumbers()
    try:
        parsed = pn.parse(number, "CN")
    except pn.NumberParseException:
        return False
    kind = pn.number_type(parsed)
    fixed = (pn.PhoneNumberType.FIXED_LINE, pn.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    return bool(pn.is_valid_number(parsed)) and kind in fixed


_native = load("sender")


def _bind(reference: Callable[..., list[Signal]], brand_mismatch: Callable[..., Signal | None]) -> Detect:
    """Hand the C body the tables, caches and helpers it calls, and the Python it hands rare input to (tests pass
    others); returns the C detect."""
    assert _native is not None
    detect_c: Detect = _native.bind(
        reference=reference,
        brand_mismatch=brand_mismatch,
        judged=_judged,
        message=_message,  # lexicon_env(text) is _message(text).env: the C reads it so, without a Python call
        from_lexicons=from_lexicons,
        port_table_args=_PORT_TABLE,
        port_table=_PortTable,
        find_claims=find_claims,
        make_signal=make_signal,
        native_records=_NATIVE_RECORDS,
        signal=Signal,
        claim=Claim,
        sender_info=SenderInfo,
        plugin=_PLUGIN,
        empty=_EMPTY,
        kinds=(EMPTY, UNKNOWN, MOBILE, VIRTUAL, INTERNATIONAL, PORT, HOTLINE, COURT, ANTIFRAUD),
        cannot_mismatch=_CANNOT_MISMATCH,
        personal=PERSONAL,
    )
    return detect_c


# The C body when built (plugins/_native/sender.c), else the reference.
detect: Detect = detect_reference if _native is None else _bind(detect_reference, _brand_mismatch)
