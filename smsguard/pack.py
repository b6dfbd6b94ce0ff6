"""A compiled rule pack: categories, rules with their condition closures, and the shared matchers."""

from __future__ import annotations

from dataclasses import dataclass, field

from smsguard.diagnostics import Location
from smsguard.lang import ast
from smsguard.matching import BoolEval, EvaluationPlan, RegexSearcher
from smsguard.model import Risk
from smsguard.termscan import TermMatcher


@dataclass(frozen=True, slots=True)
class CompiledCategory:
    """A category declared by a pack, with what decides it and what to advise."""

    id: str
    title: str
    threshold: float
    priority: float
    risk: Risk
    advice: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule ready to run: its metadata, its condition closure and its examples."""

    id: str
    title: str
    description: str
    category: str
    weight: float
    tags: tuple[str, ...]
    advice: tuple[str, ...]
    pack: str
    loc: Location
    condition: ast.Expr
    evaluate: BoolEval = field(compare=False, repr=False)
    examples: tuple[ast.Example, ...] = ()
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class PackInfo:
    name: str
    version: str
    path: str


@dataclass(frozen=True, slots=True)
class CompiledPack:
    """Everything the evaluator needs; rules are in dependency order (a referenced rule comes first)."""

    packs: tuple[PackInfo, ...]
    categories: tuple[CompiledCategory, ...]
    rules: tuple[CompiledRule, ...]
    literals: TermMatcher
    regexes: tuple[RegexSearcher, ...]
    needs_words: bool
    signals_used: frozenset[str]
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    fallback: str = "normal"
    plan: EvaluationPlan | None = None  # which rules to run per message; None: all of them

    @property
    def name(self) -> str:
        return "+".join(p.name for p in self.packs)

    @property
    def version(self) -> str:
        return "+".join(p.version for p in self.packs)

    def category(self, category_id: str) -> CompiledCategory:
        for category in self.categories:
            if category.id == category_id:
                return category
        raise KeyError(category_id)

    def rule(self, rule_id: str) -> CompiledRule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)
