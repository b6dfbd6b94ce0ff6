"""Helpers for testing plugins and rule packs in your own pytest suite (see docs/plugins.md).

``make_engine(my_plugin)`` builds an engine with your plugin, ``assert_signal(engine, text, "my.signal",
evidence=["..."])`` checks what it finds, ``run_pack_examples(engine)`` runs the examples of your rules.
Nothing here needs the plugin to be installed: it is registered directly, and other installed third-party
plugins are left out so that a test sees only the plugin under test (and the built-in detectors, by default).
"""

from __future__ import annotations

import types
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from smsguard.engine import Engine, default_pack_path
from smsguard.model import Message, Signal, SignalValue, Span
from smsguard.plugins import PluginHost, make_plugin_manager

__all__ = [
    "ExampleFailure",
    "assert_no_signal",
    "assert_signal",
    "make_engine",
    "plugin_module",
    "run_pack_examples",
    "signals_for",
]

_ANY: Any = object()
_PREVIEW = 30


def make_engine(
    *plugins: Any,
    builtins: bool = True,
    base: bool | str | Path | Sequence[str | Path] | None = None,
    plugin_packs: bool = True,
    packs: Sequence[str | Path] = (),
    time_budget_s: float | None = None,
    max_failures: int | None = None,
) -> Engine:
    """An engine with only the given plugin objects (modules or instances), plus the built-in detectors.

    :param plugins: the plugins under test, registered under their ``__name__``.
    :param builtins: also load the built-in detectors (the default pack needs them).
    :param base: the packs compiled first: ``True`` the built-in default pack, ``False`` none, or your own pack
        path(s) (for example the categories your plugin's pack needs without the default pack); by default the
        built-in default pack when ``builtins`` is on.
    :param plugin_packs: layer the rule packs the plugins contribute (``smsguard_rule_packs``) after the base.
    :param packs: more pack files or directories, layered last (like ``--pack`` on the command line).
    :param time_budget_s: per-call time budget (see :class:`~smsguard.plugins.PluginHost`).
    :param max_failures: consecutive failures before a plugin is disabled.
    """
    pm = make_plugin_manager(load_entrypoints=builtins, plugins=plugins, only=(), builtins=builtins)
    host = PluginHost(pm, time_budget_s=time_budget_s, max_failures=max_failures)
    sources: list[str | Path] = []
    if base is None:
        base = builtins
    if base is True:
        sources.append(default_pack_path())
    elif isinstance(base, str | Path):
        sources.append(base)
    elif base is not False:
        sources.extend(base)
    if plugin_packs:
        sources.extend(Path(str(p)) for p in host.rule_packs())
    sources.extend(packs)
    return Engine.from_paths(*sources, host=host)


def signals_for(
    engine: Engine, text: str, sender: str | None = None, received_at: datetime | None = None
) -> tuple[Signal, ...]:
    """Every signal the engine's detectors emit for one message."""
    return engine.judge(Message(text, sender, received_at)).signals


def assert_signal(
    engine: Engine,
    text: str,
    name: str,
    *,
    sender: str | None = None,
    value: SignalValue = _ANY,
    spans: Iterable[Span] | None = None,
    evidence: Iterable[str] | None = None,
) -> Signal:
    """Assert that signal ``name`` fires for ``text``; return it.

    :param value: the value it must have (any value when omitted).
    :param spans: the exact ``(start, end)`` spans it must carry, in the original text.
    :param evidence: the text its spans must cover, in order (an easier way to write ``spans``).
    """
    judgement = engine.judge(Message(text, sender))
    found = [s for s in judgement.signals if s.name == name]
    if not found:
        fired = sorted({s.name for s in judgement.signals}) or ["none"]
        errors = [f"{e.plugin} {e.hook}: {e.error}" for e in judgement.verdict.errors]
        detail = f"; plugin errors: {errors}" if errors else ""
        raise AssertionError(f"signal {name!r} did not fire; signals that did: {', '.join(fired)}{detail}")
    wanted_spans = None if spans is None else tuple(tuple(s) for s in spans)
    wanted_evidence = None if evidence is None else tuple(evidence)
    for signal in found:
        if value is not _ANY and (signal.value != value or type(signal.value) is not type(value)):
            continue
        if wanted_spans is not None and signal.spans != wanted_spans:
            continue
        if wanted_evidence is not None and tuple(text[s:e] for s, e in signal.spans) != wanted_evidence:
            continue
        return signal
    seen = [f"value={s.value!r} spans={list(s.spans)} evidence={[text[a:b] for a, b in s.spans]}" for s in found]
    wanted = []
    if value is not _ANY:
        wanted.append(f"value={value!r}")
    if wanted_spans is not None:
        wanted.append(f"spans={list(wanted_spans)}")
    if wanted_evidence is not None:
        wanted.append(f"evidence={list(wanted_evidence)}")
    raise AssertionError(f"signal {name!r} fired, but not with {' '.join(wanted)}; it fired with: {'; '.join(seen)}")


def assert_no_signal(engine: Engine, text: str, name: str, *, sender: str | None = None) -> None:
    """Assert that signal ``name`` does not fire for ``text``."""
    found = [s for s in signals_for(engine, text, sender) if s.name == name]
    if found:
        where = [[text[a:b] for a, b in s.spans] for s in found]
        raise AssertionError(f"signal {name!r} fired with value {found[0].value!r} on {where}")


@dataclass(frozen=True, slots=True)
class ExampleFailure:
    """A rule example that does not hold: a ``hit`` the rule missed or a ``miss`` it fired on."""

    path: str
    line: int
    rule: str
    kind: str
    text_preview: str

    def __str__(self) -> str:
        what = "did not fire" if self.kind == "hit" else "fired"
        return f"{self.path}:{self.line}: rule {self.rule}: {self.kind} example {what}: {self.text_preview}"


def run_pack_examples(engine: Engine, *, packs: Collection[str] | None = None) -> list[ExampleFailure]:
    """Run the ``examples`` of every rule (of the named packs only, when given); return those that fail.

    A ``hit`` example must make the rule's condition hold, a ``miss`` example must not (a disabled rule's
    condition is still checked). An example whose ``at`` time cannot be read counts as failing.
    """
    from smsguard.lint.examples import run_examples

    failures: list[ExampleFailure] = []
    for result in run_examples(engine, packs=packs):
        if result.passed:
            continue
        example = result.example
        preview = example.text if len(example.text) <= _PREVIEW else example.text[:_PREVIEW] + "…"
        failures.append(ExampleFailure(example.loc.path, example.loc.line, result.rule.id, example.kind, preview))
    return failures


def plugin_module(name: str, *hooks: Callable[..., Any], **attributes: Any) -> types.ModuleType:
    """A plugin module named ``name`` built from ``@hookimpl`` functions, for tests that need a small plugin
    without a file of its own (the functions keep their own names, e.g. ``smsguard_detect``)."""
    module = types.ModuleType(name)
    for hook in hooks:
        setattr(module, hook.__name__, hook)
    for key, value in attributes.items():
        setattr(module, key, value)
    return module
