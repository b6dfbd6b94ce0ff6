"""One rule's condition as formulas over boolean variables, with the constraints known between the variables."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from smsguard.lang import ast
from smsguard.lang.parser import children
from smsguard.lint.formulas import (
    FLIP,
    NEGATE,
    Fn,
    Formula,
    at_least,
    cardinality,
    conj,
    const,
    disj,
    feasible,
    fold,
    iff,
    neg,
    num,
    var,
)
from smsguard.matching import normalize_sender

if TYPE_CHECKING:
    from smsguard.lint.logic import RuleLogic, TermSet

_SPLIT = 6  # count() and all() of at most this many literals get a variable per literal: exact reasoning
_MAX_SUBSTRING_WORK = 200_000


@dataclass(frozen=True, slots=True)
class NumAtom:
    """A comparison of a number (``length()``, ``count(...)``) with a constant: one boolean variable."""

    subject: tuple[object, ...]
    op: str
    value: float


class ConditionTranslation:
    """The formula of every node of ``root`` (in ``nodes``), over ``variables``, and the constraints between them."""

    def __init__(self, logic: RuleLogic, root: ast.Expr) -> None:
        self.logic = logic
        self.root = root
        self.variables: dict[object, int] = {}
        self.blocks: list[frozenset[str]] = []
        self.block_of: dict[str, int] = {}
        self.implications: list[tuple[Fn, Fn]] = []
        self.exclusions: list[tuple[int, int]] = []
        self.numeric: dict[int, NumAtom] = {}
        self.count_links: list[tuple[tuple[object, ...], Fn]] = []
        self.senders: dict[int, frozenset[str]] = {}
        self.nodes: list[tuple[ast.Expr, Formula]] = []
        self.inlining: set[str] = set()
        self._collect_term_sets()
        self.translate(root)
        self._substring_implications()

    # ---- variables
    def variable(self, key: object) -> Formula:
        index = self.variables.get(key)
        if index is None:
            index = self.variables[key] = len(self.variables)
        return var(index)

    def _collect_term_sets(self) -> None:
        sets: list[frozenset[str]] = []
        stack: list[ast.Expr] = [self.root]
        seen_rules: set[str] = set()
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Literal | ast.StringList | ast.Ref | ast.Call):
                args = node.args if isinstance(node, ast.Call) else (node,)
                if not isinstance(node, ast.Call) or node.name not in ("signal", "sender"):
                    literals = self.logic.terms(args).literals
                    sets.append(literals)
                    if isinstance(node, ast.Call) and node.name in ("count", "all") and len(literals) <= _SPLIT:
                        sets.extend(frozenset({literal}) for literal in literals)  # one variable per literal
            if isinstance(node, ast.Ref) and node.name in self.logic.rules and node.name not in seen_rules:
                seen_rules.add(node.name)
                target = self.logic.rules[node.name]
                if target is not None:
                    stack.append(target)
            stack.extend(children(node))
        signature: dict[str, list[int]] = {}
        for index, literals in enumerate(sets):
            for literal in literals:
                signature.setdefault(literal, []).append(index)
        groups: dict[tuple[int, ...], set[str]] = {}
        for literal, where in signature.items():
            groups.setdefault(tuple(sorted(set(where))), set()).add(literal)
        for members in sorted(groups.values(), key=lambda g: sorted(g)):
            block = len(self.blocks)
            self.blocks.append(frozenset(members))
            for literal in members:
                self.block_of[literal] = block

    def _block_var(self, block: int) -> Formula:
        return self.variable(("block", block))

    def any_of(self, terms: TermSet) -> Formula:
        if terms.unknown:
            return self.variable(("unknown", terms))
        if terms.nothing:
            reason = "its terms normalize to nothing" if terms.empty else "it names no terms"
            return const(False, reason)
        blocks = sorted({self.block_of[literal] for literal in terms.literals})
        items = [self._block_var(b) for b in blocks]
        items += [self.variable(("regex", r)) for r in sorted(terms.regexes)]
        return disj(items)

    # ---- translation
    def translate(self, node: ast.Expr) -> Formula:
        formula = self._translate(node)
        if not self.inlining:
            self.nodes.append((node, formula))
        return formula

    def _translate(self, node: ast.Expr) -> Formula:
        if isinstance(node, ast.Or):
            return disj([self.translate(i) for i in node.items])
        if isinstance(node, ast.And):
            return conj([self.translate(i) for i in node.items])
        if isinstance(node, ast.Not):
            return neg(self.translate(node.item))
        if isinstance(node, ast.NOf):
            return at_least(node.count, [self.translate(i) for i in node.items])
        if isinstance(node, ast.Bool):
            return const(node.value)
        if isinstance(node, ast.Number):
            return const(node.value != 0)
        if isinstance(node, ast.Literal | ast.Regex | ast.StringList):
            return self.any_of(self.logic.terms((node,)))
        if isinstance(node, ast.Ref):
            return self._ref(node)
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        return self.variable(("opaque", node))

    def _ref(self, node: ast.Ref) -> Formula:
        if node.name in self.logic.lists:
            return self.any_of(self.logic.terms((node,)))
        target = self.logic.rules.get(node.name)
        if target is None or node.name in self.inlining:
            return self.variable(("rule", node.name))
        self.inlining.add(node.name)
        try:
            return self._translate(target)
        finally:
            self.inlining.discard(node.name)

    def _call(self, call: ast.Call) -> Formula:
        name, args = call.name, call.args
        if name == "any":
            return self.any_of(self.logic.terms(args))
        if name == "all":
            return self._all_terms(self.logic.terms(args))
        if name == "count":
            return self._count(self.logic.terms(args), ">", 0.0)
        if name == "length":
            return self._numeric(("length",), ">", 0.0)
        if name == "near":
            return self._near(call)
        if name in ("word", "signature", "link"):
            terms = self.logic.terms(args)
            if terms.unknown:
                return self.variable(("call", call))
            if terms.nothing:
                return const(False, f"{name}() names no terms")
            formula = self.variable((name, terms))
            if name == "word" and not terms.regexes:
                self.implications.append((formula.fn, self.any_of(terms).fn))
            return formula
        if name == "sender":
            return self._sender(args)
        if name == "amount":
            return self.variable(("amount", "truthy"))
        return self.variable(("call", call))

    def _all_terms(self, terms: TermSet) -> Formula:
        if terms.unknown:
            return self.variable(("unknown", "all", terms))
        if terms.empty:
            return const(False, "all() names a term that normalizes to nothing, and it never occurs")
        if terms.nothing:
            return const(True, "all() of no terms holds for any message")
        parts = [self._block_var(self.block_of[literal]) for literal in sorted(terms.literals)]
        parts += [self.variable(("regex", r)) for r in sorted(terms.regexes)]
        every = conj(parts)
        if all(len(self.blocks[self.block_of[lit]]) == 1 for lit in terms.literals):
            return every
        formula = self.variable(("all", terms))
        self.implications.append((formula.fn, every.fn))
        return formula

    def _near(self, call: ast.Call) -> Formula:
        if len(call.args) != 2:
            return self.variable(("call", call))
        left, right = self.logic.terms(call.args[:1]), self.logic.terms(call.args[1:])
        if left.unknown or right.unknown:
            return self.variable(("call", call))
        if left.nothing or right.nothing:
            return const(False, "one side of near() names no terms")
        within = next((k.value for k in call.kwargs if k.name == "within"), None)
        distance = within.value if isinstance(within, ast.Number) else 10.0
        formula = self.variable(("near", left, right, distance))
        both = conj([self.any_of(left), self.any_of(right)])
        self.implications.append((formula.fn, both.fn))
        return formula

    def _sender(self, args: tuple[ast.Expr, ...]) -> Formula:
        literals = frozenset(normalize_sender(t) for t in self.logic.texts(args)) - {""}
        terms = self.logic.terms(args)
        regexes = terms.regexes
        if terms.unknown:
            return self.variable(("unknown", "sender", terms))
        if not literals and not regexes:
            return const(False, "sender() names no usable number")
        key = ("sender", literals, regexes)
        is_new = key not in self.variables
        formula = self.variable(key)
        index = self.variables[key]
        if is_new and not regexes:
            for other, other_literals in self.senders.items():
                if not literals & other_literals:
                    self.exclusions.append((index, other))
                if literals <= other_literals:
                    self.implications.append((formula.fn, var(other).fn))
                if other_literals <= literals:
                    self.implications.append((var(other).fn, formula.fn))
            self.senders[index] = literals
        return formula

    def _compare(self, node: ast.Compare) -> Formula:
        left, op, right = node.left, node.op, node.right
        if _is_constant(left) and not _is_constant(right):
            left, op, right = right, FLIP[op], left
        if _is_constant(left) and _is_constant(right):
            return const(fold(op, _constant(left), _constant(right)))
        if isinstance(right, ast.Number):
            value = right.value
            if isinstance(left, ast.Call) and left.name == "count" and left.args:
                return self._count(self.logic.terms(left.args), op, value)
            if isinstance(left, ast.Call) and left.name == "length" and not left.args:
                return self._numeric(("length",), op, value)
            if isinstance(left, ast.Call) and left.name == "amount" and not left.args:
                if not feasible([(op, value)], 0, math.inf, integer=False):
                    return const(False, "amounts are never negative")
                return self.variable(("amount", op, value))
        if isinstance(right, ast.Bool) and op in ("==", "!=") and _is_boolean(left):
            inner = self.translate(left)
            return inner if (op == "==") == right.value else neg(inner)
        if op in ("==", "!=") and _is_boolean(left) and _is_boolean(right):
            same = iff(self.translate(left), self.translate(right))
            return same if op == "==" else neg(same)
        return self.variable(("compare", node))

    def _count(self, terms: TermSet, op: str, value: float) -> Formula:
        if terms.unknown:
            return self.variable(("unknown", "count", terms, op, value))
        upper = math.inf if terms.regexes else float(len(terms.literals))
        where = f"count() of {len(terms.literals)} literals" if not terms.regexes else "count()"
        if not feasible([(op, value)], 0, upper):
            return const(False, f"{where} is between 0 and {num(upper)}")
        if not feasible([(NEGATE[op], value)], 0, upper):
            return const(True, f"{where} is between 0 and {num(upper)}")
        if not terms.regexes and all(len(self.blocks[self.block_of[lit]]) == 1 for lit in terms.literals):
            return cardinality([self._block_var(self.block_of[lit]) for lit in sorted(terms.literals)], op, value)
        subject: tuple[object, ...] = ("count", terms)
        if not any(s == subject for s, _ in self.count_links):
            self.count_links.append((subject, self.any_of(terms).fn))
        return self._numeric(subject, op, value, upper)

    def _numeric(self, subject: tuple[object, ...], op: str, value: float, upper: float = math.inf) -> Formula:
        if not feasible([(op, value)], 0, upper) or not feasible([(NEGATE[op], value)], 0, upper):
            holds = feasible([(op, value)], 0, upper)
            return const(holds, f"{subject[0]}() is a whole number, 0 or more")
        atom = NumAtom(subject, op, value)
        formula = self.variable(("number", atom))
        self.numeric[self.variables[("number", atom)]] = atom
        return formula

    def _substring_implications(self) -> None:
        """A block whose every literal contains a literal of another block implies that block."""
        used = [b for b in range(len(self.blocks)) if ("block", b) in self.variables]
        if sum(len(self.blocks[b]) for b in used) ** 2 > _MAX_SUBSTRING_WORK:
            return
        for i in used:
            for j in used:
                if i != j and all(any(short in long for short in self.blocks[j]) for long in self.blocks[i]):
                    self.implications.append((self._block_var(i).fn, self._block_var(j).fn))


def _is_constant(expr: ast.Expr) -> bool:
    return isinstance(expr, ast.Number | ast.Literal | ast.Bool)


def _constant(expr: ast.Expr) -> object:
    if isinstance(expr, ast.Literal):
        return expr.text
    if isinstance(expr, ast.Number | ast.Bool):
        return expr.value
    raise TypeError(expr)


def _is_boolean(expr: ast.Expr) -> bool:
    if isinstance(expr, ast.Call):
        return expr.name in ("any", "all", "near", "word", "sender", "signature", "link")
    return isinstance(expr, ast.Or | ast.And | ast.Not | ast.NOf | ast.Regex | ast.StringList | ast.Ref)
