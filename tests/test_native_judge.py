"""The C judging path (smsguard._cjudge) against Engine._judge_one: the same judgements, and the Python path
taken whenever something the C path relies on is not as it was when the engine was built."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from native_detectors import assert_no_leak
from native_support import missing_accelerator

import smsguard.engine as engine_module
from smsguard import Engine, engine_judge
from smsguard.errors import InputError
from smsguard.hookspecs import hookimpl
from smsguard.host_detect import Detection
from smsguard.model import Message, Signal, SignalSpec
from smsguard.normalize import default_normalizer
from smsguard.plugin_guard import BUDGET_CHARS, Guard, Tracer
from smsguard.plugins import PluginHost

if engine_judge._native is None:
    missing_accelerator("judge")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from synth import Generator  # type: ignore[import-not-found]

JUDGE = engine_judge._native
THREAT = "【某某法务部】您的欠款已逾期，我司将于三日内上门催收并向法院起诉，请立即还款5000元"


@pytest.fixture(scope="module")
def engines() -> tuple[Engine, Engine]:
    """An engine judging through the C path and its twin judging through Engine._judge_one."""
    fast, slow = Engine.default(), Engine.default()
    slow._native_judge = None
    assert fast._native_judge is not None
    return fast, slow


class PythonPathSpy:
    """Counts the messages an engine hands to Engine._judge_one."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        reference = Engine._judge_one

        def judge_one(engine: Engine, message: Message) -> Any:
            self.calls += 1
            return reference(engine, message)

        monkeypatch.setattr(Engine, "_judge_one", judge_one)


def same(fast: Engine, slow: Engine, message: Message) -> None:
    assert fast.judge(message) == slow.judge(message)
    assert fast.check_message(message) == slow.check_message(message)


# ---- the C path is the one running, and judges alike
def test_the_default_engine_judges_in_c(engines: tuple[Engine, Engine], monkeypatch: pytest.MonkeyPatch) -> None:
    fast, _ = engines
    assert type(fast._native_judge.__self__) is JUDGE.Judge  # type: ignore[union-attr]
    spy = PythonPathSpy(monkeypatch)
    verdict = fast.check(THREAT, "95555")
    assert verdict.category != "benign" and verdict.signals
    assert spy.calls == 0


def test_the_synthetic_messages_judge_alike(engines: tuple[Engine, Engine], monkeypatch: pytest.MonkeyPatch) -> None:
    fast, slow = engines
    spy = PythonPathSpy(monkeypatch)
    messages = [Message(m.text, m.sender or None) for m in Generator(7).messages(3000)]
    for message in messages:
        assert fast.judge(message) == slow.judge(message)
    assert spy.calls == len(messages)  # the twin's, none of the C path's


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.one_of(
        st.text(max_size=80),
        st.lists(
            st.sampled_from(["欠款", "逾期", "起诉", "法院", "律师函", "上门", "5000元", "http://a.cn", "\ud800", " "])
        ).map("".join),
    ),
    sender=st.one_of(st.none(), st.sampled_from(["", "95555", "+8613800000000", "10690000"])),
)
def test_any_message_judges_alike(engines: tuple[Engine, Engine], text: str, sender: str | None) -> None:
    same(*engines, Message(text, sender))


# ---- what the C path does not take goes to Engine._judge_one, whole
def odd_messages() -> Iterator[Message]:
    class MyMessage(Message):
        __slots__ = ()

    class MyStr(str):
        pass

    yield MyMessage(THREAT)
    yield Message(MyStr(THREAT))
    yield Message(THREAT, MyStr("95555"))
    yield Message(THREAT, None, None, MappingProxyType({}))
    yield Message(THREAT * (BUDGET_CHARS // len(THREAT) + 1))  # its plugins' budget grows with its length


def test_odd_messages_take_the_python_path(engines: tuple[Engine, Engine], monkeypatch: pytest.MonkeyPatch) -> None:
    fast, slow = engines
    messages = list(odd_messages())
    expected = [slow.judge(m) for m in messages]
    spy = PythonPathSpy(monkeypatch)
    for message, judgement in zip(messages, expected, strict=True):
        assert fast.judge(message) == judgement
    assert spy.calls == len(messages)


@pytest.mark.parametrize(
    "message",
    [Message(5), Message(THREAT, 5), Message(THREAT, None, "2025-01-01"), Message(THREAT, None, None, [])],  # type: ignore[arg-type]
)
def test_invalid_messages_raise_as_the_reference_does(engines: tuple[Engine, Engine], message: Message) -> None:
    fast, slow = engines
    with pytest.raises(InputError) as expected:
        slow.check_message(message)
    with pytest.raises(InputError) as raised:
        fast.check_message(message)
    assert str(raised.value) == str(expected.value)
    assert not fast._lock._is_owned()  # type: ignore[attr-defined]


def test_a_replaced_attribute_takes_the_python_path(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = Engine.default()
    message = Message(THREAT, "95555")
    expected = engine.judge(message)
    spy = PythonPathSpy(monkeypatch)
    detection, extract, check_input, clock = (
        engine.host._detection,
        engine_module.extract,
        engine_module.check_input,
        time.perf_counter,
    )
    # stand-ins that judge alike but are not the very objects the judge was built with
    replacements: list[tuple[object, str, object]] = [
        (engine, "normalizer", default_normalizer()),
        (engine, "_fast", None),
        (engine, "_find_spans", lambda text: engine.pack.literals.find_spans(text)),
        (engine, "host", PluginHost.from_entry_points()),
        (engine, "_concludes_natively", False),
        (engine.normalizer, "_plan", engine.normalizer._plan),  # the cached plan, deleted: built again on use
        (engine.host, "_detection", Detection([c[:3] for c in detection.calls], detection.signal_check)),
        (detection, "_loop", None),
        (engine_module, "extract", lambda ntext: extract(ntext)),
        (engine_module, "check_input", lambda message: check_input(message)),
        (time, "perf_counter", lambda: clock()),
    ]
    for owner, name, value in replacements:
        with monkeypatch.context() as patch:
            if name == "_plan":
                patch.delattr(owner, name)
            else:
                patch.setattr(owner, name, value)
            before = spy.calls
            assert engine.judge(message).verdict == expected.verdict
            assert spy.calls == before + 1, name
    before = spy.calls
    assert engine.judge(message).verdict == expected.verdict
    assert spy.calls == before


def test_a_guard_with_a_tracer_or_of_a_subclass_takes_the_python_path(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = Engine.default()
    message = Message(THREAT)
    engine.judge(message)
    spy = PythonPathSpy(monkeypatch)

    class MyGuard(Guard):
        __slots__ = ()

    for guard in (Guard(tracer=Tracer()), MyGuard(), Guard(time_budget_s=FloatBudget(0.25))):
        saved, engine.host.guard = engine.host.guard, guard
        try:
            engine.judge(message)
        finally:
            engine.host.guard = saved
    assert spy.calls == 3
    assert "smsguard trace: smsguard_detect" in capsys.readouterr().err


class FloatBudget(float):
    pass


def test_subclasses_and_the_accelerator_turned_off_have_no_c_path(monkeypatch: pytest.MonkeyPatch) -> None:
    class OwnJudging(Engine):
        def _judge_one(self, message: Message) -> Any:
            return super()._judge_one(message)

    class OwnConclusion(Engine):
        def _conclude(self, *args: Any) -> Any:
            return super()._conclude(*args)

    class Plain(Engine):
        pass

    assert OwnJudging.default()._native_judge is None
    assert OwnConclusion.default()._native_judge is None
    assert Plain.default()._native_judge is not None
    monkeypatch.setattr(engine_judge, "_native", None)
    assert Engine.default()._native_judge is None


# ---- the lock, the conclusion's fallback, exceptions
class LockWitness:
    """A plugin that records whether the engine's lock is held while it runs."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.held: list[bool] = []

    @hookimpl
    def smsguard_signals(self) -> list[SignalSpec]:
        return [SignalSpec("witness.seen", "bool", "the witness ran")]

    @hookimpl
    def smsguard_detect(self, message: Message) -> list[Signal]:
        assert self.engine is not None
        self.held.append(self.engine._lock._is_owned())  # type: ignore[attr-defined]
        return []


def test_the_lock_is_held_while_judging_and_released_after() -> None:
    witness = LockWitness()
    engine = Engine.default(plugins=[witness])
    witness.engine = engine
    assert engine._native_judge is not None
    engine.check(THREAT)
    engine.check("您好，明天见")
    assert witness.held == [True, True]
    assert not engine._lock._is_owned()  # type: ignore[attr-defined]
    other: list[bool] = []
    thread = threading.Thread(target=lambda: other.append(engine._lock.acquire(blocking=False)))
    thread.start()
    thread.join()
    assert other == [True]


def build_judge(engine: Engine, conclude: Any) -> Any:
    return JUDGE.Judge(
        engine,
        engine.host,
        engine._lock,
        engine.normalizer._plan.normalize,
        engine_module.extract,
        engine.host._detection._loop.run,
        conclude,
        engine._find_spans,
        Message,
        Guard,
        BUDGET_CHARS,
        (),
    ).judge


def test_a_conclusion_the_evaluator_leaves_goes_to_engine_conclude(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = Engine.default()
    expected = engine.judge(Message(THREAT))
    concluded: list[int] = []
    reference = Engine._conclude

    def conclude(engine: Engine, *args: Any) -> Any:
        concluded.append(1)
        return reference(engine, *args)

    monkeypatch.setattr(Engine, "_conclude", conclude)
    judge = build_judge(engine, lambda *args: None)
    assert judge(Message(THREAT)) == expected
    assert concluded == [1]
    assert build_judge(engine, None)(Message(THREAT)) == expected
    assert concluded == [1, 1]


def test_an_exception_propagates_and_the_lock_is_released() -> None:
    engine = Engine.default()

    def broken(*args: Any) -> Any:
        raise ZeroDivisionError("conclude failed")

    judge = build_judge(engine, broken)
    with pytest.raises(ZeroDivisionError, match="conclude failed"):
        judge(Message(THREAT))
    assert not engine._lock._is_owned()  # type: ignore[attr-defined]
    assert engine.check(THREAT).category != "benign"


def test_bad_construction_is_refused() -> None:
    engine = Engine.default()
    with pytest.raises(TypeError):
        JUDGE.Judge(engine, engine.host, engine._lock, None, None, None, None, None, Message, Guard, 1, "pins")
    with pytest.raises(TypeError):
        JUDGE.Judge(engine, engine.host, engine._lock, None, None, None, None, None, Message, Guard, 1, ((1, 2),))
    with pytest.raises(AttributeError):  # a message type without the fields
        JUDGE.Judge(engine, engine.host, engine._lock, None, None, None, None, None, int, Guard, 1, ())


def test_judging_leaks_nothing(engines: tuple[Engine, Engine]) -> None:
    fast, _ = engines
    messages = [Message(m.text, m.sender or None) for m in Generator(3).messages(300)]
    odd = list(odd_messages())

    def work() -> None:
        for message in odd + messages:  # the last message's scan is kept: a long one last would look like a leak
            fast.check_message(message)
        for bad in (Message(5), Message(THREAT, None, None, [])):  # type: ignore[arg-type]
            with pytest.raises(InputError):
                fast.check_message(bad)

    assert_no_leak(work)


class BudgetChanger:
    """A plugin whose detector gives the engine's guard another budget while the message is being judged."""

    def __init__(self) -> None:
        self.engine: Engine | None = None

    @hookimpl
    def smsguard_signals(self) -> list[SignalSpec]:
        return [SignalSpec("changer.seen", "bool", "the changer ran")]

    @hookimpl
    def smsguard_detect(self, message: Message) -> list[Signal]:
        assert self.engine is not None
        guard = self.engine.host.guard
        guard.time_budget_s = float(guard.time_budget_s) + 1.0  # a new float object each time
        return []


def test_a_budget_replaced_while_judging_is_harmless() -> None:
    fast_plugin, slow_plugin = BudgetChanger(), BudgetChanger()
    fast, slow = Engine.default(plugins=[fast_plugin]), Engine.default(plugins=[slow_plugin])
    fast_plugin.engine, slow_plugin.engine = fast, slow
    slow._native_judge = None
    messages = [Message(m.text, m.sender or None) for m in Generator(5).messages(200)]

    def work() -> None:
        for message in messages:
            assert fast.judge(message).verdict == slow.judge(message).verdict

    assert_no_leak(work)
    assert fast.host.guard.time_budget_s == slow.host.guard.time_budget_s


def test_a_text_the_plan_leaves_to_python_goes_to_judge_one_once(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = Engine.default()
    expected = engine.judge(Message(THREAT))
    spy = PythonPathSpy(monkeypatch)
    judge = JUDGE.Judge(
        engine,
        engine.host,
        engine._lock,
        lambda text, any_text: None,  # what Plan.normalize answers for a text it does not take
        engine_module.extract,
        engine.host._detection._loop.run,
        engine._fast.conclude,  # type: ignore[union-attr]
        engine._find_spans,
        Message,
        Guard,
        BUDGET_CHARS,
        (),
    ).judge
    assert judge(Message(THREAT)) == expected
    assert spy.calls == 1
