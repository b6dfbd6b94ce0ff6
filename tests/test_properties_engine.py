"""Properties of judging: the compiled engine agrees with the reference evaluator, and scoring behaves.

Packs are generated over four Chinese characters, with lists, regexes, near/count/N of/not, composites (rules
that use earlier rules), sender, a plugin's signals and a plugin's function, so that rules really fire.
"""

from __future__ import annotations

import math
import random
import types
from collections.abc import Sequence

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rule_strategies import CATEGORIES, make_test_plugin, messages, senders, valid_packs

from smsguard import scoring
from smsguard.engine import Engine
from smsguard.hookspecs import hookimpl
from smsguard.lang import ast
from smsguard.lang.compiler import compile_packs
from smsguard.lang.loader import LoadedPack
from smsguard.lang.reference import ReferenceEvaluator
from smsguard.model import Hit, Message, Signal, SignalSpec
from smsguard.normalize import default_normalizer
from smsguard.pack import CompiledCategory, PackInfo
from smsguard.plugins import PluginHost

NORMALIZER = default_normalizer()
HOST = PluginHost.from_entry_points([make_test_plugin()], load_entrypoints=False)
ENGINE_SETTINGS = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
batches = st.lists(st.tuples(messages, senders), min_size=1, max_size=6)


def build(rule_file: ast.RuleFile, host: PluginHost = HOST) -> Engine:
    loaded = LoadedPack(PackInfo("gen", "1", "<generated>"), (rule_file,))
    pack, diagnostics = compile_packs([loaded], host.signal_specs, host.functions(), NORMALIZER)
    errors = [d.render() for d in diagnostics if d.is_error]
    assert not errors, errors
    return Engine(pack, host, NORMALIZER)


@ENGINE_SETTINGS
@given(valid_packs(), batches)
def test_engine_and_reference_fire_the_same_rules_with_the_same_scores(
    rule_file: ast.RuleFile, batch: list[tuple[str, str | None]]
) -> None:
    engine = build(rule_file)
    reference = ReferenceEvaluator(engine)
    for text, sender in batch:
        judgement = engine.judge(Message(text, sender))
        holds = {
            r.id for r, result in zip(engine.pack.rules, judgement.rule_results, strict=True) if result is not None
        }
        walker = reference.walker(Message(text, sender))
        assert holds == {r.id for r in engine.pack.rules if walker.rule(r.id)}, (text, sender)
        fired, scores, chosen = reference.fired(text, sender)
        verdict = judgement.verdict
        assert {h.rule for h in verdict.hits} == fired
        assert dict(verdict.scores) == scores
        assert verdict.category == chosen


@ENGINE_SETTINGS
@given(valid_packs(), batches, st.sampled_from(CATEGORIES), st.sampled_from([0.05, 0.3, 1.0, 4.0]))
def test_a_fired_rule_of_positive_weight_never_lowers_its_category(
    rule_file: ast.RuleFile, batch: list[tuple[str, str | None]], category: str, weight: float
) -> None:
    extra = ast.RuleDecl(
        "extra",
        (ast.Prop("category", ast.NameValue(category)), ast.Prop("weight", weight)),
        ast.Bool(True),
    )
    before = build(rule_file)
    after = build(ast.RuleFile(rule_file.path, (*rule_file.items, extra)))
    for text, sender in batch:
        old, new = before.check(text, sender).scores, after.check(text, sender).scores
        assert new[category] >= old[category]
        assert {c: p for c, p in new.items() if c != category} == {c: p for c, p in old.items() if c != category}
        assert all(0.0 <= p <= 1.0 for p in new.values())


@ENGINE_SETTINGS
@given(valid_packs(), batches, st.randoms(use_true_random=False))
def test_the_verdict_does_not_depend_on_the_order_of_declarations(
    rule_file: ast.RuleFile, batch: list[tuple[str, str | None]], rng: random.Random
) -> None:
    items = list(rule_file.items)
    rng.shuffle(items)
    original, shuffled = build(rule_file), build(ast.RuleFile(rule_file.path, tuple(items)))
    for text, sender in batch:
        assert original.check(text, sender).to_dict() == shuffled.check(text, sender).to_dict()


def _signal_plugin(name: str, signal: str, char: str) -> types.ModuleType:
    @hookimpl
    def smsguard_signals() -> list[SignalSpec]:
        return [SignalSpec(signal, "bool", "test")]

    @hookimpl
    def smsguard_detect(message: Message, text: object, features: object) -> list[Signal]:
        where = message.text.find(char)
        return [Signal(signal, True, 1.0, ((where, where + 1),))] if where >= 0 else []

    module = types.ModuleType(name)
    module.smsguard_signals = smsguard_signals  # type: ignore[attr-defined]
    module.smsguard_detect = smsguard_detect  # type: ignore[attr-defined]
    return module


@ENGINE_SETTINGS
@given(valid_packs(rule_count=4), batches)
def test_the_verdict_does_not_depend_on_plugin_registration_order(
    rule_file: ast.RuleFile, batch: list[tuple[str, str | None]]
) -> None:
    plugins = [make_test_plugin("p_t"), _signal_plugin("p_a", "a.seen", "甲"), _signal_plugin("p_b", "b.seen", "乙")]
    extra = ast.RuleDecl(
        "both",
        (ast.Prop("category", ast.NameValue("c0")), ast.Prop("weight", 0.7)),
        ast.Or((ast.Call("signal", (ast.Literal("a.seen"),)), ast.Call("signal", (ast.Literal("b.seen"),)))),
    )
    pack = ast.RuleFile(rule_file.path, (*rule_file.items, extra))
    engines = [
        build(pack, PluginHost.from_entry_points(order, load_entrypoints=False))
        for order in (plugins, plugins[::-1], [plugins[1], plugins[0], plugins[2]])
    ]
    for text, sender in batch:
        first, *others = (e.check(text, sender).to_dict() for e in engines)
        assert all(other == first for other in others)


def _categories() -> list[CompiledCategory]:
    return [CompiledCategory(c, c, 0.5, float(i), "low") for i, c in enumerate(CATEGORIES)]


finite_weights = st.floats(-1e6, 1e6, allow_nan=False) | st.sampled_from([0.1, 0.2, 0.3, 0.7, -0.3, 1e-300])
hits = st.lists(
    st.builds(
        lambda c, w, i: Hit(f"h{i}", c, w, "", (), ()), st.sampled_from(CATEGORIES), finite_weights, st.integers()
    ),
    max_size=8,
)


@given(hits, st.sampled_from(CATEGORIES), finite_weights.filter(lambda w: w > 0))
def test_scoring_adding_positive_evidence_never_lowers_a_probability(
    found: list[Hit], category: str, weight: float
) -> None:
    categories = _categories()
    before = scoring.scores(categories, found)
    after = scoring.scores(categories, [*found, Hit("new", category, weight, "", (), ())])
    assert after[category] >= before[category]
    assert all(0.0 <= p <= 1.0 for p in (*before.values(), *after.values()))


@given(hits, st.randoms(use_true_random=False))
def test_scoring_does_not_depend_on_the_order_of_hits(found: Sequence[Hit], rng: random.Random) -> None:
    categories = _categories()
    shuffled = list(found)
    rng.shuffle(shuffled)
    assert scoring.scores(categories, found) == scoring.scores(categories, shuffled)
    chosen = scoring.decide(categories, scoring.scores(categories, found), "c0")
    assert chosen == scoring.decide(categories[::-1], scoring.scores(categories, shuffled), "c0")
    assert not any(math.isnan(p) for p in scoring.scores(categories, found).values())
