"""The engine accelerator (smsguard._cengine) against the pure-Python engine: evaluation, hits, verdicts.

Every engine here has a pure twin: the same pack, plugins and normalizer with the accelerator off. Both judge the
same messages and must give equal judgements: the same verdicts (``to_dict()``), the same scores to the bit and in
the same key order, the same hits and rule results, of the same types.
"""

from __future__ import annotations

import gc
import math
import sys
import types
from collections.abc import Callable, Sequence
from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rule_strategies import make_test_plugin, messages, senders, valid_packs

from smsguard import Engine
from smsguard.engine import Judgement
from smsguard.engine_native import hit_parts
from smsguard.extract import Features, extract
from smsguard.functions import RuleFunction
from smsguard.hookspecs import hookimpl
from smsguard.lang import ast
from smsguard.lang.compiler import compile_packs
from smsguard.lang.loader import LoadedPack
from smsguard.lang.parser import parse
from smsguard.matching import MatchContext, RuleAborted, normalize_sender
from smsguard.model import Hit, Message, PluginFailure, Signal, Verdict
from smsguard.native import load
from smsguard.normalize import NormalizedText, default_normalizer
from smsguard.pack import PackInfo
from smsguard.plugins import PluginHost

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from native_support import missing_accelerator
from synth import Generator

_cengine = load("engine")
if _cengine is None:
    missing_accelerator("engine")
assert _cengine is not None
Evaluator = _cengine.Evaluator

NORMALIZER = default_normalizer()
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


# ---- helpers ------------------------------------------------------------------------------------------------------


def pure_twin(engine: Engine) -> Engine:
    twin = Engine(engine.pack, engine.host, engine.normalizer)
    twin._fast = None
    return twin


def accelerated(engine: Engine) -> Engine:
    assert isinstance(engine._fast, Evaluator), "the C evaluator is not in use"
    return engine


def shape(value: Any) -> Any:
    """The value with the type of every part, so that equal values of other types (list/tuple) differ."""
    if isinstance(value, float):
        return ("float", repr(value))
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, [shape(item) for item in value])
    if isinstance(value, dict):
        return ("dict", [(key, shape(item)) for key, item in value.items()])
    if is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, [shape(getattr(value, f.name)) for f in fields(value)])
    return (type(value).__name__, value)


def assert_same(native: Judgement, pure: Judgement) -> None:
    assert type(native) is Judgement
    assert native.verdict.to_dict() == pure.verdict.to_dict()
    assert shape(native) == shape(pure)
    assert native == pure


def outcome(function: Callable[[], Any]) -> Any:
    """What ``function`` returns, or the type and text of what it raises."""
    try:
        return ("ok", shape(function()))
    except Exception as exc:
        return ("raised", type(exc), str(exc))


def compile_text(source: str, host: PluginHost | None = None) -> Engine:
    host = host or PluginHost.from_entry_points([], load_entrypoints=False)
    loaded = LoadedPack(PackInfo("t", "1", "<test>"), (parse(source, "<test>"),))
    pack, diagnostics = compile_packs([loaded], host.signal_specs, host.functions(), NORMALIZER)
    assert not [d.render() for d in diagnostics if d.is_error]
    return accelerated(Engine(pack, host, NORMALIZER))


@pytest.fixture(scope="module")
def default_pair() -> tuple[Engine, Engine]:
    engine = accelerated(Engine.default())
    return engine, pure_twin(engine)


# ---- the default pack ---------------------------------------------------------------------------------------------


def test_the_accelerated_functions_are_the_c_ones(default_pair: tuple[Engine, Engine]) -> None:
    engine, pure = default_pair
    for name in ("evaluate", "verdict", "judgement", "conclude"):
        assert type(getattr(Evaluator, name)).__name__ == "method_descriptor"
    assert pure._fast is None
    message = Message("您的借款已逾期，再不还款就联系你家人", "13800000000")
    judgement = engine.judge(message)
    assert type(judgement) is Judgement and judgement.verdict.hits
    assert_same(judgement, pure.judge(message))


def test_every_synthetic_message(default_pair: tuple[Engine, Engine]) -> None:
    engine, pure = default_pair
    messages = [Message(m.text, m.sender or None) for m in Generator(7).messages(3000)]
    for start in range(0, len(messages), 50):
        batch = messages[start : start + 50]
        for native, reference in zip(engine.judge_many(batch), pure.judge_many(batch), strict=True):
            assert_same(native, reference)


def test_long_and_empty_texts(default_pair: tuple[Engine, Engine]) -> None:
    engine, pure = default_pair
    gen = Generator(11)
    texts = ["", " ", "\ud800", gen.text_of_length(2000), gen.text_of_length(100_000), "老赖欠钱不还" * 20_000]
    for text in texts:
        for sender in (None, "", "12368", " 1 2-3(6)8 ", "ＡＢ（1）\u3000"):
            assert_same(engine.judge(Message(text, sender)), pure.judge(Message(text, sender)))


PACK_CHARS = "老赖欠钱不还款逾期法院起诉传票立案律师函验证码转账安全账户贷款利息征信链接点击元万1234567890【】：，。 "
EDGE_CHARS = "\u200b\u3000Ａａ０１\ufeff\ud800\udfff\U0001f600錢還"
texts_for_pack = st.text(st.sampled_from(PACK_CHARS + EDGE_CHARS), max_size=60) | st.text(
    st.characters(codec=None, exclude_categories=()), max_size=40
)
senders_any = (
    st.none()
    | st.sampled_from(["12368", "95555", " 12368 ", "1-2-3-6-8", "(12368)"])
    | st.text(st.sampled_from("12368 -()（）\u3000\t\x1cAbZ\u00e9\u0130\ud800"), max_size=12)
)


@SETTINGS
@given(texts_for_pack, senders_any)
def test_hypothesis_messages_on_the_default_pack(
    default_pair: tuple[Engine, Engine], text: str, sender: str | None
) -> None:
    engine, pure = default_pair
    assert_same(engine.judge(Message(text, sender)), pure.judge(Message(text, sender)))


# ---- generated packs, with a plugin's signals and functions -------------------------------------------------------

batches = st.lists(st.tuples(messages, senders), min_size=1, max_size=6)
GEN_HOST = PluginHost.from_entry_points([make_test_plugin("t_native_engine")], load_entrypoints=False)


def build_generated(rule_file: ast.RuleFile) -> Engine:
    loaded = LoadedPack(PackInfo("gen", "1", "<generated>"), (rule_file,))
    pack, diagnostics = compile_packs([loaded], GEN_HOST.signal_specs, GEN_HOST.functions(), NORMALIZER)
    assert not [d.render() for d in diagnostics if d.is_error]
    return accelerated(Engine(pack, GEN_HOST, NORMALIZER))


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(valid_packs(), batches)
def test_generated_packs(rule_file: ast.RuleFile, batch: list[tuple[str, str | None]]) -> None:
    engine = build_generated(rule_file)
    pure = pure_twin(engine)
    unplanned = accelerated(Engine(replace(engine.pack, plan=None), engine.host, engine.normalizer))
    for text, sender in batch:
        reference = pure.judge(Message(text, sender))
        assert_same(engine.judge(Message(text, sender)), reference)
        assert_same(unplanned.judge(Message(text, sender)), reference)


# ---- packs with custom categories ---------------------------------------------------------------------------------

CUSTOM = """
category alpha { title: "A" threshold: 0.5 priority: 10 risk: high advice: ["call A", "shared"] }
category beta { title: "B" threshold: 0.5 priority: 10 risk: medium advice: ["shared", "call B"] }
category gamma { title: "G" threshold: 0 priority: 5 risk: low }
category zeta { title: "Z" threshold: 0.99 priority: 50 risk: high advice: ["call Z"] }
category rest { title: "R" threshold: 0 priority: 0 risk: none fallback: true advice: ["nothing to do"] }
list ab = ["甲", "乙"]
rule a1 { category: alpha weight: 1.0 advice: ["a1", "shared"] when: "甲" }
rule a2 { category: alpha weight: 0.5 advice: "a2" when: "甲乙" }
rule b1 { category: beta weight: 1.5 advice: ["b1", "a1"] when: any(ab) }
rule b2 { category: beta weight: -0.5 advice: "b2" when: "丙" }
rule g0 { category: gamma weight: 0.0 advice: "g0" when: "丁" }
rule g1 { category: gamma weight: 0.2 advice: "g1" when: "丁" and not "甲" }
rule z1 { category: zeta weight: 3.0 advice: "z1" when: count(ab) >= 3 }
rule z2 { category: zeta weight: 3.0 advice: "z2" when: z1 and "丙" }
rule off { category: zeta weight: 9.0 enabled: false advice: "off" when: "戊" }
rule uses_off { category: gamma weight: 0.3 advice: "uses off" when: off }
rule r1 { category: rest weight: 1.0 advice: "r1" when: "己" }
rule s1 { category: alpha weight: 0.7 advice: "s1" when: sender(["95555", "ab-c"]) }
"""
custom_texts = st.text(st.sampled_from("甲乙丙丁戊己庚 \u200bＡ"), max_size=16)
custom_senders = st.none() | st.sampled_from(["95555", " 9-5(5)55 ", "AB-C", "abc", "x"])


@pytest.fixture(scope="module")
def custom_pair() -> tuple[Engine, Engine]:
    engine = compile_text(CUSTOM)
    return engine, pure_twin(engine)


@SETTINGS
@given(custom_texts, custom_senders)
def test_custom_categories(custom_pair: tuple[Engine, Engine], text: str, sender: str | None) -> None:
    engine, pure = custom_pair
    assert_same(engine.judge(Message(text, sender)), pure.judge(Message(text, sender)))


def test_custom_categories_cover_ties_disabled_rules_and_advice(custom_pair: tuple[Engine, Engine]) -> None:
    engine, pure = custom_pair
    for text in ["甲", "乙", "甲乙", "甲乙丙", "丁", "戊", "己", "甲乙甲乙", "甲乙甲乙丙", "丙丁戊己", ""]:
        native, reference = engine.judge(Message(text, "9 5555")), pure.judge(Message(text, "9 5555"))
        assert_same(native, reference)
    tie = engine.check("乙")  # alpha and beta tie in priority: the probability decides
    assert tie.category == "beta"
    disabled = engine.judge(Message("戊"))
    assert "off" not in {h.rule for h in disabled.verdict.hits}
    assert "uses_off" in {h.rule for h in disabled.verdict.hits}


@pytest.mark.parametrize(
    "advice",
    [
        ("甲", "乙", "甲", "shared"),  # repeats within a rule and with the category's advice
        ("".join(["sha", "red"]), "甲乙", "".join(["甲", "乙"])),  # equal strings that are distinct objects
        ["乙", "甲", "乙"],  # a list: the dictionary's way
        ("甲", 1, 1.0, True, "甲"),  # not only str: the dictionary's way (1 == 1.0 == True)
        (),
    ],
)
def test_advice_is_deduplicated_as_dict_fromkeys_does(custom_pair: tuple[Engine, Engine], advice: Any) -> None:
    engine, pure = custom_pair
    saved = dict(engine._advice_of), dict(pure._advice_of)
    try:
        for table in (engine._advice_of, pure._advice_of):
            table["a1"] = advice
            table["b1"] = ("b1", *advice[:1])
        for text in ["甲", "甲乙", "乙", "甲乙甲乙丙", ""]:
            assert_same(engine.judge(Message(text)), pure.judge(Message(text)))
        many = [Hit("a1", "alpha", 1.0, "", (), ()) for _ in range(40)]
        assert outcome(lambda: engine._verdict(list(many), [], [])) == outcome(
            lambda: pure._verdict(list(many), [], [])
        )
    finally:
        for table, kept in zip((engine._advice_of, pure._advice_of), saved, strict=True):
            table.clear()
            table.update(kept)


@pytest.mark.parametrize("spoil", [lambda i: i + 1, str, float, lambda i: True if i == 1 else i])
def test_literal_ids_are_shared_only_with_equal_ints(spoil: Callable[[int], Any]) -> None:
    engine = compile_text(CUSTOM)
    pure = pure_twin(engine)
    nodes = load("conditions")
    assert nodes is not None
    ids = {i for pattern in engine.pack.literals.pattern_ids for i in pattern}
    nodes.share_ids(tuple(rule.evaluate for rule in engine.pack.rules), {i: spoil(i) for i in ids})
    for text in ["甲", "乙", "甲乙", "甲乙丙", "丁", "戊", "己", "甲乙甲乙", "甲乙甲乙丙", "丙丁戊己", ""]:
        assert_same(engine.judge(Message(text, "95555")), pure.judge(Message(text, "95555")))


def test_records_of_subclasses_are_read_through_their_attributes(custom_pair: tuple[Engine, Engine]) -> None:
    engine, pure = custom_pair

    class Loud(Message):
        def __getattribute__(self, name: str) -> Any:
            value = object.__getattribute__(self, name)
            return "95555" if name == "sender" else value

    class Mapped(NormalizedText):
        pass

    for text in ["甲", "甲乙丙", ""]:
        message = Loud(text, "x")
        ntext = Mapped(text, text, None, None)
        features = extract(ntext)
        native = engine._fast.conclude(message, ntext, features, [], [], engine._find_spans)  # type: ignore[union-attr]
        reference = pure._conclude(message, ntext, features, [], [])
        assert native is not None and native == reference
        assert any(h.rule == "s1" for h in native.verdict.hits)


def test_categories_that_are_not_plain_floats_are_scored_by_the_python(custom_pair: tuple[Engine, Engine]) -> None:
    engine, _ = custom_pair
    # int priorities and thresholds, as a pack built by hand may have: the C leaves the verdict to Python
    categories = tuple(replace(c, priority=int(c.priority), threshold=c.threshold) for c in engine.pack.categories)
    odd = accelerated(Engine(replace(engine.pack, categories=categories), engine.host, engine.normalizer))
    assert odd._fast is not None and odd._fast.verdict([], [], []) is None
    pure = pure_twin(odd)
    for text in ["甲", "乙", "甲乙丙", "丁", ""]:
        assert_same(odd.judge(Message(text)), pure.judge(Message(text)))


def test_a_pack_whose_fallback_is_not_declared() -> None:
    engine = compile_text(CUSTOM)
    odd = accelerated(Engine(replace(engine.pack, fallback="nowhere"), engine.host, engine.normalizer))
    pure = pure_twin(odd)
    for text in ["甲", "己", "", "丁"]:
        assert_same(odd.judge(Message(text)), pure.judge(Message(text)))
    assert odd.check("").category == "nowhere"


# ---- the verdict against scoring, on hits made by hand ------------------------------------------------------------

weights = (
    st.sampled_from([0.0, -0.0, 1.0, 0.5, -1.0, 1e308, -1e308, math.inf, -math.inf, math.nan, 2, True, 5e-324])
    | st.floats(-5, 5)
    | st.integers(-3, 3)
)
hit_lists = st.lists(
    st.builds(
        lambda rule, category, weight: Hit(rule, category, weight, "t", ((0, 1),), ("甲",)),
        st.sampled_from(["a1", "a2", "b1", "b2", "g0", "z1", "r1", "nope"]),
        st.sampled_from(["alpha", "beta", "gamma", "zeta", "rest", "unknown"]),
        weights,
    ),
    max_size=40,
)


@SETTINGS
@given(hit_lists)
def test_verdicts_of_any_hits(custom_pair: tuple[Engine, Engine], hits: list[Hit]) -> None:
    engine, pure = custom_pair
    signals = [Signal("s", True)]
    failures = [PluginFailure("p", "h", "e")]
    native_hits, pure_hits = list(hits), list(hits)
    native = outcome(lambda: engine._verdict(native_hits, signals, failures))
    reference = outcome(lambda: pure._verdict(pure_hits, signals, failures))
    assert native == reference
    assert [id(h) for h in native_hits] == [id(h) for h in pure_hits]  # sorted in place alike


def test_many_hits_and_exact_sums(custom_pair: tuple[Engine, Engine]) -> None:
    engine, pure = custom_pair
    rules = ["a1", "a2", "b1", "b2", "g0", "z1", "r1"]
    categories = ["alpha", "beta", "gamma", "zeta", "rest", "unknown"]
    hits = [
        Hit(rules[i % 7], categories[(i * 5) % 6], [0.1, 0.2, 0.3, -0.05, 1e-17][i % 5], "", (), ()) for i in range(300)
    ]
    native, reference = engine._verdict(list(hits), [], []), pure._verdict(list(hits), [], [])
    assert shape(native) == shape(reference)
    assert engine._fast is not None and engine._fast.verdict(list(hits), [], []) is not None


def test_hits_of_another_class_are_left_to_python(custom_pair: tuple[Engine, Engine]) -> None:
    engine, _ = custom_pair

    class MyHit(Hit):
        __slots__ = ()

    assert engine._fast is not None
    assert engine._fast.verdict([MyHit("a1", "alpha", 1.0, "", (), ())], [], []) is None
    assert engine._fast.verdict((), [], []) is None  # type: ignore[arg-type]
    assert engine._fast.verdict([Hit("a1", "alpha", math.nan, "", (), ())], [], []) is None


# ---- rule closures made by hand: odd results, aborts, failures ----------------------------------------------------

HAND = """
category bad { title: "B" threshold: 0.5 priority: 10 risk: high advice: ["careful"] }
category normal { title: "N" threshold: 0 priority: 0 risk: none fallback: true }
rule h0 { category: bad weight: 1.0 when: "甲" }
rule h1 { category: bad weight: 0.5 when: "乙" }
rule h2 { category: bad weight: 0.25 enabled: false when: "丙" }
rule h3 { category: bad weight: 0.125 when: h2 }
"""
RESULTS: list[Any] = [
    (),
    ((0, 1),),
    ((3, 4), (0, 1), (3, 4), (0, 1), (2, 2)),
    ((0, 1), (0, 1)),
    ((1, 0), (5, 2), (0, 100)),
    ((-1, 2), (0, 1)),
    ((-3, -1),),
    ((2**70, 2**71), (0, 1)),
    ((True, 2), (0, 1)),
    ((0, True),),
    [(2, 3), (0, 1), (2, 3)],
    [(0, 1)],
    ([0, 1], (0, 1)),
    ((0, 1, 2),),
    (("a", "b"),),
    ((0, 1.5),),
    tuple((i % 7, i % 7 + 3) for i in range(50, 0, -1)),
    tuple((i, i + 1) for i in range(40)),
    5,
    "ab",
]


def hand_pack(evaluate: Sequence[Callable[[MatchContext], Any]]) -> Engine:
    engine = compile_text(HAND)
    rules = tuple(replace(rule, evaluate=fn) for rule, fn in zip(engine.pack.rules, evaluate, strict=True))
    return accelerated(Engine(replace(engine.pack, rules=rules, plan=None), engine.host, engine.normalizer))


def judge_both(engine: Engine, message: Message) -> tuple[Any, Any]:
    return outcome(lambda: engine.judge(message)), outcome(lambda: pure_twin(engine).judge(message))


@pytest.mark.parametrize("result", RESULTS, ids=range(len(RESULTS)))
def test_odd_rule_results(result: Any) -> None:
    engine = hand_pack([lambda ctx: result, lambda ctx: None, lambda ctx: result, lambda ctx: ctx.rule_results[2]])
    for text in ["甲乙丙", "", "\ud800x", "甲" * 200]:
        native, pure = judge_both(engine, Message(text))
        assert native == pure


def test_aborts_failures_and_errors_of_closures() -> None:
    def aborts(ctx: MatchContext) -> Any:
        ctx.failures.append(PluginFailure("plug", "function f()", "broke"))
        raise RuleAborted

    class Boom(Exception):
        pass

    def raises(ctx: MatchContext) -> Any:
        raise Boom("no")

    engine = hand_pack([aborts, lambda ctx: ((0, 1),), aborts, lambda ctx: ctx.rule_results[0] or ((1, 2),)])
    native, pure = judge_both(engine, Message("甲乙"))
    assert native == pure and native[0] == "ok"
    verdict = engine.judge(Message("甲乙")).verdict
    assert [e.plugin for e in verdict.errors] == ["plug", "plug"]
    assert [h.rule for h in verdict.hits] == ["h1", "h3"]
    failing = hand_pack([lambda ctx: ((0, 1),), raises, aborts, lambda ctx: None])
    native, pure = judge_both(failing, Message("甲"))
    assert native == pure == ("raised", Boom, "no")


def test_the_context_the_closures_see() -> None:
    seen: list[tuple[Any, ...]] = []

    def record(ctx: MatchContext) -> Any:
        seen.append(
            (
                type(ctx),
                ctx.message,
                ctx.ntext,
                ctx.identity,
                ctx.features,
                {k: list(v) for k, v in ctx.signals.items()},
                dict(ctx.found),
                ctx.sender,
                ctx.tokenizer,
                ctx.prefilter,
                list(ctx.rule_results),
                ctx.failures,
                ctx._regex_cache,
                ctx._tokens,
            )
        )
        return None

    engine = hand_pack([record, record, record, record])
    pure = pure_twin(engine)
    for text, sender in [("甲Ａ乙\u200b", " 95-555 "), ("", None), ("丙", "ＡＢ（c）\u3000"), ("x", "  \t ")]:
        seen.clear()
        engine.judge(Message(text, sender))
        native = list(seen)
        seen.clear()
        pure.judge(Message(text, sender))
        assert native == seen
        assert native[0][7] == normalize_sender(sender)


_SEEN: list[str] = []


def _record_sender(ctx: MatchContext) -> None:
    _SEEN.append(ctx.sender)


@pytest.fixture(scope="module")
def sender_engine() -> Engine:
    return hand_pack([_record_sender] * 4)


@SETTINGS
@given(st.none() | st.text(st.characters(codec=None, exclude_categories=()), max_size=12) | st.text(" -()AbZ09\t\x1c"))
def test_the_sender_the_closures_see(sender_engine: Engine, sender: str | None) -> None:
    ntext = NORMALIZER.normalize("甲")
    _SEEN.clear()
    results, hits = sender_engine.evaluate(Message("甲", sender), ntext, extract(ntext), [], [])
    assert results == [None] * 4 and hits == []
    assert [normalize_sender(sender)] * 4 == _SEEN
    assert all(type(seen) is str for seen in _SEEN)


# ---- plugin functions that fail inside a real pack ----------------------------------------------------------------


def _failing_plugin() -> types.ModuleType:
    @hookimpl
    def smsguard_functions() -> list[RuleFunction]:
        def flaky(view: Any, needle: str) -> float:
            if "乙" in view.text.text:
                raise RuntimeError("flaky failed")
            return float(view.text.text.count(needle))

        return [RuleFunction("flaky", ("string",), "number", flaky, "")]

    module = types.ModuleType("t_flaky_native")
    module.smsguard_functions = smsguard_functions  # type: ignore[attr-defined]
    return module


def test_failures_of_plugin_functions() -> None:
    source = (
        HAND.split("rule")[0]
        + 'rule f1 { category: bad weight: 1.0 when: flaky("甲") > 0 }\n'
        + 'rule f2 { category: bad weight: 1.0 when: not (flaky("甲") > 5) }\n'
        + 'rule f3 { category: bad weight: 0.5 when: "甲" }\n'
    )
    # each engine its own host: the circuit breaker of a host counts the failures it saw
    engine = compile_text(source, PluginHost.from_entry_points([_failing_plugin()], load_entrypoints=False))
    pure = compile_text(source, PluginHost.from_entry_points([_failing_plugin()], load_entrypoints=False))
    pure._fast = None
    assert [e.hook for e in engine.check("甲乙").errors] == ["function flaky()", "function flaky()"]
    pure.check("甲乙")
    for text in ["甲", "甲乙", "乙", "", "乙乙", "甲"]:
        assert_same(engine.judge(Message(text)), pure.judge(Message(text)))


# ---- the conclusion in one call (Evaluator.conclude) ---------------------------------------------------------------


def detected(engine: Engine, message: Message) -> tuple[Any, Any, list[Signal], list[PluginFailure]]:
    ntext = engine.normalizer.normalize_any(message.text)
    features = extract(ntext)
    signals, failures = engine.host.detect(message, ntext, features)
    return ntext, features, signals, failures


def test_the_conclusion_is_one_c_call(default_pair: tuple[Engine, Engine]) -> None:
    engine, pure = default_pair
    assert type(Evaluator.conclude).__name__ == "method_descriptor"
    assert engine._concludes_natively and engine._fast is not None
    for message in [Message("您的借款已逾期，再不还款就联系你家人", "13800000000"), Message("")]:
        ntext, features, signals, failures = detected(engine, message)
        before = list(failures)
        made = engine._fast.conclude(message, ntext, features, signals, failures, engine._find_spans)
        assert made is not None
        assert_same(made, pure.judge(message))
        assert failures == before  # extended in place by the rules' failures only


def _adjusting_plugin() -> types.ModuleType:
    @hookimpl
    def smsguard_adjust_verdict(message: Message, verdict: Verdict) -> Verdict | None:
        return replace(verdict, risk="low") if "甲" in message.text else None

    module = types.ModuleType("t_adjust_native")
    module.smsguard_adjust_verdict = smsguard_adjust_verdict  # type: ignore[attr-defined]
    return module


def test_plugins_that_adjust_verdicts_keep_the_python_conclusion() -> None:
    def host() -> PluginHost:
        return PluginHost.from_entry_points([_adjusting_plugin()], load_entrypoints=False)

    engine = compile_text(CUSTOM, host())
    pure = pure_twin(compile_text(CUSTOM, host()))
    assert not engine._concludes_natively
    for text in ["甲", "乙丙", "", "甲乙甲乙"]:
        assert_same(engine.judge(Message(text)), pure.judge(Message(text)))
    assert engine.check("甲").risk == "low"


def test_an_engine_subclass_that_replaces_a_step_keeps_the_python_conclusion() -> None:
    seen: list[str] = []

    class Counting(Engine):
        def evaluate(self, message: Message, *rest: Any) -> Any:  # type: ignore[override]
            seen.append(message.text)
            return super().evaluate(message, *rest)

    base = Engine.default()
    engine = Counting(base.pack, base.host, base.normalizer)
    assert not engine._concludes_natively
    assert engine.check("我们将起诉你").category == base.check("我们将起诉你").category
    assert seen == ["我们将起诉你"]


@pytest.mark.parametrize("weight", [1, float("nan"), True])
def test_rules_whose_weights_are_not_plain_floats_are_concluded_by_the_python(
    custom_pair: tuple[Engine, Engine], weight: Any
) -> None:
    engine, _ = custom_pair
    rules = tuple(replace(r, weight=weight) if r.id == "a1" else r for r in engine.pack.rules)
    odd = accelerated(Engine(replace(engine.pack, rules=rules), engine.host, engine.normalizer))
    pure = pure_twin(odd)
    message = Message("甲乙")
    assert odd._fast is not None
    assert odd._fast.conclude(message, *detected(odd, message), odd._find_spans) is None
    for text in ["甲", "甲乙", "丁", ""]:
        assert outcome(lambda t=text: odd.judge(Message(t))) == outcome(lambda t=text: pure.judge(Message(t)))


def test_rule_results_kept_by_a_closure_are_copied() -> None:
    kept: list[MatchContext] = []

    def keep(ctx: MatchContext) -> Any:
        kept.append(ctx)
        return ((0, 1),)

    engine = hand_pack([keep, lambda ctx: None, lambda ctx: ((1, 2),), lambda ctx: ctx.rule_results[2]])
    pure = pure_twin(engine)
    for text in ["甲乙", ""]:
        native = engine.judge(Message(text))
        assert list(kept[-1].rule_results) == list(native.rule_results)
        assert_same(native, pure.judge(Message(text)))


# ---- construction, lifetime, references ---------------------------------------------------------------------------


def test_a_plan_the_c_does_not_take_leaves_the_engine_pure(custom_pair: tuple[Engine, Engine]) -> None:
    engine, _ = custom_pair
    plan = engine.pack.plan
    assert plan is not None
    bad = replace(plan, always=(*plan.always, len(engine.pack.rules)))
    assert Engine(replace(engine.pack, plan=bad), engine.host, engine.normalizer)._fast is None
    with pytest.raises(ValueError):
        Evaluator(
            engine.pack.rules,
            bad,
            ("a", "b", "c", "d"),
            None,
            engine.pack.categories,
            "rest",
            {},
            {},
            (MatchContext, Hit, Verdict, Judgement, RuleAborted, Signal, Message, NormalizedText, Features),
            (normalize_sender, hit_parts, math.fsum),
        )


def test_no_references_are_leaked() -> None:
    shared = ((3, 4), (0, 1), (3, 4))
    engine = hand_pack([lambda ctx: shared, lambda ctx: ((0, 1),), lambda ctx: None, lambda ctx: ctx.rule_results[0]])
    message = Message("甲乙丙丁", "95555")
    category = engine.pack.categories[0]
    watched = [shared, message, category.id, category.advice, engine._version, engine.pack.rules[0].id]
    for _ in range(50):
        engine.judge(message)
    gc.collect()
    before = [sys.getrefcount(obj) for obj in watched]
    for _ in range(500):
        engine.judge(message)
    gc.collect()
    assert [sys.getrefcount(obj) for obj in watched] == before


def test_engines_are_collected() -> None:
    engine = compile_text(CUSTOM)
    engine.check("甲")
    fast = engine._fast
    assert fast is not None and gc.is_tracked(fast)
    del engine, fast
    gc.collect()


def test_judgements_are_built_like_the_class_builds_them(default_pair: tuple[Engine, Engine]) -> None:
    engine, _ = default_pair
    message = Message("点击 t.cn/abc 领取", "10690000")
    made = engine.judge(message)
    rebuilt = Judgement(
        made.message, made.text, made.features, tuple(made.signals), tuple(made.rule_results), made.verdict
    )
    assert shape(made) == shape(rebuilt) and made == rebuilt
