"""Whether a signal a detector emitted may enter the verdict: an exact :class:`Signal` declared by that plugin,
a value of the declared type (a finite one for a number), a confidence from 0 to 1 and spans inside the original
text. The common case is checked with a few exact
type tests; anything else takes the full check, which names the problem for the verdict's ``errors``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from smsguard.model import Signal, SignalSpec
from smsguard.plugin_loader import VALUE_TYPES

_EXACT_VALUE_TYPES: dict[str, frozenset[type]] = {
    "bool": frozenset({bool}),
    "number": frozenset({int, float}),
    "string": frozenset({str}),
}
_NUMBER_TYPES = frozenset({int, float})
_NOT_DECLARED = ("", frozenset[type]())


class SignalCheck:
    """The checks of the signals of one set of plugins.

    :param specs: every declared signal by name.
    :param declared_by: the plugin that declared each signal.
    """

    def __init__(self, specs: Mapping[str, SignalSpec], declared_by: Mapping[str, str]) -> None:
        self.specs = specs
        self.declared_by = declared_by
        # signal name -> (declaring plugin, the exact value types of the quick check)
        self._accepted: dict[str, tuple[str, frozenset[type]]] = {
            name: (declared_by[name], _EXACT_VALUE_TYPES[spec.type]) for name, spec in specs.items()
        }

    def exact_types(self) -> dict[str, tuple[str, tuple[type, ...]]]:
        """The quick check's table, for the C loop: signal name -> (declaring plugin, exact value types)."""
        return {name: (plugin, tuple(types)) for name, (plugin, types) in self._accepted.items()}

    def well_formed(self, signal: object, plugin: str, length: int) -> bool:
        """The quick check: true only for an exact Signal that is certainly fine (false is no verdict)."""
        if type(signal) is not Signal or type(signal.name) is not str:
            return False
        accepted = self._accepted.get(signal.name, _NOT_DECLARED)
        return (
            accepted[0] == plugin
            and type(signal.value) in accepted[1]
            and type(signal.spans) is tuple
            and type(signal.detail) is str
            and type(signal.confidence) in _NUMBER_TYPES
            and 0 <= signal.confidence <= 1
            and (type(signal.value) is not float or -math.inf < signal.value < math.inf)
            and _spans_inside(signal.spans, length)
        )

    def problem(self, signal: object, plugin: str, length: int) -> str | None:
        """What is wrong with a signal from ``plugin`` for a text of ``length`` characters, or None."""
        if not isinstance(signal, Signal):
            return f"returned a {type(signal).__name__}, not a Signal"
        if not (
            isinstance(signal.name, str)
            and isinstance(signal.spans, tuple)
            and isinstance(signal.detail, str)
            and isinstance(signal.confidence, int | float)
        ):
            return "emitted a Signal whose name, spans, detail or confidence has the wrong type"
        if self.declared_by.get(signal.name) != plugin:
            return f"emitted undeclared signal {signal.name}"
        declared = self.specs[signal.name].type
        value = signal.value
        if not isinstance(value, VALUE_TYPES[declared]) or (declared == "number" and isinstance(value, bool)):
            return f"emitted signal {signal.name} with a {type(value).__name__} value; it is declared {declared}"
        if isinstance(value, float) and not math.isfinite(value):
            return f"emitted signal {signal.name} with the value {value!r}; a number must be finite"
        if not 0 <= signal.confidence <= 1:
            return f"emitted signal {signal.name} with confidence {signal.confidence!r}, not from 0 to 1"
        for span in signal.spans:
            if not (
                isinstance(span, tuple)
                and len(span) == 2
                and all(isinstance(x, int) for x in span)
                and 0 <= span[0] <= span[1] <= length
            ):
                return f"emitted signal {signal.name} with span {span!r} outside the original text"
        return None


def stamped(signal: Signal, plugin: str) -> Signal:
    """An exact Signal with the host's record of the plugin that emitted it."""
    return Signal(signal.name, signal.value, signal.confidence, signal.spans, signal.detail, plugin)


def signal_order(signal: Signal) -> tuple[str, tuple[tuple[int, int], ...], str, str]:
    """The order of a verdict's signals: by name, spans, value, detail (so it does not depend on plugin order)."""
    return (signal.name, signal.spans, str(signal.value), signal.detail)


def _spans_inside(spans: tuple[object, ...], length: int) -> bool:
    """Whether every span is an exact ``(int, int)`` pair with ``0 <= start <= end <= length``."""
    for span in spans:
        if type(span) is not tuple or len(span) != 2:
            return False
        start, end = span
        if type(start) is not int or type(end) is not int or not 0 <= start <= end <= length:
            return False
    return True
