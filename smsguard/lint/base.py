"""What every lint check sees (:class:`LintContext`) and what it is (:class:`Check`)."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar

from smsguard.diagnostics import Diagnostic, Location, Severity, make_diagnostic
from smsguard.engine import Engine
from smsguard.lang import ast
from smsguard.lang.loader import LoadedPack
from smsguard.lang.parser import children
from smsguard.lint.logic import Analysis, RuleLogic
from smsguard.normalize import Normalizer
from smsguard.pack import CompiledPack, CompiledRule
from smsguard.plugins import PluginHost

_DECLARED = re.compile(r"^[ \t]*(?:rule|list|category)[ \t]+([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)


class Check(ABC):
    """One lint check. Subclasses set ``id`` and ``severity`` and say in their docstring what they catch."""

    id: ClassVar[str]
    severity: ClassVar[Severity]

    @abstractmethod
    def run(self, ctx: LintContext) -> Iterable[Diagnostic]:
        """Every finding of this check in the linted files (others are filtered out by the runner)."""

    def report(self, ctx: LintContext, loc: Location, message: str) -> Diagnostic:
        return make_diagnostic(loc, message, severity=self.severity, code=self.id, source=ctx.source(loc.path))

    @classmethod
    def summary(cls) -> str:
        """What the check catches: the docstring's first paragraph as one line of plain text (RST's double
        backquotes dropped), for ``smsguard lint --list-checks``."""
        paragraph = (cls.__doc__ or "").strip().split("\n\n", 1)[0]
        return " ".join(paragraph.replace("``", "").split())


@dataclass(slots=True)
class RuleSite:
    """A rule declared in a linted file, with its compiled form when compiling got that far."""

    decl: ast.RuleDecl
    file: ast.RuleFile
    compiled: CompiledRule | None


@dataclass
class LintContext:
    """The packs as loaded and compiled for linting; ``targets`` are the files the diagnostics are about."""

    loaded: list[LoadedPack]
    target_packs: list[LoadedPack]
    pack: CompiledPack | None
    phase: list[Diagnostic]
    host: PluginHost
    normalizer: Normalizer
    _analyses: dict[str, Analysis] = field(default_factory=dict)
    _engine: Engine | None = None

    @cached_property
    def sources(self) -> dict[str, str]:
        return {f.path: f.source for p in self.loaded for f in p.files}

    def source(self, path: str) -> str | None:
        return self.sources.get(path)

    @cached_property
    def target_paths(self) -> frozenset[str]:
        return frozenset(f.path for p in self.target_packs for f in p.files)

    def target_files(self) -> Iterator[tuple[LoadedPack, ast.RuleFile]]:
        for pack in self.target_packs:
            for rule_file in pack.files:
                yield pack, rule_file

    def all_files(self) -> Iterator[tuple[LoadedPack, ast.RuleFile]]:
        for pack in self.loaded:
            for rule_file in pack.files:
                yield pack, rule_file

    @cached_property
    def compiled_rules(self) -> dict[str, CompiledRule]:
        return {rule.id: rule for rule in self.pack.rules} if self.pack is not None else {}

    def target_rules(self) -> list[RuleSite]:
        """Rules declared in the linted files, each once (a second declaration of a name is a duplicate)."""
        sites: list[RuleSite] = []
        seen: set[str] = set()
        for _, rule_file in self.target_files():
            for item in rule_file.items:
                if isinstance(item, ast.RuleDecl) and item.name not in seen:
                    seen.add(item.name)
                    compiled = self.compiled_rules.get(item.name)
                    if compiled is not None and compiled.loc != item.loc:
                        compiled = None
                    sites.append(RuleSite(item, rule_file, compiled))
        return sites

    @cached_property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.phase)

    def engine(self) -> Engine | None:
        """An engine over the compiled packs, or None when they have errors (the engine would refuse them)."""
        if self._engine is None and self.pack is not None and not self.has_errors:
            self._engine = Engine(self.pack, self.host, self.normalizer)
        return self._engine

    @cached_property
    def lists(self) -> dict[str, tuple[str, ...]]:
        """Declared lists and their terms; a lexicon list that could not be read is left out (so the
        conditions that use it are not reported as never true: the unreadable file is the finding)."""
        found: dict[str, tuple[str, ...]] = {}
        for pack, rule_file in self.all_files():
            for item in rule_file.items:
                if isinstance(item, ast.ListDecl):
                    terms = pack.terms_of(rule_file, item)
                    if terms or not isinstance(item.value, ast.FileRef):
                        found.setdefault(item.name, terms)
        return found

    @cached_property
    def conditions(self) -> dict[str, ast.Expr | None]:
        found: dict[str, ast.Expr | None] = {}
        for _, rule_file in self.all_files():
            for item in rule_file.items:
                if isinstance(item, ast.RuleDecl):
                    found.setdefault(item.name, item.when)
        return found

    @cached_property
    def logic(self) -> RuleLogic:
        return RuleLogic(self.lists, self.conditions, self.normalizer.normalize_pattern)

    def analysis(self, site: RuleSite) -> Analysis | None:
        if site.decl.when is None:
            return None
        found = self._analyses.get(site.decl.name)
        if found is None:
            found = self._analyses[site.decl.name] = self.logic.analyse(site.decl.when)
        return found

    @cached_property
    def broken_names(self) -> frozenset[str]:
        """Names declared by declarations that did not parse: references to them are not reported again."""
        broken: set[str] = set()
        for _, rule_file in self.all_files():
            if not any(d.path == rule_file.path and d.code == "syntax" for d in self.phase):
                continue
            declared = {getattr(i, "name", None) for i in rule_file.items}
            broken.update(n for n in _DECLARED.findall(rule_file.source) if n not in declared)
        return frozenset(broken)


def walk(expr: ast.Expr) -> Iterator[ast.Expr]:
    """Every node of an expression, parents before children."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))
