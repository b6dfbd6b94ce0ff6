"""The example third-party distribution in examples/smsguard-regional-lender: its own tests pass against this
checkout, and its packaging ships what the plugin reads at run time. (.ci/run also pip-installs it.)"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "smsguard-regional-lender"


def test_the_example_distribution_declares_its_entry_point_and_data() -> None:
    meta = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["entry-points"]["smsguard"] == {"regional_lender": "smsguard_regional_lender"}
    assert "smsguard>=0.1.0" in meta["project"]["dependencies"]
    globs = meta["tool"]["setuptools"]["package-data"]["smsguard_regional_lender"]
    package = EXAMPLE / "src" / "smsguard_regional_lender"
    shipped = {p for pattern in globs for p in package.glob(pattern)}
    needed = {p for p in package.rglob("*") if p.is_file() and p.suffix in (".txt", ".sg", ".typed")}
    assert needed and needed <= shipped


def test_the_example_passes_its_own_tests() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=EXAMPLE,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout and "failed" not in result.stdout
