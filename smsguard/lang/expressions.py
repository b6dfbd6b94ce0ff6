"""Compiling rule conditions: each expression of the rule language becomes a closure over a
:class:`~smsguard.matching.MatchContext`, with its literals in the pack's one automaton and its regexes in RE2.

:class:`ExpressionCompiler` holds what conditions share (the literal and regex tables, the declared lists and
signals, the rule order for references, the diagnostics); the pack compiler (:mod:`smsguard.lang.compiler`)
builds on it and fills the lists and rules in.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any, cast

import re2

from smsguard.diagnostics import Diagnostic, Location, make_diagnostic
from smsguard.errors import describe
from smsguard.functions import RuleFunction
from smsguard.lang import ast, combinators
from smsguard.lang import builtins as bi
from smsguard.lang import prefilter as pf
from smsguard.lang import values as vals
from smsguard.lang.combinators import all_of, always, any_of, as_values, n_of, negation, never
from smsguard.lang.planner import Planner
from smsguard.matching import (
    BoolEval,
    BoolResult,
    MatchContext,
    RegexSearcher,
    RuleAborted,
    ValueEval,
    normalize_sender,
)
from smsguard.model import PluginFailure, SignalSpec
from smsguard.normalize import Normalizer

BUILTIN_FUNCTIONS = frozenset(
    {"any", "all", "count", "near", "word", "sender", "signature", "link", "signal", "amount", "length"}
)


class ExpressionCompiler:
    """Compiles conditions to closures and collects the diagnostics; the subclass declares lists and rules."""

    def __init__(
        self,
        signals: Mapping[str, SignalSpec],
        functions: Mapping[str, RuleFunction],
        normalizer: Normalizer,
        sources: dict[str, str],
    ) -> None:
        self.signals = signals
        self.functions = functions
        self.normalizer = normalizer
        self.sources = sources
        self.diagnostics: list[Diagnostic] = []
        self.literal_ids: dict[str, int] = {}
        self._keys: dict[str, str] = {}
        self._literal_lengths: list[int] = []
        self.regexes: list[RegexSearcher] = []
        self.regex_ids: dict[tuple[str, str], RegexSearcher] = {}
        self.lists: dict[str, tuple[tuple[str, ...], Location]] = {}
        self.rule_index: dict[str, int] = {}  # rule name -> its place in dependency order
        self.needs_words = False
        self.signals_used: set[str] = set()
        self.planner: Planner

    # ---- diagnostics
    def error(self, loc: Location, message: str, code: str = "compile") -> None:
        self.diagnostics.append(make_diagnostic(loc, message, code=code, source=self.sources.get(loc.path)))

    def _unknown(self, loc: Location, what: str, name: str, choices: Sequence[str]) -> None:
        close = difflib.get_close_matches(name, list(choices), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        self.error(loc, f"unknown {what} {name!r}{hint}", code=f"unknown-{what}")

    # ---- expressions
    def condition(self, expr: ast.Expr) -> BoolEval:
        kind, evaluator = self.expr(expr)
        if kind == "bool":
            return cast(BoolEval, evaluator)
        signal = self._declared_signal(expr)
        if signal is not None:  # what truthy() of the signal's values gives, without building them
            return signals_condition([signal])
        return vals.truthy(cast(ValueEval, evaluator))

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
                compiled.append(signals_condition(run))
                run = []
            compiled.append(evaluator)
        if run:
            compiled.append(signals_condition(run))
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
            return "number", vals.constant(expr.value)
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
        if ref.name in self.rule_index:
            index = self.rule_index.get(ref.name, -1)

            def result(ctx: MatchContext) -> BoolResult:
                return ctx.rule_results[index] if index < len(ctx.rule_results) else None

            nodes = combinators.NODES
            return result if nodes is None or index < 0 else cast(BoolEval, nodes.rule_result(index, result))
        self._unknown(ref.loc, "name", ref.name, [*self.lists, *self.rule_index])
        return never

    def compare(self, expr: ast.Compare) -> BoolEval:
        sides: list[tuple[str, BoolEval | ValueEval]] = []
        reported = len(self.diagnostics)
        for side in (expr.left, expr.right):
            if isinstance(side, ast.Literal):
                sides.append(("string", vals.constant(side.text)))
            else:
                sides.append(self.expr(side))
        if len(self.diagnostics) > reported:  # a side is already wrong (an unknown signal, say): its type is no news
            return never
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
        closure = vals.compile_compare(expr.op, as_values(lkind, left), as_values(rkind, right))
        return self._count_against_constant(expr, closure) or closure

    def _count_against_constant(self, expr: ast.Compare, closure: BoolEval) -> BoolEval | None:
        """``count(...) >= 2`` and the like, of literals only, as one C node holding the comparison's closure."""
        if combinators.NODES is None:
            return None
        for side, other, count_left in ((expr.left, expr.right, True), (expr.right, expr.left, False)):
            if (
                isinstance(side, ast.Call)
                and side.name == "count"
                and side.args
                and not side.kwargs
                and isinstance(other, ast.Number)
                and all(
                    isinstance(a, ast.Literal | ast.StringList) or (isinstance(a, ast.Ref) and a.name in self.lists)
                    for a in side.args
                )
            ):
                return bi.count_compare_node(self.terms(side.args), expr.op, other.value, count_left, closure)
        return None

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
                name = side.args[0].text
                closure = vals.compile_signal_compare(name, expr.op, constant, signal_left)
                nodes = combinators.NODES
                if nodes is None:
                    return closure
                return cast(BoolEval, nodes.signal_compare(name, expr.op, constant, signal_left, closure))
        return None

    def call(self, call: ast.Call) -> tuple[bi.Kind, BoolEval | ValueEval]:
        name = call.name
        if name not in BUILTIN_FUNCTIONS:
            function = self.functions.get(name)
            if function is None:
                self._unknown(call.loc, "function", name, [*BUILTIN_FUNCTIONS, *self.functions])
                return "bool", never
            values = self.plugin_call(function, call)
            return function.returns, vals.truthy(values) if function.returns == "bool" else values
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
            return "number", vals.compile_amount() if name == "amount" else vals.compile_length()
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
            return "bool", signals_condition([name])
        return spec.type, vals.compile_signal(name)

    def plugin_call(self, function: RuleFunction, call: ast.Call) -> ValueEval:
        args: list[Any] = []
        if len(call.args) != len(function.params) or call.kwargs:
            self.error(call.loc, f"{function.name}() takes {len(function.params)} positional arguments", "argument")
            return vals.constant(None)
        for arg, param in zip(call.args, function.params, strict=True):
            if param == "string" and isinstance(arg, ast.Literal):
                args.append(arg.text)
            elif (param == "number" and isinstance(arg, ast.Number)) or (param == "bool" and isinstance(arg, ast.Bool)):
                args.append(arg.value)
            else:
                self.error(arg.loc, f"{function.name}() expects a constant {param} here", "type")
                return vals.constant(None)
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


def signals_condition(names: list[str]) -> BoolEval:
    """``signal("a") or signal("b") ...`` as a condition: the closure of :mod:`smsguard.lang.values`, or its node."""
    closure = vals.compile_signals_condition(names)
    nodes = combinators.NODES
    return closure if nodes is None else cast(BoolEval, nodes.signals(tuple(names), closure))
