"""What the compiled rules see of one message, with the expensive parts computed at most once.

One Aho-Corasick pass finds every literal of the pack; regular expressions run on first use and are cached;
jieba runs only when a rule asks for words, once per message.
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


class RegexSearcher:
    """A compiled linear-time regular expression, found lazily and cached per message by its id."""

    __slots__ = ("compiled", "id", "source")

    def __init__(self, regex_id: int, source: str, compiled: Any) -> None:
        self.id = regex_id
        self.source = source
        self.compiled = compiled


@dataclass(slots=True)
class MessageView:
    """The read-only view of a message that rule functions from plugins receive."""

    message: Message
    text: NormalizedText
    features: Features
    signals: Mapping[str, Sequence[Signal]]


class MatchContext:
    """Per-message state shared by every rule of a pack."""

    __slots__ = (
        "_regex_cache",
        "_tokens",
        "failures",
        "features",
        "found",
        "message",
        "ntext",
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
    ) -> None:
        self.message = message
        self.ntext = ntext
        self.features = features
        self.signals = signals
        self.found = found
        self.sender = sender
        self.tokenizer = tokenizer
        self.rule_results: list[BoolResult] = []
        self.failures: list[PluginFailure] = []
        self._regex_cache: dict[int, list[NSpan]] = {}
        self._tokens: dict[str, list[NSpan]] | None = None

    def original(self, spans: Sequence[NSpan]) -> Spans:
        to_original = self.ntext.to_original
        return tuple(to_original(s, e) for s, e in spans)

    def regex_spans(self, regex: RegexSearcher) -> list[NSpan]:
        cached = self._regex_cache.get(regex.id)
        if cached is None:
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


def normalize_sender(sender: str | None) -> str:
    """The sender as rules compare it: no spaces or dashes, lower case."""
    if not sender:
        return ""
    return "".join(ch for ch in sender.strip().lower() if ch not in " -\u3000()（）")
