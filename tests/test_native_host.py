"""The C detect loop (smsguard._chost) against the Python reference loop (Detection.reference): the same signals
(values, types, the very objects kept), the same failures, the same exceptions and the same guard record, for
plugins that misbehave in every way the host guards against."""

from __future__ import annotations

import gc
import math
import re
import sys
import time
import tracemalloc
import types
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from native_support import missing_accelerator

import smsguard.host_detect as host_detect
from smsguard import Engine
from smsguard.extract import Features, extract
from smsguard.hookspecs import hookimpl
from smsguard.host_detect import Detection
from smsguard.model import Message, PluginFailure, Signal, SignalSpec, SignalType
from smsguard.normalize import NormalizedText, default_normalizer
from smsguard.plugin_guard import Guard, GuardState, Tracer
from smsguard.plugins import PluginHost, make_plugin_manager

if host_detect._native is None:
    missing_accelerator("host")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from synth import Generator  # type: ignore[import-not-found]

CHOST = host_detect._native
N = default_normalizer()
PLUGINS = ("alpha", "beta", "gamma", "delta")
KINDS: dict[str, SignalType] = {"flag": "bool", "amount": "number", "label": "string"}


# ---- odd values a plugin may put in a signal
class IntSub(int):
    pass


class FloatSub(float):
    pass


class StrSub(str):
    pass


class LoudStr(str):
    """A str whose str() is not itself: sorting by str(value) must call it."""

    def __str__(self) -> str:
        return "~" + self[::-1]


class BrokenStr(str):
    def __str__(self) -> str:
        raise RuntimeError("no text")


class EqualToAll:
    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = None  # type: ignore[assignment]


class EqualityRaises:
    def __eq__(self, other: object) -> bool:
        raise LookupError("cannot compare")

    __hash__ = None  # type: ignore[assignment]


class SignalSub(Signal):
    __slots__ = ()


class Unprintable(Exception):
    def __str__(self) -> str:
        raise ValueError("no message")


def unset_signal(**fields: object) -> Signal:
    """A Signal whose other slots were never set (reading them raises AttributeError)."""
    signal = object.__new__(Signal)
    for name, value in fields.items():
        object.__setattr__(signal, name, value)
    return signal


# ---- strategies
span_int = st.one_of(st.integers(-1, 14), st.sampled_from([2**64, -(2**64), True, IntSub(2), 1.0, None]))
span = st.one_of(
    st.tuples(st.integers(0, 12), st.integers(0, 14)),
    st.tuples(span_int, span_int),
    st.tuples(span_int),
    st.tuples(span_int, span_int, span_int),
    st.lists(span_int, min_size=2, max_size=2),
    st.just("ab"),
)
spans = st.one_of(st.lists(span, max_size=3).map(tuple), st.lists(span, max_size=2), st.none())
numbers = st.one_of(
    st.integers(-3, 3),
    st.floats(),
    st.sampled_from([2**70, math.nan, math.inf, -math.inf, -0.0, 0.5, IntSub(4), FloatSub(1.5), True]),
)
values = st.one_of(
    st.booleans(),
    numbers,
    st.text(max_size=3),
    st.sampled_from([None, StrSub("x"), LoudStr("ab"), b"x", ("t",)]),
)
confidences = st.one_of(
    st.sampled_from([1.0, 0, 1, 0.0, 0.5, True, -0.1, 1.1, 1.5, math.nan, math.inf, 2, -1, "1", None, 2**70]),
    st.sampled_from([FloatSub(0.5), IntSub(1)]),
    st.floats(),
)
details = st.one_of(st.text(max_size=3), st.sampled_from([None, StrSub("d"), 5]))
names = st.one_of(
    st.sampled_from([f"{p}.{k}" for p in PLUGINS for k in KINDS]),
    st.sampled_from(["nobody.x", "", None, 3, StrSub("alpha.flag")]),
)
stamps = st.one_of(st.sampled_from(("", *PLUGINS)), st.sampled_from([None, 5, StrSub("alpha"), EqualToAll()]))


@st.composite
def good_signal(draw: st.DrawFn, plugin: str) -> Signal:
    """A signal the quick check passes (on a text long enough), with the plugin slot set or not."""
    kind = draw(st.sampled_from(sorted(KINDS)))
    value: bool | int | float | str = {
        "flag": draw(st.booleans()),
        "amount": draw(st.one_of(st.integers(-5, 5), st.floats(allow_nan=False, allow_infinity=False))),
        "label": draw(st.sampled_from(["", "a", "b", "1", "True", "1.0"])),
    }[kind]
    spans_ = tuple(draw(st.lists(st.tuples(st.integers(0, 2), st.integers(2, 4)), max_size=2)))
    confidence = draw(st.sampled_from([1.0, 0.5, 0, 1, 0.25]))
    detail = draw(st.sampled_from(["", "d", "e"]))
    stamp = draw(st.sampled_from([plugin, "", "other"]))
    return Signal(f"{plugin}.{kind}", value, confidence, spans_, detail, stamp)


FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "name": names,
    "value": values,
    "confidence": confidences,
    "spans": spans,
    "detail": details,
    "plugin": stamps,
}


@st.composite
def near_good_signal(draw: st.DrawFn, plugin: str) -> Signal:
    """A good signal with one field changed to something odd, often just past what the quick check accepts."""
    signal = draw(good_signal(plugin))
    field = draw(st.sampled_from(sorted(FIELDS)))
    cls = draw(st.sampled_from([Signal, Signal, SignalSub]))
    fields = {f: getattr(signal, f) for f in FIELDS}
    fields[field] = draw(FIELDS[field])
    return cls(**fields)


def any_signal() -> st.SearchStrategy[object]:
    return st.one_of(
        st.builds(Signal, names, values, confidences, spans, details, stamps),
        st.builds(SignalSub, names, values, confidences, spans, details, stamps),
        st.sampled_from(ODD_ITEMS).map(lambda make: make()),
    )


# Made when drawn: Hypothesis hashes what it samples, and some of these cannot even be printed.
ODD_ITEMS: list[Callable[[], object]] = [
    lambda: "not a signal",
    lambda: 3,
    lambda: None,
    lambda: unset_signal(),
    lambda: unset_signal(name="alpha.flag"),
    lambda: Signal("alpha.label", BrokenStr("b"), 1.0, (), "", "alpha"),
    lambda: Signal("beta.label", LoudStr("zy"), 1.0, (), "", "beta"),
    lambda: Signal("gamma.flag", True, 1.0, (), "", EqualityRaises()),  # type: ignore[arg-type]
    lambda: Signal(StrSub("delta.flag"), True, 1.0, ((0, 0),), StrSub("s"), "delta"),
]


CONTAINERS = ("list", "tuple", "generator", "list_subclass", "set_like", "dict", "str", "broken_bool", "broken_iter")
RAISES = ("ValueError", "SystemExit", "KeyboardInterrupt", "Unprintable", "GeneratorExit", "exit_in_generator")


@st.composite
def action(draw: st.DrawFn, plugin: str) -> tuple[Any, ...]:
    """What one call of a detector does: return something, or raise."""
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return ("raise", draw(st.sampled_from(RAISES)))
    if choice == 1:
        return ("return", draw(st.sampled_from(["none", "empty", "falsy_object"])), [])
    items = draw(st.lists(st.one_of(good_signal(plugin), near_good_signal(plugin), any_signal()), max_size=6))
    container = "list" if choice < 6 else draw(st.sampled_from(CONTAINERS))
    return ("return", container, items)


class ListSub(list[Any]):
    pass


class FalsyAnswer:
    def __len__(self) -> int:
        return 0


class BrokenBool:
    def __bool__(self) -> bool:
        raise TypeError("no truth")


class BrokenIter:
    def __iter__(self) -> Iterator[Any]:
        raise OSError("cannot read")


def answer(step: tuple[Any, ...], message: Message) -> Any:
    if step[0] == "raise":
        kind = step[1]
        if kind == "ValueError":
            raise ValueError("bad text " + message.text)
        if kind == "SystemExit":
            raise SystemExit(3)
        if kind == "KeyboardInterrupt":
            raise KeyboardInterrupt
        if kind == "Unprintable":
            raise Unprintable
        if kind == "GeneratorExit":
            raise GeneratorExit

        def exiting() -> Iterator[Any]:
            yield Signal("alpha.flag")
            sys.exit(2)

        return exiting()
    _, container, items = step
    return {
        "none": lambda: None,
        "empty": lambda: [],
        "falsy_object": FalsyAnswer,
        "list": lambda: list(items),
        "tuple": lambda: tuple(items),
        "generator": lambda: (item for item in items),
        "list_subclass": lambda: ListSub(items),
        "set_like": lambda: {id(item): item for item in items}.values(),
        "dict": lambda: {i: item for i, item in enumerate(items)},
        "str": lambda: "xy",
        "broken_bool": BrokenBool,
        "broken_iter": BrokenIter,
    }[container]()


def scripted_plugin(name: str, script: list[tuple[Any, ...]]) -> types.ModuleType:
    """A plugin that declares a flag, an amount and a label and whose n-th call does script[n % len]."""
    calls = [0]

    def next_answer(message: Message) -> Any:
        step = script[calls[0] % len(script)]
        calls[0] += 1
        return answer(step, message)

    @hookimpl
    def smsguard_signals() -> list[SignalSpec]:
        return [SignalSpec(f"{name}.{kind}", type_, "test") for kind, type_ in KINDS.items()]

    # Each plugin takes the arguments differently: some, all, out of order, none.
    detectors: dict[str, Callable[..., Any]] = {
        "alpha": lambda message: next_answer(message),
        "beta": lambda message, text, features: next_answer(message),
        "gamma": lambda text, message: next_answer(message),
        "delta": lambda: next_answer(Message("")),
    }
    detect = hookimpl(specname="smsguard_detect")(detectors[name])
    module = types.ModuleType(name)
    module.smsguard_signals = smsguard_signals  # type: ignore[attr-defined]
    module.smsguard_detect = detect  # type: ignore[attr-defined]
    return module


def pure(host: PluginHost) -> PluginHost:
    """The host with the reference loop only."""
    detection = host._detection
    host._detection = Detection(
        [(plugin, function, argnames) for plugin, function, argnames, _, _ in detection.calls],
        detection.signal_check,
        native=False,
    )
    return host


def host_with(scripts: dict[str, list[tuple[Any, ...]]], **options: Any) -> PluginHost:
    plugins = [scripted_plugin(name, script) for name, script in scripts.items()]
    pm = make_plugin_manager(load_entrypoints=False, plugins=plugins, only=(), builtins=False)
    return PluginHost(pm, **options)


def shape(signal: object, emitted: dict[int, object]) -> object:
    """A signal as compared: the very object a plugin emitted, or the type, fields and field types of a new one."""
    if emitted.get(id(signal)) is signal:
        return ("emitted", id(signal))
    fields = [getattr(signal, f) for f in ("name", "value", "confidence", "spans", "detail", "plugin")]
    return ("new", type(signal), repr(signal), [type(f) for f in fields])


_TIMING = re.compile(r"ran -?\d+ ms")


def outcome(host: PluginHost, arguments: tuple[Message, NormalizedText, Features], emitted: dict[int, object]) -> Any:
    try:
        signals, failures = host.detect(*arguments)
    except BaseException as exc:
        result: Any = ("raised", type(exc), str(exc) if not isinstance(exc, Unprintable) else "")
    else:
        assert type(signals) is list and type(failures) is list
        assert all(type(f) is PluginFailure for f in failures)
        result = (
            [shape(s, emitted) for s in signals],
            [(f.plugin, f.hook, _TIMING.sub("ran N ms", f.error)) for f in failures],
        )
    return result, host.guard.snapshot()


def items_of(scripts: dict[str, list[tuple[Any, ...]]]) -> dict[int, object]:
    return {id(item): item for script in scripts.values() for step in script if step[0] == "return" for item in step[2]}


def arguments_for(text: str, sender: str | None = None) -> tuple[Message, NormalizedText, Features]:
    ntext = N.normalize(text)
    return Message(text, sender), ntext, extract(ntext)


def compare(scripts: dict[str, list[tuple[Any, ...]]], texts: list[str], **options: Any) -> None:
    fast, slow = host_with(scripts, **options), pure(host_with(scripts, **options))
    assert fast._detection.native and not slow._detection.native
    emitted = items_of(scripts)
    for text in texts:
        arguments = arguments_for(text)
        assert outcome(fast, arguments, emitted) == outcome(slow, arguments, emitted)


scripts = st.fixed_dictionaries({name: st.lists(action(name), min_size=1, max_size=4) for name in PLUGINS})
texts = st.lists(
    st.one_of(st.text(st.sampled_from("欠款逾期还01 "), max_size=14), st.text(max_size=8)), min_size=1, max_size=6
)
budgets = st.sampled_from([1000.0, 1e-9, 1000, 10**400, -1, 0.25])


# ---- the C loop is the one running
def test_the_default_engine_runs_the_c_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = Engine.default()
    assert engine.host._detection.native
    assert type(engine.host._detection._loop) is CHOST.DetectLoop

    def no_reference(*args: object) -> None:
        raise AssertionError("the reference loop ran")

    monkeypatch.setattr(Detection, "reference", no_reference)
    verdict = engine.check("您的欠款已逾期，请于今日还款5000元，否则将起诉")
    assert verdict.signals and not verdict.errors


def test_a_tracer_a_guard_subclass_or_a_replaced_clock_take_the_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    host = host_with({"alpha": [("return", "list", [Signal("alpha.flag", True, 1.0, (), "", "alpha")])]})
    used: list[str] = []
    reference = Detection.reference

    def spy(*args: Any) -> Any:
        used.append("reference")
        return reference(*args)

    monkeypatch.setattr(Detection, "reference", spy)
    arguments = arguments_for("abc")
    host.detect(*arguments)
    assert used == []

    class MyGuard(Guard):
        __slots__ = ()

    for guard in (Guard(tracer=Tracer()), MyGuard()):
        saved, host.guard = host.guard, guard
        host.detect(*arguments)
        host.guard = saved
    with monkeypatch.context() as patch:
        patch.setattr(time, "perf_counter", lambda: 0.0)
        host.detect(*arguments)
    assert used == ["reference"] * 3


def test_the_clock_is_the_clock_of_perf_counter() -> None:
    assert time.get_clock_info("perf_counter").implementation == "clock_gettime(CLOCK_MONOTONIC)"
    for _ in range(1000):
        before = time.perf_counter()
        now = CHOST.perf_counter()
        after = time.perf_counter()
        assert before <= now <= after


# ---- differential
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scripts, texts, st.sampled_from([0, 1, 3]), budgets)
def test_misbehaving_plugins_give_the_same_signals_failures_and_guard_state(
    scripts: dict[str, list[tuple[Any, ...]]], texts: list[str], max_failures: int, budget: float
) -> None:
    compare(scripts, texts, max_failures=max_failures, time_budget_s=budget)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(good_signal("alpha"), near_good_signal("alpha"), any_signal()), max_size=90), st.booleans())
def test_signals_are_sorted_the_same_way(items: list[object], as_tuple: bool) -> None:
    """Sorted by (name, spans, str(value), detail), stably: ties keep the plugin's order (seen in the
    confidence); more than 64 signals or odd ones go to list.sort with signal_order."""
    compare({"alpha": [("return", "tuple" if as_tuple else "list", items)]}, ["欠款" * 4] * 3, time_budget_s=1000.0)


def test_the_breaker_the_streaks_and_the_warm_up_are_kept_the_same() -> None:
    good = ("return", "list", [Signal("alpha.flag", True, 1.0, (), "", "alpha")])
    bad = ("raise", "ValueError")
    for max_failures in (0, 1, 2, 5):
        for budget in (1000.0, 1e-9):
            compare(
                {"alpha": [good, bad, bad, good, bad, bad, bad], "beta": [bad], "gamma": [good], "delta": [good, bad]},
                ["欠款"] * 12,
                max_failures=max_failures,
                time_budget_s=budget,
            )


def test_a_slow_detector_is_dropped_by_both_loops() -> None:
    def slow(message: Message) -> list[Signal]:
        time.sleep(0.03)
        return [Signal("alpha.flag", True, 1.0, (), "", "alpha")]

    results = []
    for use_native in (True, False):
        host = host_with({"alpha": [("return", "none", [])]}, time_budget_s=0.01)
        detection = host._detection
        host._detection = Detection([("alpha", slow, ("message",))], detection.signal_check, native=use_native)
        assert host._detection.native is use_native
        runs = [host.detect(*arguments_for("欠款")) for _ in range(3)]
        results.append(
            (
                [[s.name for s in signals] for signals, _ in runs],
                [[_TIMING.sub("ran N ms", f.error) for f in failures] for _, failures in runs],
                host.guard.snapshot(),
            )
        )
    assert results[0] == results[1]
    assert results[0][1] == [[], ["ran N ms, over its budget of 10 ms"], ["ran N ms, over its budget of 10 ms"]]


def test_a_detector_with_an_unknown_argument_is_called_through_python() -> None:
    def odd(message: Message, bogus: object = None) -> list[Signal]:
        return []

    outcomes = []
    for use_native in (True, False):
        host = host_with({"alpha": [("return", "none", [])]})
        detection = Detection([("alpha", odd, ("message", "bogus"))], host._detection.signal_check, native=use_native)
        outcomes.append((detection.run(host.guard, *arguments_for("x")), host.guard.snapshot()))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0][1][0].error.startswith("ValueError: ")


def test_keyboard_interrupt_propagates_from_both_loops() -> None:
    for use_native in (True, False):
        host = host_with(
            {"alpha": [("return", "none", [])], "beta": [("raise", "KeyboardInterrupt")], "gamma": [("raise", "X")]}
        )
        if not use_native:
            pure(host)
        with pytest.raises(KeyboardInterrupt):
            host.detect(*arguments_for("x"))
        assert host.guard.snapshot() == GuardState({}, {("alpha", "smsguard_detect")}, {})


def test_built_in_detectors_on_generated_messages() -> None:
    # A budget no call overruns on a busy machine: the signals depend on the code only.
    fast = PluginHost.from_entry_points(load_entrypoints=True, only=(), time_budget_s=1e6)
    slow = pure(PluginHost.from_entry_points(load_entrypoints=True, only=(), time_budget_s=1e6))
    assert fast._detection.native
    messages = [Message(m.text, m.sender or None) for m in Generator(7).messages(3000)]
    long_text = "".join(m.text for m in messages[:400])
    messages += [Message(""), Message(long_text), Message(long_text * 3, "95588")]
    for message in messages:
        ntext = N.normalize(message.text)
        arguments = (message, ntext, extract(ntext))
        (a, fa), (b, fb) = fast.detect(*arguments), slow.detect(*arguments)
        assert [repr(s) for s in a] == [repr(s) for s in b]
        assert [type(s) for s in a] == [type(s) for s in b] and fa == fb
        assert all(s.plugin for s in a)
    assert fast.guard.snapshot() == slow.guard.snapshot()


def test_no_reference_is_leaked() -> None:
    items: list[object] = [Signal("alpha.flag", True, 1.0, ((0, 1),), "", "")] * 3 + [Signal("alpha.x"), "bad"]
    host = host_with(
        {
            "alpha": [("return", "list", items), ("return", "generator", items), ("raise", "ValueError")],
            "beta": [("return", "tuple", [Signal("beta.amount", 2, 0.5, (), "", "beta")] * 70)],
            "gamma": [("raise", "SystemExit"), ("return", "dict", items)],
            "delta": [("return", "list", [Signal("delta.label", LoudStr("q"), 1.0, (), "", "delta")])],
        },
        max_failures=0,
    )
    arguments = arguments_for("欠款已逾期")
    for _ in range(300):
        host.detect(*arguments)
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        for _ in range(3000):
            host.detect(*arguments)
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    assert grown < 64_000


def test_a_host_and_its_loop_are_collected() -> None:
    host = host_with({"alpha": [("return", "none", [])]})
    host.detect(*arguments_for("x"))
    detection = weakref.ref(host._detection)
    del host
    gc.collect()
    assert detection() is None
