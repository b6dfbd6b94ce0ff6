"""Run every lint check over packs loaded and compiled the way the engine would, and report in order."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from smsguard.diagnostics import Diagnostic, whole_file
from smsguard.engine import default_pack_path
from smsguard.errors import RulePackError, SmsguardError
from smsguard.lang.compiler import compile_packs
from smsguard.lang.loader import LoadedPack, load_pack
from smsguard.lint.base import Check, LintContext
from smsguard.lint.registry import CHECKS
from smsguard.normalize import default_normalizer
from smsguard.plugins import PluginHost


@dataclass(frozen=True, slots=True)
class LintReport:
    """Every finding, in file, line, column order."""

    diagnostics: tuple[Diagnostic, ...]

    def count(self, severity: str) -> int:
        return sum(1 for d in self.diagnostics if d.severity == severity)

    def failed(self, strict: bool = False) -> bool:
        return self.count("error") > 0 or (strict and self.count("warning") > 0)


@dataclass(slots=True)
class Layers:
    """Packs loaded in engine order; ``targets`` are the ones named on the command line."""

    loaded: list[LoadedPack]
    targets: list[LoadedPack]
    diagnostics: list[Diagnostic]

    @property
    def target_paths(self) -> frozenset[str]:
        return frozenset(f.path for p in self.targets for f in p.files)


def layer_sources(paths: Sequence[str | Path], base: bool, host: PluginHost) -> list[tuple[Path, bool]]:
    """(source, named on the command line) in the order the engine layers them: the default pack and the
    plugins' packs first (with ``base``), then the others; a named pack that is a base layer keeps its place."""
    named = {Path(p).resolve(): Path(p) for p in paths}
    sources: list[tuple[Path, bool]] = []
    if base:
        for layer in (default_pack_path(), *(Path(str(p)) for p in host.rule_packs())):
            spelled = named.pop(layer.resolve(), None)
            sources.append((spelled or layer, spelled is not None))
    sources.extend((path, True) for path in named.values())
    return sources


def load_layers(paths: Sequence[str | Path], base: bool, host: PluginHost, *, recover: bool) -> Layers:
    """Load every layer; problems become diagnostics (an unreadable source too)."""
    lexicons = host.lexicons()
    layers = Layers([], [], [])
    for source, named in layer_sources(paths, base, host):
        try:
            pack, found = load_pack(source, lexicons, recover=recover)
        except RulePackError as exc:
            layers.diagnostics.extend(exc.diagnostics)
            continue
        except SmsguardError as exc:
            layers.diagnostics.append(whole_file(source, str(exc)))
            continue
        layers.loaded.append(pack)
        layers.diagnostics.extend(found)
        if named:
            layers.targets.append(pack)
    return layers


def lint_paths(
    paths: Sequence[str | Path],
    *,
    base: bool = True,
    host: PluginHost | None = None,
    checks: Sequence[type[Check]] = CHECKS,
    ignore: Collection[str] = (),
) -> LintReport:
    """Lint the packs at ``paths`` (files or directories).

    With ``base`` they are layered on the built-in default pack and the plugins' packs, as the engine layers
    them, so that they may use the categories and lists declared there; findings are only reported for the
    files of ``paths`` (the default pack is linted when it is one of them).
    """
    host = host or PluginHost.from_entry_points()
    layers = load_layers(paths, base, host, recover=True)
    normalizer = default_normalizer()
    compiled, diagnostics = compile_packs(layers.loaded, host.signal_specs, host.functions(), normalizer)
    ctx = LintContext(layers.loaded, layers.targets, compiled, [*layers.diagnostics, *diagnostics], host, normalizer)
    reported = ctx.target_paths | {str(Path(p)) for p in paths}
    found: set[Diagnostic] = set()
    for check in checks:
        if check.id not in ignore:
            found.update(d for d in check().run(ctx) if d.path in reported)
    return LintReport(tuple(sorted(found)))
