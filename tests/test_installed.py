"""The installed package works from a directory outside the source tree (grammar, plugins, pack inside it)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import smsguard


def test_package_data_is_inside_the_installed_package() -> None:
    from smsguard.engine import default_pack_path
    from smsguard.lang.parser import grammar_text

    assert "pack_header" in grammar_text()
    assert (default_pack_path() / "categories.sg").is_file()


def test_cli_from_another_directory(tmp_path: Path) -> None:
    exe = shutil.which("smsguard") or str(Path(sys.executable).with_name("smsguard"))
    if not Path(exe).exists():
        pytest.skip("the smsguard command is not installed in this environment")
    result = subprocess.run(
        [exe, "check", "你这个老赖，再不还钱就联系你家人", "--json"],
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
        check=True,
    )
    verdict = json.loads(result.stdout)
    assert verdict["category"] == "illegal_collection"
    assert verdict["version"]["engine"] == smsguard.__version__


def test_every_subpackage_is_listed_for_the_wheel() -> None:
    """A package missing from pyproject's list installs without it and breaks a non-editable install."""
    import tomllib

    root = Path(__file__).resolve().parent.parent
    listed = set(tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {".".join(init.parent.relative_to(root).parts) for init in (root / "smsguard").rglob("__init__.py")}
    assert found - listed == set()
