"""The plugin host: builds the pluggy manager, validates plugins and calls them with fault isolation.

Built-in detectors and third-party plugins are found the same way, through the ``smsguard`` entry-point group.
Detectors are called one by one in plugin-name order, so one that raises, emits an undeclared signal or runs
over its time budget is recorded in the verdict's ``errors`` and the others still count.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, cast

import pluggy

from smsguard import hookspecs
from smsguard.errors import PluginError
from smsguard.extract import Features
from smsguard.functions import RuleFunction
from smsguard.model import Message, PluginFailure, Signal, SignalSpec, Verdict
from smsguard.normalize import NormalizedText

ENTRY_POINT_GROUP = "smsguard"
DEFAULT_TIME_BUDGET_S = 0.25
log = logging.getLogger(__name__)


def make_plugin_manager(
    *, load_entrypoints: bool = True, plugins: Iterable[Any] = ()
) -> pluggy.PluginManager:
    """A plugin manager with smsguard's hook specs, the entry-point plugins and any extra plugin objects."""
    pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
    pm.add_hookspecs(hookspecs)
    if load_entrypoints:
        try:
            pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        except Exception as exc:
            raise PluginError(
                f"a plugin of the {ENTRY_POINT_GROUP!r} entry-point group failed to load: {exc}"
            ) from exc
    for plugin in plugins:
        name = getattr(plugin, "__name__", None) or type(plugin).__name__
        pm.register(plugin, name=name)
    return pm


class PluginHost:
    """What the engine needs from the loaded plugins, validated once at start-up."""

    def __init__(self, pm: pluggy.PluginManager, *, time_budget_s: float = DEFAULT_TIME_BUDGET_S) -> None:
        self.pm = pm
        self.time_budget_s = time_budget_s
        self.signal_specs: dict[str, SignalSpec] = {}
        self.declared_by: dict[str, str] = {}
        self._collect_signals()
        self._detectors = sorted(
            ((impl.plugin_name, impl.function) for impl in pm.hook.smsguard_detect.get_hookimpls()),
            key=lambda item: item[0],
        )
        self._adjusters = sorted(
            ((impl.plugin_name, impl.function) for impl in pm.hook.smsguard_adjust_verdict.get_hookimpls()),
            key=lambda item: item[0],
        )

    @classmethod
    def from_entry_points(cls, plugins: Iterable[Any] = (), *, load_entrypoints: bool = True) -> PluginHost:
        return cls(make_plugin_manager(load_entrypoints=load_entrypoints, plugins=plugins))

    def _collect_signals(self) -> None:
        for impl in self.pm.hook.smsguard_signals.get_hookimpls():
            try:
                specs = cast(Sequence[SignalSpec], impl.function() or ())
            except Exception as exc:
                raise PluginError(f"plugin {impl.plugin_name!r}: smsguard_signals() raised {exc!r}") from exc
            for spec in specs:
                if not isinstance(spec, SignalSpec):
                    raise PluginError(f"plugin {impl.plugin_name!r}: smsguard_signals() returned {spec!r}")
                if spec.name in self.signal_specs:
                    other = self.declared_by[spec.name]
                    raise PluginError(
                        f"plugin {impl.plugin_name!r} declares signal {spec.name!r}, already declared by {other!r}"
                    )
                self.signal_specs[spec.name] = spec
                self.declared_by[spec.name] = impl.plugin_name

    def plugin_names(self) -> list[str]:
        return sorted(name for name, _ in self.pm.list_name_plugin() if name is not None)

    def detect(
        self, message: Message, text: NormalizedText, features: Features
    ) -> tuple[list[Signal], list[PluginFailure]]:
        signals: list[Signal] = []
        failures: list[PluginFailure] = []
        for name, function in self._detectors:
            started = time.perf_counter()
            try:
                emitted = list(
                    cast(Iterable[Signal], function(message=message, text=text, features=features) or ())
                )
            except Exception as exc:
                log.debug("plugin %s raised in smsguard_detect", name, exc_info=True)
                failures.append(PluginFailure(name, "smsguard_detect", f"{type(exc).__name__}: {exc}"))
                continue
            elapsed = time.perf_counter() - started
            if elapsed > self.time_budget_s:
                failures.append(
                    PluginFailure(
                        name,
                        "smsguard_detect",
                        f"ran {elapsed * 1000:.0f} ms, over its budget of {self.time_budget_s * 1000:.0f} ms",
                    )
                )
                continue
            for signal in emitted:
                if not isinstance(signal, Signal) or self.declared_by.get(signal.name) != name:
                    what = signal.name if isinstance(signal, Signal) else repr(signal)
                    failures.append(
                        PluginFailure(name, "smsguard_detect", f"emitted undeclared signal {what}")
                    )
                    continue
                signals.append(replace(signal, plugin=name))
        signals.sort(key=lambda s: (s.name, s.spans, str(s.value), s.detail))
        return signals, failures

    def adjust(self, message: Message, verdict: Verdict) -> tuple[Verdict, list[PluginFailure]]:
        failures: list[PluginFailure] = []
        for name, function in self._adjusters:
            try:
                adjusted = cast(Verdict | None, function(message=message, verdict=verdict))
            except Exception as exc:
                failures.append(
                    PluginFailure(name, "smsguard_adjust_verdict", f"{type(exc).__name__}: {exc}")
                )
                continue
            if adjusted is not None:
                verdict = adjusted
        return verdict, failures

    def rule_packs(self) -> list[Path | Traversable]:
        packs: list[Path | Traversable] = []
        for impl in sorted(self.pm.hook.smsguard_rule_packs.get_hookimpls(), key=lambda i: i.plugin_name):
            packs.extend(cast(Sequence[Path | Traversable], impl.function() or ()))
        return packs

    def lexicons(self) -> dict[str, Path | Traversable]:
        found: dict[str, Path | Traversable] = {}
        for impl in sorted(self.pm.hook.smsguard_lexicons.get_hookimpls(), key=lambda i: i.plugin_name):
            provided = cast(Mapping[str, Path | Traversable], impl.function() or {})
            for name, path in provided.items():
                if name in found:
                    raise PluginError(f"plugin {impl.plugin_name!r} provides lexicon {name!r} a second time")
                found[name] = path
        return found

    def functions(self) -> dict[str, RuleFunction]:
        found: dict[str, RuleFunction] = {}
        for impl in sorted(self.pm.hook.smsguard_functions.get_hookimpls(), key=lambda i: i.plugin_name):
            for function in cast(Sequence[RuleFunction], impl.function() or ()):
                if function.name in found:
                    raise PluginError(
                        f"plugin {impl.plugin_name!r} provides function {function.name!r} twice"
                    )
                found[function.name] = replace(function, plugin=impl.plugin_name)
        return found
