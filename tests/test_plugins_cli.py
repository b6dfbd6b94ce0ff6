"""``smsguard plugins`` and ``smsguard new-plugin``."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from plugin_support import GOOD_PLUGIN, FakeSite

from smsguard.cli import main
from smsguard.cli.new_plugin_cmd import PluginNames


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSite]:
    monkeypatch.delenv("SMSGUARD_LOAD_PLUGINS", raising=False)
    fake = FakeSite(tmp_path / "site", monkeypatch)
    yield fake
    fake.cleanup()


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.output


def test_plugins_hides_builtins_without_all(site: FakeSite) -> None:
    site.install("smsguard-acme", "1.2.3", {"acme": "acme_plugin"}, {"acme_plugin": GOOD_PLUGIN})
    code, out = run("plugins")
    assert code == 0
    assert "acme  smsguard-acme 1.2.3  [acme_plugin]" in out
    assert "hooks:     smsguard_detect, smsguard_signals" in out
    assert "signal:    acme.word (bool)  the word 示例 appears" in out
    assert "(built-in)" not in out and "smsguard_plugins.link" not in out
    assert all(not p["builtin"] for p in json.loads(run("plugins", "--json")[1]))
    code, out = run("plugins", "--all")
    assert "link  smsguard " in out and "(built-in)  [smsguard_plugins.link]" in out


def test_plugins_json(site: FakeSite) -> None:
    site.install("smsguard-acme", "1.2.3", {"acme": "acme_plugin"}, {"acme_plugin": GOOD_PLUGIN})
    code, out = run("plugins", "--json")
    assert code == 0
    (acme,) = [p for p in json.loads(out) if p["name"] == "acme"]
    assert acme == {
        "name": "acme",
        "module": "acme_plugin",
        "distribution": "smsguard-acme",
        "version": "1.2.3",
        "builtin": False,
        "hooks": ["smsguard_detect", "smsguard_signals"],
        "signals": [{"name": "acme.word", "type": "bool", "description": "the word 示例 appears"}],
        "functions": [],
        "lexicons": [],
        "rule_packs": [],
    }
    builtins = json.loads(run("plugins", "--json", "--all")[1])
    assert {p["name"] for p in builtins if p["builtin"]} >= {"link"}
    assert all(p["distribution"] == "smsguard" for p in builtins if p["builtin"])


def test_plugins_respects_load_plugins(site: FakeSite) -> None:
    site.install("smsguard-acme", "1.0", {"acme": "acme_plugin"}, {"acme_plugin": GOOD_PLUGIN})
    code, out = run("plugins", env={"SMSGUARD_LOAD_PLUGINS": ""})
    assert code == 0 and "No third-party plugins installed" in out


def test_plugins_reports_a_broken_plugin_and_exits_2(site: FakeSite) -> None:
    site.install("smsguard-broken", "0.1", {"broken": "broken_plugin"}, {"broken_plugin": "raise ImportError('x')\n"})
    code, out = run("plugins")
    assert code == 2
    assert "error: plugin 'broken' (from smsguard-broken 0.1) failed to import 'broken_plugin'" in out


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("acme", PluginNames("acme", "smsguard-acme", "smsguard_acme")),
        ("Acme-Bank", PluginNames("acme_bank", "smsguard-acme-bank", "smsguard_acme_bank")),
        ("smsguard-city_bank", PluginNames("city_bank", "smsguard-city-bank", "smsguard_city_bank")),
    ],
)
def test_plugin_names(name: str, expected: PluginNames) -> None:
    assert PluginNames.from_name(name) == expected


@pytest.mark.parametrize("name", ["", "9lives", "a b", "bank!", "smsguard-"])
def test_new_plugin_rejects_unusable_names(name: str, tmp_path: Path) -> None:
    code, out = run("new-plugin", name, "--dir", str(tmp_path))
    assert code == 2 and "not a usable plugin name" in out


def test_new_plugin_refuses_to_overwrite(tmp_path: Path) -> None:
    (tmp_path / "smsguard-acme").mkdir()
    (tmp_path / "smsguard-acme" / "keep.txt").write_text("mine")
    code, out = run("new-plugin", "acme", "--dir", str(tmp_path))
    assert code == 1 and "already exists and is not empty" in out


def test_new_plugin_refuses_a_file_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "smsguard-filex").write_text("mine")
    code, out = run("new-plugin", "filex", "--dir", str(tmp_path))
    assert (code, out) == (1, f"Error: {tmp_path / 'smsguard-filex'} already exists and is not a directory\n")
    assert (tmp_path / "smsguard-filex").read_text() == "mine"


def test_new_plugin_generates_a_project_whose_tests_pass(tmp_path: Path) -> None:
    code, out = run("new-plugin", "acme-bank", "--dir", str(tmp_path))
    assert code == 0, out
    project = tmp_path / "smsguard-acme-bank"
    files = sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file())
    assert files == [
        "README.md",
        "pyproject.toml",
        "src/smsguard_acme_bank/__init__.py",
        "src/smsguard_acme_bank/py.typed",
        "tests/test_acme_bank.py",
    ]
    meta = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["name"] == "smsguard-acme-bank"
    assert meta["project"]["entry-points"]["smsguard"] == {"acme_bank": "smsguard_acme_bank"}
    assert "$" not in "".join((project / f).read_text(encoding="utf-8") for f in files)
    for command in (["check"], ["format", "--check"]):
        lint = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "--no-cache", "."], cwd=project, capture_output=True, text=True
        )
        assert lint.returncode == 0, lint.stdout + lint.stderr
    # The generated pyproject puts src/ on pytest's path, so its tests pass before the project is installed.
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "5 passed" in tests.stdout
