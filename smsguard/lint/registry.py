"""Every lint check, in the order ``docs/lint.md`` lists them."""

from __future__ import annotations

from smsguard.lint.base import Check
from smsguard.lint.conditions import AlwaysFires, ConstantCondition, NeverFires, RegexCase, RegexEmpty
from smsguard.lint.declarations import (
    DuplicateTerm,
    EmptyTerm,
    MissingExamples,
    MissingTitle,
    UnreachableCategory,
    UnusedList,
    WeightOnFallback,
)
from smsguard.lint.examples import ExampleContradicts, ExampleTime
from smsguard.lint.phase import PHASE_CHECKS, OtherCompileError

CHECKS: tuple[type[Check], ...] = (
    *PHASE_CHECKS,
    OtherCompileError,
    NeverFires,
    AlwaysFires,
    ConstantCondition,
    RegexEmpty,
    RegexCase,
    UnusedList,
    DuplicateTerm,
    EmptyTerm,
    MissingTitle,
    MissingExamples,
    UnreachableCategory,
    WeightOnFallback,
    ExampleContradicts,
    ExampleTime,
)
