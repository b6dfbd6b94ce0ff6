"""Checks whose findings come from reading and compiling the packs (the parser, the loader, the compiler).

The compiler stays the one place that decides these errors (the engine refuses such a pack); these classes
give each kind of finding its lint id, severity and documentation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import ClassVar

from smsguard.diagnostics import Diagnostic
from smsguard.lint.base import Check, LintContext

_UNKNOWN_NAME = re.compile(r"^unknown [a-z ]+ '([^']*)'")


class PhaseCheck(Check):
    """Findings of the parser, loader or compiler with the given codes."""

    codes: ClassVar[frozenset[str]] = frozenset()
    severity = "error"

    def run(self, ctx: LintContext) -> Iterable[Diagnostic]:
        for diagnostic in ctx.phase:
            if diagnostic.code in self.codes and not _cascade(ctx, diagnostic):
                yield replace(diagnostic, code=self.id)


def _cascade(ctx: LintContext, diagnostic: Diagnostic) -> bool:
    """A finding that only follows from another one: an unknown name that a declaration with a syntax error
    would have declared. (A comparison with an unknown operand is not reported by the compiler at all.)"""
    if not diagnostic.code.startswith("unknown-"):
        return False
    match = _UNKNOWN_NAME.match(diagnostic.message)
    return match is not None and match.group(1) in ctx.broken_names


class Syntax(PhaseCheck):
    """Text that is not the rule language: a missing colon, brace or comma, a stray character, a bad escape."""

    id = "syntax"
    codes = frozenset({"syntax"})


class PackFiles(PhaseCheck):
    """An ``include`` or ``file(...)`` that does not exist or leaves the pack's directory, an unreadable lexicon,
    a second ``pack`` header."""

    id = "pack-files"
    codes = frozenset({""})


class UnknownSignal(PhaseCheck):
    """``signal("x.y")`` names a signal no installed plugin declares."""

    id = "unknown-signal"
    codes = frozenset({"unknown-signal"})


class UnknownList(PhaseCheck):
    """A function argument names a list that is not declared."""

    id = "unknown-list"
    codes = frozenset({"unknown-list"})


class UnknownName(PhaseCheck):
    """A bare name in a condition is neither a list nor a rule."""

    id = "unknown-name"
    codes = frozenset({"unknown-name"})


class UnknownRule(PhaseCheck):
    """``override`` or ``disable`` names a rule no earlier pack declares."""

    id = "unknown-rule"
    codes = frozenset({"unknown-rule"})


class UnknownCategory(PhaseCheck):
    """A rule puts its weight on a category that no pack declares (``category: nosuch``)."""

    id = "unknown-category"
    codes = frozenset({"unknown-category"})


class UnknownFunction(PhaseCheck):
    """A call to a function that is neither built in nor contributed by a plugin."""

    id = "unknown-function"
    codes = frozenset({"unknown-function"})


class UnknownProperty(PhaseCheck):
    """A property a rule or category does not have (``titel:``, ``wieght:``)."""

    id = "unknown-property"
    codes = frozenset({"unknown-rule property", "unknown-category property"})


class Duplicate(PhaseCheck):
    """The same id declared twice: two rules, lists or categories, a property given twice, two fallbacks."""

    id = "duplicate"
    codes = frozenset({"duplicate"})


class Cycle(PhaseCheck):
    """Rules that refer to each other in a circle (``a`` uses ``b``, ``b`` uses ``a``)."""

    id = "cycle"
    codes = frozenset({"cycle"})


class TypeMismatch(PhaseCheck):
    """A value of the wrong type: ``weight: "heavy"``, a threshold outside [0, 1], ``count(x) == "two"``."""

    id = "type"
    codes = frozenset({"type", "range"})


class BadArgument(PhaseCheck):
    """A function called with the wrong arguments: ``near()`` with one term set, ``length(x)``, ``within=-1``."""

    id = "argument"
    codes = frozenset({"argument"})


class MissingCategory(PhaseCheck):
    """A rule without ``category:``."""

    id = "missing-category"
    codes = frozenset({"missing-category"})


class MissingWhen(PhaseCheck):
    """A rule without a ``when:`` condition."""

    id = "missing-when"
    codes = frozenset({"missing-when"})


class RegexRejected(PhaseCheck):
    """A regular expression the linear-time engine (RE2) rejects: back-references, look-around, bad syntax."""

    id = "regex-rejected"
    codes = frozenset({"regex"})


class ImpossibleCount(PhaseCheck):
    """``N of (...)`` with N larger than the number of conditions it lists."""

    id = "impossible-count"
    codes = frozenset({"never"})


PHASE_CHECKS: tuple[type[PhaseCheck], ...] = (
    Syntax,
    PackFiles,
    UnknownSignal,
    UnknownList,
    UnknownName,
    UnknownRule,
    UnknownCategory,
    UnknownFunction,
    UnknownProperty,
    Duplicate,
    Cycle,
    TypeMismatch,
    BadArgument,
    MissingCategory,
    MissingWhen,
    RegexRejected,
    ImpossibleCount,
)
_CLAIMED = frozenset(code for check in PHASE_CHECKS for code in check.codes)


class OtherCompileError(PhaseCheck):
    """Any other finding of the compiler (kept under its own code)."""

    id = "compile"

    def run(self, ctx: LintContext) -> Iterable[Diagnostic]:
        for diagnostic in ctx.phase:
            if diagnostic.code not in _CLAIMED and not _cascade(ctx, diagnostic):
                yield diagnostic if diagnostic.code else replace(diagnostic, code=self.id)
