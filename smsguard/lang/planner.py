"""The evaluation plan of a pack: which atoms each rule needs, and the order of the parts of an ``and``.

A rule's *requirement* is a set of atoms (see :mod:`smsguard.lang.prefilter`) one of which a message must hold
for the rule to be true, or None when it may be true without any (``not``, ``length()``, ...). The rules are
then indexed by atom, so a message evaluates only the rules its atoms trigger. The analysis runs on the syntax
tree after the compiler gave every term its literal id; it is sound for every construct of the language (the
differential tests check it against the reference evaluator and against evaluating every rule).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from smsguard.lang import ast
from smsguard.lang import prefilter as pf
from smsguard.lang import values as vals
from smsguard.matching import EvaluationPlan, RegexSearcher
from smsguard.model import SignalSpec
from smsguard.pack import CompiledRule


class Planner:
    """Requirements of expressions and rules over the compiler's symbol tables (shared, filled as it compiles)."""

    def __init__(
        self,
        lists: Mapping[str, tuple[str, ...]],
        conditions: Mapping[str, ast.Expr | None],
        signals: Mapping[str, SignalSpec],
        literal_ids: Mapping[str, int],
        literal_lengths: Sequence[int],
        regex_ids: Mapping[tuple[str, str], RegexSearcher],
        key: Callable[[str], str],
        builtins: frozenset[str],
    ) -> None:
        self.lists = lists
        self.conditions = conditions
        self.signals = signals
        self.literal_ids = literal_ids
        self.literal_lengths = literal_lengths
        self.regex_ids = regex_ids
        self.key = key
        self.builtins = builtins
        self._reqs: dict[int, pf.Req] = {}
        self._rule_reqs: dict[str, pf.Req] = {}

    def cheapest_first(self, items: Sequence[ast.Expr]) -> tuple[int, ...]:
        """Evaluation order of an ``and``: cheapest first, then the least likely to hold."""
        return tuple(
            sorted(range(len(items)), key=lambda i: (cost(items[i], self.conditions), self._odds(self._req(items[i]))))
        )

    def _odds(self, req: pf.Req) -> float:
        if req is None:
            return 1.0
        lengths = self.literal_lengths
        return min(1.0, sum(pf.odds(a, lengths[a] if isinstance(a, int) else 1) for a in req))

    def _best(self, reqs: Sequence[pf.Req]) -> pf.Req:
        known = [r for r in reqs if r is not None]
        return min(known, key=self._odds) if known else None

    def _term_req(self, args: Sequence[ast.Expr], every: bool = False) -> pf.Req:
        """Atoms of the text terms named by ``args``: one must occur for any term to occur (``every``: for all)."""
        ids: list[pf.Atom] = []
        regex_reqs: list[pf.Req] = []
        for arg in args:
            texts: Sequence[str] = ()
            if isinstance(arg, ast.Literal):
                texts = (arg.text,)
            elif isinstance(arg, ast.StringList):
                texts = arg.items
            elif isinstance(arg, ast.Ref) and arg.name in self.lists:
                texts = self.lists[arg.name]
            elif isinstance(arg, ast.Regex):
                regex = self.regex_ids.get((arg.pattern, arg.flags))
                regex_reqs.append(regex.required if regex is not None else None)
            for text in texts:
                literal_id = self.literal_ids.get(self.key(text))
                if literal_id is not None:
                    ids.append(literal_id)
        if every:
            if not ids and not regex_reqs:
                return None  # all() of nothing holds
            return self._best([*(frozenset({i}) for i in ids), *regex_reqs])
        if any(r is None for r in regex_reqs):
            return None
        return frozenset(ids).union(*(r for r in regex_reqs if r is not None))

    def _req(self, expr: ast.Expr) -> pf.Req:
        """Atoms one of which must be present for ``expr`` to hold; None when it may hold without any."""
        key = id(expr)
        if key not in self._reqs:
            self._reqs[key] = self._compute_req(expr)
        return self._reqs[key]

    def _compute_req(self, expr: ast.Expr) -> pf.Req:
        if isinstance(expr, ast.Or):
            reqs = [self._req(i) for i in expr.items]
            return None if any(r is None for r in reqs) else frozenset().union(*(r for r in reqs if r))
        if isinstance(expr, ast.And):
            return self._best([self._req(i) for i in expr.items])
        if isinstance(expr, ast.NOf):
            reqs = [self._req(i) for i in expr.items]
            if expr.count <= 0 or sum(1 for r in reqs if r is None) >= expr.count:
                return None
            return frozenset().union(*(r for r in reqs if r))
        if isinstance(expr, ast.Literal | ast.Regex | ast.StringList):
            return self._term_req([expr])
        if isinstance(expr, ast.Bool):
            return None if expr.value else frozenset()
        if isinstance(expr, ast.Ref):
            if expr.name in self.lists:
                return self._term_req([expr])
            return self.rule_req(expr.name) if expr.name in self.conditions else frozenset()
        if isinstance(expr, ast.Compare):
            return self._compare_req(expr)
        if isinstance(expr, ast.Call):
            return self._call_req(expr, as_condition=True)
        return None

    def _compare_req(self, expr: ast.Compare) -> pf.Req:
        for side, other in ((expr.left, expr.right), (expr.right, expr.left)):
            if isinstance(side, ast.Call) and side.name == "count" and isinstance(other, ast.Number):
                left, right = (0.0, other.value) if side is expr.left else (other.value, 0.0)
                if not vals.COMPARISONS[expr.op](left, right):
                    return self._term_req(side.args)
        sides = (expr.left, expr.right)
        return self._best([self._call_req(s, as_condition=False) if isinstance(s, ast.Call) else None for s in sides])

    def _call_req(self, call: ast.Call, *, as_condition: bool) -> pf.Req:
        """For a condition: atoms for the call to hold; for a compared value: atoms for it to yield any value."""
        name = call.name
        if name == "signal" and call.args and isinstance(call.args[0], ast.Literal):
            spec = self.signals.get(call.args[0].text)
            if spec is None or (spec.type == "bool" and not as_condition):
                return None  # a bool signal compared as a value is False when absent
            return frozenset({pf.SIGNAL_PREFIX + call.args[0].text})
        if name == "amount":
            return frozenset({pf.FEATURE_AMOUNTS})
        if not as_condition or name not in self.builtins:
            return None
        if name in ("any", "count", "word"):
            return self._term_req(call.args)
        if name == "all":
            return self._term_req(call.args, every=True)
        if name == "near" and len(call.args) == 2:
            return self._best([self._term_req([call.args[0]]), self._term_req([call.args[1]])])
        if name == "sender":
            return frozenset({pf.SENDER})
        if name == "signature":
            return frozenset({pf.FEATURE_SIGNATURES})
        if name == "link":
            return frozenset({pf.FEATURE_LINKS})
        return None

    def rule_req(self, name: str) -> pf.Req:
        if name in self._rule_reqs:
            return self._rule_reqs[name]
        self._rule_reqs[name] = None  # a reference cycle (already an error) gets no prefilter
        when = self.conditions[name]
        req = self._req(when) if when is not None else frozenset()
        self._rule_reqs[name] = req
        return req

    def plan(self, rules: Sequence[CompiledRule]) -> EvaluationPlan:
        """Which rules each atom triggers, and which rules run on every message."""
        always: list[int] = []
        triggers: dict[pf.Atom, list[int]] = {}
        for index, rule in enumerate(rules):
            req = self.rule_req(rule.id) if rule.id in self.conditions else None
            if req is None:
                always.append(index)
                continue
            for atom in req:
                triggers.setdefault(atom, []).append(index)
        literal = {a: tuple(r) for a, r in triggers.items() if isinstance(a, int)}
        named = {a: tuple(r) for a, r in triggers.items() if isinstance(a, str)}
        prefix = pf.SIGNAL_PREFIX
        signal = {a[len(prefix) :]: r for a, r in named.items() if a.startswith(prefix)}
        fact = {a: r for a, r in named.items() if not a.startswith(prefix)}
        return EvaluationPlan(len(rules), tuple(always), literal, signal, fact)


# Relative cost of evaluating a construct, for the order of ``and``; a regex costs a call into RE2 (about half as
# much when anchored at the start of the text: RE2 tries one position), ``word`` may run jieba, a plugin function
# is foreign code.
_CALL_COST = {"any": 1.0, "all": 1.0, "count": 1.5, "near": 3.0, "word": 100.0, "sender": 1.0}
_CALL_COST |= {"signature": 1.0, "link": 1.0, "signal": 0.5, "amount": 0.5, "length": 0.5}
_REGEX_COST = 4.0
_ANCHORED_REGEX_COST = 2.0
_PLUGIN_FUNCTION_COST = 20.0


def _regex_cost(regex: ast.Regex) -> float:
    anchored = regex.pattern.startswith("^") and "m" not in regex.flags
    return _ANCHORED_REGEX_COST if anchored else _REGEX_COST


def cost(expr: ast.Expr, rules: Mapping[str, object]) -> float:
    """Relative cost of evaluating ``expr`` (``rules``: the names that refer to rules)."""
    if isinstance(expr, ast.And | ast.Or | ast.NOf):
        return sum(cost(i, rules) for i in expr.items)
    if isinstance(expr, ast.Not):
        return cost(expr.item, rules)
    if isinstance(expr, ast.Compare):
        return cost(expr.left, rules) + cost(expr.right, rules)
    if isinstance(expr, ast.Regex):
        return 1.0 + _regex_cost(expr)
    if isinstance(expr, ast.Literal | ast.StringList):
        return 1.0
    if isinstance(expr, ast.Ref):
        return 0.2 if expr.name in rules else 1.0
    if isinstance(expr, ast.Call):
        regexes = sum(_regex_cost(a) for a in expr.args if isinstance(a, ast.Regex))
        return _CALL_COST.get(expr.name, _PLUGIN_FUNCTION_COST) + regexes
    return 0.0
