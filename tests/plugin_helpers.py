"""Helpers for the detector-plugin tests: run one plugin's hooks on a message the way the engine does."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from types import ModuleType

from smsguard.extract import extract
from smsguard.model import Message, Signal
from smsguard.normalize import default_normalizer

_NORMALIZER = default_normalizer()
DOCS = Path(__file__).resolve().parent.parent / "docs" / "detectors.md"


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
