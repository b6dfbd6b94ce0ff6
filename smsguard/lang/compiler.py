"""Compile loaded packs into a :class:`CompiledPack`: check every name and type, then build closures.

Packs are layered in the order given: a later pack adds categories, lists and rules, and may ``override`` a
rule's properties or ``disable`` a rule of an earlier pack. Every problem becomes a located diagnostic; all
are collected before anything is raised.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import re2

from smsguard.diagnostics import Diagnostic, Location, make_diagnostic
from smsguard.errors import RulePackError, describe
from smsguard.functions import RuleFunction
from smsguard.lang import ast
from smsguard.lang import builtins as bi
from smsguard.lang import prefilter as pf
from smsguard.lang.combinators import all_of, always, any_of, as_values, n_of, negation, never
from smsguard.lang.loader import LoadedPack
from smsguard.lang.planner import Planner
from smsguard.matching import (
    BoolEval,
    MatchContext,
    RegexSearcher,
    RuleAborted,
    ValueEval,
    normalize_sender,
)
from smsguard.model import RISK_LEVELS, PluginFailure, Risk, SignalSpec
from smsguard.normalize import Normalizer
from smsguard.pack import CompiledCategory, CompiledPack, CompiledRule, PackInfo
from smsguard.termscan import TermMatcher

BUILTIN_FUNCTIONS = frozenset(
    {"any", "all", "count", "near", "word", "sender", "signature", "link", "signal", "amount", "length"}
)
RULE_PROPS = frozenset({"title", "description", "category", "weight", "tags", "advice", "enabled"})
CATEGORY_PROPS = frozenset({"title", "description", "threshold", "priority", "risk", "advice", "fallback"})


@dataclass(slots=True)
class _RuleEntry:
    decl: ast.RuleDecl
    file: ast.RuleFile
    pack: PackInfo
    props: dict[str, ast.Prop]
    enabled: bool = True


class _Compiler:
    def __init__(
        self,
        loaded: Sequence[LoadedPack],
        signals: Mapping[str, SignalSpec],
        functions: Mapping[str, RuleFunction],
        normalizer: Normalizer,
    ) -> None:
        self.loaded = loaded
        self.signals = signals
        self.functions = functions
        self.normalizer = normalizer
        self.diagnostics: list[Diagnostic] = []
        self.sources: dict[str, str] = {f.path: f.source for p in loaded for f in p.files}
        self.literal_ids: dict[str, int] = {}
        self._keys: dict[str, str] = {}
        self._literal_lengths: list[int] = []
        self.regexes: list[RegexSearcher] = []
        self.regex_ids: dict[tuple[str, str], RegexSearcher] = {}
        self.categories: dict[str, tuple[ast.CategoryDecl, PackInfo]] = {}
        self.lists: dict[str, tuple[tuple[str, ...], Location]] = {}
        self.rules: dict[str, _RuleEntry] = {}
        self.rule_index: dict[str, int] = {}
        self.needs_words = False
        self.signals_used: set[str] = set()

    # ---- diagnostics
    def error(self, loc: Location, message: str, code: str = "compile") -> None:
        self.diagnostics.append(make_diagnostic(loc, message, code=code, source=self.sources.get(loc.path)))

    def _unknown(self, loc: Location, what: str, name: str, choices: Sequence[str]) -> None:
        close = difflib.get_close_matches(name, list(choices), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        self.error(loc, f"unknown {what} {name!r}{hint}", code=f"unknown-{what}")

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

    # ---- expressions
    def condition(self, expr: ast.Expr) -> BoolEval:
        kind, evaluator = self.expr(expr)
        if kind == "bool":
            return cast(BoolEval, evaluator)
        signal = self._declared_signal(expr)
        if signal is not None:  # what truthy() of the signal's values gives, without building them
            return bi.compile_signal_condition(signal)
        return bi.truthy(cast(ValueEval, evaluator))

    def either(self, items: Sequence[ast.Expr]) -> BoolEval:
        """An ``or``; each run of ``signal("a") or signal("b") ...`` in it is one closure (a common shape)."""
        compiled: list[BoolEval] = []
        run: list[str] = []
        for item in items:
            evaluator = self.condition(item)
            signal = self._declared_signal(item)
            if signal is not None:
                run.append(signal)
                continue
            if run:
                compiled.append(bi.compile_signals_condition(run))
                run = []
            compiled.append(evaluator)
        if run:
            compiled.append(bi.compile_signals_condition(run))
        return any_of(compiled) if len(compiled) != 1 else compiled[0]

    def _plain_literals(self, expr: ast.Expr) -> bi.TermSet | None:
        """The terms of ``expr`` when it is ``any(...)`` (or a bare term set) of literals and declared lists only."""
        args: Sequence[ast.Expr] = (expr,)
        if isinstance(expr, ast.Call) and expr.name == "any" and expr.args and not expr.kwargs:
            args = expr.args
        if all(
            isinstance(a, ast.Literal | ast.StringList) or (isinstance(a, ast.Ref) and a.name in self.lists)
            for a in args
        ):
            return self.terms(args)
        return None

    def _declared_signal(self, expr: ast.Expr) -> str | None:
        """The name of the signal when ``expr`` is ``signal("x")`` of a declared signal."""
        if (
            isinstance(expr, ast.Call)
            and expr.name == "signal"
            and len(expr.args) == 1
            and not expr.kwargs
            and isinstance(expr.args[0], ast.Literal)
            and expr.args[0].text in self.signals
        ):
            return expr.args[0].text
        return None

    def expr(self, expr: ast.Expr) -> tuple[bi.Kind, BoolEval | ValueEval]:
        if isinstance(expr, ast.Or):
            return "bool", self.either(expr.items)
        if isinstance(expr, ast.And):
            return "bool", all_of([self.condition(i) for i in expr.items], self.planner.cheapest_first(expr.items))
        if isinstance(expr, ast.Not):
            item = self.condition(expr.item)
            literals = self._plain_literals(expr.item)
            if literals is not None:  # ``not any(list)``: no spans to build, only a set test
                return "bool", bi.compile_none_of(literals)
            return "bool", negation(item)
        if isinstance(expr, ast.NOf):
            if expr.count > len(expr.items):
                self.error(expr.loc, f"{expr.count} of {len(expr.items)} conditions can never hold", "never")
            return "bool", n_of(expr.count, [self.condition(i) for i in expr.items])
        if isinstance(expr, ast.Literal | ast.Regex | ast.StringList):
            return "bool", bi.compile_any(self.terms([expr]))
        if isinstance(expr, ast.Number):
            return "number", bi.constant(expr.value)
        if isinstance(expr, ast.Bool):
            return "bool", (always if expr.value else never)
        if isinstance(expr, ast.Ref):
            return "bool", self.ref(expr)
        if isinstance(expr, ast.Compare):
            return "bool", self.compare(expr)
        return self.call(expr)

    def ref(self, ref: ast.Ref) -> BoolEval:
        if ref.name in self.lists:
            return bi.compile_any(self.terms([ref]))
        if ref.name in self.rules:
            index = self.rule_index.get(ref.name, -1)
            return lambda ctx: ctx.rule_results[index] if index < len(ctx.rule_results) else None
        self._unknown(ref.loc, "name", ref.name, [*self.lists, *self.rules])
        return never

    def compare(self, expr: ast.Compare) -> BoolEval:
        sides: list[tuple[str, BoolEval | ValueEval]] = []
        for side in (expr.left, expr.right):
            if isinstance(side, ast.Literal):
                sides.append(("string", bi.constant(side.text)))
            else:
                sides.append(self.expr(side))
        (lkind, left), (rkind, right) = sides
        if "bool" in (lkind, rkind) and lkind != rkind:
            self.error(expr.loc, f"cannot compare a {lkind} with a {rkind}", "type")
        elif {lkind, rkind} == {"number", "string"}:
            self.error(expr.loc, "cannot compare a number with a string", "type")
        elif "string" in (lkind, rkind) and expr.op not in ("==", "!="):
            self.error(expr.loc, f"strings can only be compared with == or !=, not {expr.op}", "type")
        fast = self._signal_against_constant(expr, lkind, rkind)
        if fast is not None:
            return fast
        return bi.compile_compare(expr.op, as_values(lkind, left), as_values(rkind, right))

    def _signal_against_constant(self, expr: ast.Compare, lkind: str, rkind: str) -> BoolEval | None:
        """``signal("x") >= 1`` and the like in one closure (the common shape of a compare in a pack)."""
        if "bool" in (lkind, rkind):
            return None
        for side, other, signal_left in ((expr.left, expr.right, True), (expr.right, expr.left, False)):
            if (
                isinstance(side, ast.Call)
                and side.name == "signal"
                and len(side.args) == 1
                and isinstance(side.args[0], ast.Literal)
                and side.args[0].text in self.signals
                and isinstance(other, ast.Number | ast.Literal)
            ):
                constant = other.value if isinstance(other, ast.Number) else other.text
                return bi.compile_signal_compare(side.args[0].text, expr.op, constant, signal_left)
        return None

    def call(self, call: ast.Call) -> tuple[bi.Kind, BoolEval | ValueEval]:
        name = call.name
        if name not in BUILTIN_FUNCTIONS:
            function = self.functions.get(name)
            if function is None:
                self._unknown(call.loc, "function", name, [*BUILTIN_FUNCTIONS, *self.functions])
                return "bool", never
            values = self.plugin_call(function, call)
            return function.returns, bi.truthy(values) if function.returns == "bool" else values
        kwargs = {k.name: k for k in call.kwargs}
        allowed_kwargs = {"within"} if name == "near" else set()
        for key, kwarg in kwargs.items():
            if key not in allowed_kwargs:
                self.error(kwarg.loc, f"{name}() takes no argument named {key!r}", "argument")
        if name == "signal":
            return self.signal_call(call)
        if name in ("amount", "length"):
            if call.args:
                self.error(call.loc, f"{name}() takes no arguments", "argument")
            return "number", bi.compile_amount() if name == "amount" else bi.compile_length()
        if not call.args:
            self.error(call.loc, f"{name}() needs at least one literal, regex or list", "argument")
            return "bool", never
        if name == "near":
            return "bool", self.near_call(call, kwargs.get("within"))
        terms = self.terms(call.args)
        if name == "any":
            return "bool", bi.compile_any(terms)
        if name == "all":
            if any(not self._key(text) for text in self._texts_of(call.args)):
                return "bool", never  # a term that normalizes to nothing never occurs, so all() never holds
            return "bool", bi.compile_all(terms)
        if name == "count":
            return "number", bi.compile_count(terms)
        if name == "word":
            self.needs_words = True
            return "bool", bi.compile_word(terms)
        if name == "sender":
            return "bool", bi.compile_sender(self._sender_literals(call.args), terms)
        return "bool", bi.compile_field_contains("signature" if name == "signature" else "link", terms)

    def _sender_literals(self, args: Sequence[ast.Expr]) -> frozenset[str]:
        return frozenset(normalize_sender(t) for t in self._texts_of(args)) - {""}

    def near_call(self, call: ast.Call, within: ast.KeywordArgument | None) -> BoolEval:
        if len(call.args) != 2:
            self.error(call.loc, "near() takes two term sets: near(a, b, within=N)", "argument")
            return never
        distance = 10
        if within is not None:
            if not isinstance(within.value, ast.Number) or within.value.value < 0:
                self.error(within.loc, "within= must be a whole number of characters", "argument")
            else:
                distance = int(within.value.value)
        return bi.compile_near(self.terms([call.args[0]]), self.terms([call.args[1]]), distance)

    def signal_call(self, call: ast.Call) -> tuple[bi.Kind, BoolEval | ValueEval]:
        if len(call.args) != 1 or not isinstance(call.args[0], ast.Literal):
            self.error(call.loc, 'signal() takes one quoted signal name: signal("link.shortener")', "argument")
            return "bool", never
        name = call.args[0].text
        spec = self.signals.get(name)
        if spec is None:
            self._unknown(call.args[0].loc, "signal", name, list(self.signals))
            return "bool", never
        self.signals_used.add(name)
        if spec.type == "bool":
            return "bool", bi.compile_signal_condition(name)
        return spec.type, bi.compile_signal(name)

    def plugin_call(self, function: RuleFunction, call: ast.Call) -> ValueEval:
        args: list[Any] = []
        if len(call.args) != len(function.params) or call.kwargs:
            self.error(call.loc, f"{function.name}() takes {len(function.params)} positional arguments", "argument")
            return bi.constant(None)
        for arg, param in zip(call.args, function.params, strict=True):
            if param == "string" and isinstance(arg, ast.Literal):
                args.append(arg.text)
            elif (param == "number" and isinstance(arg, ast.Number)) or (param == "bool" and isinstance(arg, ast.Bool)):
                args.append(arg.value)
            else:
                self.error(arg.loc, f"{function.name}() expects a constant {param} here", "type")
                return bi.constant(None)
        impl, plugin, name = function.impl, function.plugin, function.name

        def evaluate(ctx: MatchContext) -> list[tuple[Any, tuple[tuple[int, int], ...]]]:
            try:
                return [(impl(ctx.view(), *args), ())]
            except Exception as exc:
                ctx.failures.append(PluginFailure(plugin, f"function {name}()", describe(exc)))
                raise RuleAborted from None

        return evaluate

    def terms(self, args: Sequence[ast.Expr]) -> bi.TermSet:
        result = bi.EMPTY_TERMS
        for arg in args:
            if isinstance(arg, ast.Literal):
                result = result | self._literals([arg.text])
            elif isinstance(arg, ast.Regex):
                regex = self.regex(arg)
                if regex is not None:
                    result = result | bi.TermSet(frozenset(), (), (regex,))
            elif isinstance(arg, ast.StringList):
                result = result | self._literals(arg.items)
            elif isinstance(arg, ast.Ref) and arg.name in self.lists:
                result = result | self._literals(self.lists[arg.name][0])
            elif isinstance(arg, ast.Ref):
                self._unknown(arg.loc, "list", arg.name, list(self.lists))
            else:
                self.error(arg.loc, "expected a quoted literal, a /regex/ or the name of a list", "argument")
        return result

    def _texts_of(self, args: Sequence[ast.Expr]) -> list[str]:
        """The literal texts that term-set arguments name (quoted literals, inline lists, declared lists)."""
        texts = [a.text for a in args if isinstance(a, ast.Literal)]
        texts += [t for a in args if isinstance(a, ast.StringList) for t in a.items]
        named = [a.name for a in args if isinstance(a, ast.Ref) and a.name in self.lists]
        return texts + [t for name in named for t in self.lists[name][0]]

    def _literals(self, texts: Sequence[str]) -> bi.TermSet:
        ids: set[int] = set()
        normalized: list[str] = []
        for text in texts:
            key = self._key(text)
            if not key:
                continue
            normalized.append(key)
            ids.add(self._literal_id(key))
        return bi.TermSet(frozenset(ids), tuple(normalized), ())

    def regex(self, node: ast.Regex) -> RegexSearcher | None:
        key = (node.pattern, node.flags)
        if key in self.regex_ids:
            return self.regex_ids[key]
        prefix = "".join(f for f in node.flags if f in "ims")
        source = f"(?{prefix}){node.pattern}" if prefix else node.pattern
        try:
            compiled = re2.compile(source)
        except Exception as exc:  # the binding raises its own error type
            self.error(node.loc, f"the linear-time regex engine rejects /{node.pattern}/: {exc}", "regex")
            return None
        searcher = RegexSearcher(len(self.regexes), source, compiled)
        atoms = pf.regex_atoms(node.pattern, node.flags)
        if atoms is not None:
            searcher.required = frozenset(self._literal_id(a) for a in atoms)
        self.regexes.append(searcher)
        self.regex_ids[key] = searcher
        return searcher

    def _literal_id(self, key: str) -> int:
        literal_id = self.literal_ids.get(key)
        if literal_id is None:
            literal_id = self.literal_ids[key] = len(self.literal_ids)
            self._literal_lengths.append(len(key))
        return literal_id

    def _key(self, text: str) -> str:
        key = self._keys.get(text)
        if key is None:
            key = self._keys[text] = self.normalizer.normalize_pattern(text)
        return key


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
