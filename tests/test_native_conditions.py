"""The conditions accelerator (smsguard._cconditions) against the closures: compiled rule conditions as C nodes.

Every pack here is compiled twice, once into C nodes and once into the closures of smsguard.lang (the reference),
and both are called on the same contexts: a context built by ``MatchContext.__init__`` (no bitmap of found
literals), the same with the bitmap the engine accelerator adds, and the engine's own. The results must be equal
and of the same types (tuples of tuples), the exceptions the same, and the plugin functions called the same times in
the same order (a node may not evaluate a child its closure would not).
"""

from __future__ import annotations

import gc
import sys
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rule_strategies import LISTS, conditions, make_test_plugin, messages, senders, valid_packs

from smsguard import Engine
from smsguard.extract import extract
from smsguard.functions import RuleFunction
from smsguard.hookspecs import hookimpl
from smsguard.lang import ast, combinators
from smsguard.lang.compiler import compile_packs
from smsguard.lang.loader import LoadedPack
from smsguard.matching import MatchContext, RuleAborted, normalize_sender
from smsguard.model import Message, Signal
from smsguard.native import load
from smsguard.normalize import NormalizedText, default_normalizer
from smsguard.pack import CompiledPack, PackInfo
from smsguard.plugins import PluginHost

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from native_support import missing_accelerator
from synth import Generator

_native = load("conditions")
if _native is None:
    missing_accelerator("conditions")
assert _native is not None
Node = _native.Node

NORMALIZER = default_normalizer()
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
ODD = "\ud800\udfff\U0001f600\u200b\u3000Ａ"  # lone surrogates, an emoji, what normalization removes or folds


# ---- compiling both ways ------------------------------------------------------------------------------------------


@contextmanager
def closures() -> Iterator[None]:
    """Compile into the closures of smsguard.lang, as without the accelerator."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(combinators, "NODES", None)
        yield


def twins(compile_pack: Callable[[], CompiledPack]) -> tuple[CompiledPack, CompiledPack]:
    native = compile_pack()
    with closures():
        pure = compile_pack()
    assert not any(isinstance(rule.evaluate, Node) for rule in pure.rules)
    return native, pure


def compile_file(rule_file: ast.RuleFile, host: PluginHost) -> CompiledPack:
    loaded = LoadedPack(PackInfo("gen", "1", "<generated>"), (rule_file,))
    pack, diagnostics = compile_packs([loaded], host.signal_specs, host.functions(), NORMALIZER)
    assert not [d.render() for d in diagnostics if d.is_error]
    return pack


# ---- contexts -----------------------------------------------------------------------------------------------------


def found_bits(found: dict[int, Any]) -> bytes:
    """MatchContext.found_bits as the engine accelerator writes it: 64-bit words in the machine's byte order."""
    top = max(found, default=-1)
    words = top // 64 + 1 if top >= 0 else 1
    value = sum(1 << key for key in found)
    return b"".join(((value >> (64 * k)) & (2**64 - 1)).to_bytes(8, sys.byteorder) for k in range(words))


Prepared = tuple[Message, NormalizedText, Any, dict[str, list[Signal]]]


def prepare(engine: Engine, text: str, sender: str | None) -> Prepared:
    message = Message(text, sender)
    ntext = engine.normalizer.normalize(text)
    features = extract(ntext)
    signals, _ = engine.host.detect(message, ntext, features)
    by_name: dict[str, list[Signal]] = {}
    for signal in signals:
        by_name.setdefault(signal.name, []).append(signal)
    return message, ntext, features, by_name


def contexts(engine: Engine, pack: CompiledPack, text: str, sender: str | None) -> list[MatchContext]:
    """Two equal fresh contexts of one message for ``pack``: without and with the bitmap of found literals."""
    return contexts_of(prepare(engine, text, sender), pack)


def contexts_of(prepared: Prepared, pack: CompiledPack) -> list[MatchContext]:
    message, ntext, features, by_name = prepared
    sender = message.sender
    out = []
    for with_bits in (False, True):
        found = pack.literals.find_spans(ntext.text)
        ctx = MatchContext(
            message, ntext, features, by_name, found, normalize_sender(sender), None, len(pack.rules), True
        )
        if with_bits:
            ctx.found_bits = found_bits(found)
        out.append(ctx)
    return out


def shape(value: Any) -> Any:
    """The value with the type of every part, so that equal values of other types (list/tuple) differ."""
    if isinstance(value, tuple | list):
        return (type(value).__name__, [shape(item) for item in value])
    return (type(value).__name__, value)


def outcome(function: Callable[[], Any]) -> Any:
    try:
        return ("ok", shape(function()))
    except Exception as exc:
        return ("raised", type(exc), str(exc))


def run_rules(pack: CompiledPack, ctx: MatchContext) -> list[Any]:
    """Every rule in dependency order, as the engine runs them without a plan (RuleAborted: not fired)."""
    out: list[Any] = []
    for index, rule in enumerate(pack.rules):
        try:
            result = rule.evaluate(ctx)
        except RuleAborted:
            out.append(("aborted",))
            continue
        except Exception as exc:
            out.append(("raised", type(exc), str(exc)))
            continue
        out.append(("ok", shape(result)))
        if result is not None and isinstance(ctx.rule_results, list):
            ctx.rule_results[index] = result
    return [*out, list(ctx.failures), dict(ctx._regex_cache) if ctx._regex_cache else {}]


def assert_same_everywhere(engine: Engine, native: CompiledPack, pure: CompiledPack, text: str, sender: Any) -> None:
    prepared = prepare(engine, text, sender)
    expected = run_rules(pure, contexts_of(prepared, pure)[0])
    for ctx in contexts_of(prepared, native):
        assert run_rules(native, ctx) == expected


# ---- the default pack ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def default() -> tuple[Engine, CompiledPack, CompiledPack]:
    engine = Engine.default()
    native, pure = twins(lambda: Engine.default().pack)
    return engine, native, pure


def test_the_default_pack_is_compiled_into_nodes(default: tuple[Engine, CompiledPack, CompiledPack]) -> None:
    engine, native, _ = default
    assert all(isinstance(rule.evaluate, Node) for rule in engine.pack.rules)
    assert all(isinstance(rule.evaluate, Node) for rule in native.rules)
    assert {"and", "or", "signals"} <= {rule.evaluate.kind for rule in native.rules}


def test_every_rule_on_every_synthetic_message(default: tuple[Engine, CompiledPack, CompiledPack]) -> None:
    engine, native, pure = default
    gen = Generator(7)
    for message in gen.messages(3000):
        assert_same_everywhere(engine, native, pure, message.text, message.sender or None)


def test_long_and_empty_texts(default: tuple[Engine, CompiledPack, CompiledPack]) -> None:
    engine, native, pure = default
    gen = Generator(11)
    long_text = "".join(m.text for m in gen.messages(2500))[:100_000]
    for text in ["", " ", ODD, long_text, "欠款" * 3000, "（2025）沪0115民初12345号"]:
        assert_same_everywhere(engine, native, pure, text, "12368")


def _pack_words(engine: Engine) -> list[str]:
    words = sorted({term for terms in engine.pack.lists.values() for term in terms})
    return words[:: max(1, len(words) // 400)]


@pytest.fixture(scope="module")
def pack_texts(default: tuple[Engine, CompiledPack, CompiledPack]) -> st.SearchStrategy[str]:
    words = _pack_words(default[0])
    pieces = st.sampled_from(words) | st.text("甲，。 1２元" + ODD, max_size=3) | st.just("http://a.cn/x ")
    return st.lists(pieces, max_size=12).map("".join) | st.text(max_size=30)


@SETTINGS
@given(data=st.data())
def test_messages_built_from_the_pack_terms(
    default: tuple[Engine, CompiledPack, CompiledPack], pack_texts: st.SearchStrategy[str], data: st.DataObject
) -> None:
    engine, native, pure = default
    text = data.draw(pack_texts)
    sender = data.draw(st.none() | st.sampled_from(["12368", "95555", "1069 0123", "+8613800000000", "x"]))
    assert_same_everywhere(engine, native, pure, text, sender)


def test_the_engine_judges_alike_with_nodes_and_closures(default: tuple[Engine, CompiledPack, CompiledPack]) -> None:
    engine, native, pure = default
    engines = [Engine(pack, engine.host, engine.normalizer) for pack in (native, pure)]
    unplanned = [Engine(replace(pack, plan=None), engine.host, engine.normalizer) for pack in (native, pure)]
    for message in Generator(3).messages(300):
        msg = Message(message.text, message.sender or None)
        a, b = (e.judge(msg) for e in engines)
        assert shape(a.rule_results) == shape(b.rule_results) and a.verdict == b.verdict
        a, b = (e.judge(msg) for e in unplanned)
        assert shape(a.rule_results) == shape(b.rule_results) and a.verdict == b.verdict


def test_the_bitmap_the_engine_builds(default: tuple[Engine, CompiledPack, CompiledPack]) -> None:
    engine = default[0]
    seen: list[tuple[Any, Any]] = []

    def record(ctx: MatchContext) -> None:
        seen.append((ctx.found_bits, dict(ctx.found)))

    rules = tuple(replace(rule, evaluate=record) for rule in engine.pack.rules[:1])
    probe = Engine(replace(engine.pack, rules=rules, plan=None), engine.host, engine.normalizer)
    for text in ["", "您的欠款已逾期，将向法院起诉", ODD, "欠款" * 500]:
        seen.clear()
        probe.judge(Message(text))
        if probe._fast is not None:
            assert seen[0][0] == found_bits(seen[0][1])


# ---- generated packs and conditions -------------------------------------------------------------------------------

GEN_HOST = PluginHost.from_entry_points([make_test_plugin("t_native_conditions")], load_entrypoints=False)
batches = st.lists(st.tuples(messages, senders), min_size=1, max_size=5)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(valid_packs(rule_count=8), batches)
def test_generated_packs(rule_file: ast.RuleFile, batch: list[tuple[str, str | None]]) -> None:
    native, pure = twins(lambda: compile_file(rule_file, GEN_HOST))
    engine = Engine(pure, GEN_HOST, NORMALIZER)
    for text, sender in batch:
        assert_same_everywhere(engine, native, pure, text, sender)
        a = Engine(native, GEN_HOST, NORMALIZER).judge(Message(text, sender))
        b = engine.judge(Message(text, sender))
        assert shape(a.rule_results) == shape(b.rule_results) and a.verdict == b.verdict


# Plugin functions that log their calls: a node that evaluates a child its closure would not changes the log.
CALLS: list[str] = []


def _logged(view: Any, tag: str) -> bool:
    CALLS.append(tag)
    if tag.startswith("x"):
        raise RuntimeError("a plugin function failed")
    return tag.startswith("t")


@hookimpl
def smsguard_functions() -> list[RuleFunction]:
    return [RuleFunction("logged", ("string",), "bool", _logged, "")]


def _logging_plugin() -> types.ModuleType:
    module = types.ModuleType("t_logging_conditions")
    module.smsguard_functions = smsguard_functions  # type: ignore[attr-defined]
    return module


def _log_host() -> PluginHost:
    return PluginHost.from_entry_points(
        [make_test_plugin("t_native_conditions_log"), _logging_plugin()], load_entrypoints=False
    )


# One host each: the host's guard keeps count of a function's failures, and both see the same calls in turn.
LOG_HOSTS = (_log_host(), _log_host())
logged_calls = st.sampled_from(["t1", "t2", "f1", "f2", "x1"]).map(lambda tag: ast.Call("logged", (ast.Literal(tag),)))


def boolean_trees(leaves: st.SearchStrategy[ast.Expr], width: int, max_leaves: int) -> st.SearchStrategy[ast.Expr]:
    """Trees of not, and, or and N of (up to ``width`` children) over ``leaves``."""
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.builds(ast.Not, inner),
            st.lists(inner, min_size=1, max_size=width).map(lambda g: ast.And(tuple(g))),
            st.lists(inner, min_size=2, max_size=width).map(lambda g: ast.Or(tuple(g))),
            st.lists(inner, min_size=1, max_size=width).flatmap(
                lambda g: st.integers(-1, len(g)).map(lambda n: ast.NOf(n, tuple(g)))
            ),
        ),
        max_leaves=max_leaves,
    )


logged_trees = boolean_trees(conditions(LISTS, []) | logged_calls, 5, 12)


def _pack_of(condition: ast.Expr) -> ast.RuleFile:
    decls: list[ast.Item] = [
        ast.CategoryDecl("c0", (ast.Prop("title", "c0"),)),
        ast.CategoryDecl("normal", (ast.Prop("fallback", True),)),
    ]
    decls += [ast.ListDecl(name, ast.StringList(("甲", "乙丙", "丁"))) for name in LISTS]
    decls.append(ast.RuleDecl("r0", (ast.Prop("category", ast.NameValue("c0")),), condition))
    return ast.RuleFile("<generated>", tuple(decls))


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(logged_trees, batches)
def test_conditions_evaluate_the_same_children_in_the_same_order(
    condition: ast.Expr, batch: list[tuple[str, str | None]]
) -> None:
    assert_rule_the_same(condition, batch)


def assert_rule_the_same(condition: ast.Expr, batch: list[tuple[str, str | None]]) -> None:
    """The rule of ``condition`` compiled to nodes and to closures calls the same children and fails alike."""
    native = compile_file(_pack_of(condition), LOG_HOSTS[0])
    with closures():
        pure = compile_file(_pack_of(condition), LOG_HOSTS[1])
    engine = Engine(pure, LOG_HOSTS[1], NORMALIZER)
    for text, sender in batch:
        prepared = prepare(engine, text, sender)
        for ctx_native, ctx_pure in zip(contexts_of(prepared, native), contexts_of(prepared, pure), strict=True):
            assert_same_calls(native.rules[0].evaluate, ctx_native, pure.rules[0].evaluate, ctx_pure, CALLS)
            assert ctx_native.failures == ctx_pure.failures


def assert_same_calls(node: Any, ctx_node: Any, closure: Any, ctx_closure: Any, calls: list[Any]) -> None:
    """The node and the closure give the same outcome and log the same calls of their children."""
    calls.clear()
    got = outcome(lambda: node(ctx_node))
    node_calls = list(calls)
    calls.clear()
    assert got == outcome(lambda: closure(ctx_closure))
    assert node_calls == calls


def test_a_node_calls_no_child_beyond_its_closure() -> None:
    calls: list[int] = []

    def child(index: int, result: Any) -> Callable[[MatchContext], Any]:
        def evaluate(ctx: MatchContext) -> Any:
            calls.append(index)
            return result

        return evaluate

    shapes = [((0, 1),), None, (), ((2, 3), (0, 1))]
    for results in ([shapes[i % 4] for i in range(n)] for n in range(1, 7)):
        items = [child(i, r) for i, r in enumerate(results)]
        order = tuple(reversed(range(len(items))))
        builds: list[Callable[[], Any]] = [
            lambda items=items: combinators.any_of(items),
            lambda items=items, order=order: combinators.all_of(items, order),
            lambda items=items: combinators.negation(items[0]),
            *(lambda k=k, items=items: combinators.n_of(k, items) for k in range(-1, len(items) + 2)),
        ]
        for build in builds:
            node = build()
            with closures():
                closure = build()
            assert isinstance(node, Node) and not isinstance(closure, Node)
            assert_same_calls(node, None, closure, None, calls)


# ---- contexts the nodes hand to their closures --------------------------------------------------------------------


class OtherContext(MatchContext):
    __slots__ = ()


def _odd_contexts(engine: Engine, pack: CompiledPack) -> Iterator[MatchContext]:
    """Contexts that are not what the engine builds: the nodes must answer as their closures do."""
    text = "您的欠款已逾期，我司法务部将向法院提起诉讼，请联系 http://a.cn"
    for make in range(9):
        ctx = contexts(engine, pack, text, "95555")[make % 2]
        if make == 0:
            ctx.found = {key: tuple(value) for key, value in ctx.found.items()}  # tuples, not lists
        elif make == 1:
            ctx.found = {key: [(5, 1.5), (0, 1), *value] for key, value in ctx.found.items()}
        elif make == 2:
            ctx.found = {float(key): value for key, value in ctx.found.items()}  # type: ignore[misc]
        elif make == 3:
            ctx.signals = {name: tuple(same) for name, same in ctx.signals.items()}
        elif make == 4:
            ctx.signals = {name: [replace(s, value=object()) for s in same] for name, same in ctx.signals.items()}
        elif make == 5:
            ctx.rule_results = tuple(ctx.rule_results)  # type: ignore[assignment]
        elif make == 6:
            ntext = NormalizedText(text, text, tuple(range(len(text))), tuple(range(1, len(text) + 1)))
            ctx.ntext, ctx.identity = ntext, 0  # type: ignore[assignment]
        elif make == 7:
            other = OtherContext.__new__(OtherContext)
            for slot in MatchContext.__slots__:
                object.__setattr__(other, slot, getattr(ctx, slot))
            ctx = other
        else:
            ctx.found = {key: [] for key in ctx.found}
        yield ctx


def test_odd_contexts(default: tuple[Engine, CompiledPack, CompiledPack]) -> None:
    engine, native, pure = default
    for a, b in zip(_odd_contexts(engine, native), _odd_contexts(engine, pure), strict=True):
        assert run_rules(native, a) == run_rules(pure, b)


def test_unset_slots_raise_as_the_closures_do(default: tuple[Engine, CompiledPack, CompiledPack]) -> None:
    engine, native, pure = default
    for slot in ("found", "signals", "rule_results", "sender", "identity", "found_bits", "ntext"):
        got = []
        for pack in (native, pure):
            ctx = contexts(engine, pack, "欠款逾期起诉法院", None)[1]
            object.__delattr__(ctx, slot)
            got.append(run_rules(pack, ctx))
        assert got[0] == got[1]


def test_calling_a_node_wrongly() -> None:
    node = combinators.any_of([combinators.always])
    assert isinstance(node, Node) and node.kind == "or" and "or" in repr(node)
    for args in [(), (1, 2)]:
        with pytest.raises(TypeError):
            node(*args)
    with pytest.raises(TypeError):
        node(ctx=None)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        _native.any_of([1])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        _native.all_of([combinators.always], (1,))
    with pytest.raises(TypeError):
        _native.any_probed(frozenset({"a"}), combinators.always)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        _native.signal_compare("x", "=>", 1.0, True, combinators.always)


def test_no_references_are_leaked(default: tuple[Engine, CompiledPack, CompiledPack]) -> None:
    engine, native, _ = default
    texts = ["您的欠款已逾期，我司法务部将向法院提起诉讼", "【招商银行】您本期账单应还1,234.56元", ODD]
    ctxs = [contexts(engine, native, text, "95555") for text in texts]
    watched = [c.found for pair in ctxs for c in pair] + [c.signals for pair in ctxs for c in pair]

    def loop(times: int) -> None:
        for _ in range(times):
            for pair in ctxs:
                for ctx in pair:
                    run_rules(native, ctx)

    loop(5)
    gc.collect()
    before = [sys.getrefcount(obj) for obj in watched]
    loop(50)
    gc.collect()
    assert [sys.getrefcount(obj) for obj in watched] == before


def test_one_found_literal_with_odd_spans(default: tuple[Engine, CompiledPack, CompiledPack]) -> None:
    """The table holds one literal, with no span or with spans that are not in order: each leaf as its closure."""
    engine, native, pure = default
    prepared = prepare(engine, "您的欠款已逾期，我司法务部将向法院提起诉讼，律师函，上门，征信，验证码", "95555")
    keys = list(contexts_of(prepared, native)[0].found)
    for key in keys:
        for spans in ([], [(9, 12), (0, 2), (9, 12)], [(1, 1.0)]):
            got = []
            for pack in (native, pure):
                for ctx in contexts_of(prepared, pack):
                    ctx.found = {key: list(spans)}
                    if ctx.found_bits is not None:
                        ctx.found_bits = found_bits(ctx.found)
                    got.append(run_rules(pack, ctx))
            assert got[0] == got[1] == got[2] == got[3]


# ---- count(...) OP constant ---------------------------------------------------------------------------------------

count_constants = st.sampled_from(
    [0.0, 1.0, 2.0, 3.0, 0.5, 1.5, -1.0, 1e300, float("inf"), float("-inf"), float("nan")]
)
count_terms = st.lists(
    st.one_of(
        st.sampled_from(["甲", "乙丙", "丁", "丙", "1２", "元"]).map(ast.Literal),
        st.sampled_from(LISTS).map(ast.Ref),
        st.lists(st.sampled_from(["甲", "乙", "丁丁", "。"]), min_size=1, max_size=3).map(
            lambda items: ast.StringList(tuple(items))
        ),
    ),
    min_size=1,
    max_size=3,
).map(tuple)
count_compares = st.builds(
    lambda terms, op, n, left: (
        ast.Compare(op, ast.Call("count", terms), ast.Number(n))
        if left
        else ast.Compare(op, ast.Number(n), ast.Call("count", terms))
    ),
    count_terms,
    st.sampled_from([">=", "<=", "==", "!=", ">", "<"]),
    count_constants,
    st.booleans(),
)
count_trees = boolean_trees(count_compares | conditions(LISTS, []) | logged_calls, 4, 8)
count_texts = st.lists(
    st.sampled_from(["甲", "乙丙", "丁", "丙", "1２元", "。", "乙", "丁丁", ODD, " "]), max_size=10
).map("".join)


def test_a_count_compared_with_a_number_is_a_node() -> None:
    for condition in (
        ast.Compare(">=", ast.Call("count", (ast.Ref("l0"), ast.Literal("甲"))), ast.Number(2.0)),
        ast.Compare("<", ast.Number(1.5), ast.Call("count", (ast.StringList(("甲", "乙")),))),
    ):
        evaluate = compile_file(_pack_of(condition), LOG_HOSTS[0]).rules[0].evaluate
        assert isinstance(evaluate, Node) and evaluate.kind == "count_compare"
    with_regex = ast.Compare(">=", ast.Call("count", (ast.Regex("甲+"),)), ast.Number(1.0))
    assert not isinstance(compile_file(_pack_of(with_regex), LOG_HOSTS[0]).rules[0].evaluate, Node)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(count_trees, st.lists(st.tuples(count_texts | messages, senders), min_size=1, max_size=4))
def test_trees_with_counts(condition: ast.Expr, batch: list[tuple[str, str | None]]) -> None:
    assert_rule_the_same(condition, batch)


def _count_nodes(text_ids: frozenset[int]) -> list[tuple[Any, Any]]:
    """count_compare nodes built directly (int constants too, which the compiler never passes) with their closures."""
    from smsguard.lang import builtins as bi
    from smsguard.lang import values as vals

    terms = bi.TermSet(text_ids, (), ())
    out = []
    for constant in (0, 1, 2, -(10**30), 10**30, 2**53 + 1, 10**400, 1.0, float("nan")):
        for op in (">=", "<=", "==", "!=", ">", "<"):
            for left in (True, False):
                count, number = bi.compile_count(terms), vals.constant(constant)
                sides = (count, number) if left else (number, count)
                closure = vals.compile_compare(op, *sides)
                out.append((_native.count_compare(text_ids, len(text_ids) <= 20, op, constant, left, closure), closure))
    return out


def test_count_nodes_on_odd_tables(default: tuple[Engine, CompiledPack, CompiledPack]) -> None:
    engine, native, _ = default
    prepared = prepare(engine, "您的欠款已逾期，我司法务部将向法院提起诉讼，律师函，上门，征信，验证码", "95555")
    found = contexts_of(prepared, native)[0].found
    keys = sorted(found)
    many = frozenset(keys[:3]) | frozenset(range(10_000, 10_030))  # intersected, not probed
    for ids in (frozenset(keys[:1]), frozenset(keys[:3]), many, frozenset({10**6}), frozenset()):
        for node, closure in _count_nodes(ids):
            assert node.kind == "count_compare"
            for ctx in [*contexts_of(prepared, native), *_odd_contexts(engine, native)]:
                for table in (None, {k: [] for k in found}, {k: [(9, 12), (0, 2), (9, 12)] for k in found}):
                    if table is not None:
                        ctx.found = dict(table)
                        if ctx.found_bits is not None:
                            ctx.found_bits = found_bits(ctx.found)
                    assert same_outcome(node, closure, ctx)
            ctx = contexts_of(prepared, native)[0]
            # spans the offset map does not hold: the closure raises whether or not the comparison holds
            short = "欠款"
            ctx.ntext, ctx.identity = NormalizedText(short, short, (0, 1), (1, 2)), False
            assert same_outcome(node, closure, ctx)


def same_outcome(node: Any, closure: Any, ctx: MatchContext) -> bool:
    return bool(outcome(lambda: node(ctx)) == outcome(lambda: closure(ctx)))


def test_calling_count_compare_wrongly() -> None:
    with pytest.raises(TypeError):
        _native.count_compare(frozenset({1}), True, ">=", "2", True, combinators.always)
    with pytest.raises(TypeError):
        _native.count_compare(frozenset({1}), True, ">=", True, True, combinators.always)
    with pytest.raises(ValueError):
        _native.count_compare(frozenset({1}), True, "=>", 2.0, True, combinators.always)
    with pytest.raises(TypeError):
        _native.count_compare(frozenset({"a"}), True, ">=", 2.0, True, combinators.always)


def test_generated_literal_heavy_packs() -> None:
    """benchmarks/packgen.py's packs (two term sets with ``and``, ``count(...) >= 2``, ``near``) on synthetic
    messages: every rule, node against closure."""
    from packgen import literal_heavy_pack

    from smsguard.lang.parser import parse

    host = PluginHost.from_entry_points([], load_entrypoints=False)
    for size, seed in ((400, 11), (400, 12)):
        rule_file = parse(literal_heavy_pack(size, seed), "<generated>")
        native, pure = twins(lambda rule_file=rule_file: compile_file(rule_file, host))
        kinds = {rule.evaluate.kind for rule in native.rules}
        assert {"count_compare", "and", "near"} <= kinds
        engine = Engine(pure, host, NORMALIZER)
        for message in Generator(7).messages(400):
            assert_same_everywhere(engine, native, pure, message.text, message.sender or None)
