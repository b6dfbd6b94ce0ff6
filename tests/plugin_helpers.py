"""Helpers for the detector-plugin tests: run one plugin's hooks on a message the way the engine does."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from smsguard.extract import extract
from smsguard.model import Message, Signal
from smsguard.normalize import default_normalizer

_NORMALIZER = default_normalizer()
DOCS = Path(__file__).resolve().parent.parent / "docs" / "detectors.md"


def random_texts(seed: int, alphabet: str, count: int = 500, longest: int = 30) -> Iterator[str]:
    """``count`` texts of 0 to ``longest`` characters drawn from ``alphabet``, the same for the same seed."""
    rng = random.Random(seed)
    for _ in range(count):
        yield "".join(rng.choice(alphabet) for _ in range(rng.randint(0, longest)))


def declared(module: ModuleType) -> dict[str, str]:
    """The plugin's declared signals: name -> type."""
    return {spec.name: spec.type for spec in module.smsguard_signals()}


def detect(
    module: ModuleType, text: str, sender: str | None = None, received_at: datetime | None = None
) -> dict[str, Signal]:
    """The plugin's signals for one message by name, checked against the plugin's declarations."""
    ntext = _NORMALIZER.normalize(text)
    message = Message(text, sender, received_at)
    signals = list(module.smsguard_detect(message=message, text=ntext, features=extract(ntext)) or ())
    types = declared(module)
    by_name: dict[str, Signal] = {}
    for signal in signals:
        assert signal.name in types, f"undeclared signal {signal.name}"
        assert signal.name not in by_name, f"signal {signal.name} emitted twice"
        kind = types[signal.name]
        if kind == "bool":
            assert signal.value is True
        elif kind == "number":
            assert isinstance(signal.value, int | float) and not isinstance(signal.value, bool)
        else:
            assert isinstance(signal.value, str) and signal.value
        assert signal.spans, f"{signal.name} has no span"
        for start, end in signal.spans:
            assert 0 <= start < end <= len(text), f"{signal.name} span {(start, end)} outside the text"
        by_name[signal.name] = signal
    return by_name


def covered(text: str, signal: Signal) -> list[str]:
    """The original characters behind each span of a signal."""
    return [text[a:b] for a, b in signal.spans]


def documented_signals(section: str) -> dict[str, tuple[str, str]]:
    """The table of the ``## section`` of docs/detectors.md: signal name -> (type, description)."""
    body = DOCS.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(section)}\n(.*?)(?=^## |\Z)", body, re.S | re.M)
    assert match, f"docs/detectors.md has no '## {section}' section"
    rows = re.findall(r"^\| `([a-z_.]+)` \| (\w+) \| (.*) \|$", match.group(1), re.M)
    return {name: (kind, description) for name, kind, description in rows}


def assert_documented(module: ModuleType, section: str) -> None:
    """Every declared signal has its row in docs/detectors.md, with the same type and description."""
    specs = {spec.name: (spec.type, spec.description) for spec in module.smsguard_signals()}
    assert documented_signals(section) == specs


class SignalTable:
    """The table-driven tests every detector plugin shares; a test module subclasses it as ``TestSignals``.

    ``positive`` rows are ``(signal, text, covered characters[, expected value])``, ``negative`` rows
    ``(signal, text)``, ``evasion`` rows ``(signal, text, covered characters)``. The rows are turned into
    parameters by ``pytest_generate_tests`` in conftest.py.
    """

    plugin: ModuleType
    section: str
    positive: list[tuple[Any, ...]]
    negative: list[tuple[str, str]]
    evasion: list[tuple[str, str, str]]
    # negatives are judged as if received at this time (a night time shows time-dependent signals stay silent)
    negative_received_at: datetime | None = None
    # signals whose positive cases live in the module's own tests (e.g. ones that need a receive time)
    positive_elsewhere: frozenset[str] = frozenset()

    def test_signal_fires(self, positive_row: tuple[Any, ...]) -> None:
        name, text, span, value = (*positive_row, None)[:4]
        signals = detect(self.plugin, text)
        assert name in signals, sorted(signals)
        assert any(span in c for c in covered(text, signals[name])), covered(text, signals[name])
        if value is not None:
            assert signals[name].value == value

    def test_signal_stays_silent(self, negative_row: tuple[str, str]) -> None:
        name, text = negative_row
        assert name not in detect(self.plugin, text, received_at=self.negative_received_at)

    def test_evasions_are_seen_through(self, evasion_row: tuple[str, str, str]) -> None:
        name, text, span = evasion_row
        signals = detect(self.plugin, text)
        assert name in signals, sorted(signals)
        assert any(span in c for c in covered(text, signals[name])), covered(text, signals[name])

    def test_every_signal_has_positive_and_negative_tests_and_docs(self) -> None:
        names = set(declared(self.plugin))
        assert {p[0] for p in self.positive} | self.positive_elsewhere == names
        assert {n[0] for n in self.negative} == names
        assert_documented(self.plugin, self.section)


def parametrize_signal_table(metafunc: Any) -> None:
    """Spread a :class:`SignalTable` subclass's rows over its tests (called from conftest.py)."""
    cls = metafunc.cls
    if cls is None or not issubclass(cls, SignalTable):
        return
    for fixture, rows in (("positive_row", cls.positive), ("negative_row", cls.negative), ("evasion_row", cls.evasion)):
        if fixture in metafunc.fixturenames:
            metafunc.parametrize(fixture, rows, ids=[f"{row[0]}-{i}" for i, row in enumerate(rows)])
