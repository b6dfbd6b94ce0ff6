"""Fault isolation: a plugin that raises, overruns its time budget or keeps failing never takes the engine down."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from plugin_support import CATEGORIES, write

from smsguard import Engine, Message, Signal, SignalSpec, Verdict
from smsguard.errors import PluginError
from smsguard.functions import MessageView, RuleFunction
from smsguard.hookspecs import hookimpl
from smsguard.plugin_guard import Guard, redact
from smsguard.plugins import PluginHost
from smsguard.testing import make_engine, plugin_module

RULES = """
rule word { category: bad weight: 1 when: "起诉" }
rule flagged { category: bad weight: 1 when: signal("good.flag") }
"""


@hookimpl
def smsguard_signals() -> list[SignalSpec]:
    return [SignalSpec("good.flag", "bool", "the message has 起诉")]


@hookimpl
def smsguard_detect(message: Message) -> list[Signal]:
    return [Signal("good.flag", True)] if "起诉" in message.text else []


GOOD = plugin_module("good", smsguard_signals, smsguard_detect)


def engine_with(tmp_path: Path, *plugins: Any, rules: str = RULES, **options: Any) -> Engine:
    pack = write(tmp_path / "pack.sg", CATEGORIES + rules)
    return make_engine(GOOD, *plugins, builtins=False, base=pack, **options)


def raising_detector(name: str = "flaky", fail: list[bool] | None = None) -> Any:
    plan = fail if fail is not None else []

    @hookimpl
    def smsguard_detect(message: Message) -> list[Signal]:
        if not plan or plan.pop(0):
            raise RuntimeError("detector broke")
        return []

    return plugin_module(name, smsguard_detect)


def test_a_raising_detector_is_recorded_and_the_others_still_count(tmp_path: Path) -> None:
    verdict = engine_with(tmp_path, raising_detector()).check("将起诉你")
    assert verdict.category == "bad"
    assert {h.rule for h in verdict.hits} == {"word", "flagged"}
    assert [(e.plugin, e.hook, e.error) for e in verdict.errors] == [
        ("flaky", "smsguard_detect", "RuntimeError: detector broke")
    ]


def test_a_detector_over_its_time_budget_is_dropped(tmp_path: Path) -> None:
    @hookimpl
    def smsguard_signals() -> list[SignalSpec]:
        return [SignalSpec("slow.flag", "bool", "always")]

    @hookimpl
    def smsguard_detect(message: Message) -> list[Signal]:
        time.sleep(0.03)
        return [Signal("slow.flag")]

    slow = plugin_module("slow", smsguard_signals, smsguard_detect)
    engine = engine_with(tmp_path, slow, time_budget_s=0.01)
    first = engine.check("将起诉你")
    assert "slow.flag" in {s.name for s in first.signals}, "the first call may load data: it is not timed"
    verdict = engine.check("将起诉你")
    assert verdict.category == "bad", "judged from the remaining evidence"
    assert "slow.flag" not in {s.name for s in verdict.signals}
    (error,) = verdict.errors
    assert error.plugin == "slow" and "over its budget of 10 ms" in error.error


def test_the_time_budget_grows_with_the_text_beyond_10000_characters(tmp_path: Path) -> None:
    @hookimpl
    def smsguard_signals() -> list[SignalSpec]:
        return [SignalSpec("reader.flag", "bool", "always")]

    @hookimpl
    def smsguard_detect(message: Message) -> list[Signal]:
        time.sleep(0.05)
        return [Signal("reader.flag")]

    guard = Guard(time_budget_s=0.02)
    assert guard.budget_for(0) == guard.budget_for(10_000) == 0.02
    assert guard.budget_for(100_000) == pytest.approx(0.2)
    engine = engine_with(tmp_path, plugin_module("reader", smsguard_signals, smsguard_detect), time_budget_s=0.02)
    engine.check("起诉")  # the first call is not timed
    long = engine.check("将起诉你。" + "这是一条很长的短信" * 12_000)  # 100k characters: a 216 ms budget
    assert "reader.flag" in {s.name for s in long.signals} and long.errors == ()
    text = "over its budget of 20 ms, 将起诉你"
    (error,) = engine.check(text).errors
    assert error.plugin == "reader" and error.error.startswith("ran ")
    assert error.error.endswith("over its budget of 20 ms"), "the host's own wording is not redacted"


def test_the_time_budget_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMSGUARD_PLUGIN_TIME_BUDGET_MS", "40")
    monkeypatch.setenv("SMSGUARD_PLUGIN_MAX_FAILURES", "2")
    host = PluginHost.from_entry_points(load_entrypoints=False)
    assert (host.time_budget_s, host.guard.max_failures) == (0.04, 2)
    monkeypatch.setenv("SMSGUARD_PLUGIN_TIME_BUDGET_MS", "fast")
    with pytest.raises(PluginError, match="SMSGUARD_PLUGIN_TIME_BUDGET_MS must be a positive number"):
        PluginHost.from_entry_points(load_entrypoints=False)


def test_the_breaker_disables_a_plugin_after_consecutive_failures(tmp_path: Path) -> None:
    engine = engine_with(tmp_path, raising_detector(), max_failures=3)
    errors = [engine.check("将起诉你").errors for _ in range(5)]
    assert [len(e) for e in errors] == [1, 1, 2, 1, 1]
    assert "disabled for the rest of this engine's life after 3 consecutive failures" in errors[2][1].error
    assert errors[3][0].error.startswith("not called: disabled")
    assert engine.check("将起诉你").category == "bad", "the other plugins still count"
    assert engine.host.guard.disabled.keys() == {"flaky"}


def test_a_success_resets_the_count(tmp_path: Path) -> None:
    plan = [True, True, False, True, True, False, True, True]
    engine = engine_with(tmp_path, raising_detector(fail=plan), max_failures=3)
    for _ in range(8):
        engine.check("你好")
    assert not engine.host.guard.disabled


def test_max_failures_zero_never_disables(tmp_path: Path) -> None:
    engine = engine_with(tmp_path, raising_detector(), max_failures=0)
    for _ in range(10):
        (error,) = engine.check("你好").errors
        assert error.error == "RuntimeError: detector broke"


def test_a_raising_adjuster_leaves_the_verdict_and_is_recorded(tmp_path: Path) -> None:
    @hookimpl
    def smsguard_adjust_verdict(verdict: Verdict) -> Verdict:
        raise ValueError("adjuster broke")

    verdict = engine_with(tmp_path, plugin_module("bad_adjuster", smsguard_adjust_verdict)).check("将起诉你")
    assert verdict.category == "bad"
    assert [(e.plugin, e.hook) for e in verdict.errors] == [("bad_adjuster", "smsguard_adjust_verdict")]


def test_an_adjuster_returning_garbage_or_dropping_errors_is_contained(tmp_path: Path) -> None:
    @hookimpl
    def smsguard_adjust_verdict(verdict: Verdict) -> Any:
        return {"category": "normal"}

    @hookimpl
    def smsguard_adjust_verdict_quiet(verdict: Verdict) -> Verdict:
        return replace(verdict, errors=())

    garbage = plugin_module("garbage", smsguard_adjust_verdict)
    hider = plugin_module("hider")
    hider.smsguard_adjust_verdict = hookimpl(specname="smsguard_adjust_verdict")(smsguard_adjust_verdict_quiet)
    verdict = engine_with(tmp_path, raising_detector(), garbage, hider).check("将起诉你")
    assert verdict.category == "bad"
    assert [(e.plugin, e.error) for e in verdict.errors] == [
        ("flaky", "RuntimeError: detector broke"),
        ("garbage", "returned a dict, not a Verdict or None"),
    ]


def _explode(view: MessageView, text: str) -> bool:
    raise LookupError(f"cannot read {view.message.text}")


def _wrong_type(view: MessageView) -> bool:
    return "yes"  # type: ignore[return-value]


@hookimpl
def smsguard_functions() -> list[RuleFunction]:
    return [RuleFunction("explode", ("string",), "bool", _explode), RuleFunction("wrong", (), "bool", _wrong_type)]


FUNCS = plugin_module("funcs", smsguard_functions)


def test_a_function_raising_at_runtime_is_recorded_and_redacted(tmp_path: Path) -> None:
    rules = RULES + 'rule boom { category: bad when: explode("x") }\nrule typed { category: bad when: wrong() }'
    engine = engine_with(tmp_path, FUNCS, rules=rules, max_failures=0)
    secret = "您的验证码是834521，将起诉"
    verdict = engine.check(secret)
    assert verdict.category == "bad", "the other rules still count"
    assert {h.rule for h in verdict.hits} == {"word", "flagged"}
    errors = {e.hook: e.error for e in verdict.errors if e.plugin == "funcs"}
    assert errors["function explode()"].startswith("RuleFunctionError: LookupError: cannot read")
    assert "834521" not in errors["function explode()"] and "验证码" not in errors["function explode()"]
    assert errors["function wrong()"] == "RuleFunctionError: returned a str, not the declared bool"


def test_a_failing_function_trips_the_breaker_too(tmp_path: Path) -> None:
    rules = RULES + 'rule boom { category: bad when: explode("x") }'
    engine = engine_with(tmp_path, FUNCS, rules=rules, max_failures=2)
    engine.check("你好")
    second = engine.check("你好").errors
    assert "disabled for the rest of this engine's life" in second[0].error
    assert "not called: disabled" in engine.check("你好").errors[0].error


def test_a_function_over_its_time_budget_is_recorded_and_its_rule_not_fired(tmp_path: Path) -> None:
    def slow_check(view: MessageView) -> bool:
        time.sleep(0.03)
        return True

    @hookimpl
    def smsguard_functions() -> list[RuleFunction]:
        return [RuleFunction("slow_check", (), "bool", slow_check)]

    rules = RULES + "rule slowly { category: bad weight: 3 when: slow_check() }"
    engine = engine_with(tmp_path, plugin_module("slowfn", smsguard_functions), rules=rules, time_budget_s=0.01)
    assert "slowly" in {h.rule for h in engine.check("你好").hits}, "the first call may load data: it is not timed"
    verdict = engine.check("你好")
    assert "slowly" not in {h.rule for h in verdict.hits}
    assert any(e.plugin == "slowfn" and "over its budget of 10 ms" in e.error for e in verdict.errors)


def test_trace_prints_hooks_plugins_and_durations_but_no_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SMSGUARD_TRACE_PLUGINS", "1")
    engine = engine_with(tmp_path, raising_detector())
    capsys.readouterr()
    engine.check("张三将被起诉，身份证110101199001011234")
    err = capsys.readouterr().err
    assert "smsguard trace: smsguard_detect [good]" in err and "1 signal(s)" in err
    assert "smsguard trace: smsguard_detect [flaky]" in err and "raised RuntimeError" in err
    assert " ms " in err
    assert "张三" not in err and "110101" not in err and "起诉" not in err


def test_redact_hides_runs_copied_from_the_message() -> None:
    text = "张三您好，您的验证码是834521，请勿泄露"
    assert redact("KeyError: '张三您好'", text) == "KeyError: '…'"
    assert redact("bad code 834521 here", text) == "bad code … here"
    assert redact("index out of range", text) == "index out of range"
    assert len(redact("x" * 1000, "")) == 301


def test_guard_counts_per_plugin_and_hook() -> None:
    guard = Guard(max_failures=2)
    guard.failed("p", "smsguard_detect", "e", "")
    guard.failed("p", "function f()", "e", "")
    assert not guard.disabled
    notes = guard.failed("p", "smsguard_detect", "e", "")
    assert len(notes) == 2 and "p" in guard.disabled


def test_non_finite_numbers_and_confidences_outside_0_to_1_are_malformed_signals(tmp_path: Path) -> None:
    @hookimpl
    def smsguard_signals() -> list[SignalSpec]:
        return [SignalSpec("odd.amount", "number", "test"), SignalSpec("odd.flag", "bool", "test")]

    @hookimpl
    def smsguard_detect() -> list[Signal]:
        return [
            Signal("odd.amount", float("nan")),
            Signal("odd.amount", float("-inf")),
            Signal("odd.flag", True, float("inf")),
            Signal("odd.flag", True, 1.5),
            Signal("odd.amount", 2.5, 0.0),  # the one well-formed signal
        ]

    verdict = engine_with(tmp_path, plugin_module("odd", smsguard_signals, smsguard_detect)).check("将起诉你")
    assert [s.value for s in verdict.signals if s.name.startswith("odd.")] == [2.5]
    assert [e.error for e in verdict.errors] == [
        "emitted signal odd.amount with the value nan; a number must be finite",
        "emitted signal odd.amount with the value -inf; a number must be finite",
        "emitted signal odd.flag with confidence inf, not from 0 to 1",
        "emitted signal odd.flag with confidence 1.5, not from 0 to 1",
    ]
    json.dumps(verdict.to_dict(), allow_nan=False)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"category": "whatever"}, "returned a verdict of category 'whatever', which the pack does not declare"),
        ({"risk": "extreme"}, "returned a verdict of risk 'extreme', not one of none, low, medium, high"),
        ({"scores": {"bad": float("nan")}}, "scores are not probabilities"),
        ({"scores": {"bad": 1.5}}, "scores are not probabilities"),
        ({"hits": None}, "returned a verdict whose hits is not a tuple of Hit"),
        ({"signals": [Signal("good.flag", True)]}, "returned a verdict whose signals is not a tuple of Signal"),
        ({"advice": ("ok", 3)}, "returned a verdict whose advice is not a tuple of str"),
        ({"version": {"engine": object()}}, "returned a verdict that is not JSON-safe: TypeError"),
    ],
)
def test_an_adjusted_verdict_that_is_not_well_formed_changes_nothing(
    tmp_path: Path, change: dict[str, Any], problem: str
) -> None:
    @hookimpl
    def smsguard_adjust_verdict(verdict: Verdict) -> Verdict:
        return replace(verdict, **change)

    engine = engine_with(tmp_path, plugin_module("sloppy", smsguard_adjust_verdict))
    verdict = engine.check("将起诉你")
    assert (verdict.category, verdict.risk) == ("bad", engine_with(tmp_path).check("将起诉你").risk)
    assert [(e.plugin, e.hook) for e in verdict.errors] == [("sloppy", "smsguard_adjust_verdict")]
    assert problem in verdict.errors[0].error
    json.dumps(verdict.to_dict(), allow_nan=False)


def test_an_adjuster_may_move_a_verdict_to_another_declared_category(tmp_path: Path) -> None:
    @hookimpl
    def smsguard_adjust_verdict(verdict: Verdict) -> Verdict:
        return replace(verdict, category="normal", risk="none", advice=(*verdict.advice, "allow-listed"))

    verdict = engine_with(tmp_path, plugin_module("allow", smsguard_adjust_verdict)).check("将起诉你")
    assert (verdict.category, verdict.risk, verdict.errors) == ("normal", "none", ())
