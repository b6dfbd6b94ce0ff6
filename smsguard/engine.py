"""The engine: normalize, extract, detect, evaluate, score, explain. One direction, no back and forth."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from smsguard import __version__, scoring
from smsguard.cache import PackCache, cache_enabled
from smsguard.diagnostics import Diagnostic
from smsguard.engine_judge import native_judge
from smsguard.engine_native import hit_parts, native_evaluator
from smsguard.extract import Features, extract
from smsguard.intake import as_message, batched, check_input
from smsguard.lang import prefilter
from smsguard.lang.compiler import compile_or_raise
from smsguard.lang.loader import LoadedPack, load_pack
from smsguard.matching import BoolResult, MatchContext, RuleAborted, normalize_sender
from smsguard.model import Hit, Message, PluginFailure, Signal, Verdict
from smsguard.normalize import NormalizedText, Normalizer, default_normalizer
from smsguard.pack import CompiledPack
from smsguard.plugins import PluginHost

log = logging.getLogger(__name__)
Tokenizer = Callable[[str], list[tuple[str, int, int]]]


def default_pack_path() -> Path:
    """The directory of the built-in default rule pack inside the installed package."""
    return Path(str(resources.files("smsguard.packs").joinpath("default")))


@dataclass(frozen=True, slots=True)
class Judgement:
    """Everything computed for one message, for ``explain`` and tests; the verdict is the public part."""

    message: Message
    text: NormalizedText
    features: Features
    signals: tuple[Signal, ...]
    rule_results: tuple[BoolResult, ...]
    verdict: Verdict


class Engine:
    """Judges messages with one compiled pack and one set of plugins.

    One engine may be shared by threads: judging holds a lock, so each message is judged whole, the plugins'
    time budgets measure their own work and the circuit breakers see calls in order. Threads gain no speed
    from sharing an engine (judging is Python code under the GIL); for more cores use processes, as ``smsguard
    scan --jobs N`` does.
    """

    def __init__(
        self,
        pack: CompiledPack,
        host: PluginHost,
        normalizer: Normalizer | None = None,
    ) -> None:
        self.pack = pack
        self.host = host
        self.normalizer = normalizer or default_normalizer()
        self._tokenizer: Tokenizer | None = _jieba_tokenizer() if pack.needs_words else None
        self._version = {"engine": __version__, "pack": f"{pack.name} {pack.version}"}
        self._categories = {c.id: c for c in pack.categories}
        self._advice_of = {rule.id: rule.advice for rule in pack.rules}  # pack.rule() scans the whole pack
        self._lock = threading.RLock()
        # the C version of evaluate, _verdict and the Judgement's construction, or None
        self._fast = native_evaluator(pack, self._tokenizer, self._advice_of, self._version, Judgement)
        self._find_spans = pack.literals.find_spans
        # With no plugin adjusting verdicts, PluginHost.adjust hands the verdict back as it is: the C conclude may
        # then do the rules, the verdict and the Judgement in one call, unless a subclass replaces one of them.
        self._concludes_natively = (
            type(host).adjust is PluginHost.adjust
            and not host.adjusts
            and type(self).evaluate is Engine.evaluate
            and type(self)._verdict is Engine._verdict
        )
        # judge() in one C call when every stage has its C version; None otherwise
        self._native_judge = native_judge(self)

    # ---- construction
    @classmethod
    def default(cls, *, plugins: Iterable[Any] = (), load_entrypoints: bool = True) -> Engine:
        """The built-in default pack, layered with the packs that installed plugins contribute."""
        return cls.from_paths(plugins=plugins, load_entrypoints=load_entrypoints, include_default=True)

    @classmethod
    def from_paths(
        cls,
        *paths: str | Path,
        include_default: bool = False,
        plugins: Iterable[Any] = (),
        load_entrypoints: bool = True,
        host: PluginHost | None = None,
        cache: PackCache | bool = False,
    ) -> Engine:
        """Compile the given pack files or directories (layered in order) with the installed plugins.

        With ``include_default`` the built-in pack and the plugins' packs come first. With ``cache`` (True for
        the default on-disk cache, see :mod:`smsguard.cache`) parsed packs are reused while their files are
        unchanged.
        """
        host = host or PluginHost.from_entry_points(plugins, load_entrypoints=load_entrypoints)
        normalizer = default_normalizer()
        sources: list[Path] = []
        if include_default:
            sources.append(default_pack_path())
            sources.extend(Path(str(p)) for p in host.rule_packs())
        sources.extend(Path(p) for p in paths)
        store = (PackCache() if cache_enabled() else None) if cache is True else (cache or None)
        if store is not None:
            loaded, diagnostics = load_packs_cached(sources, host, store)
        else:
            loaded, diagnostics = load_packs(sources, host)
        pack = compile_or_raise(loaded, host.signal_specs, host.functions(), normalizer, diagnostics)
        return cls(pack, host, normalizer)

    # ---- judging
    def check(
        self,
        text: str,
        sender: str | None = None,
        received_at: datetime | None = None,
        *,
        meta: Mapping[str, Any] | None = None,
    ) -> Verdict:
        """Judge one SMS."""
        return self.judge(Message(text, sender, received_at, meta or {})).verdict

    def check_message(self, message: Message) -> Verdict:
        native = self._native_judge
        if native is not None:
            return native(message).verdict
        with self._lock:
            return self._judge_one(message).verdict

    def check_many(self, items: Iterable[str | Message | Mapping[str, Any]]) -> Iterator[Verdict]:
        """Judge messages in order: strings, :class:`Message` objects or mappings with ``text``.

        Lazy, reading a batch ahead (at most ``BATCH`` messages or ``BATCH_CHARS`` characters): each batch goes
        through :meth:`judge_many`. What cannot be judged raises after the verdicts of the items before it:
        :class:`InputError` for an item that is not a message, an error of ``items`` itself, or whatever
        :meth:`judge` raises for that message.
        """
        refused: list[Exception] = []  # what stopped the input: raised once the messages before it are judged

        def messages() -> Iterator[Message]:
            iterator = iter(items)
            while True:
                try:
                    message = as_message(next(iterator))
                    check_input(message)
                except StopIteration:
                    return
                except Exception as exc:
                    refused.append(exc)
                    return
                yield message

        for batch in batched(messages()):
            for verdict in self.verdicts_or_errors(batch):
                if isinstance(verdict, Exception):
                    raise verdict
                yield verdict
        if refused:
            raise refused[0]

    def verdicts_or_errors(self, batch: Sequence[Message]) -> list[Verdict | Exception]:
        """The verdicts of a batch (see :meth:`judge_many`); should judging it as a batch fail, it is judged one
        message at a time, with what :meth:`judge` raised in place of each message that cannot be judged."""
        try:
            return [j.verdict for j in self.judge_many(batch)]
        except Exception:
            log.debug("a batch failed; judging its messages one by one", exc_info=True)
        verdicts: list[Verdict | Exception] = []
        for message in batch:
            try:
                verdicts.append(self.judge(message).verdict)
            except Exception as exc:
                verdicts.append(exc)
        return verdicts

    def judge(self, message: Message) -> Judgement:
        """Judge one message and keep every intermediate result."""
        native = self._native_judge
        if native is not None:
            return native(message)
        with self._lock:
            return self._judge_one(message)

    def judge_many(self, messages: Sequence[Message]) -> list[Judgement]:
        """Judge messages stage by stage: every normalization, then every extraction, then the detectors, the rules
        and the verdicts. The judgements are those of :meth:`judge` one message at a time; on batches of dozens
        of messages the whole is 8-15% faster, because each stage's code and tables stay in the processor's
        caches. Every intermediate result of the batch is held at once: give it dozens of messages, not a stream
        (:meth:`check_many` and ``smsguard scan`` cut their input into such batches).

        Within one message the stages keep their order; across messages they interleave differently, so a plugin
        must not assume its rule functions run right after its own detector saw the same message. When a plugin
        is disabled during a batch (its circuit breaker trips), the batch is judged again one message at a time,
        so that the messages before the trip keep that plugin's functions and adjustments.
        """
        with self._lock:
            return self._judge_many(list(messages))

    def _judge_many(self, messages: list[Message]) -> list[Judgement]:
        for message in messages:
            check_input(message)
        before = self.host.guard.snapshot() if len(messages) > 1 else None
        texts = [self.normalizer.normalize_any(m.text) for m in messages]
        features = [extract(t) for t in texts]
        detected = [self.host.detect(m, t, f) for m, t, f in zip(messages, texts, features, strict=True)]
        judgements = [
            self._conclude(message, ntext, found, signals, failures)
            for message, ntext, found, (signals, failures) in zip(messages, texts, features, detected, strict=True)
        ]
        if before is not None and len(self.host.guard.disabled) > len(before.disabled):
            self.host.guard.restore(before)
            return [self._judge_one(message) for message in messages]
        return judgements

    def _judge_one(self, message: Message) -> Judgement:
        """What :meth:`_judge_many` does for a batch of one, without the batch's lists: a call costs a few
        microseconds less, which is a tenth of the whole on the native path."""
        check_input(message)
        ntext = self.normalizer.normalize_any(message.text)
        features = extract(ntext)
        signals, failures = self.host.detect(message, ntext, features)
        return self._conclude(message, ntext, features, signals, failures)

    def _conclude(
        self,
        message: Message,
        ntext: NormalizedText,
        features: Features,
        signals: list[Signal],
        failures: list[PluginFailure],
    ) -> Judgement:
        """The rules, the verdict and the plugins' adjustments of one message whose detectors have run."""
        fast = self._fast
        if fast is not None and self._concludes_natively:
            judgement: Judgement | None = fast.conclude(message, ntext, features, signals, failures, self._find_spans)
            if judgement is not None:
                return judgement
        results, hits = self.evaluate(message, ntext, features, signals, failures)
        verdict = self._verdict(hits, signals, failures)
        verdict, adjust_failures = self.host.adjust(message, verdict, self._categories)
        if adjust_failures:
            verdict = _with_errors(verdict, adjust_failures)
        if fast is not None:
            return fast.judgement(message, ntext, features, signals, results, verdict)
        return Judgement(message, ntext, features, tuple(signals), tuple(results), verdict)

    def evaluate(
        self,
        message: Message,
        ntext: NormalizedText,
        features: Features,
        signals: Sequence[Signal],
        failures: list[PluginFailure],
    ) -> tuple[list[BoolResult], list[Hit]]:
        """Run the pack's rules: one literal pass, then only the rules the message can trigger.

        Returns every rule's result (None for the rules skipped: their prefilter proves them false) and the hits
        of the enabled rules that hold; failures of plugin functions are appended to ``failures``.
        """
        found = self.pack.literals.find_spans(ntext.text)
        if self._fast is not None:
            return self._fast.evaluate(message, ntext, features, signals, failures, found)
        by_name: dict[str, list[Signal]] = {}
        for signal in signals:
            same = by_name.get(signal.name)
            if same is None:
                by_name[signal.name] = [signal]
            else:
                same.append(signal)
        rules = self.pack.rules
        original = message.text
        sender = normalize_sender(message.sender)
        ctx = MatchContext(
            message, ntext, features, by_name, found, sender, self._tokenizer, len(rules), self.pack.plan is not None
        )
        results = ctx.rule_results
        hits: list[Hit] = []
        for index in self._candidates(found, by_name, features, sender):
            rule = rules[index]
            try:
                result = rule.evaluate(ctx)
            except RuleAborted:
                continue
            if result is None:
                continue
            results[index] = result
            if rule.enabled:
                spans, evidence = hit_parts(result, original)
                hits.append(Hit(rule.id, rule.category, rule.weight, rule.title, spans, evidence, rule.pack))
        failures.extend(ctx.failures)
        return results, hits

    def _candidates(
        self, found: Mapping[int, object], signals: Mapping[str, object], features: Features, sender: str
    ) -> Sequence[int]:
        """Indices, in dependency order, of the rules whose trigger atoms the message holds."""
        plan = self.pack.plan
        if plan is None:
            return range(len(self.pack.rules))
        chosen = set(plan.always)
        literal, signal = plan.literal, plan.signal
        for literal_id in found:
            triggered = literal.get(literal_id)
            if triggered:
                chosen.update(triggered)
        for name in signals:
            triggered = signal.get(name)
            if triggered:
                chosen.update(triggered)
        fact = plan.fact
        if fact:
            facts = (
                (prefilter.FEATURE_AMOUNTS, features.amounts),
                (prefilter.FEATURE_SIGNATURES, features.signatures),
                (prefilter.FEATURE_LINKS, features.links),
                (prefilter.SENDER, sender),
            )
            for name, value in facts:
                if value and name in fact:
                    chosen.update(fact[name])
        return sorted(chosen)

    def fired_rules(self, message: Message) -> frozenset[str]:
        """Ids of the rules whose condition holds for ``message`` (disabled rules included)."""
        results = self.judge(message).rule_results
        return frozenset(rule.id for rule, result in zip(self.pack.rules, results, strict=True) if result is not None)

    def _verdict(self, hits: list[Hit], signals: list[Signal], failures: list[PluginFailure]) -> Verdict:
        if self._fast is not None:
            verdict = self._fast.verdict(hits, signals, failures)
            if verdict is not None:
                return verdict
        categories = self.pack.categories
        scores = scoring.scores(categories, hits)
        chosen = scoring.decide(categories, scores, self.pack.fallback)
        hits.sort(key=lambda h: (-scores.get(h.category, 0.0), h.category, -h.weight, h.rule))
        return Verdict(
            chosen.id,
            chosen.risk,
            scores,
            tuple(hits),
            tuple(signals),
            self._advice(chosen.id, hits, scores),
            tuple(failures),
            self._version,
            chosen.title,
        )

    def _advice(self, chosen: str, hits: Sequence[Hit], scores: Mapping[str, float]) -> tuple[str, ...]:
        """Advice of the fired rules that matter (their category is chosen or half-way to its threshold),
        most specific first, then the chosen category's general advice; no repeats."""
        advice: list[str] = []
        for hit in hits:
            category = self._categories.get(hit.category)
            if hit.weight <= 0 or category is None:
                continue
            if hit.category != chosen and scores.get(hit.category, 0.0) < category.threshold / 2:
                continue
            advice.extend(self._advice_of[hit.rule])
        category = self._categories.get(chosen)
        if category is not None:
            advice.extend(category.advice)
        return tuple(dict.fromkeys(advice))


def load_packs(sources: Sequence[Path], host: PluginHost) -> tuple[list[LoadedPack], list[Diagnostic]]:
    """Load pack sources with the lexicons the plugins contribute; diagnostics are collected, not raised."""
    lexicons = host.lexicons()
    loaded: list[LoadedPack] = []
    diagnostics: list[Diagnostic] = []
    for source in sources:
        pack, found = load_pack(source, lexicons)
        loaded.append(pack)
        diagnostics.extend(found)
    return loaded, diagnostics


def load_packs_cached(
    sources: Sequence[Path], host: PluginHost, cache: PackCache
) -> tuple[list[LoadedPack], list[Diagnostic]]:
    """:func:`load_packs` through the on-disk cache, keyed by the plugins and the lexicons they provide."""
    lexicons = host.lexicons()
    context = {
        "plugins": ",".join(host.plugin_names()),
        "lexicons": ",".join(f"{name}={path}" for name, path in sorted(lexicons.items())),
    }
    found = cache.get(sources, context)
    if found is not None:
        return found
    loaded = load_packs(sources, host)
    cache.put(sources, context, loaded)
    return loaded


def _with_errors(verdict: Verdict, failures: Sequence[PluginFailure]) -> Verdict:
    return replace(verdict, errors=(*verdict.errors, *failures))


def _jieba_tokenizer() -> Tokenizer:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()

    def tokenize(text: str) -> list[tuple[str, int, int]]:
        return [(word, start, end) for word, start, end in jieba.tokenize(text)]

    return tokenize
