"""Fault isolation for the calls the engine makes into plugins: time budget, circuit breaker, tracing.

Python cannot stop a running function safely, so the time budget is measured after each call, not enforced
during it: a call over budget is recorded as a failure and its result dropped. The budget is for a message of
up to ``BUDGET_CHARS`` characters and grows in proportion beyond, so that long input alone, which any detector
needs time to read, does not count against a plugin. A plugin whose calls to one
hook fail ``max_failures`` times in a row (an exception, a wrong result or an overrun) is disabled for the
rest of the engine's life, so a plugin that became slow or broken costs at most that many messages.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from smsguard.errors import PluginError, describe
from smsguard.functions import FunctionValue, RuleFunction
from smsguard.matching import MessageView
from smsguard.model import PluginFailure

ENV_TRACE = "SMSGUARD_TRACE_PLUGINS"
ENV_TIME_BUDGET = "SMSGUARD_PLUGIN_TIME_BUDGET_MS"
ENV_MAX_FAILURES = "SMSGUARD_PLUGIN_MAX_FAILURES"
DEFAULT_TIME_BUDGET_S = 0.25
DEFAULT_MAX_FAILURES = 5
BUDGET_CHARS = 10_000
_MAX_ERROR = 300
_RESULT_TYPES: dict[str, tuple[type, ...]] = {"bool": (bool,), "number": (int, float), "string": (str,)}


def trace_enabled() -> bool:
    """Whether ``SMSGUARD_TRACE_PLUGINS`` asks for a trace of every hook call."""
    return os.environ.get(ENV_TRACE, "").strip().lower() not in ("", "0", "false", "no", "off")


def time_budget_from_env() -> float:
    """The per-call time budget in seconds: ``SMSGUARD_PLUGIN_TIME_BUDGET_MS`` or the default."""
    raw = os.environ.get(ENV_TIME_BUDGET, "").strip()
    if not raw:
        return DEFAULT_TIME_BUDGET_S
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise PluginError(f"{ENV_TIME_BUDGET} must be a positive number of milliseconds, not {raw!r}")
    return value / 1000


def max_failures_from_env() -> int:
    """Consecutive failures before a plugin is disabled: ``SMSGUARD_PLUGIN_MAX_FAILURES`` (0 = never)."""
    raw = os.environ.get(ENV_MAX_FAILURES, "").strip()
    if not raw:
        return DEFAULT_MAX_FAILURES
    if not raw.isdigit():
        raise PluginError(f"{ENV_MAX_FAILURES} must be a whole number (0 never disables), not {raw!r}")
    return int(raw)


class RuleFunctionError(Exception):
    """A plugin's rule-language function failed while a rule was evaluated (recorded in the verdict)."""


class Tracer:
    """Writes one line per hook call to standard error: hook, plugin, duration and counts, never message text."""

    def emit(self, hook: str, plugin: str, outcome: str, elapsed_s: float | None = None) -> None:
        timing = f" {elapsed_s * 1000:.3f} ms" if elapsed_s is not None else ""
        print(f"smsguard trace: {hook} [{plugin}]{timing} {outcome}", file=sys.stderr, flush=True)


@dataclass(frozen=True, slots=True)
class GuardState:
    """What a :class:`Guard` remembers between calls."""

    streaks: dict[tuple[str, str], int]
    warmed: set[tuple[str, str]]
    disabled: dict[str, str]


@dataclass(slots=True)
class Guard:
    """The per-engine record of which plugins fail, and the decision to stop calling them."""

    time_budget_s: float = DEFAULT_TIME_BUDGET_S
    max_failures: int = DEFAULT_MAX_FAILURES
    tracer: Tracer | None = None
    disabled: dict[str, str] = field(default_factory=dict)
    # (plugin, hook) -> consecutive failures; (plugin, hook) pairs called at least once
    streaks: dict[tuple[str, str], int] = field(default_factory=dict)
    warmed: set[tuple[str, str]] = field(default_factory=set)

    def snapshot(self) -> GuardState:
        """A copy of the guard's record, to :meth:`restore` when a batch is judged again."""
        return GuardState(dict(self.streaks), set(self.warmed), dict(self.disabled))

    def restore(self, state: GuardState) -> None:
        self.streaks, self.warmed, self.disabled = dict(state.streaks), set(state.warmed), dict(state.disabled)

    def skipped(self, plugin: str, hook: str) -> PluginFailure | None:
        """The failure to record instead of calling a disabled plugin, or None when it may be called."""
        reason = self.disabled.get(plugin)
        if reason is None:
            return None
        if self.tracer is not None:
            self.tracer.emit(hook, plugin, "skipped: disabled")
        return PluginFailure(plugin, hook, f"not called: {reason}")

    def budget_for(self, length: int) -> float:
        """The time budget in seconds of one call on a message of ``length`` characters."""
        return self.time_budget_s if length <= BUDGET_CHARS else self.time_budget_s * (length / BUDGET_CHARS)

    def over_budget(self, plugin: str, hook: str, elapsed_s: float, length: int) -> str | None:
        """Why a call on a message of ``length`` characters took too long, or None. The first call of each
        plugin's hook is exempt: plugins often load their data on first use (a suffix list, a model), and that
        one-time cost is not a fault."""
        key = (plugin, hook)
        first = key not in self.warmed
        if first:
            self.warmed.add(key)
        budget = self.budget_for(length)
        if first or elapsed_s <= budget:
            return None
        return f"ran {elapsed_s * 1000:.0f} ms, over its budget of {budget * 1000:.0f} ms"

    def succeeded(self, plugin: str, hook: str) -> None:
        if self.streaks:
            self.streaks.pop((plugin, hook), None)

    def failed(self, plugin: str, hook: str, error: str, text: str) -> list[PluginFailure]:
        """Count a failure; return it (redacted) and, when this one trips the breaker, the disabling note."""
        failures = [PluginFailure(plugin, hook, redact(error, text))]
        key = (plugin, hook)
        streak = self.streaks.get(key, 0) + 1
        self.streaks[key] = streak
        if self.max_failures and streak >= self.max_failures and plugin not in self.disabled:
            reason = f"disabled for the rest of this engine's life after {streak} consecutive failures of {hook}"
            self.disabled[plugin] = reason
            failures.append(PluginFailure(plugin, hook, reason))
            if self.tracer is not None:
                self.tracer.emit(hook, plugin, "disabled")
        return failures


def guarded_function(function: RuleFunction, plugin: str, guard: Guard) -> Callable[..., FunctionValue]:
    """``function.impl`` wrapped so that a failure or a value of the wrong type is counted and raised as
    :class:`RuleFunctionError` (the compiled rule records it in the verdict), and a disabled plugin is skipped."""
    impl, name = function.impl, function.name
    accepted = _RESULT_TYPES[function.returns]
    hook = f"function {name}()"
    is_number = function.returns == "number"

    def call(view: MessageView, *args: FunctionValue) -> FunctionValue:
        skipped = guard.skipped(plugin, hook)
        if skipped is not None:
            raise RuleFunctionError(skipped.error)
        started = time.perf_counter()
        try:
            value = impl(view, *args)
        except (Exception, SystemExit) as exc:
            notes = guard.failed(plugin, hook, describe(exc), view.message.text + "\n" + view.text.text)
            raise RuleFunctionError("; ".join(n.error for n in notes)) from None
        if not isinstance(value, accepted) or (is_number and isinstance(value, bool)):
            notes = guard.failed(
                plugin, hook, f"returned a {type(value).__name__}, not the declared {function.returns}", ""
            )
            raise RuleFunctionError("; ".join(n.error for n in notes))
        elapsed = time.perf_counter() - started
        overrun = guard.over_budget(plugin, hook, elapsed, len(view.message.text))
        if overrun is not None:
            notes = guard.failed(plugin, hook, overrun, "")
            raise RuleFunctionError("; ".join(n.error for n in notes))
        guard.succeeded(plugin, hook)
        if guard.tracer is not None:
            guard.tracer.emit(hook, plugin, f"-> {function.returns}", elapsed)
        return value

    return call


def redact(error: str, text: str) -> str:
    """``error`` with every run of characters copied from the message ``text`` replaced by ``…``.

    Plugin exceptions often quote their input; the message must not leak into verdicts or logs through them.
    A run counts from 4 characters when it holds non-ASCII text or only digits (codes), from 6 for other ASCII.
    """
    error = error if len(error) <= _MAX_ERROR else error[:_MAX_ERROR] + "…"
    if not text:
        return error
    hidden = [False] * len(error)
    for start in range(len(error)):
        for size in (4, 6):
            window = error[start : start + size]
            if len(window) < size:
                break
            if (size == 4 and window.isascii() and not window.isdigit()) or not window.strip():
                continue
            if window in text:
                hidden[start : start + size] = [True] * size
                break
    out: list[str] = []
    for i, ch in enumerate(error):
        if not hidden[i]:
            out.append(ch)
        elif i == 0 or not hidden[i - 1]:
            out.append("…")
    return "".join(out)
