"""Which conditions can never hold, or always hold: a small propositional analysis of one rule.

A condition is turned into a formula over boolean variables: one per *block* of literals (the literals that
appear in exactly the same term sets of the rule, so ``any(list)`` is the disjunction of its blocks and
``"a" and not "a"`` is ``x and not x``), one per regex, one per opaque test (``near``, ``sender``, a signal...)
and one per comparison of a number (``length() > 3``, ``count(x) >= 2``). What is known about them becomes
constraints: a literal that contains another implies it, ``near(a, b)`` implies ``any(a)`` and ``any(b)``,
``sender("1")`` excludes ``sender("2")``, ``count(x) >= 1`` is ``any(x)``, and the comparisons on one number
must have a common solution (``length() > 9 and length() < 3`` has none). Constant parts are folded first
(``length() >= 0``, ``count(x) > 3`` for a list of three literals, ``0 of ()``). That much is
:mod:`smsguard.lint.translation`; here every assignment of the variables that satisfies the constraints is tried.
Each node of the condition is *always true* or *never true* when it is so under all of them. Rules with too many
variables get only the folding; no result is guessed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from smsguard.lang import ast
from smsguard.lint.formulas import NEGATE, feasible
from smsguard.lint.translation import ConditionTranslation, NumAtom

MAX_VARIABLES = 12


@dataclass(frozen=True, slots=True)
class TermSet:
    """The normalized literals and the regexes an argument list names; ``empty`` counts literals that vanish."""

    literals: frozenset[str]
    regexes: frozenset[tuple[str, str]]
    empty: int = 0
    unknown: frozenset[str] = frozenset()

    @property
    def nothing(self) -> bool:
        return not self.literals and not self.regexes


@dataclass(slots=True)
class Analysis:
    """The result for one rule: the constant nodes of its condition (by ``id``) and whether it was complete."""

    root: ast.Expr
    always: dict[int, ast.Expr] = field(default_factory=dict)
    never: dict[int, ast.Expr] = field(default_factory=dict)
    reasons: dict[int, str] = field(default_factory=dict)
    complete: bool = True

    def value(self, node: ast.Expr) -> bool | None:
        if id(node) in self.always:
            return True
        if id(node) in self.never:
            return False
        return None


class RuleLogic:
    """Analyses the conditions of a pack's rules; ``rules`` maps rule ids to conditions (for composites)."""

    def __init__(
        self,
        lists: Mapping[str, tuple[str, ...]],
        rules: Mapping[str, ast.Expr | None],
        normalize: Callable[[str], str],
    ) -> None:
        self.lists = lists
        self.rules = rules
        self.normalize = normalize
        self._keys: dict[str, str] = {}

    def key(self, text: str) -> str:
        found = self._keys.get(text)
        if found is None:
            found = self._keys[text] = self.normalize(text)
        return found

    def texts(self, args: tuple[ast.Expr, ...]) -> list[str]:
        """The literal texts among ``args``: given directly, as a list, or through a named list."""
        texts: list[str] = []
        for arg in args:
            if isinstance(arg, ast.Literal):
                texts.append(arg.text)
            elif isinstance(arg, ast.StringList):
                texts.extend(arg.items)
            elif isinstance(arg, ast.Ref) and arg.name in self.lists:
                texts.extend(self.lists[arg.name])
        return texts

    def terms(self, args: tuple[ast.Expr, ...]) -> TermSet:
        literals: set[str] = set()
        regexes: set[tuple[str, str]] = set()
        empty = 0
        unknown: set[str] = set()
        for arg in args:
            if isinstance(arg, ast.Regex):
                regexes.add((arg.pattern, "".join(sorted(set(arg.flags) & set("ims")))))
            elif isinstance(arg, ast.Ref) and arg.name not in self.lists:
                unknown.add(arg.name)
        for text in self.texts(args):
            key = self.key(text)
            if key:
                literals.add(key)
            else:
                empty += 1
        return TermSet(frozenset(literals), frozenset(regexes), empty, frozenset(unknown))

    def analyse(self, condition: ast.Expr) -> Analysis:
        return _solve(ConditionTranslation(self, condition))


def _solve(translation: ConditionTranslation) -> Analysis:
    analysis = Analysis(translation.root)
    if len(translation.variables) > MAX_VARIABLES:
        analysis.complete = False
        for node, formula in translation.nodes:
            if formula.const is not None:
                _record(analysis, node, formula.const, formula.reason)
        return analysis
    seen_true: dict[int, bool] = {}
    seen_false: dict[int, bool] = {}
    consistent = False
    for assignment in _assignments(translation):
        consistent = True
        for node, formula in translation.nodes:
            if formula.fn(assignment):
                seen_true[id(node)] = True
            else:
                seen_false[id(node)] = True
    if not consistent:
        analysis.complete = False
        return analysis
    for node, formula in translation.nodes:
        if id(node) not in seen_false:
            _record(analysis, node, True, formula.reason)
        elif id(node) not in seen_true:
            _record(analysis, node, False, formula.reason)
    return analysis


def _record(analysis: Analysis, node: ast.Expr, value: bool, reason: str) -> None:
    (analysis.always if value else analysis.never)[id(node)] = node
    if reason:
        analysis.reasons[id(node)] = reason


def _assignments(translation: ConditionTranslation) -> Iterator[int]:
    uppers = {atom.subject: _upper_of(atom) for atom in translation.numeric.values()}
    for assignment in range(1 << len(translation.variables)):
        if any(a(assignment) and not b(assignment) for a, b in translation.implications):
            continue
        if any(assignment >> i & 1 and assignment >> j & 1 for i, j in translation.exclusions):
            continue
        if _numbers_feasible(translation, assignment, uppers):
            yield assignment


def _numbers_feasible(
    translation: ConditionTranslation, assignment: int, uppers: dict[tuple[object, ...], float]
) -> bool:
    constraints: dict[tuple[object, ...], list[tuple[str, float]]] = {}
    for index, atom in translation.numeric.items():
        op = atom.op if assignment >> index & 1 else NEGATE[atom.op]
        constraints.setdefault(atom.subject, []).append((op, atom.value))
    for subject, present in translation.count_links:
        constraints.setdefault(subject, []).append((">=", 1.0) if present(assignment) else ("<=", 0.0))
    return all(feasible(c, 0, uppers.get(s, math.inf)) for s, c in constraints.items())


def _upper_of(atom: NumAtom) -> float:
    subject = atom.subject
    if subject[0] == "count" and isinstance(subject[1], TermSet) and not subject[1].regexes:
        return float(len(subject[1].literals))
    return math.inf
