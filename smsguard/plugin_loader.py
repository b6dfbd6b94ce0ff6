"""Finding and registering plugins: the ``smsguard`` entry-point group, selection, and load-time validation.

Built-in detectors (the ``smsguard`` distribution itself) and third-party plugins are found the same way.
``SMSGUARD_LOAD_PLUGINS`` limits which third-party plugins load; the built-ins always load because the
default rule pack relies on their signals. Every problem found here is a :class:`PluginError` that names the
plugin (and its distribution) and what is wrong with it.
"""

from __future__ import annotations

import difflib
import importlib.metadata
import inspect
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pluggy

from smsguard import hookspecs
from smsguard.errors import PluginError
from smsguard.functions import FunctionValue, RuleFunction
from smsguard.lang.expressions import BUILTIN_FUNCTIONS
from smsguard.lang.parser import grammar_text
from smsguard.plugin_guard import trace_enabled

ENTRY_POINT_GROUP = "smsguard"
BUILTIN_DISTRIBUTION = "smsguard"
ENV_LOAD = "SMSGUARD_LOAD_PLUGINS"
# The parameters each hook passes, in order; an implementation may take any subset of them.
HOOK_PARAMS: dict[str, tuple[str, ...]] = {
    name: tuple(inspect.signature(spec).parameters)
    for name, spec in sorted(vars(hookspecs).items())
    if name.startswith("smsguard_") and inspect.isfunction(spec)
}
SIGNAL_NAME = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+")
FUNCTION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
VALUE_TYPES: dict[str, tuple[type, ...]] = {"bool": (bool,), "number": (int, float), "string": (str,)}
_PLACEHOLDERS: dict[str, FunctionValue] = {"bool": False, "number": 0, "string": ""}
_ARG_KINDS = (
    inspect.Parameter.POSITIONAL_ONLY,
    inspect.Parameter.POSITIONAL_OR_KEYWORD,
    inspect.Parameter.KEYWORD_ONLY,
)


@dataclass(frozen=True, slots=True)
class PluginSource:
    """Where a registered plugin came from: its entry point and distribution, or the object passed in."""

    name: str
    module: str
    distribution: str | None = None
    version: str | None = None
    builtin: bool = False

    def label(self) -> str:
        if self.distribution is None:
            return f"{self.name!r}"
        return f"{self.name!r} (from {self.distribution} {self.version})"


class PluginManager(pluggy.PluginManager):
    """pluggy's manager with smsguard's hook specs, remembering the distribution of every plugin."""

    def __init__(self) -> None:
        super().__init__(ENTRY_POINT_GROUP)
        self.add_hookspecs(hookspecs)
        self.sources: dict[str, PluginSource] = {}


def make_plugin_manager(
    *,
    load_entrypoints: bool = True,
    plugins: Iterable[Any] = (),
    only: Iterable[str] | None = None,
    builtins: bool = True,
) -> PluginManager:
    """A validated plugin manager: entry-point plugins, then any extra plugin objects.

    :param load_entrypoints: load plugins from the ``smsguard`` entry-point group.
    :param plugins: plugin objects (modules or instances) registered under their ``__name__``.
    :param only: names of the third-party plugins to load (entry-point or distribution names); ``None`` reads
        ``SMSGUARD_LOAD_PLUGINS`` and loads every one when it is unset.
    :param builtins: load the built-in detectors of the ``smsguard`` distribution.
    """
    pm = PluginManager()
    if load_entrypoints:
        load_entry_points(pm, only=selected_from_env() if only is None else frozenset(only), builtins=builtins)
    for plugin in plugins:
        if pm.is_registered(plugin):
            continue  # already loaded through its entry point: passing it again is harmless
        register(pm, plugin, PluginSource(plugin_name(plugin), _module_of(plugin)))
    return pm


def selected_from_env() -> frozenset[str] | None:
    """The names in ``SMSGUARD_LOAD_PLUGINS`` (comma-separated; empty means none), or None when unset."""
    raw = os.environ.get(ENV_LOAD)
    if raw is None:
        return None
    return frozenset(name.strip() for name in raw.split(",") if name.strip())


def load_entry_points(pm: PluginManager, *, only: frozenset[str] | None, builtins: bool) -> None:
    """Register the plugins of the ``smsguard`` entry-point group, in distribution and name order."""
    wanted = None if only is None else {_canonical(name) for name in only}
    matched: set[str] = set()
    available: set[str] = set()
    entry_points = sorted(
        importlib.metadata.entry_points(group=ENTRY_POINT_GROUP),
        key=lambda ep: (_dist_name(ep) or "", ep.name),
    )
    for ep in entry_points:
        dist = _dist_name(ep)
        builtin = dist is not None and _canonical(dist) == BUILTIN_DISTRIBUTION
        keys = {_canonical(ep.name)} | ({_canonical(dist)} if dist else set())
        if not builtin:
            available.add(ep.name)
        if wanted is not None:
            matched |= keys & wanted
        if (builtin and not builtins) or (not builtin and wanted is not None and not keys & wanted):
            continue
        version = ep.dist.version if ep.dist is not None else None
        source = PluginSource(ep.name, ep.value, dist, version, builtin)
        existing = pm.sources.get(ep.name)
        if existing is not None and existing.module == ep.value:
            continue  # the same distribution seen twice on sys.path
        try:
            plugin = ep.load()
        except Exception as exc:
            raise PluginError(
                f"plugin {source.label()} failed to import {ep.value!r}: {type(exc).__name__}: {exc}"
            ) from exc
        register(pm, plugin, source)
    if wanted:
        missing = sorted(wanted - matched)
        if missing:
            raise PluginError(
                f"{ENV_LOAD} names {', '.join(map(repr, missing))}, which no installed distribution provides "
                f"in the {ENTRY_POINT_GROUP!r} entry-point group (installed: {', '.join(sorted(available)) or 'none'})"
            )


def register(pm: PluginManager, plugin: Any, source: PluginSource) -> None:
    """Validate a plugin's hook implementations, then register it; errors name the plugin."""
    check_hookimpls(pm, plugin, source)
    if source.name in pm.sources or pm.has_plugin(source.name):
        other = pm.sources.get(source.name)
        raise PluginError(
            f"two plugins are named {source.name!r}: {other.module if other else '?'} and {source.module}"
        )
    if pm.is_registered(plugin):
        raise PluginError(f"plugin {source.label()} is already registered as {pm.get_name(plugin)!r}")
    try:
        pm.register(plugin, name=source.name)
    except (pluggy.PluginValidationError, ValueError) as exc:
        raise PluginError(f"plugin {source.label()}: {exc}") from exc
    pm.sources[source.name] = source
    if trace_enabled():
        origin = f"{source.distribution} {source.version}" if source.distribution else "passed in"
        print(f"smsguard trace: register [{source.name}] {source.module} ({origin})", file=sys.stderr, flush=True)


def check_hookimpls(pm: pluggy.PluginManager, plugin: Any, source: PluginSource) -> None:
    """Reject what pluggy would accept silently or report obscurely: unmarked or unknown hooks, wrappers
    (smsguard calls each implementation on its own), and arguments a hook does not pass."""
    for attr in dir(plugin):
        if attr.startswith("__"):
            continue
        opts = pm.parse_hookimpl_opts(plugin, attr)
        if opts is None:
            if attr in HOOK_PARAMS and callable(getattr(plugin, attr, None)):
                raise PluginError(
                    f"plugin {source.label()}: {attr}() is not marked with @hookimpl "
                    "(from smsguard.hookspecs import hookimpl), so smsguard would never call it"
                )
            continue
        hook = opts.get("specname") or attr
        if hook not in HOOK_PARAMS:
            if opts.get("optionalhook"):
                continue
            close = difflib.get_close_matches(hook, list(HOOK_PARAMS), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; the hooks are {', '.join(HOOK_PARAMS)}"
            raise PluginError(f"plugin {source.label()}: {attr}() implements {hook!r}, which is not a hook{hint}")
        if opts.get("wrapper") or opts.get("hookwrapper"):
            raise PluginError(
                f"plugin {source.label()}: {attr}() is a hook wrapper; smsguard calls every implementation "
                "on its own (to isolate faults), so wrappers are not supported"
            )
        try:
            parameters = inspect.signature(getattr(plugin, attr)).parameters.values()
        except (TypeError, ValueError):
            continue
        names = [p.name for p in parameters if p.kind in _ARG_KINDS]
        extra = [name for name in names if name not in HOOK_PARAMS[hook]]
        if extra:
            raise PluginError(
                f"plugin {source.label()}: {attr}({', '.join(names)}) takes {', '.join(map(repr, extra))}, "
                f"which {hook} does not pass; it passes ({', '.join(HOOK_PARAMS[hook])}) and an "
                "implementation may take any of them by name"
            )


def check_function(function: object, where: str, reserved: frozenset[str]) -> None:
    """A plugin function must be typed, callable with its declared parameters, and not shadow the language."""
    if not isinstance(function, RuleFunction):
        raise PluginError(f"{where} returned a {type(function).__name__}, not a RuleFunction")
    name = function.name
    if not isinstance(name, str) or not FUNCTION_NAME.fullmatch(name):
        raise PluginError(f"{where} provides a function named {name!r}; use letters, digits and '_'")
    if name in BUILTIN_FUNCTIONS or name in reserved:
        what = "built-in function" if name in BUILTIN_FUNCTIONS else "keyword"
        raise PluginError(f"{where} provides function {name!r}, which would shadow the {what} {name!r}")
    for param in function.params:
        if param not in _PLACEHOLDERS:
            raise PluginError(f"{where}: {name}() has a parameter of type {param!r}; use string, number or bool")
    if function.returns not in VALUE_TYPES:
        raise PluginError(f"{where}: {name}() returns {function.returns!r}; use bool, number or string")
    impl = function.impl
    if not callable(impl):
        raise PluginError(f"{where}: {name}() has an impl that is not callable")
    if inspect.iscoroutinefunction(impl) or inspect.isgeneratorfunction(impl):
        raise PluginError(f"{where}: {name}() must be a plain function returning a {function.returns}")
    try:
        signature = inspect.signature(impl)
    except (TypeError, ValueError):
        return
    try:
        signature.bind(None, *(_PLACEHOLDERS[p] for p in function.params))
    except TypeError:
        raise PluginError(
            f"{where}: {name}() declares {len(function.params)} parameter(s) ({', '.join(function.params)}), "
            f"but its impl{signature} cannot be called as impl(view{', ...' if function.params else ''})"
        ) from None


def keywords() -> frozenset[str]:
    """The words of the rule language a function name may not take."""
    return frozenset(re.findall(r'"([A-Za-z_]+)"', grammar_text()))


def plugin_name(plugin: Any) -> str:
    """The name a plugin object is registered under when it is passed in rather than found by entry point."""
    name = getattr(plugin, "__name__", None)
    return name if isinstance(name, str) and name else type(plugin).__name__


def _module_of(plugin: Any) -> str:
    module = getattr(plugin, "__module__", None) if not inspect.ismodule(plugin) else plugin.__name__
    return module if isinstance(module, str) else type(plugin).__module__


def _dist_name(ep: importlib.metadata.EntryPoint) -> str | None:
    return ep.dist.name if ep.dist is not None else None


def _canonical(name: str) -> str:
    """Names compare like distribution names: case-insensitive, with ``-``, ``_`` and ``.`` equal."""
    return re.sub(r"[-_.]+", "-", name).lower()
