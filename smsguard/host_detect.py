"""The detect hook's loop: every detector called in plugin-name order with fault isolation, its signals checked.

:meth:`Detection.reference` is the loop itself, readable, and the oracle. When the ``host`` accelerator is built
(see :mod:`smsguard.native`), its C loop takes the common case: no tracer, an exact :class:`Guard`, a detector
that returns None, a list or a tuple of signals that pass the quick check, within its time budget after its
first call. For everything else (an exception, a generator, an overrun or a first call, a malformed signal, a
disabled plugin) it calls back into the helpers below, which the reference uses too, at the same point of the
loop, so that the signals, the failures and the guard's record are the same either way.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from smsguard.errors import describe
from smsguard.extract import Features
from smsguard.model import Message, PluginFailure, Signal
from smsguard.native import load
from smsguard.normalize import NormalizedText
from smsguard.plugin_guard import Guard
from smsguard.signal_check import SignalCheck, signal_order, stamped

if TYPE_CHECKING:
    from smsguard._chost import DetectLoop

DETECT = "smsguard_detect"
DETECT_ARGS = ("message", "text", "features")
Arguments = tuple[Message, NormalizedText, Features]

_native = load("host")
# The C loop reads the clock time.perf_counter reads; a replaced time.perf_counter (a test's) takes the reference.
PERF_COUNTER = time.perf_counter
_BUDGET_TYPES = (float, int)


class Detection:
    """The detect calls of one plugin host.

    :param detectors: (plugin, function, argument names) of each ``smsguard_detect`` implementation, in the
        order to call them.
    :param signal_check: the checks of the signals they emit.
    :param native: use the C loop when it is built.
    """

    def __init__(
        self,
        detectors: Iterable[tuple[str, Callable[..., Any], tuple[str, ...]]],
        signal_check: SignalCheck,
        *,
        native: bool = True,
    ) -> None:
        self.signal_check = signal_check
        # (plugin, function, argument names, guard key, whether the arguments are all three in order)
        self.calls = [
            (plugin, function, argnames, (plugin, DETECT), argnames == DETECT_ARGS)
            for plugin, function, argnames in detectors
        ]
        self._loop: DetectLoop | None = None
        if native and _native is not None and all(type(call[0]) is str for call in self.calls):
            self._loop = _native.DetectLoop(
                self,
                [
                    (plugin, function, argnames, key, _positions(argnames))
                    for plugin, function, argnames, key, _ in self.calls
                ],
                signal_check.exact_types(),
                Signal,
                Guard,
                signal_order,
            )

    @property
    def native(self) -> bool:
        """Whether the C loop is in use."""
        return self._loop is not None

    def run(
        self, guard: Guard, message: Message, text: NormalizedText, features: Features
    ) -> tuple[list[Signal], list[PluginFailure]]:
        """Every detector's signals, sorted, and a failure for each detector that raised, overran or misbehaved."""
        loop = self._loop
        if loop is not None and guard.tracer is None and type(guard) is Guard and time.perf_counter is PERF_COUNTER:
            length = len(message.text)
            budget = guard.budget_for(length)
            if type(budget) in _BUDGET_TYPES:
                return loop.run(guard, (message, text, features), length, budget)
        return self.reference(guard, message, text, features)

    def reference(
        self, guard: Guard, message: Message, text: NormalizedText, features: Features
    ) -> tuple[list[Signal], list[PluginFailure]]:
        """The loop in Python."""
        signals: list[Signal] = []
        failures: list[PluginFailure] = []
        tracer = guard.tracer
        arguments = (message, text, features)
        length = len(message.text)
        budget, warmed = guard.budget_for(length), guard.warmed
        clock = time.perf_counter
        well_formed = self.signal_check.well_formed
        for plugin, function, argnames, key, positional in self.calls:
            if guard.disabled:
                skipped = guard.skipped(plugin, DETECT)
                if skipped is not None:
                    failures.append(skipped)
                    continue
            started = clock()
            try:
                answer = function(*arguments) if positional else self.call(function, argnames, arguments)
                emitted = list(answer) if answer else []
            except (Exception, SystemExit) as exc:
                self.raised(guard, plugin, exc, arguments, failures)
                if tracer is not None:
                    tracer.emit(DETECT, plugin, f"raised {type(exc).__name__}", clock() - started)
                continue
            elapsed = clock() - started
            if (elapsed > budget or key not in warmed) and self.overran(guard, plugin, elapsed, length, failures):
                if tracer is not None:
                    tracer.emit(DETECT, plugin, "over budget, result dropped", elapsed)
                continue
            if guard.streaks:
                guard.succeeded(plugin, DETECT)
            kept = len(signals)
            for signal in emitted:
                if well_formed(signal, plugin, length):
                    signals.append(signal if signal.plugin == plugin else stamped(signal, plugin))
                else:
                    self.emitted(guard, plugin, signal, length, arguments, signals, failures)
            if tracer is not None:
                tracer.emit(DETECT, plugin, f"{len(signals) - kept} signal(s)", elapsed)
        signals.sort(key=signal_order)
        return signals, failures

    # ---- the rare steps, shared by the reference and the C loop (which calls them by name, without a tracer)
    @staticmethod
    def call(function: Callable[..., Any], argnames: tuple[str, ...], arguments: Arguments) -> Any:
        """Call a detector that takes only some of the arguments, by name."""
        return function(*[arguments[DETECT_ARGS.index(n)] for n in argnames])

    @staticmethod
    def listed(guard: Guard, plugin: str, answer: object, arguments: Arguments, failures: list[PluginFailure]) -> Any:
        """A detector's answer other than None, a list or a tuple, as a list; None when reading it raised."""
        try:
            return list(answer) if answer else []  # type: ignore[call-overload]
        except (Exception, SystemExit) as exc:
            Detection.raised(guard, plugin, exc, arguments, failures)
            return None

    @staticmethod
    def raised(
        guard: Guard, plugin: str, exc: BaseException, arguments: Arguments, failures: list[PluginFailure]
    ) -> None:
        """Record a detector that raised."""
        failures.extend(guard.failed(plugin, DETECT, describe(exc), _quotable(arguments)))

    @staticmethod
    def overran(guard: Guard, plugin: str, elapsed: float, length: int, failures: list[PluginFailure]) -> bool:
        """Whether the result of a call over its budget is to be dropped (recorded as a failure); a first call
        is not (the guard notes it)."""
        overrun = guard.over_budget(plugin, DETECT, elapsed, length)
        if overrun is None:
            return False
        failures.extend(guard.failed(plugin, DETECT, overrun, ""))
        return True

    def emitted(
        self,
        guard: Guard,
        plugin: str,
        signal: Any,
        length: int,
        arguments: Arguments,
        signals: list[Signal],
        failures: list[PluginFailure],
    ) -> None:
        """Keep one emitted signal that the quick check did not pass, or record what is wrong with it."""
        if self.signal_check.well_formed(signal, plugin, length):
            signals.append(signal if signal.plugin == plugin else stamped(signal, plugin))
            return
        problem = self.signal_check.problem(signal, plugin, length)
        if problem is not None:
            failures.extend(guard.failed(plugin, DETECT, problem, _quotable(arguments)))
            return
        signals.append(signal if signal.plugin == plugin else replace(signal, plugin=plugin))


def _positions(argnames: tuple[str, ...]) -> tuple[int, ...] | None:
    """Where each argument a detector takes is in :data:`DETECT_ARGS`, or None when one is not there."""
    if not all(name in DETECT_ARGS for name in argnames):
        return None
    return tuple(DETECT_ARGS.index(name) for name in argnames)


def _quotable(arguments: Arguments) -> str:
    """The text an error message must not quote: the original and the normalized message."""
    return arguments[0].text + "\n" + arguments[1].text
