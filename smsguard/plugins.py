"""The plugin host: what the engine needs from the loaded plugins, validated once and called with fault isolation.

Plugins are found and registered by :mod:`smsguard.plugin_loader`. The host then asks the load-time hooks
(signals, rule packs, lexicons, functions) once, checking every answer, and calls the per-message hooks
(detect, adjust verdict) one implementation at a time in plugin-name order, so that one that raises, returns
something wrong or runs over its time budget is recorded in the verdict's ``errors`` and the others still
count (see :mod:`smsguard.plugin_guard`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import pluggy

from smsguard.errors import PluginError, describe
from smsguard.extract import Features
from smsguard.functions import RuleFunction
from smsguard.host_detect import DETECT, Detection
from smsguard.model import Message, PluginFailure, Signal, SignalSpec, Verdict
from smsguard.normalize import NormalizedText
from smsguard.plugin_guard import (
    DEFAULT_TIME_BUDGET_S,
    Guard,
    RuleFunctionError,
    Tracer,
    guarded_function,
    max_failures_from_env,
    time_budget_from_env,
    trace_enabled,
)
from smsguard.plugin_loader import (
    ENTRY_POINT_GROUP,
    SIGNAL_NAME,
    VALUE_TYPES,
    PluginManager,
    PluginSource,
    check_function,
    keywords,
    make_plugin_manager,
)
from smsguard.signal_check import SignalCheck
from smsguard.verdict_check import verdict_problem

__all__ = [
    "DEFAULT_TIME_BUDGET_S",
    "ENTRY_POINT_GROUP",
    "PluginHost",
    "PluginInfo",
    "RuleFunctionError",
    "make_plugin_manager",
]

ADJUST = "smsguard_adjust_verdict"
LEXICON_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


@dataclass(frozen=True, slots=True)
class _Impl:
    plugin: str
    function: Callable[..., Any]
    argnames: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """What ``smsguard plugins`` shows about one plugin."""

    name: str
    module: str
    distribution: str | None
    version: str | None
    builtin: bool
    hooks: tuple[str, ...]
    signals: tuple[SignalSpec, ...]
    functions: tuple[RuleFunction, ...]
    lexicons: tuple[str, ...]
    rule_packs: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "module": self.module,
            "distribution": self.distribution,
            "version": self.version,
            "builtin": self.builtin,
            "hooks": list(self.hooks),
            "signals": [{"name": s.name, "type": s.type, "description": s.description} for s in self.signals],
            "functions": [
                {"name": f.name, "params": list(f.params), "returns": f.returns, "description": f.description}
                for f in self.functions
            ],
            "lexicons": list(self.lexicons),
            "rule_packs": list(self.rule_packs),
        }


class PluginHost:
    """The loaded plugins, validated at construction; per-engine state for fault isolation.

    :param pm: the plugin manager (see :func:`make_plugin_manager`).
    :param time_budget_s: the longest a detect, adjust or rule-function call may take; default
        ``SMSGUARD_PLUGIN_TIME_BUDGET_MS`` or 250 ms.
    :param max_failures: consecutive failures of one hook after which a plugin is disabled for the rest of the
        host's life; 0 never disables; default ``SMSGUARD_PLUGIN_MAX_FAILURES`` or 5.
    :param trace: print every hook call to standard error; default ``SMSGUARD_TRACE_PLUGINS``.
    """

    def __init__(
        self,
        pm: pluggy.PluginManager,
        *,
        time_budget_s: float | None = None,
        max_failures: int | None = None,
        trace: bool | None = None,
    ) -> None:
        self.pm = pm
        self.guard = Guard(
            time_budget_from_env() if time_budget_s is None else time_budget_s,
            max_failures_from_env() if max_failures is None else max_failures,
            Tracer() if (trace_enabled() if trace is None else trace) else None,
        )
        self.sources: dict[str, PluginSource] = dict(pm.sources) if isinstance(pm, PluginManager) else {}
        self.signal_specs: dict[str, SignalSpec] = {}
        self.declared_by: dict[str, str] = {}
        self._collect_signals()
        self._detectors = self._impls(DETECT)
        self._detection = Detection(
            [(impl.plugin, impl.function, impl.argnames) for impl in self._detectors],
            SignalCheck(self.signal_specs, self.declared_by),
        )
        self._adjusters = self._impls(ADJUST)
        self._packs: list[tuple[str, Path]] | None = None
        self._lexicons: dict[str, tuple[str, Path | Traversable]] | None = None
        self._functions: dict[str, RuleFunction] | None = None

    @classmethod
    def from_entry_points(
        cls,
        plugins: Iterable[Any] = (),
        *,
        load_entrypoints: bool = True,
        only: Iterable[str] | None = None,
        builtins: bool = True,
        time_budget_s: float | None = None,
        max_failures: int | None = None,
    ) -> PluginHost:
        pm = make_plugin_manager(load_entrypoints=load_entrypoints, plugins=plugins, only=only, builtins=builtins)
        return cls(pm, time_budget_s=time_budget_s, max_failures=max_failures)

    @property
    def time_budget_s(self) -> float:
        return self.guard.time_budget_s

    def plugin_names(self) -> list[str]:
        return sorted(name for name, plugin in self.pm.list_name_plugin() if plugin is not None)

    # ---- load-time hooks, asked once and checked
    def _impls(self, hook: str) -> list[_Impl]:
        caller = getattr(self.pm.hook, hook)
        impls = [_Impl(i.plugin_name, i.function, tuple(i.argnames)) for i in caller.get_hookimpls()]
        return sorted(impls, key=lambda impl: impl.plugin)

    def _ask(self, impl: _Impl, hook: str) -> Any:
        started = time.perf_counter()
        try:
            answer = impl.function()
        except Exception as exc:
            raise PluginError(
                f"plugin {self._label(impl.plugin)}: {hook}() raised {type(exc).__name__}: {exc}"
            ) from exc
        if self.guard.tracer is not None:
            count = len(answer) if isinstance(answer, Sequence | Mapping) else 0
            self.guard.tracer.emit(hook, impl.plugin, f"{count} item(s)", time.perf_counter() - started)
        return answer

    def _label(self, plugin: str) -> str:
        source = self.sources.get(plugin)
        return source.label() if source is not None else repr(plugin)

    def _collect_signals(self) -> None:
        for impl in self._impls("smsguard_signals"):
            where = f"plugin {self._label(impl.plugin)}: smsguard_signals()"
            specs = self._ask(impl, "smsguard_signals") or ()
            if isinstance(specs, SignalSpec | str) or not isinstance(specs, Iterable):
                raise PluginError(f"{where} must return a list of SignalSpec, not {type(specs).__name__}")
            for spec in specs:
                if not isinstance(spec, SignalSpec):
                    raise PluginError(f"{where} returned a {type(spec).__name__}, not a SignalSpec")
                if not SIGNAL_NAME.fullmatch(spec.name):
                    raise PluginError(
                        f"{where} declares {spec.name!r}; a signal name is lower case, '<plugin>.<what>' "
                        "with dots and underscores"
                    )
                if spec.type not in VALUE_TYPES:
                    raise PluginError(
                        f"{where} declares {spec.name!r} of type {spec.type!r}; use bool, number or string"
                    )
                if spec.name in self.signal_specs:
                    other = self.declared_by[spec.name]
                    whom = "itself" if other == impl.plugin else f"plugin {self._label(other)}"
                    raise PluginError(
                        f"{where} declares signal {spec.name!r} a second time (already declared by {whom})"
                    )
                self.signal_specs[spec.name] = spec
                self.declared_by[spec.name] = impl.plugin

    def rule_packs(self) -> list[Path | Traversable]:
        """Rule pack files or directories the plugins contribute, in plugin-name order."""
        if self._packs is None:
            packs: list[tuple[str, Path]] = []
            for impl in self._impls("smsguard_rule_packs"):
                where = f"plugin {self._label(impl.plugin)}: smsguard_rule_packs()"
                for item in _sequence(self._ask(impl, "smsguard_rule_packs"), where, "paths"):
                    if not isinstance(item, Path | str | Traversable):
                        raise PluginError(f"{where} returned a {type(item).__name__}, not a path")
                    path = Path(str(item))
                    if not path.exists():
                        raise PluginError(f"{where} returned {str(path)!r}, which does not exist")
                    packs.append((impl.plugin, path))
            self._packs = packs
        return [path for _, path in self._packs]

    def lexicons(self) -> dict[str, Path | Traversable]:
        """Named lexicon files the plugins contribute, for ``file("lexicon:NAME")`` in rule packs."""
        if self._lexicons is None:
            found: dict[str, tuple[str, Path | Traversable]] = {}
            for impl in self._impls("smsguard_lexicons"):
                where = f"plugin {self._label(impl.plugin)}: smsguard_lexicons()"
                provided = self._ask(impl, "smsguard_lexicons") or {}
                if not isinstance(provided, Mapping):
                    raise PluginError(f"{where} must return a mapping of name to file, not {type(provided).__name__}")
                for name, path in provided.items():
                    if not isinstance(name, str) or not LEXICON_NAME.fullmatch(name):
                        raise PluginError(f"{where} names a lexicon {name!r}; use letters, digits, '_', '.' or '-'")
                    if not isinstance(path, Path | Traversable) or not path.is_file():
                        raise PluginError(f"{where} gives lexicon {name!r} as {str(path)!r}, which is not a file")
                    if name in found:
                        raise PluginError(
                            f"{where} provides lexicon {name!r}, already provided by {self._label(found[name][0])}"
                        )
                    found[name] = (impl.plugin, path)
            self._lexicons = found
        return {name: path for name, (_, path) in self._lexicons.items()}

    def functions(self) -> dict[str, RuleFunction]:
        """Rule-language functions the plugins contribute, checked and wrapped so that a failure is recorded."""
        if self._functions is None:
            found: dict[str, RuleFunction] = {}
            reserved = keywords()
            for impl in self._impls("smsguard_functions"):
                where = f"plugin {self._label(impl.plugin)}: smsguard_functions()"
                for function in _sequence(self._ask(impl, "smsguard_functions"), where, "RuleFunction"):
                    check_function(function, where, reserved)
                    if function.name in found:
                        other = found[function.name].plugin
                        whom = "itself" if other == impl.plugin else f"plugin {self._label(other)}"
                        raise PluginError(f"{where} provides function {function.name!r}, already provided by {whom}")
                    found[function.name] = replace(
                        function, plugin=impl.plugin, impl=guarded_function(function, impl.plugin, self.guard)
                    )
            self._functions = found
        return dict(self._functions)

    # ---- per-message hooks, isolated
    def detect(
        self, message: Message, text: NormalizedText, features: Features
    ) -> tuple[list[Signal], list[PluginFailure]]:
        """Every detector's signals, and a failure for each detector that raised, overran or misbehaved (see
        :mod:`smsguard.host_detect`)."""
        return self._detection.run(self.guard, message, text, features)

    @property
    def adjusts(self) -> bool:
        """Whether any plugin implements ``smsguard_adjust_verdict``."""
        return bool(self._adjusters)

    def adjust(
        self, message: Message, verdict: Verdict, categories: Collection[str]
    ) -> tuple[Verdict, list[PluginFailure]]:
        """Pass the verdict through every adjuster in plugin-name order; an adjuster that fails, or returns a
        verdict that is not well formed for a pack of ``categories`` (ids), changes nothing."""
        failures: list[PluginFailure] = []
        guard, tracer = self.guard, self.guard.tracer
        for impl in self._adjusters:
            skipped = guard.skipped(impl.plugin, ADJUST)
            if skipped is not None:
                failures.append(skipped)
                continue
            values: dict[str, Any] = {"message": message, "verdict": verdict}
            started = time.perf_counter()
            try:
                adjusted = impl.function(*[values[n] for n in impl.argnames])
            except (Exception, SystemExit) as exc:
                failures.extend(guard.failed(impl.plugin, ADJUST, describe(exc), message.text))
                if tracer is not None:
                    tracer.emit(ADJUST, impl.plugin, f"raised {type(exc).__name__}", time.perf_counter() - started)
                continue
            elapsed = time.perf_counter() - started
            problem = guard.over_budget(impl.plugin, ADJUST, elapsed, len(message.text))
            quoted = ""  # what the problem may quote of the message: nothing, when it is the host's own wording
            if problem is None and adjusted is not None:
                quoted = message.text
                if not isinstance(adjusted, Verdict):
                    problem = f"returned a {type(adjusted).__name__}, not a Verdict or None"
                else:
                    problem = verdict_problem(adjusted, categories)
            if problem is not None:
                failures.extend(guard.failed(impl.plugin, ADJUST, problem, quoted))
                if tracer is not None:
                    tracer.emit(ADJUST, impl.plugin, "failed, verdict kept", elapsed)
                continue
            guard.succeeded(impl.plugin, ADJUST)
            if adjusted is None:
                outcome = "kept"
            else:
                # Failures are the host's record, not the plugin's to rewrite.
                if adjusted.errors != verdict.errors:
                    adjusted = replace(adjusted, errors=verdict.errors)
                outcome = f"changed: {verdict.category}/{verdict.risk} -> {adjusted.category}/{adjusted.risk}"
                verdict = adjusted
            if tracer is not None:
                tracer.emit(ADJUST, impl.plugin, outcome, elapsed)
        return verdict, failures

    # ---- description, for ``smsguard plugins``
    def describe(self) -> list[PluginInfo]:
        """Every registered plugin with its distribution, hooks and contributions, by name."""
        functions = self.functions()
        self.lexicons()
        self.rule_packs()
        assert self._lexicons is not None and self._packs is not None
        infos: list[PluginInfo] = []
        for name in self.plugin_names():
            plugin = self.pm.get_plugin(name)
            source = self.sources.get(name) or PluginSource(name, getattr(plugin, "__name__", type(plugin).__name__))
            infos.append(
                PluginInfo(
                    name,
                    source.module,
                    source.distribution,
                    source.version,
                    source.builtin,
                    tuple(sorted(c.name for c in self.pm.get_hookcallers(plugin) or ())),
                    tuple(self.signal_specs[s] for s in sorted(self.declared_by) if self.declared_by[s] == name),
                    tuple(f for _, f in sorted(functions.items()) if f.plugin == name),
                    tuple(sorted(n for n, (owner, _) in self._lexicons.items() if owner == name)),
                    tuple(str(path) for owner, path in self._packs if owner == name),
                )
            )
        return infos


def _sequence(answer: Any, where: str, what: str) -> Sequence[Any]:
    if answer is None:
        return ()
    if isinstance(answer, str | Path) or not isinstance(answer, Sequence | set | frozenset):
        raise PluginError(f"{where} must return a list of {what}, not {type(answer).__name__}")
    return list(answer)
