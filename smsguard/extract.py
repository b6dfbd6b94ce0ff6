"""Feature extraction, done once per message and shared by every detector and rule.

Everything is found in the normalized text; each feature keeps its span in the ORIGINAL text and the span in
the normalized text (``nspan``) so detectors can relate features to other matches.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from smsguard.model import Span
from smsguard.native import load
from smsguard.normalize import NormalizedText
from smsguard.skipsearch import searched_at

_Feature = TypeVar("_Feature")
_ToOriginal = Callable[[int, int], Span]


def _found(
    regex: re.Pattern[str],
    text: str,
    taken: list[Span],
    feature: Callable[[re.Match[str], _ToOriginal], _Feature],
    to_original: _ToOriginal,
) -> tuple[_Feature, ...]:
    """A feature for each match ``finditer`` would give for the pattern inside ``regex`` (made by
    :func:`~smsguard.skipsearch.searched_at` with ``capture``), but not for those that overlap a span in
    ``taken`` (see :func:`_taken`)."""
    features: list[_Feature] = []
    search = regex.search
    pos = 0
    while (m := search(text, pos)) is not None:
        pos = max(m.end(1), m.start() + 1)  # an empty match (none of the patterns has one) must not loop
        if not taken or _is_free(m.span(1), taken):
            features.append(feature(m, to_original))
    return tuple(features)


def _taken(taken: list[Span], spans: list[Span]) -> list[Span]:
    """``taken`` with ``spans`` added. Both are sorted lists of disjoint spans (the matches of one expression are)
    and so is the result: overlapping spans are merged, so the ends rise with the starts."""
    if not taken:
        return spans
    merged: list[Span] = []
    for start, end in sorted(taken + spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _is_free(span: Span, taken: list[Span]) -> bool:
    """Whether ``span`` (not empty) overlaps none of the ``taken`` spans, each not empty either."""
    start, end = span
    before_end = bisect_left(taken, (end,))  # the taken spans that start before this one ends
    return not before_end or taken[before_end - 1][1] <= start


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
_LETTERS = "a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"
_LABEL_CHARS = f"0-9{_LETTERS}"
_LABEL = f"[{_LABEL_CHARS}](?:[{_LABEL_CHARS}-]{{0,61}}[{_LABEL_CHARS}])?"
_URL_CHARS = "[^\\s\u2000-\u206f\u3000-\u303f\uff00-\uffef\u4e00-\u9fff<>\"'（）()【】,;!]"
_SEGMENT = "[a-z0-9_~%=&?#.-]+"
_GAP = "[ \\t]{0,3}"  # spaces a sender inserted inside a URL
_LOOSE_DOT = f"(?:{_GAP}[.。]{_GAP})"
_IP = "(?:\\d{1,3}\\.){3}\\d{1,3}"
_TIGHT_PATH = f"(?::\\d{{1,5}})?(?:[/?#]{_URL_CHARS}*)?"
_LOOSE_PATH = f"(?:{_GAP}:{_GAP}\\d{{1,5}})?(?:{_GAP}/{_GAP}(?:{_SEGMENT})?)*"
_NOT_AFTER_LABEL = f"(?<![{_LABEL_CHARS}@._/-])"
_TLD_LABEL = f"(?:xn--[a-z0-9-]{{2,59}}|[{_LETTERS}]{{2,63}})"  # never all digits
_TIGHT_HOST = f"(?:{_LABEL}\\.){{1,16}}{_TLD_LABEL}(?![{_LABEL_CHARS}-])"
_LOOSE_HOST = f"(?:{_LABEL}{_LOOSE_DOT}){{1,8}}{_TLD_LABEL}(?![{_LABEL_CHARS}-])"
_USERINFO = f"(?:(?:{_LABEL}\\.){{1,16}}(?:{_BARE_TLDS})@)"  # ``icbc.com.cn@evil.cc``: the real host is after @
_LINK = "|".join(
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
_LINK_RE = searched_at(f"\\d{_LABEL_CHARS}", _LINK, capture=True)
# Repetitions are bounded ({1,16} labels, {0,3} spaces) so that text like "a . a . a ..." costs linear time.
_IP_HOST_RE = re.compile(f"^{_IP}$")
# A cheap test that lets most messages skip the link expression: a link has a scheme, or a dot after a label
# character and before the top-level domain (which starts with a letter), or is an IP address. The test starts
# at the dot or colon: those are rare.
_LINK_HINT_RE = re.compile(
    "[.。:](?:(?:"
    + "|".join(f"(?<=[{_LABEL_CHARS}][ \\t]{{{gap}}}[.。])" for gap in range(4))
    + f"){_GAP}[{_LETTERS}]|(?<=\\d\\.)\\d{{1,3}}\\.\\d|(?<=:)//)"
)
_DIGIT_RE = re.compile(r"\d")  # amounts, phone numbers and case numbers have one
_SCHEME_RE = re.compile(r"^[a-z]+://")
_PATH_START_RE = re.compile(r"[/?#]")
_WHITESPACE_RE = re.compile(r"\s+")
_PHONE = (
    r"(?<!\d)(?:\+?86[- ]?|0086[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)"
    r"|(?<!\d)(?:400|800)[- ]?\d{3}[- ]?\d{4}(?!\d)"
    r"|(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)"
    r"|(?<!\d)9[56]\d{3}(?:\d{0,3})(?!\d)"
    r"|(?<!\d)12\d{3}(?!\d)"
)
_PHONE_RE = searched_at("+014589", _PHONE, capture=True, not_after=r"\d")
_AMOUNT = (
    r"(?:[¥￥]|rmb|人民币)\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?"
    # (?<!\d): try a number only where its digits start, or a long run of digits costs quadratic time. The number
    # is possessive: giving back a digit or a group leaves a digit or comma where the unit must be, so it never
    # helps, and trying costs time on every long number without a unit.
    r"|(?<!\d)(\d{1,3}+(?:,\d{3})++|\d++)(?:\.(\d{1,2}))?\s*(万元|万|元|块)"
)
_AMOUNT_RE = searched_at(r"¥￥r人\d", _AMOUNT, capture=True)
_DATE_WORDS = ("今天", "今日", "明天", "明日", "后天", "本周")  # the dates without a digit
_DATE = (
    r"(?<![\d.])(?:(\d{4})[年/.-])?(0?[1-9]|1[0-2])(?:月|(?<=\d{4}[/.-]\d)[/.-]|(?<=\d{4}[/.-]\d\d)[/.-]|/)"
    r"(0?[1-9]|[12]\d|3[01])(?![\d.])[日号]?"
    rf"|({'|'.join(_DATE_WORDS)}|\d{{1,2}}小时内|\d{{1,2}}天内|\d{{1,2}}日内)"
)
# A date's digits are a year or month, or a number of hours or days: at most four before one of these.
_DATE_RE = searched_at(r"\d今明后本", _DATE, capture=True, pretest=r"\d{1,4}[年月/.\-小天日]|[今明后本]")
# Cheap tests that let many messages skip an expression: an amount has a currency sign or a unit; a date has
# one of the words, or 月 or a separator after the month, or 内 (``3天内``).
_AMOUNT_HINT_RE = re.compile("¥|￥|rmb|人民币|万|元|块")
_DATE_HINT_RE = re.compile("|".join(("月", "/", "\\.", "-", "内", *_DATE_WORDS)))
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


_NOTHING = Features()


def extract_python(ntext: NormalizedText) -> Features:
    """Find links, phone numbers, amounts, dates, signatures and case numbers in a normalized text.

    The pure-Python extraction: the reference that the native one (``smsguard._cextract``) is tested against.
    """
    text = ntext.text
    to_original = _same_span if ntext.starts is None or ntext.ends is None else ntext.to_original
    links = _links(text, to_original) if _LINK_HINT_RE.search(text) else ()
    taken = [link.nspan for link in links]
    cases: tuple[TextFeature, ...] = ()
    amounts: tuple[Amount, ...] = ()
    phones: tuple[TextFeature, ...] = ()
    dates: tuple[TextFeature, ...] = ()
    if _DIGIT_RE.search(text) is not None:
        if "(" in text or "（" in text:
            cases = tuple(
                [
                    _text_feature(_WHITESPACE_RE.sub("", m.group()), m.span(), to_original)
                    for m in _CASE_NO_RE.finditer(text)
                ]
            )
            taken = _taken(taken, [case.nspan for case in cases])
        if _AMOUNT_HINT_RE.search(text):
            amounts = _found(_AMOUNT_RE, text, taken, _amount, to_original)
            if amounts:
                taken = _taken(taken, [amount.nspan for amount in amounts])
        phones = _found(_PHONE_RE, text, taken, _phone, to_original)
    if _DATE_HINT_RE.search(text):
        dates = _found(_DATE_RE, text, taken, _date, to_original)
    signatures: tuple[TextFeature, ...] = ()
    if "【" in text or "[" in text:
        signatures = tuple(
            [
                _text_feature((m.group(1) or m.group(2)).strip(), m.span(), to_original)
                for m in _SIGNATURE_RE.finditer(text)
            ]
        )
    if not (links or phones or amounts or dates or signatures or cases):
        return _NOTHING
    return Features(links, phones, amounts, dates, signatures, cases)


def _same_span(start: int, end: int) -> Span:
    """``to_original`` of a text whose offset map is the identity, without the method call and its tests."""
    return (start, end)


def _text_feature(value: str, nspan: Span, to_original: _ToOriginal) -> TextFeature:
    return TextFeature(value, to_original(*nspan), nspan)


def _phone(m: re.Match[str], to_original: _ToOriginal) -> TextFeature:
    return _text_feature(m.group(1).replace("-", "").replace(" ", ""), m.span(1), to_original)


def _date(m: re.Match[str], to_original: _ToOriginal) -> TextFeature:
    return _text_feature(m.group(1), m.span(1), to_original)


def _links(text: str, to_original: _ToOriginal) -> tuple[Link, ...]:
    return tuple([link for link in _found(_LINK_RE, text, [], _link, to_original) if link is not None])


def _link(m: re.Match[str], to_original: _ToOriginal) -> Link | None:
    """The link of a match, or None for an IP address that is not one (an octet above 255)."""
    raw = m.group(1).rstrip(".,;:!?。 \t")
    start = m.start(1)
    nspan = (start, start + len(raw))
    url = raw.replace(" ", "").replace("\t", "").replace("。", ".")
    host = _host_of(url)
    if _IP_HOST_RE.match(host) and any(int(octet) > 255 for octet in host.split(".")):
        return None
    return Link(url, host, to_original(*nspan), nspan)


def _host_of(link: str) -> str:
    rest = _SCHEME_RE.sub("", link)
    host = _PATH_START_RE.split(rest, maxsplit=1)[0]
    host = host.rsplit("@", 1)[-1]
    return host.split(":", 1)[0].strip(".")


def _amount(m: re.Match[str], to_original: _ToOriginal) -> Amount:
    # Group 1 is the whole amount (see searched_at), then the number and cents after a currency sign, the
    # number and cents before a unit, and the unit.
    amount, sign_number, sign_cents, unit_number, unit_cents, unit = m.groups()
    whole = (sign_number or unit_number or "0").replace(",", "")
    cents = sign_cents or unit_cents or ""
    value = float(f"{whole}.{cents}" if cents else whole)
    if unit in ("万", "万元"):
        value *= 10_000
    nspan = m.span(1)
    return Amount(value, amount, to_original(*nspan), nspan)


extract: Callable[[NormalizedText], Features] = extract_python
"""Find links, phone numbers, amounts, dates, signatures and case numbers in a normalized text: the native
extraction when it is built (and not turned off), else :func:`extract_python`, which finds exactly the same."""

_native = load("extract")
if _native is not None:
    _native.setup(NormalizedText, Features, TextFeature, Amount, Link, _NOTHING, _LINK_RE.search, extract_python)
    extract = _native.extract
