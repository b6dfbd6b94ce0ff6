"""Plugins that misbehave in unusual ways still cannot crash the engine, leak the message or create evidence."""

from __future__ import annotations

import sys
import types
from pathlib import Path

from smsguard import Engine, Message, Signal, SignalSpec
from smsguard.functions import RuleFunction
from smsguard.hookspecs import hookimpl

TEXT = "您 的 欠 款 已 逾 期，验证码4821"


def plugin(name: str, **hooks: object) -> types.ModuleType:
    module = types.ModuleType(name)
    for key, value in hooks.items():
        setattr(module, key, value)
    return module


def engine_with(detect: object, signals: tuple[SignalSpec, ...] = ()) -> Engine:
    @hookimpl
    def smsguard_signals() -> list[SignalSpec]:
        return list(signals)

    return Engine.default(plugins=[plugin("edge_plugin", smsguard_detect=detect, smsguard_signals=smsguard_signals)])


def test_an_exception_that_cannot_be_printed_is_still_isolated() -> None:
    class Unprintable(Exception):
        def __str__(self) -> str:
            raise RuntimeError("boom")

    @hookimpl
    def smsguard_detect(message: Message) -> list[Signal]:
        raise Unprintable

    verdict = engine_with(smsguard_detect).check(TEXT)
    assert [e.error for e in verdict.errors if e.plugin == "edge_plugin"] == ["Unprintable: <unprintable>"]


def test_a_plugin_calling_sys_exit_is_isolated() -> None:
    @hookimpl
    def smsguard_detect(message: Message) -> list[Signal]:
        sys.exit(3)

    verdict = engine_with(smsguard_detect).check(TEXT)
    assert any(e.plugin == "edge_plugin" and e.error.startswith("SystemExit") for e in verdict.errors)


def test_malformed_signals_are_rejected_not_fatal() -> None:
    spec = SignalSpec("edge.x", "bool", "test")

    @hookimpl
    def smsguard_detect(message: Message) -> list[Signal]:
        return [
            Signal(["edge.x"]),  # type: ignore[arg-type]
            Signal("edge.x", True, 1.0, [(0, 1)]),  # type: ignore[arg-type]
            Signal("edge.x", True, 1.0, (), None),  # type: ignore[arg-type]
            Signal("edge.x", True, 1.0, ((0, 1),), "fine"),
        ]

    verdict = engine_with(smsguard_detect, (spec,)).check(TEXT)
    assert [s.detail for s in verdict.signals if s.name == "edge.x"] == ["fine"]
    assert sum(e.plugin == "edge_plugin" for e in verdict.errors) >= 3


def test_undeclared_signal_names_do_not_leak_the_message() -> None:
    @hookimpl
    def smsguard_detect(message: Message) -> list[Signal]:
        return [Signal(message.text)]

    verdict = engine_with(smsguard_detect).check(TEXT)
    errors = " ".join(e.error for e in verdict.errors)
    assert "欠 款" not in errors and "4821" not in errors


def test_errors_quoting_the_normalized_text_or_a_short_code_are_redacted() -> None:
    @hookimpl
    def smsguard_detect(message: Message, text: object) -> list[Signal]:
        raise ValueError("cannot parse " + text.text + " code 4821")  # type: ignore[attr-defined]

    verdict = engine_with(smsguard_detect).check(TEXT)
    (error,) = [e.error for e in verdict.errors if e.plugin == "edge_plugin"]
    assert "欠款已逾期" not in error and "4821" not in error and error.startswith("ValueError: cannot parse")


def test_a_failing_function_under_not_is_no_evidence(tmp_path: Path) -> None:
    def is_official(view: object, name: str) -> bool:
        raise TimeoutError("lookup failed")

    @hookimpl
    def smsguard_functions() -> list[RuleFunction]:
        return [RuleFunction("is_official", ("string",), "bool", is_official, "test")]

    pack = tmp_path / "p.sg"
    pack.write_text(
        'category bad { title: "bad" threshold: 0.5 priority: 10 risk: high }\n'
        'category ok { title: "ok" threshold: 0 priority: 0 risk: none fallback: true }\n'
        'rule fake_site { category: bad weight: 2 when: "链接" and not is_official("x") }\n'
        'rule uses_it { category: bad weight: 2 when: "链接" and not fake_site }\n',
        encoding="utf-8",
    )
    engine = Engine.from_paths(pack, plugins=[plugin("fn_plugin", smsguard_functions=smsguard_functions)])
    verdict = engine.check("点击链接")
    assert "fake_site" not in {h.rule for h in verdict.hits}
    assert any(e.plugin == "fn_plugin" for e in verdict.errors)


def test_signals_of_subclassed_types_take_the_full_check_and_are_kept() -> None:
    class Yuan(float):
        pass

    class Offset(int):
        pass

    class TaggedSignal(Signal):
        __slots__ = ()

    specs = (SignalSpec("edge.amount", "number", "test"), SignalSpec("edge.flag", "bool", "test"))

    @hookimpl
    def smsguard_detect(message: Message) -> list[Signal]:
        return [
            Signal("edge.amount", Yuan(12.5), 1.0, ((Offset(0), Offset(1)),), "sub"),
            TaggedSignal("edge.flag", True, 1.0, ((0, 1),), "tagged"),
            Signal("edge.amount", True, 1.0, ((0, 1),), "a bool is not a number"),
            Signal("edge.amount", 3, 1.0, ((0, len(message.text) + 1),), "past the end"),
            Signal("edge.flag", True, 1.0, ((0, 1),), "stamped", "someone_else"),
        ]

    verdict = engine_with(smsguard_detect, specs).check(TEXT)
    kept = {s.detail: s for s in verdict.signals if s.name.startswith("edge.")}
    assert set(kept) == {"sub", "tagged", "stamped"}
    assert all(s.plugin == "edge_plugin" for s in kept.values())
    assert type(kept["tagged"]) is TaggedSignal and kept["sub"].value == 12.5
    errors = [e.error for e in verdict.errors if e.plugin == "edge_plugin"]
    assert any("bool value" in e for e in errors) and any("outside the original text" in e for e in errors)
