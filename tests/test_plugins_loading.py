"""Finding plugins through entry points, SMSGUARD_LOAD_PLUGINS, and the validation of a plugin at load time."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from plugin_support import GOOD_PLUGIN, FakeSite

from smsguard.errors import PluginError
from smsguard.functions import RuleFunction
from smsguard.hookspecs import hookimpl
from smsguard.model import SignalSpec
from smsguard.plugins import PluginHost, make_plugin_manager
from smsguard.testing import plugin_module


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSite]:
    monkeypatch.delenv("SMSGUARD_LOAD_PLUGINS", raising=False)
    fake = FakeSite(tmp_path / "site", monkeypatch)
    yield fake
    fake.cleanup()


def host_error(*plugins: Any) -> str:
    with pytest.raises(PluginError) as info:
        PluginHost.from_entry_points(plugins, load_entrypoints=False)
    return str(info.value)


# ---- entry points


def test_an_installed_distribution_is_found_with_its_version(site: FakeSite) -> None:
    site.install("smsguard-acme", "1.2.3", {"acme": "acme_plugin"}, {"acme_plugin": GOOD_PLUGIN})
    host = PluginHost.from_entry_points()
    assert "acme" in host.plugin_names()
    source = host.sources["acme"]
    assert (source.distribution, source.version, source.builtin) == ("smsguard-acme", "1.2.3", False)
    assert host.declared_by["acme.word"] == "acme"
    assert host.sources["link"].builtin


def test_load_plugins_env_limits_third_party_plugins(site: FakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    site.install("smsguard-acme", "1.0", {"acme": "acme_plugin"}, {"acme_plugin": GOOD_PLUGIN})
    site.install("smsguard-other", "1.0", {"other": "other_plugin"}, {"other_plugin": "x = 1\n"})
    monkeypatch.setenv("SMSGUARD_LOAD_PLUGINS", "acme")
    names = PluginHost.from_entry_points().plugin_names()
    assert "acme" in names and "other" not in names
    assert "link" in names, "built-ins always load: the default pack needs their signals"
    monkeypatch.setenv("SMSGUARD_LOAD_PLUGINS", "smsguard-other")  # a distribution name works too
    names = PluginHost.from_entry_points().plugin_names()
    assert "other" in names and "acme" not in names
    monkeypatch.setenv("SMSGUARD_LOAD_PLUGINS", "")
    names = PluginHost.from_entry_points().plugin_names()
    assert "acme" not in names and "other" not in names and "link" in names


def test_load_plugins_env_naming_a_missing_plugin_is_an_error(site: FakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    site.install("smsguard-acme", "1.0", {"acme": "acme_plugin"}, {"acme_plugin": GOOD_PLUGIN})
    monkeypatch.setenv("SMSGUARD_LOAD_PLUGINS", "acme, acmee")
    with pytest.raises(PluginError, match=r"'acmee'.*installed: acme"):
        PluginHost.from_entry_points()


def test_a_plugin_that_fails_to_import_is_named(site: FakeSite) -> None:
    site.install("smsguard-broken", "0.3", {"broken": "broken_plugin"}, {"broken_plugin": "import no_such_module\n"})
    with pytest.raises(PluginError) as info:
        PluginHost.from_entry_points()
    message = str(info.value)
    assert "'broken' (from smsguard-broken 0.3)" in message
    assert "failed to import 'broken_plugin'" in message and "no_such_module" in message


def test_passing_an_installed_plugin_again_registers_it_once(site: FakeSite) -> None:
    site.install("smsguard-acme", "1.0", {"acme": "acme_plugin"}, {"acme_plugin": GOOD_PLUGIN})
    module = importlib.import_module("acme_plugin")
    host = PluginHost.from_entry_points([module])
    assert host.plugin_names().count("acme") == 1 and "acme_plugin" not in host.plugin_names()


def test_without_builtins_only_the_selected_plugins_load(site: FakeSite) -> None:
    site.install("smsguard-acme", "1.0", {"acme": "acme_plugin"}, {"acme_plugin": GOOD_PLUGIN})
    pm = make_plugin_manager(builtins=False, only=["acme"])
    assert sorted(pm.sources) == ["acme"]


def test_two_plugins_with_one_name_are_an_error(site: FakeSite) -> None:
    site.install("smsguard-a", "1.0", {"dup": "dup_a"}, {"dup_a": "x = 1\n"})
    site.install("smsguard-b", "1.0", {"dup": "dup_b"}, {"dup_b": "x = 1\n"})
    with pytest.raises(PluginError, match="two plugins are named 'dup'"):
        PluginHost.from_entry_points()


# ---- hook implementations


def test_wrong_argument_name_names_the_plugin_and_the_hook() -> None:
    @hookimpl
    def smsguard_detect(message: Any, txt: Any) -> list[Any]:
        return []

    message = host_error(plugin_module("typo_plugin", smsguard_detect))
    assert "'typo_plugin'" in message and "smsguard_detect(message, txt)" in message
    assert "'txt'" in message and "(message, text, features)" in message


def test_an_implementation_may_take_a_subset_of_the_arguments() -> None:
    @hookimpl
    def smsguard_detect(features: Any) -> list[Any]:
        return []

    host = PluginHost.from_entry_points([plugin_module("subset", smsguard_detect)], load_entrypoints=False)
    assert host.plugin_names() == ["subset"]


def test_unknown_hook_name_gets_a_suggestion() -> None:
    @hookimpl
    def smsguard_detekt(message: Any) -> list[Any]:
        return []

    message = host_error(plugin_module("misspelt", smsguard_detekt))
    assert "'misspelt'" in message and "did you mean 'smsguard_detect'" in message


def test_a_hook_without_the_marker_is_an_error() -> None:
    def smsguard_signals() -> list[SignalSpec]:
        return []

    message = host_error(plugin_module("unmarked", smsguard_signals))
    assert "'unmarked'" in message and "not marked with @hookimpl" in message


def test_hook_wrappers_are_rejected() -> None:
    @hookimpl(wrapper=True)
    def smsguard_detect(message: Any) -> Iterator[None]:
        yield

    assert "wrapper" in host_error(plugin_module("wrapping", smsguard_detect))


# ---- what the load-time hooks return


def signals_plugin(name: str, *specs: Any) -> Any:
    @hookimpl
    def smsguard_signals() -> list[Any]:
        return list(specs)

    return plugin_module(name, smsguard_signals)


def test_a_signal_declared_twice_names_both_plugins() -> None:
    spec = SignalSpec("shared.flag", "bool", "x")
    message = host_error(signals_plugin("first", spec), signals_plugin("second", spec))
    assert "'second'" in message and "'shared.flag'" in message and "already declared by plugin 'first'" in message


def test_a_signal_declared_twice_by_one_plugin() -> None:
    spec = SignalSpec("self.flag", "bool", "x")
    assert "already declared by itself" in host_error(signals_plugin("repeater", spec, spec))


@pytest.mark.parametrize(
    ("spec", "complaint"),
    [
        (SignalSpec("NoDots", "bool", "x"), "lower case, '<plugin>.<what>'"),
        (SignalSpec("acme.x", "float", "x"), "use bool, number or string"),  # type: ignore[arg-type]
        ("acme.x", "not a SignalSpec"),
    ],
)
def test_malformed_signal_declarations(spec: Any, complaint: str) -> None:
    message = host_error(signals_plugin("sloppy", spec))
    assert "'sloppy'" in message and complaint in message


def test_a_raising_load_time_hook_is_a_plugin_error() -> None:
    @hookimpl
    def smsguard_signals() -> list[SignalSpec]:
        raise KeyError("missing table")

    message = host_error(plugin_module("fragile", smsguard_signals))
    assert "'fragile'" in message and "smsguard_signals() raised KeyError" in message


def test_rule_packs_and_lexicons_must_exist(tmp_path: Path) -> None:
    @hookimpl
    def smsguard_rule_packs() -> list[Path]:
        return [tmp_path / "missing.sg"]

    @hookimpl
    def smsguard_lexicons() -> dict[str, Path]:
        return {"words": tmp_path / "missing.txt"}

    host = PluginHost.from_entry_points(
        [plugin_module("packer", smsguard_rule_packs), plugin_module("lexer", smsguard_lexicons)],
        load_entrypoints=False,
    )
    with pytest.raises(PluginError, match=r"'packer'.*missing\.sg', which does not exist"):
        host.rule_packs()
    with pytest.raises(PluginError, match=r"'lexer'.*lexicon 'words'.*not a file"):
        host.lexicons()


def test_a_single_path_instead_of_a_list_is_explained(tmp_path: Path) -> None:
    @hookimpl
    def smsguard_rule_packs() -> Path:
        return tmp_path

    host = PluginHost.from_entry_points([plugin_module("lonely", smsguard_rule_packs)], load_entrypoints=False)
    with pytest.raises(PluginError, match="must return a list of paths, not PosixPath"):
        host.rule_packs()


def function_plugin(name: str, *functions: Any) -> Any:
    @hookimpl
    def smsguard_functions() -> list[Any]:
        return list(functions)

    return plugin_module(name, smsguard_functions)


def _one(view: Any, text: str) -> bool:
    return True


@pytest.mark.parametrize(
    ("function", "complaint"),
    [
        (RuleFunction("any", ("string",), "bool", _one), "shadow the built-in function 'any'"),
        (RuleFunction("not", ("string",), "bool", _one), "shadow the keyword 'not'"),
        (RuleFunction("bad-name", ("string",), "bool", _one), "use letters, digits and '_'"),
        (RuleFunction("f", ("list",), "bool", _one), "parameter of type 'list'"),  # type: ignore[arg-type]
        (RuleFunction("f", ("string",), "regex", _one), "returns 'regex'"),  # type: ignore[arg-type]
        (RuleFunction("f", ("string", "number"), "bool", _one), "declares 2 parameter(s)"),
        (RuleFunction("f", (), "bool", "not callable"), "not callable"),  # type: ignore[arg-type]
        ("f", "not a RuleFunction"),
    ],
)
def test_function_declarations_are_checked(function: Any, complaint: str) -> None:
    host = PluginHost.from_entry_points([function_plugin("funcs", function)], load_entrypoints=False)
    with pytest.raises(PluginError) as info:
        host.functions()
    assert "'funcs'" in str(info.value) and complaint in str(info.value)


def test_a_function_provided_twice_names_both_plugins() -> None:
    function = RuleFunction("twice", ("string",), "bool", _one)
    host = PluginHost.from_entry_points(
        [function_plugin("alpha", function), function_plugin("beta", function)], load_entrypoints=False
    )
    with pytest.raises(PluginError, match=r"'beta'.*'twice', already provided by plugin 'alpha'"):
        host.functions()


def test_trace_reports_registration(site: FakeSite, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    site.install("smsguard-acme", "1.0", {"acme": "acme_plugin"}, {"acme_plugin": GOOD_PLUGIN})
    monkeypatch.setenv("SMSGUARD_TRACE_PLUGINS", "1")
    PluginHost.from_entry_points()
    err = capsys.readouterr().err
    assert "smsguard trace: register [acme] acme_plugin (smsguard-acme 1.0)" in err
    assert "smsguard trace: smsguard_signals [acme]" in err
