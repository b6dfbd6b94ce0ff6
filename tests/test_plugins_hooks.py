"""One test (at least) per hook, end to end through the engine. tests/test_hooks_documented.py checks that
every hook has a test named ``test_hook_<hook name>...`` in a tests/test_plugins_*.py file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from plugin_support import CATEGORIES, write

from smsguard import Engine, Message, RulePackError, Signal, SignalSpec, Verdict
from smsguard.extract import Features
from smsguard.functions import MessageView, RuleFunction
from smsguard.hookspecs import hookimpl
from smsguard.normalize import NormalizedText
from smsguard.testing import make_engine, plugin_module


def engine_with(tmp_path: Path, rules: str, *plugins: Any) -> Engine:
    pack = write(tmp_path / "pack" / "main.sg", CATEGORIES + rules)
    return make_engine(*plugins, builtins=False, base=pack)


@hookimpl
def smsguard_signals() -> list[SignalSpec]:
    return [SignalSpec("demo.digits", "number", "how many digits the message has")]


@hookimpl
def smsguard_detect(message: Message, text: NormalizedText, features: Features) -> list[Signal]:
    digits = [i for i, ch in enumerate(message.text) if ch.isdigit()]
    return [Signal("demo.digits", len(digits), 1.0, tuple((i, i + 1) for i in digits))] if digits else []


DEMO = plugin_module("demo", smsguard_signals, smsguard_detect)


def test_hook_smsguard_signals_declares_what_rules_may_name(tmp_path: Path) -> None:
    engine = engine_with(tmp_path, 'rule many_digits { category: bad when: signal("demo.digits") >= 3 }', DEMO)
    assert engine.host.signal_specs["demo.digits"].type == "number"
    with pytest.raises(RulePackError, match=r"unknown signal 'demo\.digit'"):
        engine_with(tmp_path, 'rule r { category: bad when: signal("demo.digit") }', DEMO)


def test_hook_smsguard_detect_signals_reach_rules_and_the_verdict(tmp_path: Path) -> None:
    engine = engine_with(tmp_path, 'rule many_digits { category: bad when: signal("demo.digits") >= 3 }', DEMO)
    verdict = engine.check("验证码 1a2b3")
    assert verdict.category == "bad"
    (signal,) = verdict.signals
    assert (signal.name, signal.value, signal.plugin) == ("demo.digits", 3, "demo")
    assert signal.spans == ((4, 5), (6, 7), (8, 9))
    assert engine.check("没有数字").category == "normal"


def test_hook_smsguard_detect_result_is_checked(tmp_path: Path) -> None:
    @hookimpl
    def smsguard_detect(message: Message) -> list[Any]:
        return [
            Signal("demo.digits", "three"),
            Signal("demo.digits", 3, spans=((0, 999),)),
            "not a signal",
            Signal("demo.digits", 1, spans=((0, 1),)),
        ]

    sloppy = plugin_module("demo", smsguard_signals, smsguard_detect)
    verdict = engine_with(tmp_path, "", sloppy).check("12")
    assert [s.value for s in verdict.signals] == [1]
    assert [e.error for e in verdict.errors] == [
        "emitted signal demo.digits with a str value; it is declared number",
        "emitted signal demo.digits with span (0, 999) outside the original text",
        "returned a str, not a Signal",
    ]


def test_hook_smsguard_rule_packs_are_layered_after_the_base(tmp_path: Path) -> None:
    layer = write(
        tmp_path / "layer" / "layer.sg",
        """
        pack "layer" version "2"
        override loud { weight: 3 }
        disable quiet
        rule extra { title: "新" category: bad when: "新" }
        """,
    )

    @hookimpl
    def smsguard_rule_packs() -> list[Path]:
        return [layer]

    rules = 'rule loud { category: bad weight: 1 when: "吵" }\nrule quiet { category: bad when: "静" }'
    engine = engine_with(tmp_path, rules, plugin_module("layering", smsguard_rule_packs))
    verdict = engine.check("吵静新")
    assert {h.rule: (h.weight, h.pack) for h in verdict.hits} == {"loud": (3.0, "base"), "extra": (1.0, "layer")}
    assert [p.name for p in engine.pack.packs] == ["base", "layer"]


def test_hook_smsguard_lexicons_feed_rule_lists(tmp_path: Path) -> None:
    words = write(tmp_path / "lex" / "words.txt", "# source: written for this test\n老赖\n骗子\t侮辱\n")

    @hookimpl
    def smsguard_lexicons() -> dict[str, Path]:
        return {"demo_insults": words}

    rules = 'list insults = file("lexicon:demo_insults")\nrule insult { category: bad when: any(insults) }'
    engine = engine_with(tmp_path, rules, plugin_module("lexer", smsguard_lexicons))
    assert engine.check("你这个骗子").hits[0].evidence == ("骗子",)
    with pytest.raises(RulePackError, match="no plugin provides the lexicon 'nope'"):
        engine_with(tmp_path, 'list x = file("lexicon:nope")\nrule r { category: bad when: any(x) }')


def _digits_at_least(view: MessageView, minimum: float) -> bool:
    return sum(ch.isdigit() for ch in view.message.text) >= minimum


@hookimpl
def smsguard_functions() -> list[RuleFunction]:
    return [RuleFunction("digits_at_least", ("number",), "bool", _digits_at_least, "at least N digits")]


FUNCS = plugin_module("funcs", smsguard_functions)


def test_hook_smsguard_functions_are_callable_from_rules(tmp_path: Path) -> None:
    engine = engine_with(tmp_path, "rule r { category: bad when: digits_at_least(4) }", FUNCS)
    assert engine.check("1234").category == "bad"
    assert engine.check("123").category == "normal"
    assert engine.pack.rule("r").evaluate is not None


@pytest.mark.parametrize(
    ("call", "complaint"),
    [
        ("digits_at_least()", "digits_at_least() takes 1 positional arguments"),
        ('digits_at_least("4")', "digits_at_least() expects a constant number here"),
        ("digits_at_lest(4)", "did you mean 'digits_at_least'"),
    ],
)
def test_hook_smsguard_functions_are_checked_at_compile_time(tmp_path: Path, call: str, complaint: str) -> None:
    with pytest.raises(RulePackError, match=complaint.replace("(", r"\(").replace(")", r"\)")):
        engine_with(tmp_path, f"rule r {{ category: bad when: {call} }}", FUNCS)


def test_hook_smsguard_adjust_verdict_can_allow_list_a_sender(tmp_path: Path) -> None:
    own_numbers = {"10690001111"}

    @hookimpl
    def smsguard_adjust_verdict(message: Message, verdict: Verdict) -> Verdict | None:
        if message.sender in own_numbers and verdict.category == "bad":
            return replace(verdict, category="normal", category_title="正常", risk="none")
        return None

    rules = 'rule loud { category: bad when: "起诉" }'
    engine = engine_with(tmp_path, rules, plugin_module("allow", smsguard_adjust_verdict))
    ours = engine.check("我司将依法起诉", sender="1069-0001-111")
    assert ours.category == "bad", "a sender is compared as given; the plugin decides how to normalize"
    ours = engine.check("我司将依法起诉", sender="10690001111")
    assert (ours.category, ours.risk) == ("normal", "none")
    assert [h.rule for h in ours.hits] == ["loud"], "the evidence stays visible"
    assert engine.check("我司将依法起诉", sender="17012345678").category == "bad"


def test_hook_smsguard_adjust_verdict_runs_in_plugin_name_order(tmp_path: Path) -> None:
    def adjuster(tag: str) -> Any:
        @hookimpl
        def smsguard_adjust_verdict(verdict: Verdict) -> Verdict:
            return replace(verdict, advice=(*verdict.advice, tag))

        return plugin_module(f"adjust_{tag}", smsguard_adjust_verdict)

    engine = engine_with(tmp_path, "", adjuster("b"), adjuster("a"))
    assert engine.check("你好").advice[-2:] == ("a", "b")
