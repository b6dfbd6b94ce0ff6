"""The reference evaluator: walks each rule's syntax tree for each message, with no optimisation at all.

It searches every literal with ``str.find``, compiles and runs every regex on each use, evaluates every branch
(no short-circuit) and resolves rule references by recursion. It checks the compiled engine (differential
tests), measures it (benchmarks) and explains it: :class:`ConditionWalker` returns, for every node of a
condition, whether it held, its values and the characters of the original message that made it hold, which is
what ``smsguard explain`` prints. The walker and the engine must fire the same rules and give the same scores.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import re2

from smsguard import scoring
from smsguard.engine import Engine
from smsguard.extract import Features, extract
from smsguard.lang import ast
from smsguard.matching import MessageView, normalize_sender
from smsguard.model import Message, Signal, Span
from smsguard.normalize import NormalizedText
from smsguard.pack import CompiledRule

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
}


@dataclass(frozen=True, slots=True)
class Trace:
    """What one node of a condition came to: whether it held, its values, the original-text spans behind it,
    and the same for its sub-expressions."""

    expr: ast.Expr
    truth: bool
    values: tuple[Any, ...] = ()
    spans: tuple[Span, ...] = ()
    children: tuple[Trace, ...] = ()


@dataclass(frozen=True, slots=True)
class Observed:
    """Everything about one message that conditions look at."""

    message: Message
    text: NormalizedText
    features: Features
    signals: tuple[Signal, ...]


def observe(engine: Engine, message: Message) -> Observed:
    """Normalize (lone surrogates become U+FFFD first, as in the engine), extract and run the detectors."""
    ntext = engine.normalizer.normalize_any(message.text)
    features = extract(ntext)
    signals, _ = engine.host.detect(message, ntext, features)
    return Observed(message, ntext, features, tuple(signals))


class ReferenceEvaluator:
    """Judges with the same pack, plugins and normalizer as ``engine``, but by walking the AST."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.rules = {rule.id: rule for rule in engine.pack.rules}

    def walker(self, message: Message) -> ConditionWalker:
        return ConditionWalker(self.engine, self.rules, observe(self.engine, message))

    def fired(self, text: str, sender: str | None = None) -> tuple[frozenset[str], dict[str, float], str]:
        """The ids of the rules that fire (enabled ones), the category scores and the chosen category."""
        walker = self.walker(Message(text, sender))
        fired = frozenset(rid for rid, rule in self.rules.items() if rule.enabled and walker.rule(rid))
        return fired, *self.score(fired)

    def score(self, fired: frozenset[str]) -> tuple[dict[str, float], str]:
        """Category probabilities (from the exact sum of the fired rules' weights) and the chosen category."""
        weights: dict[str, list[float]] = {c.id: [] for c in self.engine.pack.categories}
        for rule_id in fired:
            rule = self.rules[rule_id]
            if rule.category in weights:
                weights[rule.category].append(rule.weight)
        scores = {c: scoring.probability(math.fsum(w)) for c, w in weights.items()}
        chosen = scoring.decide(self.engine.pack.categories, scores, self.engine.pack.fallback)
        return scores, chosen.id


class ConditionWalker:
    """Evaluates conditions node by node for one observed message; rule results are remembered."""

    def __init__(self, engine: Engine, rules: Mapping[str, CompiledRule], observed: Observed) -> None:
        self.engine = engine
        self.rules = rules
        self.observed = observed
        self.text = observed.text.text
        self.normalize = engine.normalizer.normalize_pattern
        self.by_name: dict[str, list[Signal]] = {}
        for signal in observed.signals:
            self.by_name.setdefault(signal.name, []).append(signal)
        self._rules: dict[str, Trace] = {}

    def rule(self, rule_id: str) -> bool:
        return self.rule_trace(rule_id).truth

    def rule_trace(self, rule_id: str) -> Trace:
        found = self._rules.get(rule_id)
        if found is None:
            condition = self.rules[rule_id].condition
            self._rules[rule_id] = Trace(condition, False)  # a cycle (a compile error) reads as false
            found = self._rules[rule_id] = self.trace(condition)
        return found

    def trace(self, expr: ast.Expr) -> Trace:
        """The node's result with every sub-expression's result under it."""
        if isinstance(expr, ast.Or | ast.And | ast.NOf):
            parts = tuple(self.trace(i) for i in expr.items)
            held = [p for p in parts if p.truth]
            if isinstance(expr, ast.Or):
                truth = bool(held)
            elif isinstance(expr, ast.And):
                truth = len(held) == len(parts)
            else:
                truth = len(held) >= expr.count
            return Trace(expr, truth, (), _spans(held) if truth else (), parts)
        if isinstance(expr, ast.Not):
            inner = self.trace(expr.item)
            return Trace(expr, not inner.truth, (), (), (inner,))
        if isinstance(expr, ast.Bool):
            return Trace(expr, expr.value)
        if isinstance(expr, ast.Ref) and expr.name in self.rules:
            target = self.rule_trace(expr.name)
            return Trace(expr, target.truth, (), target.spans if target.truth else ())
        if isinstance(expr, ast.Literal | ast.Regex | ast.StringList | ast.Ref):
            found = self.occurrences([expr])
            return Trace(expr, bool(found), (), self._original(found))
        if isinstance(expr, ast.Compare):
            left, right = self._value_trace(expr.left), self._value_trace(expr.right)
            truth = any(_safe(expr.op, a, b) for a in left.values for b in right.values)
            spans = _spans([left, right]) if truth else ()
            return Trace(expr, truth, (), spans, (left, right))
        if isinstance(expr, ast.Number):
            return Trace(expr, bool(expr.value), (expr.value,))
        if isinstance(expr, ast.Call):
            values, spans = self.call(expr)
            truth = any(bool(v) for v in values)
            return Trace(expr, truth, tuple(values), spans if truth else ())
        raise TypeError(f"not an expression: {expr!r}")

    def _value_trace(self, expr: ast.Expr) -> Trace:
        """A side of a comparison: a quoted string is a value here; a call has its values; a condition its truth."""
        if isinstance(expr, ast.Literal):
            return Trace(expr, bool(expr.text), (expr.text,))
        node = self.trace(expr)
        if isinstance(expr, ast.Number | ast.Call):
            return node
        return Trace(expr, node.truth, (node.truth,), node.spans, node.children)

    def call(self, call: ast.Call) -> tuple[list[Any], tuple[Span, ...]]:
        name, args = call.name, call.args
        features = self.observed.features
        if name == "signal" and args and isinstance(args[0], ast.Literal):
            emitted = self.by_name.get(args[0].text, [])
            return [s.value for s in emitted], _merge(s.spans for s in emitted if s.value)
        if name == "amount":
            return [a.yuan for a in features.amounts], tuple(a.span for a in features.amounts)
        if name == "length":
            return [float(len(self.text))], ()
        if name in ("any", "all", "count"):
            found = self.occurrences(args)
            if name == "any":
                return [bool(found)], self._original(found)
            if name == "all":
                held = all(self.occurrences([term]) for term in self.expand(args))
                return [held], self._original(found) if held else ()
            literal_keys = {key for key, _, _ in found if not key.startswith("/")}
            return [float(len(literal_keys) + sum(1 for key, _, _ in found if key.startswith("/")))], self._original(
                found
            )
        if name == "near":
            return self._near(call)
        if name == "word":
            return self._word(args)
        if name == "sender":
            sender = normalize_sender(self.observed.message.sender)
            held = bool(sender) and any(
                normalize_sender(t.text) == sender
                if isinstance(t, ast.Literal)
                else bool(re2.search(_source(t), sender))
                for t in self.expand(args)
            )
            return [held], ()
        if name in ("signature", "link"):
            items = (
                [(s.value, s.span) for s in features.signatures]
                if name == "signature"
                else [(link.text, link.span) for link in features.links]
            )
            for value, span in items:
                if any(self._contains(t, value) for t in self.expand(args)):
                    return [True], (span,)
            return [False], ()
        return self._plugin_function(call)

    def _contains(self, term: ast.Literal | ast.Regex, value: str) -> bool:
        if isinstance(term, ast.Literal):
            needle = self.normalize(term.text)
            return bool(needle) and needle in value
        return bool(re2.search(_source(term), value))

    def _near(self, call: ast.Call) -> tuple[list[Any], tuple[Span, ...]]:
        within = next((k.value for k in call.kwargs if k.name == "within"), None)
        distance = int(within.value) if isinstance(within, ast.Number) else 10
        a, b = self.occurrences([call.args[0]]), self.occurrences([call.args[1]])
        for _, s1, e1 in a:
            for _, s2, e2 in b:
                if max(s1, s2) - min(e1, e2) <= distance and (s1, e1) != (s2, e2):
                    return [True], self._original([("", s1, e1), ("", s2, e2)])
        return [False], ()

    def _word(self, args: Sequence[ast.Expr]) -> tuple[list[Any], tuple[Span, ...]]:
        tokenizer = self.engine._tokenizer
        tokens = tokenizer(self.text) if tokenizer is not None else []
        found = [
            ("", start, end)
            for word, start, end in tokens
            for t in self.expand(args)
            if (self.normalize(t.text) == word if isinstance(t, ast.Literal) else re2.fullmatch(_source(t), word))
        ]
        return [bool(found)], self._original(found)

    def _plugin_function(self, call: ast.Call) -> tuple[list[Any], tuple[Span, ...]]:
        function = self.engine.host.functions().get(call.name)
        if function is None:
            return [], ()
        constants = [a.text if isinstance(a, ast.Literal) else getattr(a, "value", None) for a in call.args]
        view = MessageView(self.observed.message, self.observed.text, self.observed.features, self.by_name)
        try:
            return [function.impl(view, *constants)], ()
        except Exception:  # the engine records the failure and treats the call as having no value
            return [], ()

    def expand(self, args: Sequence[ast.Expr]) -> list[ast.Literal | ast.Regex]:
        out: list[ast.Literal | ast.Regex] = []
        for arg in args:
            if isinstance(arg, ast.Literal | ast.Regex):
                out.append(arg)
            elif isinstance(arg, ast.StringList):
                out.extend(ast.Literal(t) for t in arg.items)
            elif isinstance(arg, ast.Ref):
                out.extend(ast.Literal(t) for t in self.engine.pack.lists.get(arg.name, ()))
        return out

    def occurrences(self, args: Sequence[ast.Expr]) -> list[tuple[str, int, int]]:
        """(key, start, end) in the normalized text of every occurrence of every term."""
        found: list[tuple[str, int, int]] = []
        for term in self.expand(args):
            if isinstance(term, ast.Literal):
                needle = self.normalize(term.text)
                if not needle:
                    continue
                start = self.text.find(needle)
                while start != -1:
                    found.append((needle, start, start + len(needle)))
                    start = self.text.find(needle, start + 1)
            else:
                for m in re2.finditer(_source(term), self.text):
                    if m.end() > m.start():
                        found.append(("/" + term.pattern, m.start(), m.end()))
        return found

    def _original(self, found: Sequence[tuple[str, int, int]]) -> tuple[Span, ...]:
        to_original = self.observed.text.to_original
        return tuple(sorted({to_original(s, e) for _, s, e in found}))


def _spans(traces: Sequence[Trace]) -> tuple[Span, ...]:
    return _merge(t.spans for t in traces)


def _merge(parts: Any) -> tuple[Span, ...]:
    return tuple(sorted({span for part in parts for span in part}))


def _source(term: ast.Literal | ast.Regex) -> str:
    if isinstance(term, ast.Literal):
        return re.escape(term.text)
    flags = "".join(f for f in term.flags if f in "ims")
    return f"(?{flags}){term.pattern}" if flags else term.pattern


def _safe(op: str, a: Any, b: Any) -> bool:
    try:
        return _OPS[op](a, b)
    except TypeError:
        return False
