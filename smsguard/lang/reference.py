"""The reference evaluator: walks each rule's syntax tree for each message, with no optimisation at all.

It searches every literal with ``str.find``, compiles and runs every regex on each use, and resolves rule
references by recursion. It exists to check the compiled engine (differential tests) and to measure it against
(benchmarks): the two must fire the same rules and give the same scores.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import re2

from smsguard import scoring
from smsguard.engine import Engine
from smsguard.extract import Features, extract
from smsguard.lang import ast
from smsguard.matching import normalize_sender
from smsguard.model import Message, Signal
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


class ReferenceEvaluator:
    """Judges with the same pack, plugins and normalizer as ``engine``, but by walking the AST."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.rules = {rule.id: rule for rule in engine.pack.rules}

    def fired(self, text: str, sender: str | None = None) -> tuple[frozenset[str], dict[str, float], str]:
        """The ids of the rules that fire (enabled ones), the category scores and the chosen category."""
        message = Message(text, sender)
        ntext = self.engine.normalizer.normalize(text)
        features = extract(ntext)
        signals, _ = self.engine.host.detect(message, ntext, features)
        state = _State(self, message, ntext, features, signals)
        fired = frozenset(rid for rid, rule in self.rules.items() if rule.enabled and state.rule(rid))
        weights = [(self.rules[r].category, self.rules[r].weight) for r in sorted(fired)]
        totals = {c.id: 0.0 for c in self.engine.pack.categories}
        for category, weight in weights:
            if category in totals:
                totals[category] += weight
        scores = {c: scoring.probability(w) for c, w in totals.items()}
        chosen = scoring.decide(self.engine.pack.categories, scores, self.engine.pack.fallback)
        return fired, scores, chosen.id


class _State:
    def __init__(
        self,
        ref: ReferenceEvaluator,
        message: Message,
        ntext: NormalizedText,
        features: Features,
        signals: list[Signal],
    ) -> None:
        self.ref = ref
        self.message = message
        self.text = ntext.text
        self.features = features
        self.signals = signals
        self.memo: dict[str, bool] = {}
        self.normalize = ref.engine.normalizer.normalize_pattern

    def rule(self, rule_id: str) -> bool:
        if rule_id not in self.memo:
            rule: CompiledRule = self.ref.rules[rule_id]
            self.memo[rule_id] = bool(self.truth(rule.condition))
        return self.memo[rule_id]

    def truth(self, expr: ast.Expr) -> bool:
        if isinstance(expr, ast.Or):
            return any(self.truth(i) for i in expr.items)
        if isinstance(expr, ast.And):
            return all(self.truth(i) for i in expr.items)
        if isinstance(expr, ast.Not):
            return not self.truth(expr.item)
        if isinstance(expr, ast.NOf):
            return sum(1 for i in expr.items if self.truth(i)) >= expr.count
        if isinstance(expr, ast.Bool):
            return expr.value
        if isinstance(expr, ast.Ref) and expr.name in self.ref.rules:
            return self.rule(expr.name)
        if isinstance(expr, ast.Literal | ast.Regex | ast.StringList | ast.Ref):
            return bool(self.occurrences([expr]))
        if isinstance(expr, ast.Compare):
            lefts, rights = self.values(expr.left), self.values(expr.right)
            return any(_safe(expr.op, a, b) for a in lefts for b in rights)
        return any(bool(v) for v in self.values(expr))

    def values(self, expr: ast.Expr) -> list[Any]:
        if isinstance(expr, ast.Number):
            return [expr.value]
        if isinstance(expr, ast.Literal):
            return [expr.text]
        if isinstance(expr, ast.Call):
            return self.call(expr)
        return [self.truth(expr)]

    def call(self, call: ast.Call) -> list[Any]:
        name, args = call.name, call.args
        if name == "signal" and isinstance(args[0], ast.Literal):
            return [s.value for s in self.signals if s.name == args[0].text]
        if name == "amount":
            return [a.yuan for a in self.features.amounts]
        if name == "length":
            return [float(len(self.text))]
        if name == "any":
            return [bool(self.occurrences(args))]
        if name == "all":
            return [all(self.occurrences([term]) for term in self.expand(args))]
        if name == "count":
            found = self.occurrences(args)
            literal_keys = {key for key, _, _ in found if not key.startswith("/")}
            return [float(len(literal_keys) + sum(1 for key, _, _ in found if key.startswith("/")))]
        if name == "near":
            within = (
                int(call.kwargs[0].value.value)
                if call.kwargs and isinstance(call.kwargs[0].value, ast.Number)
                else 10
            )
            a, b = self.occurrences([args[0]]), self.occurrences([args[1]])
            return [
                any(
                    max(s1, s2) - min(e1, e2) <= within and (s1, e1) != (s2, e2)
                    for _, s1, e1 in a
                    for _, s2, e2 in b
                )
            ]
        if name == "word":
            tokens = {w for w, _, _ in (self.ref.engine._tokenizer or (lambda t: []))(self.text)}
            return [
                any(
                    self.normalize(t.text) in tokens
                    if isinstance(t, ast.Literal)
                    else any(re2.fullmatch(_source(t), w) for w in tokens)
                    for t in self.expand(args)
                )
            ]
        if name == "sender":
            sender = normalize_sender(self.message.sender)
            return [
                bool(sender)
                and any(
                    normalize_sender(t.text) == sender
                    if isinstance(t, ast.Literal)
                    else bool(re2.search(_source(t), sender))
                    for t in self.expand(args)
                )
            ]
        if name in ("signature", "link"):
            fields = (
                [s.value for s in self.features.signatures]
                if name == "signature"
                else [link.text for link in self.features.links]
            )
            return [
                any(
                    (self.normalize(t.text) in f)
                    if isinstance(t, ast.Literal)
                    else bool(re2.search(_source(t), f))
                    for f in fields
                    for t in self.expand(args)
                )
            ]
        function = self.ref.engine.pack and self.ref.engine.host.functions().get(name)
        if function:
            from smsguard.matching import MessageView

            consts = [a.text if isinstance(a, ast.Literal) else getattr(a, "value", None) for a in args]
            view = MessageView(
                self.message, self.ref.engine.normalizer.normalize(self.message.text), self.features, {}
            )
            return [function.impl(view, *consts)]
        return []

    def expand(self, args: tuple[ast.Expr, ...] | list[ast.Expr]) -> list[ast.Literal | ast.Regex]:
        out: list[ast.Literal | ast.Regex] = []
        for arg in args:
            if isinstance(arg, ast.Literal | ast.Regex):
                out.append(arg)
            elif isinstance(arg, ast.StringList):
                out.extend(ast.Literal(t) for t in arg.items)
            elif isinstance(arg, ast.Ref):
                out.extend(ast.Literal(t) for t in self.ref.engine.pack.lists.get(arg.name, ()))
        return out

    def occurrences(self, args: tuple[ast.Expr, ...] | list[ast.Expr]) -> list[tuple[str, int, int]]:
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
