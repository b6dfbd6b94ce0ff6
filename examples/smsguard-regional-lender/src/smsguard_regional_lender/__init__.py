"""smsguard plugin for 湖滨银行 (Hubin Bank), a FICTIONAL city commercial bank: every number, domain and
product name here is EXAMPLE DATA (see the ``# source:`` lines of the lexicons).

It shows every extension point a third party has:

- ``smsguard_signals`` / ``smsguard_detect``: the bank's name, its official sender numbers and domains, and
  links that spell the bank's name on a domain it does not own;
- ``smsguard_lexicons``: the bank's product names, for ``file("lexicon:regional_lender_products")`` in rules;
- ``smsguard_rule_packs``: rules layered after the default pack;
- ``smsguard_functions``: ``lender_numbers("official" | "other")``, a typed function for the rule language;
- ``smsguard_adjust_verdict``: an organisation's allow-list of its own sender numbers, read from the file
  named by ``REGIONAL_LENDER_ALLOWLIST`` (off when unset).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from smsguard.extract import Features
from smsguard.functions import MessageView, RuleFunction
from smsguard.hookspecs import hookimpl
from smsguard.lexicon import load_lexicon, read_lexicon_file, terms
from smsguard.matching import normalize_sender
from smsguard.model import Message, Signal, SignalSpec, Verdict
from smsguard.normalize import NormalizedText
from smsguard.termscan import TermMatcher

PLUGIN = "regional_lender"
ALLOWLIST_ENV = "REGIONAL_LENDER_ALLOWLIST"
_DATA = resources.files(__name__)
LEXICONS = _DATA / "lexicons"
PACKS = _DATA / "packs"

BRAND_NAMES = terms(load_lexicon(LEXICONS, "hubin_brand"))
OFFICIAL_SENDERS = frozenset(normalize_sender(term) for term in terms(load_lexicon(LEXICONS, "hubin_senders")))
OFFICIAL_DOMAINS = terms(load_lexicon(LEXICONS, "hubin_domains"))
# The letters of the bank's name that impersonating domains keep (hubinbank-vip.top, hu-bin.cc, hubin95.xyz).
BRAND_LETTERS = "hubin"
# The default pack's title for the category the allow-list moves a verdict to (a test keeps them in step).
COLLECTION_NOTICE_TITLE = "正规还款/逾期提醒"
ALLOWLIST_ADVICE = (
    "发送号码在湖滨银行自有号码白名单中（示例数据）：这是湖滨银行发出的提醒，短信本身不是法院文书。",
    "如需核实，请拨打湖滨银行官方客服96598或登录官方APP，不要使用短信里的其他号码或链接。",
    "如还款确有困难，可通过官方渠道协商延期或分期。",
)
_BRAND = TermMatcher(BRAND_NAMES)
_LETTERS_ONLY = re.compile(r"[^a-z]")


@hookimpl
def smsguard_signals() -> Sequence[SignalSpec]:
    return [
        SignalSpec(f"{PLUGIN}.brand", "string", "names 湖滨银行: 'signature' in the 【signature】, else 'text'"),
        SignalSpec(f"{PLUGIN}.official_sender", "bool", "the sender is a number 湖滨银行 registered (example data)"),
        SignalSpec(f"{PLUGIN}.official_link", "bool", "a link goes to a domain of 湖滨银行 (example data)"),
        SignalSpec(f"{PLUGIN}.lookalike_link", "string", "a link spells 湖滨银行's name on a domain it does not own"),
    ]


@hookimpl
def smsguard_detect(message: Message, text: NormalizedText, features: Features) -> Iterable[Signal]:
    signals: list[Signal] = []
    found = _BRAND.find(text.text)
    if found:
        in_signature = any(
            sig.nspan[0] <= match.start and match.end <= sig.nspan[1] for match in found for sig in features.signatures
        )
        spans = tuple(text.to_original(match.start, match.end) for match in found)
        signals.append(Signal(f"{PLUGIN}.brand", "signature" if in_signature else "text", 0.9, spans))
    if normalize_sender(message.sender) in OFFICIAL_SENDERS:
        signals.append(Signal(f"{PLUGIN}.official_sender", True, 0.8))
    official = [link for link in features.links if is_official_host(link.host)]
    if official:
        signals.append(Signal(f"{PLUGIN}.official_link", True, 0.9, tuple(link.span for link in official)))
    for link in features.links:
        if not is_official_host(link.host) and BRAND_LETTERS in _LETTERS_ONLY.sub("", link.host):
            signals.append(Signal(f"{PLUGIN}.lookalike_link", link.host, 0.9, (link.span,)))
            break
    return signals


@hookimpl
def smsguard_lexicons() -> Mapping[str, Path | Traversable]:
    return {f"{PLUGIN}_products": LEXICONS / "hubin_products.txt"}


@hookimpl
def smsguard_rule_packs() -> Sequence[Path | Traversable]:
    return [PACKS / "regional_lender.sg"]


@hookimpl
def smsguard_functions() -> Sequence[RuleFunction]:
    return [
        RuleFunction(
            "lender_numbers",
            ("string",),
            "number",
            lender_numbers,
            "how many phone numbers in the text are 湖滨银行's ('official') or not ('other')",
        )
    ]


def lender_numbers(view: MessageView, kind: str) -> int:
    """The phone numbers written in the message that are (``official``) or are not (``other``) the bank's."""
    if kind not in ("official", "other"):
        raise ValueError(f"lender_numbers() takes 'official' or 'other', not {kind!r}")
    official = sum(normalize_sender(phone.value) in OFFICIAL_SENDERS for phone in view.features.phones)
    return official if kind == "official" else len(view.features.phones) - official


@hookimpl
def smsguard_adjust_verdict(message: Message, verdict: Verdict) -> Verdict | None:
    """The organisation's own numbers: a legal-threat verdict on a message it sent under its own name is
    its lawful reminder, not a collector's scare tactic. Scam and illegal-collection verdicts are never
    changed (a compromised account is still a scam; insults are unlawful whoever sends them)."""
    allowed = allowlist(os.environ.get(ALLOWLIST_ENV, ""))
    if not allowed or verdict.category != "legal_threat" or normalize_sender(message.sender) not in allowed:
        return None
    names = {signal.name for signal in verdict.signals}
    if f"{PLUGIN}.brand" not in names or f"{PLUGIN}.lookalike_link" in names:
        return None
    return replace(
        verdict,
        category="collection_notice",
        category_title=COLLECTION_NOTICE_TITLE,
        risk="low",
        advice=ALLOWLIST_ADVICE,
    )


@lru_cache(maxsize=4)
def allowlist(path: str) -> frozenset[str]:
    """The sender numbers in the allow-list file at ``path`` (lexicon format), read once per path."""
    if not path:
        return frozenset()
    return frozenset(normalize_sender(entry.term) for entry in read_lexicon_file(Path(path)))


def is_official_host(host: str) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in OFFICIAL_DOMAINS)
