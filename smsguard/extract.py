"""Feature extraction, done once per message and shared by every detector and rule.

Everything is found in the normalized text; each feature keeps its span in the ORIGINAL text and the span in
the normalized text (``nspan``) so detectors can relate features to other matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from smsguard.model import Span
from smsguard.normalize import NormalizedText

# Top-level domains that make a bare ``name.tld`` look like a link; ordinary words never end this way.
_BARE_TLDS = (
    "com|cn|net|org|cc|top|xyz|vip|pw|work|icu|buzz|click|site|monster|info|me|io|co|tk|ml|ga|cf|gq|"
    "ltd|shop|club|online|live|fun|link|wang|ren|mobi|biz|tv|hk|im|ly|gl|gd|la|so|app|asia|store|tech|"
    "cyou|sbs|cfd|bond|lol|fit|ink|pro|kim|win|bid|loan|men|date|party|review|trade|xin|host|press|"
    "space|website|ws|mo|tw|xn--[a-z0-9-]{2,30}"
)
# TLDs trusted enough to accept a link written with spaces or an ideographic full stop (``abc . com``,
# ``abc。com``): no short English words among them.
_SPACED_TLDS = (
    "com|cn|net|org|cc|top|xyz|vip|pw|work|icu|buzz|click|site|monster|info|shop|club|online|wang|ren|"
    "cyou|sbs|cfd|xn--[a-z0-9-]{2,30}"
)
_LABEL_CHARS = "a-z0-9\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"
_LABEL = f"[{_LABEL_CHARS}](?:[{_LABEL_CHARS}-]{{0,61}}[{_LABEL_CHARS}])?"
_URL_CHARS = "[^\\s\u2000-\u206f\u3000-\u303f\uff00-\uffef\u4e00-\u9fff<>\"'（）()【】,;!]"
_SEGMENT = "[a-z0-9_~%=&?#.-]+"
_GAP = "[ \\t]{0,3}"  # spaces a sender inserted inside a URL
_LOOSE_DOT = f"(?:{_GAP}[.。]{_GAP})"
_IP = "(?:\\d{1,3}\\.){3}\\d{1,3}"
_TIGHT_PATH = f"(?::\\d{{1,5}})?(?:[/?#]{_URL_CHARS}*)?"
_LOOSE_PATH = f"(?:{_GAP}:{_GAP}\\d{{1,5}})?(?:{_GAP}/{_GAP}(?:{_SEGMENT})?)*"
_NOT_AFTER_LABEL = f"(?<![{_LABEL_CHARS}@._/-])"
_TLD_LABEL = "(?:xn--[a-z0-9-]{2,59}|[a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]{2,63})"  # never all digits
_TIGHT_HOST = f"(?:{_LABEL}\\.){{1,16}}{_TLD_LABEL}(?![{_LABEL_CHARS}-])"
_LOOSE_HOST = f"(?:{_LABEL}{_LOOSE_DOT}){{1,8}}{_TLD_LABEL}(?![{_LABEL_CHARS}-])"
_USERINFO = f"(?:(?:{_LABEL}\\.){{1,16}}(?:{_BARE_TLDS})@)"  # ``icbc.com.cn@evil.cc``: the real host is after @
_LINK_RE = re.compile(
    "|".join(
        (
            f"(?:https?|ftp)://(?:[a-z0-9._~%!$&'*+,;=:-]+@)?(?:{_IP}|{_TIGHT_HOST}|{_LABEL}){_TIGHT_PATH}",
            f"(?:https?|ftp){_GAP}:{_GAP}/{_GAP}/{_GAP}(?:{_IP}|{_LOOSE_HOST}){_LOOSE_PATH}",
            f"{_NOT_AFTER_LABEL}www\\.{_USERINFO}?{_TIGHT_HOST}{_TIGHT_PATH}",
            f"{_NOT_AFTER_LABEL}www{_LOOSE_DOT}{_LOOSE_HOST}{_LOOSE_PATH}",
            f"{_NOT_AFTER_LABEL}{_USERINFO}?{_IP}(?![\\d]|\\.\\d){_TIGHT_PATH}",
            f"{_NOT_AFTER_LABEL}{_USERINFO}?(?:{_LABEL}\\.){{1,16}}(?:{_BARE_TLDS})(?![{_LABEL_CHARS}-]){_TIGHT_PATH}",
            f"{_NOT_AFTER_LABEL}(?:{_LABEL}{_LOOSE_DOT}){{1,8}}(?:{_SPACED_TLDS})(?![{_LABEL_CHARS}-]){_LOOSE_PATH}",
        )
    )
)
# Repetitions are bounded ({1,16} labels, {0,3} spaces) so that text like "a . a . a ..." costs linear time.
_IP_HOST_RE = re.compile(f"^{_IP}$")
# Cheap tests that let most messages skip the link and phone expressions: every link has a dot between two
# label characters (or a scheme), every phone pattern has three digits in a row.
_LINK_HINT_RE = re.compile(f"[{_LABEL_CHARS}]{_LOOSE_DOT}[{_LABEL_CHARS}]|://")
_PHONE_HINT_RE = re.compile(r"\d{3}")
_SPACES_RE = re.compile("[ \t]+")
_PHONE_RE = re.compile(
    r"(?<!\d)(?:\+?86[- ]?|0086[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)"
    r"|(?<!\d)(?:400|800)[- ]?\d{3}[- ]?\d{4}(?!\d)"
    r"|(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)"
    r"|(?<!\d)9[56]\d{3}(?:\d{0,3})(?!\d)"
    r"|(?<!\d)12\d{3}(?!\d)"
)
_AMOUNT_RE = re.compile(
    r"(?:[¥￥]|rmb|人民币)\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?"
    # (?<!\d): try a number only where its digits start, or a long run of digits costs quadratic time
    r"|(?<!\d)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s*(万元|万|元|块)"
)
_DATE_RE = re.compile(
    r"(?<![\d.])(?:(\d{4})[年/.-])?(0?[1-9]|1[0-2])(?:月|(?<=\d{4}[/.-]\d)[/.-]|(?<=\d{4}[/.-]\d\d)[/.-]|/)"
    r"(0?[1-9]|[12]\d|3[01])(?![\d.])[日号]?"
    r"|(今天|今日|明天|明日|后天|本周|\d{1,2}小时内|\d{1,2}天内|\d{1,2}日内)"
)
_SIGNATURE_RE = re.compile(r"【([^【】\n]{1,24})】|\[([^\[\]\n]{1,24})\]")
_CASE_NO_RE = re.compile(r"[(（]\s*(\d{4})\s*[)）]\s*[\u4e00-\u9fff]{1,2}\d{0,4}[\u4e00-\u9fff]{1,4}\d{1,6}号")


@dataclass(frozen=True, slots=True)
class Link:
    """A URL or bare domain found in the text.

    ``text`` is the link as a browser would take it: spaces the sender put inside it removed and ``。`` read
    as a dot (``www . abc 。com`` -> ``www.abc.com``); ``host`` is lower case, without user part or port.
    """

    text: str
    host: str
    span: Span
    nspan: Span


@dataclass(frozen=True, slots=True)
class TextFeature:
    """A phone number, date, signature or case number: its normalized value and where it stands."""

    value: str
    span: Span
    nspan: Span


@dataclass(frozen=True, slots=True)
class Amount:
    """A sum of money in yuan."""

    yuan: float
    text: str
    span: Span
    nspan: Span


@dataclass(frozen=True, slots=True)
class Features:
    """What extraction found in one message."""

    links: tuple[Link, ...] = ()
    phones: tuple[TextFeature, ...] = ()
    amounts: tuple[Amount, ...] = ()
    dates: tuple[TextFeature, ...] = ()
    signatures: tuple[TextFeature, ...] = ()
    case_numbers: tuple[TextFeature, ...] = ()

    @property
    def signature(self) -> str:
        """The first 【signature】 of the message, or an empty string."""
        return self.signatures[0].value if self.signatures else ""


def extract(ntext: NormalizedText) -> Features:
    """Find links, phone numbers, amounts, dates, signatures and case numbers in a normalized text."""
    text = ntext.text
    links: list[Link] = []
    for m in _LINK_RE.finditer(text) if _LINK_HINT_RE.search(text) else ():
        raw = m.group(0).rstrip(".,;:!?。 \t")
        start, end = m.start(), m.start() + len(raw)
        url = _SPACES_RE.sub("", raw).replace("。", ".")
        host = _host_of(url)
        if _IP_HOST_RE.match(host) and any(int(octet) > 255 for octet in host.split(".")):
            continue
        links.append(Link(url, host, ntext.to_original(start, end), (start, end)))
    cases = tuple(
        TextFeature(re.sub(r"\s+", "", m.group(0)), ntext.to_original(*m.span()), m.span())
        for m in _CASE_NO_RE.finditer(text)
    )
    taken = [link.nspan for link in links] + [case.nspan for case in cases]

    def is_free(start: int, end: int) -> bool:
        return not any(a < end and start < b for a, b in taken)

    amounts = tuple(_amount(m, ntext) for m in _AMOUNT_RE.finditer(text) if is_free(*m.span()))
    taken.extend(amount.nspan for amount in amounts)
    phones = tuple(
        TextFeature(re.sub(r"[- ]", "", m.group(0)), ntext.to_original(*m.span()), m.span())
        for m in (_PHONE_RE.finditer(text) if _PHONE_HINT_RE.search(text) else ())
        if is_free(*m.span())
    )
    dates = tuple(
        TextFeature(m.group(0), ntext.to_original(*m.span()), m.span())
        for m in _DATE_RE.finditer(text)
        if is_free(*m.span())
    )
    signatures = tuple(
        TextFeature((m.group(1) or m.group(2)).strip(), ntext.to_original(*m.span()), m.span())
        for m in _SIGNATURE_RE.finditer(text)
    )
    return Features(tuple(links), phones, amounts, dates, signatures, cases)


def _host_of(link: str) -> str:
    rest = re.sub(r"^[a-z]+://", "", link)
    host = re.split(r"[/?#]", rest, maxsplit=1)[0]
    host = host.rsplit("@", 1)[-1]
    return host.split(":", 1)[0].strip(".")


def _amount(m: re.Match[str], ntext: NormalizedText) -> Amount:
    whole = (m.group(1) or m.group(3) or "0").replace(",", "")
    cents = m.group(2) or m.group(4) or ""
    value = float(f"{whole}.{cents}" if cents else whole)
    if m.group(5) in ("万", "万元"):
        value *= 10_000
    return Amount(value, m.group(0), ntext.to_original(*m.span()), m.span())
