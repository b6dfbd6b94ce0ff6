"""Link checker: judges every link extracted from a message, offline."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from smsguard.extract import Features
from smsguard.hookspecs import hookimpl
from smsguard.model import Message, Signal, SignalSpec
from smsguard.normalize import NormalizedText

_SHORTENERS = frozenset({"t.cn", "url.cn", "dwz.cn", "suo.im", "bit.ly", "tinyurl.com", "is.gd"})
_IP_HOST = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")


@hookimpl
def smsguard_signals() -> Sequence[SignalSpec]:
    return [
        SignalSpec("link.present", "number", "number of links in the message"),
        SignalSpec("link.shortener", "bool", "a link goes through a URL shortener that hides its target"),
        SignalSpec("link.ip_host", "bool", "a link's host is a bare IP address"),
    ]


@hookimpl
def smsguard_detect(message: Message, text: NormalizedText, features: Features) -> Iterable[Signal]:
    if not features.links:
        return []
    signals = [Signal("link.present", len(features.links), spans=tuple(link.span for link in features.links))]
    for link in features.links:
        if link.host in _SHORTENERS:
            signals.append(Signal("link.shortener", True, 0.9, (link.span,), link.host))
        if _IP_HOST.match(link.host):
            signals.append(Signal("link.ip_host", True, 0.9, (link.span,), link.host))
    return signals
