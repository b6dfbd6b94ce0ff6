"""What the detector plugins share around their C bodies: a detector's signature, and the choice, made once at
import, between the C body bound to the Python objects it calls and the Python reference (tests/test_native_*)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import ModuleType
from typing import Any, TypedDict

from smsguard.extract import Features
from smsguard.model import Message, Signal
from smsguard.normalize import NormalizedText

from ._terms import Entry, TermHit

Detect = Callable[[Message, NormalizedText, Features], list[Signal]]


class HitBinding(TypedDict):
    """The objects every C body bound by keyword is handed (the stubs add each body's own)."""

    reference: Detect
    read: Callable[[NormalizedText], tuple[str, list[TermHit]]]
    term_hit: type[TermHit]
    entry: type[Entry]
    by_kind: Callable[[Iterable[TermHit]], dict[str, list[TermHit]]]
    make_signal: Callable[..., Signal]


def bind_tables(native: ModuleType | None, reference: Detect, tables: Mapping[str, Any]) -> Detect:
    """``native.bind(reference, tables)`` when the accelerator is in use, else the reference."""
    return reference if native is None else native.bind(reference, tables)


def bind_keywords(native: ModuleType | None, binding: Mapping[str, Any]) -> Detect:
    """``native.bind(**binding)`` when the accelerator is in use, else ``binding["reference"]``."""
    return binding["reference"] if native is None else native.bind(**binding)  # type: ignore[no-any-return]
