"""``smsguard lint``: every problem of a rule pack in one run, each found by one small check.

Each check is a :class:`~smsguard.lint.base.Check` with an ``id``, a ``severity`` and a docstring saying what it
catches; :data:`~smsguard.lint.registry.CHECKS` lists them all and ``docs/lint.md`` documents them.
"""

from __future__ import annotations

from smsguard.lint.base import Check, LintContext
from smsguard.lint.registry import CHECKS
from smsguard.lint.runner import LintReport, lint_paths

__all__ = ["CHECKS", "Check", "LintContext", "LintReport", "lint_paths"]
