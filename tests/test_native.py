"""The accelerator registry: setup.py builds what smsguard.native loads, the switch to pure Python works, and a
CI build (SMSGUARD_REQUIRE_NATIVE=1) has every accelerator in use."""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from smsguard import native

ROOT = Path(__file__).resolve().parent.parent


def _setup_accelerators() -> dict[str, str]:
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == "ACCELERATORS":
            table = ast.literal_eval(node.value)  # type: ignore[arg-type]
            return {name: module for name, (module, _directory) in table.items()}
    raise AssertionError("setup.py has no ACCELERATORS table")


def test_setup_builds_what_native_loads() -> None:
    assert _setup_accelerators() == native.MODULES


def test_every_accelerator_has_its_main_source() -> None:
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    mains = [
        f"{directory}/{name}.c"
        for node in ast.walk(tree)
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == "ACCELERATORS"
        for name, (_module, directory) in ast.literal_eval(node.value).items()  # type: ignore[arg-type]
    ]
    assert mains
    assert [m for m in mains if not (ROOT / m).is_file()] == []


@pytest.mark.parametrize(
    ("setting", "off"),
    [
        ("", set()),
        ("0", set()),
        ("no", set()),
        ("1", set(native.MODULES)),
        ("TRUE", set(native.MODULES)),
        ("all", set(native.MODULES)),
        ("extract, host", {"extract", "host"}),
        ("normalize", {"normalize"}),
    ],
)
def test_switch_to_pure_python(monkeypatch: pytest.MonkeyPatch, setting: str, off: set[str]) -> None:
    monkeypatch.setenv(native.PURE_ENV, setting)
    assert {name for name in native.MODULES if native.turned_off(name)} == off
    for name in off:
        assert native.load(name) is None


def test_ci_build_uses_every_accelerator() -> None:
    if os.environ.get("SMSGUARD_REQUIRE_NATIVE") != "1":
        pytest.skip("set SMSGUARD_REQUIRE_NATIVE=1 where the C extensions must have been built")
    if native.turned_off(""):
        pytest.skip("SMSGUARD_PURE_PYTHON asks for the pure-Python path")
    assert native.status() == dict.fromkeys(native.MODULES, True)


def test_version_names_the_accelerators_in_use(tmp_path: Path) -> None:
    env = {**os.environ, native.PURE_ENV: "extract"}
    out = subprocess.run(
        [sys.executable, "-c", "from smsguard.cli import main; main()", "--version"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        cwd=tmp_path,  # not the checkout, whose smsguard/ (without the built modules) would shadow the installed one
    ).stdout.splitlines()
    assert out[0].startswith("smsguard ")
    pure = out[2].removeprefix("pure Python: ").split(", ")
    assert "extract" in pure
    unbuilt = {name for name, module in native.MODULES.items() if importlib.util.find_spec(module) is None}
    assert set(pure) == {"extract"} | unbuilt
