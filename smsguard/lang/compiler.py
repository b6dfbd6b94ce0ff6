"""Compile loaded packs into a :class:`CompiledPack`: check every name and type, then build closures.

Packs are layered in the order given: a later pack adds categories, lists and rules, and may ``override`` a
rule's properties or ``disable`` a rule of an earlier pack. Every problem becomes a located diagnostic; all
are collected before anything is raised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from smsguard.diagnostics import Diagnostic, Location
from smsguard.errors import RulePackError
from smsguard.functions import RuleFunction
from smsguard.lang import ast
from smsguard.lang.combinators import never
from smsguard.lang.expressions import BUILTIN_FUNCTIONS, ExpressionCompiler
from smsguard.lang.loader import LoadedPack
from smsguard.lang.planner import Planner
from smsguard.matching import (
    BoolEval,
)
from smsguard.model import RISK_LEVELS, Risk, SignalSpec
from smsguard.normalize import Normalizer
from smsguard.pack import CompiledCategory, CompiledPack, CompiledRule, PackInfo
from smsguard.termscan import TermMatcher

RULE_PROPS = frozenset({"title", "description", "category", "weight", "tags", "advice", "enabled"})
CATEGORY_PROPS = frozenset({"title", "description", "threshold", "priority", "risk", "advice", "fallback"})


@dataclass(slots=True)
class _RuleEntry:
    decl: ast.RuleDecl
    file: ast.RuleFile
    pack: PackInfo
    props: dict[str, ast.Prop]
    enabled: bool = True


class _Compiler(ExpressionCompiler):
    """Declarations, categories and rules of layered packs; the conditions are the base class's."""

    def __init__(
        self,
        loaded: Sequence[LoadedPack],
        signals: Mapping[str, SignalSpec],
        functions: Mapping[str, RuleFunction],
        normalizer: Normalizer,
    ) -> None:
        super().__init__(signals, functions, normalizer, {f.path: f.source for p in loaded for f in p.files})
        self.loaded = loaded
        self.categories: dict[str, tuple[ast.CategoryDecl, PackInfo]] = {}
        self.rules: dict[str, _RuleEntry] = {}

    # ---- symbol table
    def collect(self) -> None:
        for pack in self.loaded:
            for rule_file in pack.files:
                for item in rule_file.items:
                    self._declare(item, rule_file, pack)
        self.planner = Planner(
            {name: terms for name, (terms, _) in self.lists.items()},
            {name: entry.decl.when for name, entry in self.rules.items()},
            self.signals,
            self.literal_ids,
            self._literal_lengths,
            self.regex_ids,
            self._key,
            BUILTIN_FUNCTIONS,
        )

    def _declare(self, item: ast.Item, rule_file: ast.RuleFile, pack: LoadedPack) -> None:
        if isinstance(item, ast.CategoryDecl):
            if item.name in self.categories:
                self.error(item.loc, f"category {item.name!r} is declared twice", "duplicate")
            else:
                self.categories[item.name] = (item, pack.info)
        elif isinstance(item, ast.ListDecl):
            if item.name in self.lists or item.name in self.rules:
                self.error(item.loc, f"the name {item.name!r} is declared twice", "duplicate")
            else:
                self.lists[item.name] = (pack.terms_of(rule_file, item), item.loc)
        elif isinstance(item, ast.RuleDecl):
            if item.name in self.rules or item.name in self.lists:
                self.error(item.loc, f"the name {item.name!r} is declared twice", "duplicate")
            else:
                props = self._props(item.props, RULE_PROPS, "rule")
                self.rules[item.name] = _RuleEntry(item, rule_file, pack.info, props)
        elif isinstance(item, ast.Override):
            entry = self.rules.get(item.name)
            if entry is None:
                self._unknown(item.loc, "rule", item.name, list(self.rules))
            else:
                entry.props.update(self._props(item.props, RULE_PROPS, "rule"))
        elif isinstance(item, ast.Disable):
            entry = self.rules.get(item.name)
            if entry is None:
                self._unknown(item.loc, "rule", item.name, list(self.rules))
            else:
                entry.enabled = False

    def _props(self, props: Sequence[ast.Prop], allowed: frozenset[str], owner: str) -> dict[str, ast.Prop]:
        out: dict[str, ast.Prop] = {}
        for prop in props:
            if prop.name not in allowed:
                self._unknown(prop.loc, f"{owner} property", prop.name, sorted(allowed))
            elif prop.name in out:
                self.error(prop.loc, f"property {prop.name!r} is given twice", "duplicate")
            else:
                out[prop.name] = prop
        return out

    # ---- typed property access
    def _text(self, props: Mapping[str, ast.Prop], name: str, default: str = "") -> str:
        prop = props.get(name)
        if prop is None:
            return default
        if not isinstance(prop.value, str):
            self.error(prop.loc, f"{name!r} must be a quoted string", "type")
            return default
        return prop.value

    def _number(self, props: Mapping[str, ast.Prop], name: str, default: float) -> float:
        prop = props.get(name)
        if prop is None:
            return default
        if isinstance(prop.value, bool) or not isinstance(prop.value, float):
            self.error(prop.loc, f"{name!r} must be a number", "type")
            return default
        return prop.value

    def _texts(self, props: Mapping[str, ast.Prop], name: str) -> tuple[str, ...]:
        prop = props.get(name)
        if prop is None:
            return ()
        if isinstance(prop.value, str):
            return (prop.value,)
        if isinstance(prop.value, ast.StringList):
            return prop.value.items
        self.error(prop.loc, f"{name!r} must be a string or a list of strings", "type")
        return ()

    def _name(self, props: Mapping[str, ast.Prop], name: str) -> tuple[str, Location] | None:
        prop = props.get(name)
        if prop is None:
            return None
        if isinstance(prop.value, ast.NameValue):
            return prop.value.name, prop.loc
        if isinstance(prop.value, str):
            return prop.value, prop.loc
        self.error(prop.loc, f"{name!r} must be a name", "type")
        return None

    # ---- categories
    def compile_categories(self) -> tuple[list[CompiledCategory], str]:
        out: list[CompiledCategory] = []
        fallback = ""
        for name, (decl, _) in self.categories.items():
            props = self._props(decl.props, CATEGORY_PROPS, "category")
            threshold = self._number(props, "threshold", 0.5)
            if not 0.0 <= threshold <= 1.0:
                self.error(props["threshold"].loc, "a threshold is a probability between 0 and 1", "range")
            risk_name = self._name(props, "risk")
            risk: Risk = "none"
            if risk_name is not None:
                matching = [level for level in RISK_LEVELS if level == risk_name[0]]
                if matching:
                    risk = matching[0]
                else:
                    self.error(risk_name[1], f"risk must be one of {', '.join(RISK_LEVELS)}", "type")
            fallback_prop = props.get("fallback")
            if fallback_prop is not None and fallback_prop.value is True:
                if fallback:
                    self.error(fallback_prop.loc, f"{fallback!r} is already the fallback category", "duplicate")
                else:
                    fallback = name
            out.append(
                CompiledCategory(
                    name,
                    self._text(props, "title", name),
                    threshold,
                    self._number(props, "priority", 0.0),
                    risk,
                    self._texts(props, "advice"),
                    self._text(props, "description"),
                )
            )
        return out, fallback

    # ---- rules
    def compile_rules(self) -> list[CompiledRule]:
        order = self._dependency_order()
        self.rule_index = {name: i for i, name in enumerate(order)}
        compiled: list[CompiledRule] = []
        for name in order:
            entry = self.rules[name]
            decl, props = entry.decl, entry.props
            category = self._name(props, "category")
            if category is None:
                self.error(decl.loc, f"rule {name!r} has no category", "missing-category")
                category_id = ""
            else:
                category_id = category[0]
                if category_id not in self.categories:
                    self._unknown(category[1], "category", category_id, list(self.categories))
            if decl.when is None:
                self.error(decl.loc, f"rule {name!r} has no 'when' condition", "missing-when")
                evaluate: BoolEval = never
                condition: ast.Expr = ast.Bool(False)
            else:
                evaluate = self.condition(decl.when)
                condition = decl.when
            enabled_prop = props.get("enabled")
            enabled = entry.enabled and not (enabled_prop is not None and enabled_prop.value is False)
            compiled.append(
                CompiledRule(
                    name,
                    self._text(props, "title"),
                    self._text(props, "description"),
                    category_id,
                    self._number(props, "weight", 1.0),
                    self._texts(props, "tags"),
                    self._texts(props, "advice"),
                    entry.pack.name,
                    decl.loc,
                    condition,
                    evaluate,
                    decl.examples,
                    enabled,
                )
            )
        return compiled

    def _dependency_order(self) -> list[str]:
        deps = {name: [r.name for r in _refs(e.decl.when) if r.name in self.rules] for name, e in self.rules.items()}
        order: list[str] = []
        state: dict[str, int] = {}  # 1 = on the current path, 2 = done
        for root in self.rules:
            if state.get(root):
                continue
            stack: list[tuple[str, int]] = [(root, 0)]
            path: list[str] = []
            while stack:
                name, i = stack.pop()
                if i == 0:
                    state[name] = 1
                    path.append(name)
                if i < len(deps[name]):
                    stack.append((name, i + 1))
                    child = deps[name][i]
                    if state.get(child) == 1:
                        cycle = [*path[path.index(child) :], child]
                        self.error(
                            self.rules[name].decl.loc,
                            "rules refer to each other in a cycle: " + " -> ".join(cycle),
                            "cycle",
                        )
                        deps[name] = [d for d in deps[name] if d != child]
                        stack[-1] = (name, i)
                    elif not state.get(child):
                        stack.append((child, 0))
                else:
                    state[name] = 2
                    path.pop()
                    order.append(name)
        return order


def _refs(expr: ast.Expr | None) -> list[ast.Ref]:
    if expr is None:
        return []
    if isinstance(expr, ast.Ref):
        return [expr]
    if isinstance(expr, ast.And | ast.Or | ast.NOf):
        return [r for item in expr.items for r in _refs(item)]
    if isinstance(expr, ast.Not):
        return _refs(expr.item)
    if isinstance(expr, ast.Compare):
        return _refs(expr.left) + _refs(expr.right)
    if isinstance(expr, ast.Call):
        return [r for a in expr.args for r in _refs(a)]
    return []


def compile_packs(
    loaded: Sequence[LoadedPack],
    signals: Mapping[str, SignalSpec],
    functions: Mapping[str, RuleFunction],
    normalizer: Normalizer,
) -> tuple[CompiledPack, list[Diagnostic]]:
    """Compile layered packs. The pack is usable only when no diagnostic is an error."""
    compiler = _Compiler(loaded, signals, functions, normalizer)
    compiler.collect()
    categories, fallback = compiler.compile_categories()
    rules = compiler.compile_rules()
    if not fallback and categories:
        fallback = "normal" if any(c.id == "normal" for c in categories) else min(categories, key=_rank).id
    literals = TermMatcher.from_keys(list(compiler.literal_ids))
    lists = {name: terms for name, (terms, _) in compiler.lists.items()}
    has_errors = any(d.is_error for d in compiler.diagnostics)
    plan = None if has_errors else compiler.planner.plan(rules)
    pack = CompiledPack(
        tuple(p.info for p in loaded),
        tuple(categories),
        tuple(rules),
        literals,
        tuple(compiler.regexes),
        compiler.needs_words,
        frozenset(compiler.signals_used),
        lists,
        fallback,
        plan,
    )
    return pack, compiler.diagnostics


def _rank(category: CompiledCategory) -> tuple[float, str]:
    return (category.priority, category.id)


def compile_or_raise(
    loaded: Sequence[LoadedPack],
    signals: Mapping[str, SignalSpec],
    functions: Mapping[str, RuleFunction],
    normalizer: Normalizer,
    load_diagnostics: Sequence[Diagnostic] = (),
) -> CompiledPack:
    pack, diagnostics = compile_packs(loaded, signals, functions, normalizer)
    errors = [d for d in [*load_diagnostics, *diagnostics] if d.is_error]
    if errors:
        raise RulePackError(errors)
    return pack
