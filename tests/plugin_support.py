"""Support for the plugin-system tests: fake installed distributions and a small self-contained rule pack."""

from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path

import pytest

# Two categories, so that tests of the plugin system do not depend on the default pack's rules.
CATEGORIES = """pack "base" version "1"
category bad { title: "坏" threshold: 0.5 priority: 10 risk: high }
category normal { title: "正常" threshold: 0 priority: 0 risk: none fallback: true }
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


class FakeSite:
    """A directory on ``sys.path`` holding distributions that ``importlib.metadata`` sees as installed."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root = root
        self.modules: list[str] = []
        root.mkdir(parents=True, exist_ok=True)
        monkeypatch.syspath_prepend(str(root))

    def install(
        self, dist: str, version: str, entry_points: dict[str, str], modules: dict[str, str] | None = None
    ) -> None:
        info = self.root / f"{dist.replace('-', '_')}-{version}.dist-info"
        write(info / "METADATA", f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
        lines = "".join(f"{name} = {target}\n" for name, target in entry_points.items())
        write(info / "entry_points.txt", f"[smsguard]\n{lines}")
        for name, source in (modules or {}).items():
            write(self.root / f"{name}.py", source)
            self.modules.append(name)
        importlib.invalidate_caches()

    def cleanup(self) -> None:
        for name in self.modules:
            sys.modules.pop(name, None)


# A well-behaved third-party plugin module, as source text.
GOOD_PLUGIN = """
    from smsguard.hookspecs import hookimpl
    from smsguard.model import Signal, SignalSpec

    @hookimpl
    def smsguard_signals():
        return [SignalSpec("acme.word", "bool", "the word 示例 appears")]

    @hookimpl
    def smsguard_detect(text):
        start = text.text.find("示例")
        return [Signal("acme.word", True, 1.0, (text.to_original(start, start + 2),))] if start >= 0 else []
"""
