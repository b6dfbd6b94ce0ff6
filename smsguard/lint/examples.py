"""Rule examples run through the engine: shared by ``smsguard lint`` and ``smsguard test``."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from smsguard.diagnostics import Diagnostic
from smsguard.engine import Engine
from smsguard.errors import InputError
from smsguard.intake import parse_time
from smsguard.lang import ast
from smsguard.lint.base import Check, LintContext
from smsguard.model import Message
from smsguard.pack import CompiledRule


@dataclass(frozen=True, slots=True)
class ExampleResult:
    """One example of one rule: whether it held, and what went wrong if not."""

    rule: CompiledRule
    example: ast.Example
    passed: bool
    problem: str = ""


def example_time(example: ast.Example) -> datetime | None:
    """The example's ``at`` time; raises :class:`InputError` when it is not ISO 8601."""
    return parse_time(example.received_at) if example.received_at else None


def run_examples(
    engine: Engine, paths: Collection[str] | None = None, *, packs: Collection[str] | None = None
) -> Iterator[ExampleResult]:
    """Check every example of the engine's rules (only of the rules declared in ``paths`` or by the named
    ``packs``, when given).

    A ``hit`` must make the rule's condition hold and a ``miss`` must not; a disabled rule's condition is still
    checked, so its examples keep it honest for when it is enabled again.
    """
    for rule in engine.pack.rules:
        if (paths is not None and rule.loc.path not in paths) or (packs is not None and rule.pack not in packs):
            continue
        for example in rule.examples:
            try:
                when = example_time(example)
            except InputError:
                yield ExampleResult(rule, example, False, f"'at' {example.received_at!r} is not an ISO 8601 time")
                continue
            fired = rule.id in engine.fired_rules(Message(example.text, example.sender, when))
            if fired == (example.kind == "hit"):
                yield ExampleResult(rule, example, True)
            elif example.kind == "hit":
                yield ExampleResult(rule, example, False, f"hit example does not fire rule {rule.id!r}")
            else:
                yield ExampleResult(rule, example, False, f"miss example fires rule {rule.id!r}")


class ExampleContradicts(Check):
    """An example that contradicts its rule: a ``hit`` the rule does not fire on, or a ``miss`` it fires on
    (each example is judged by the engine with the installed plugins)."""

    id = "example-contradicts"
    severity = "error"

    def run(self, ctx: LintContext) -> Iterable[Diagnostic]:
        engine = ctx.engine()
        if engine is None:
            return
        for result in run_examples(engine, ctx.target_paths):
            if not result.passed and _valid_time(result.example):
                yield self.report(ctx, result.example.loc, result.problem)


class ExampleTime(Check):
    """An example whose ``at`` time is not an ISO 8601 date and time (``at "2025-03-01T23:30"``)."""

    id = "example-time"
    severity = "error"

    def run(self, ctx: LintContext) -> Iterable[Diagnostic]:
        for site in ctx.target_rules():
            for example in site.decl.examples:
                if not _valid_time(example):
                    yield self.report(
                        ctx, example.loc, f"'at' {example.received_at!r} is not an ISO 8601 time (2025-03-01T23:30)"
                    )


def _valid_time(example: ast.Example) -> bool:
    try:
        example_time(example)
    except InputError:
        return False
    return True
