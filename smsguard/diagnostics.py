"""Located messages about rule packs, rendered as ``path:line:col: severity: message`` with a caret."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, slots=True)
class Location:
    """Where a construct starts in a rule file (1-based line and column)."""

    path: str
    line: int
    column: int


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    """One error or warning about a rule file, ordered by file, line, column and severity."""

    path: str
    line: int
    column: int
    severity: Severity
    message: str
    code: str = ""
    source_line: str = ""

    def render(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}" if self.line > 0 else self.path  # line 0: the whole file
        head = f"{where}: {self.severity}: {self.message}"
        if self.code:
            head += f" [{self.code}]"
        if not self.source_line:
            return head
        caret = " " * _display_width(self.source_line[: max(self.column - 1, 0)]) + "^"
        return f"{head}\n    {self.source_line}\n    {caret}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def whole_file(path: object, message: str) -> Diagnostic:
    """An error about a file or directory as a whole (it is missing, unreadable, empty): no line, no caret."""
    return Diagnostic(str(path), 0, 0, "error", message)


def make_diagnostic(
    location: Location | None,
    message: str,
    *,
    severity: Severity = "error",
    code: str = "",
    source: str | None = None,
) -> Diagnostic:
    """Build a diagnostic at ``location``, quoting its source line when the source text is known."""
    if location is None:
        return Diagnostic("<unknown>", 0, 0, severity, message, code)
    line_text = ""
    if source is not None and location.line >= 1:
        lines = source.splitlines()
        if location.line <= len(lines):
            line_text = lines[location.line - 1].rstrip()
    return Diagnostic(location.path, location.line, location.column, severity, message, code, line_text)


def _display_width(text: str) -> int:
    """Terminal columns taken by ``text``: East Asian wide characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def severity_rank(severity: Severity) -> int:
    return _SEVERITY_ORDER[severity]
