"""The project's error types. Everything smsguard raises on purpose derives from :class:`SmsguardError`."""

from __future__ import annotations

from collections.abc import Iterable

from smsguard.diagnostics import Diagnostic


class SmsguardError(Exception):
    """Root of every error smsguard raises on purpose."""


class RulePackError(SmsguardError):
    """A rule pack could not be loaded: syntax, reference or compile errors, all collected."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(sorted(diagnostics))
        super().__init__("\n".join(d.render() for d in self.diagnostics) or "rule pack error")


class PluginError(SmsguardError):
    """A plugin could not be loaded or validated."""


class InputError(SmsguardError):
    """An input record (a message or a line of a scan file) is not usable."""


def describe(exc: BaseException) -> str:
    """``Type: message`` for an exception raised by plugin code, even when its ``__str__`` itself raises."""
    try:
        text = str(exc)
    except BaseException:
        text = "<unprintable>"
    return f"{type(exc).__name__}: {text}"
