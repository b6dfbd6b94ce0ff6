"""What the compiled rules see of one message, with the expensive parts computed at most once.

One Aho-Corasick pass finds every literal of the pack; regular expressions run on first use, only when a
literal every match needs was found, and are cached; jieba runs only when a rule asks for words, once per message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from smsguard.extract import Features
from smsguard.model import Message, PluginFailure, Signal, Span
from smsguard.normalize import NormalizedText

NSpan = tuple[int, int]
Spans = tuple[Span, ...]
# A condition's result: None when false, otherwise the original-text spans that made it true (maybe none).
BoolResult = Spans | None
Candidate = tuple[Any, Spans]
BoolEval = Callable[["MatchContext"], BoolResult]
ValueEval = Callable[["MatchContext"], list[Candidate]]


class RuleAborted(Exception):
    """A plugin function failed while a rule was evaluated: the rule counts as not fired, whatever ``not``
    stands above the call, so a crash can never become evidence."""


class RegexSearcher:
    """A compiled linear-time regular expression, found lazily and cached per message by its id.

    ``required`` holds literal ids of the pack's automaton one of which every match contains (None: unknown);
    when none of them was found in a text the regex cannot match there and is not run.
    """

    __slots__ = ("compiled", "id", "required", "source")

    def __init__(self, regex_id: int, source: str, compiled: Any, required: frozenset[int] | None = None) -> None:
        self.id = regex_id
        self.source = source
        self.compiled = compiled
        self.required = required


@dataclass(frozen=True, slots=True)
class EvaluationPlan:
    """Which rules a message needs evaluated: those triggered by an atom it holds, and those always run.

    ``literal`` maps a literal id of the pack's automaton to the rules (by index) it triggers, ``signal`` a
    signal name, and ``fact`` the other named atoms of :mod:`smsguard.lang.prefilter` (a feature, the sender).
    """

    rule_count: int
    always: tuple[int, ...]
    literal: Mapping[int, tuple[int, ...]]
    signal: Mapping[str, tuple[int, ...]]
    fact: Mapping[str, tuple[int, ...]]


@dataclass(slots=True)
class MessageView:
    """The read-only view of a message that rule functions from plugins receive."""

    message: Message
    text: NormalizedText
    features: Features
    signals: Mapping[str, Sequence[Signal]]


class MatchContext:
    """Per-message state shared by every rule of a pack.

    The engine accelerator (smsguard/_native/engine_rules.c) builds it without calling ``__init__``, setting the
    same slots to the same values: keep the two in step.
    """

    __slots__ = (
        "_regex_cache",
        "_tokens",
        "failures",
        "features",
        "found",
        "found_bits",
        "identity",
        "message",
        "ntext",
        "prefilter",
        "rule_results",
        "sender",
        "signals",
        "tokenizer",
    )

    def __init__(
        self,
        message: Message,
        ntext: NormalizedText,
        features: Features,
        signals: Mapping[str, Sequence[Signal]],
        found: dict[int, list[NSpan]],
        sender: str,
        tokenizer: Callable[[str], list[tuple[str, int, int]]] | None = None,
        rule_count: int = 0,
        prefilter: bool = True,
    ) -> None:
        self.message = message
        self.ntext = ntext
        # The offset map is the identity (the common case): normalized spans are original spans.
        self.identity = ntext.starts is None or ntext.ends is None
        self.features = features
        self.signals = signals
        self.found = found
        # A bitmap of found's keys (bit i of byte i // 8: literal id i), which the engine accelerator sets for the
        # condition accelerator's literal tests; None: they ask ``found``.
        self.found_bits: bytes | None = None
        self.sender = sender
        self.tokenizer = tokenizer
        self.prefilter = prefilter  # skip a regex when no literal it needs was found
        self.rule_results: list[BoolResult] = [None] * rule_count
        self.failures: list[PluginFailure] = []
        self._regex_cache: dict[int, list[NSpan]] = {}
        self._tokens: dict[str, list[NSpan]] | None = None

    def original(self, spans: Sequence[NSpan]) -> Spans:
        """Original-text spans of normalized ones (what ``NormalizedText.to_original`` gives, in one pass)."""
        ntext = self.ntext
        starts, ends = ntext.starts, ntext.ends
        if starts is None or ends is None:  # normalization kept every offset
            return tuple(spans)
        n = len(starts)
        to_original = ntext.to_original
        return tuple([(starts[s], ends[e - 1]) if s < e <= n else to_original(s, e) for s, e in spans])

    def regex_spans(self, regex: RegexSearcher) -> list[NSpan]:
        cached = self._regex_cache.get(regex.id)
        if cached is None:
            required = regex.required
            if required is not None and self.prefilter and required.isdisjoint(self.found):
                cached = []
            else:
                cached = [m.span() for m in regex.compiled.finditer(self.ntext.text) if m.end() > m.start()]
            self._regex_cache[regex.id] = cached
        return cached

    def tokens(self) -> dict[str, list[NSpan]]:
        """Word tokens of the normalized text with their spans, computed once."""
        if self._tokens is None:
            if self.tokenizer is None:
                raise RuntimeError("word matching needs a tokenizer")
            table: dict[str, list[NSpan]] = {}
            for word, start, end in self.tokenizer(self.ntext.text):
                table.setdefault(word, []).append((start, end))
            self._tokens = table
        return self._tokens

    def view(self) -> MessageView:
        return MessageView(self.message, self.ntext, self.features, self.signals)


_SENDER_NOISE = str.maketrans(dict.fromkeys(" -\u3000()（）"))


def normalize_sender(sender: str | None) -> str:
    """The sender as rules compare it: no spaces or dashes, lower case."""
    if not sender:
        return ""
    return sender.strip().lower().translate(_SENDER_NOISE)
