"""Credential detector: requests for codes, passwords, card or ID details, screen sharing, app downloads and face
scans, told apart from the messages that merely carry or warn about them.

"您的验证码是123456，请勿泄露" is a one-time-code notice (credential.otp_notice) and a warning
(credential.warning), not a request; "请把验证码告诉客服" is a request (credential.request).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from smsguard.extract import Features
from smsguard.hookspecs import hookimpl
from smsguard.model import Message, Signal, SignalSpec
from smsguard.native import load
from smsguard.normalize import NormalizedText

from ._cues import HitIndex, cue_after, near, negated, same_sentence
from ._evidence import by_kind, make_signal, resolve_overlaps
from ._native_binding import bind_keywords
from ._terms import Entry, TermHit, TermSet

_TERMS = TermSet("credential_terms")
_CREDENTIAL_KINDS = ("code", "password", "card", "id")
_SIGNALLING_KINDS = frozenset({*_CREDENTIAL_KINDS, "screen", "face", "download"})
_ASK_BEFORE = 10
_ASK_AFTER = 10
_APP_AFTER = 12
_CODE_WINDOW = 12
_CODE_DIGITS = (4, 8)
_CODE_VALUE = re.compile(rf"(?<![\d.])\d{{{_CODE_DIGITS[0]},{_CODE_DIGITS[1]}}}(?![\d.])")
_DIGIT_OR_DOT = frozenset("0123456789.")
# An ask aimed at "others" is a warning about what happens if one gives the credential away.
_OTHERS = re.compile(r"[给予]?(?:他人|别人|任何人|陌生人|第三方)")
_QUOTE = re.compile(r"[“\"《「『]")
# Kinds that signal unless negated, and their signals.
_UNLESS_NEGATED = (("screen", "credential.screen_share"), ("face", "credential.face_scan"))

_SPECS: tuple[SignalSpec, ...] = (
    SignalSpec(
        "credential.request",
        "string",
        "the reader is asked to hand over credentials; the kinds asked for, joined by commas (code,password,card,id)",
    ),
    SignalSpec("credential.otp_notice", "bool", "a one-time code is delivered (验证码 next to a 4–8 digit code)"),
    SignalSpec(
        "credential.warning", "bool", "the message warns not to give credentials away (请勿泄露, 索取验证码均为诈骗)"
    ),
    SignalSpec("credential.screen_share", "bool", "screen sharing, remote control or a meeting app (屏幕共享, 云视讯)"),
    SignalSpec("credential.app_download", "bool", "the reader is told to download or install an app or software"),
    SignalSpec("credential.face_scan", "bool", "face recognition is asked for (人脸识别, 刷脸)"),
)


@hookimpl
def smsguard_signals() -> Sequence[SignalSpec]:
    return _SPECS


def detect_reference(message: Message, text: NormalizedText, features: Features) -> list[Signal]:
    """The pure-Python detector: the reference of the C one (tests/test_native_credential.py)."""
    t, found = _TERMS.read(text)
    if not found or _SIGNALLING_KINDS.isdisjoint([h.entry.kind for h in found]):
        return []  # asks, disclosures and app names only count next to a credential or a download
    g = by_kind(resolve_overlaps(found))
    signals: list[Signal] = []
    credentials = [h for kind in _CREDENTIAL_KINDS for h in g.get(kind, ())]
    if credentials:
        signals.extend(_requests_and_warnings(text, t, g, credentials))
    for kind, name in _UNLESS_NEGATED:
        if kind in g and (live := [h for h in g[kind] if not negated(t, h.start, h.end)]):
            signals.append(make_signal(name, text, live))
    if "download" in g:
        apps = HitIndex(g.get("app", ()))
        downloads = [d for d in g["download"] if not negated(t, d.start, d.end) and _app_follows(t, d, apps)]
        if downloads:
            signals.append(make_signal("credential.app_download", text, downloads))
    return signals


def _requests_and_warnings(
    text: NormalizedText, t: str, g: dict[str, list[TermHit]], credentials: list[TermHit]
) -> list[Signal]:
    asks: list[TermHit] = []
    denied: list[TermHit] = []
    for cue in (*g.get("ask", ()), *g.get("disclose", ())):
        if negated(t, cue.start, cue.end) or _OTHERS.match(t, cue.end):
            denied.append(cue)  # 请勿告诉, 提供给他人将导致被盗: about keeping it, not a request
        elif cue.kind == "ask":
            asks.append(cue)
    live_asks, denials = HitIndex(asks), HitIndex(denied)
    requested: list[TermHit] = []
    warned: list[TermHit] = []
    for h in credentials:
        if negated(t, h.start, h.end) or (_asked(t, h, denials) and not _asked(t, h, live_asks)):
            warned.append(h)
        elif "strong" in h.entry.attrs or _asked(t, h, live_asks):
            requested.append(h)
    warned.extend(denied)
    signals: list[Signal] = []
    if requested:
        kinds = ",".join(k for k in _CREDENTIAL_KINDS if any(h.kind == k for h in requested))
        signals.append(make_signal("credential.request", text, sorted(requested, key=_start), value=kinds))
    codes = [(h, m) for h in g.get("code", ()) if (m := _code_value(t, h)) is not None]
    if codes:
        signals.append(make_signal("credential.otp_notice", text, [h for h, _ in codes], nspans=[m for _, m in codes]))
    if warned:
        signals.append(make_signal("credential.warning", text, sorted(warned, key=_start)))
    return signals


def _start(h: TermHit) -> int:
    return h.start


def _asked(t: str, hit: TermHit, cues: HitIndex) -> bool:
    """Whether a cue stands just before the credential, or (unless it only goes before) shortly after it.

    A form cue (填写, 上传) does not ask for a one-time code: typing a code into a page is what it is for.
    """
    if not cues:
        return False
    code = hit.entry.kind == "code"
    before = cues.ending_in(hit.start - _ASK_BEFORE, hit.start)
    if any(near(t, c, hit, _ASK_BEFORE) and not (code and "form" in c.entry.attrs) for c in before):
        return True
    after = cues.starting_in(hit.end, hit.end + _ASK_AFTER)
    return any(near(t, hit, c, _ASK_AFTER) and "before" not in c.entry.attrs for c in after)


def _code_value(t: str, hit: TermHit) -> tuple[int, int] | None:
    """The span of a 4–8 digit code next to the code term in the same sentence, if there is one."""
    for m in _CODE_VALUE.finditer(t, max(0, hit.start - _CODE_WINDOW), hit.end + _CODE_WINDOW):
        if m.end() < len(t) and t[m.end()] in _DIGIT_OR_DOT:
            continue  # the window cut a longer number
        lo, hi = (m.end(), hit.start) if m.end() <= hit.start else (hit.end, m.start())
        if same_sentence(t, lo, hi):
            return m.span()
    return None


def _app_follows(t: str, download: TermHit, apps: HitIndex) -> bool:
    return cue_after(t, apps, download, _APP_AFTER) or _QUOTE.search(t, download.end, download.end + 6) is not None


# What the C body is handed, once: the reference (for the inputs it leaves to Python) and the tables, patterns
# and helpers it calls.
_BINDING: dict[str, object] = {
    "reference": detect_reference,
    "read": _TERMS.read,
    "term_hit": TermHit,
    "entry": Entry,
    "negated": negated,
    "by_kind": by_kind,
    "resolve_overlaps": resolve_overlaps,
    "make_signal": make_signal,
    "hit_index": HitIndex,
    "asked": _asked,
    "code_value": _code_value,
    "app_follows": _app_follows,
    "others": _OTHERS.match,
    "start": _start,
    "signalling_kinds": _SIGNALLING_KINDS,
    "credential_kinds": _CREDENTIAL_KINDS,
    "unless_negated": _UNLESS_NEGATED,
    "ask_before": _ASK_BEFORE,
    "ask_after": _ASK_AFTER,
    "code_window": _CODE_WINDOW,
    "code_min_digits": _CODE_DIGITS[0],
}
_native = load("credential")
detect = bind_keywords(_native, _BINDING)


@hookimpl
def smsguard_detect(message: Message, text: NormalizedText, features: Features) -> Iterable[Signal]:
    return detect(message, text, features)
