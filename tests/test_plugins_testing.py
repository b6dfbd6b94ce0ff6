"""smsguard.testing: the helpers plugin authors use in their own test suites."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from plugin_support import CATEGORIES, GOOD_PLUGIN, FakeSite, write

from smsguard import Message, Signal, SignalSpec
from smsguard.hookspecs import hookimpl
from smsguard.testing import (
    ExampleFailure,
    assert_no_signal,
    assert_signal,
    make_engine,
    plugin_module,
    run_pack_examples,
    signals_for,
)


@hookimpl
def smsguard_signals() -> list[SignalSpec]:
    return [SignalSpec("word.court", "bool", "法院 appears")]


@hookimpl
def smsguard_detect(message: Message) -> list[Signal]:
    spans = []
    start = message.text.find("法院")
    while start >= 0:
        spans.append((start, start + 2))
        start = message.text.find("法院", start + 1)
    return [Signal("word.court", True, 1.0, tuple(spans))] if spans else []


WORD = plugin_module("word", smsguard_signals, smsguard_detect)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSite]:
    fake = FakeSite(tmp_path / "site", monkeypatch)
    yield fake
    fake.cleanup()


def base(tmp_path: Path, rules: str = "") -> Path:
    return write(tmp_path / "base.sg", CATEGORIES + rules)


def test_make_engine_has_only_the_plugin_and_the_builtins(site: FakeSite) -> None:
    site.install("smsguard-acme", "1.0", {"acme": "acme_plugin"}, {"acme_plugin": GOOD_PLUGIN})
    engine = make_engine(WORD)
    names = engine.host.plugin_names()
    assert "word" in names and "link" in names and "acme" not in names
    assert engine.pack.packs[0].name == "default"


def test_make_engine_without_builtins_needs_a_base(tmp_path: Path) -> None:
    engine = make_engine(
        WORD, builtins=False, base=base(tmp_path, 'rule r { category: bad when: signal("word.court") }')
    )
    assert engine.host.plugin_names() == ["word"]
    assert engine.check("法院").category == "bad"


def test_assert_signal_checks_value_spans_and_evidence(tmp_path: Path) -> None:
    engine = make_engine(WORD, builtins=False, base=base(tmp_path))
    signal = assert_signal(engine, "向法院起诉，法院见", "word.court", value=True, spans=[(1, 3), (6, 8)])
    assert signal.plugin == "word"
    assert_signal(engine, "向法院起诉", "word.court", evidence=["法院"])
    with pytest.raises(AssertionError, match=r"did not fire; signals that did: none"):
        assert_signal(engine, "你好", "word.court")
    with pytest.raises(AssertionError, match=r"fired, but not with spans=\[\(0, 2\)\]; it fired with: value=True"):
        assert_signal(engine, "向法院起诉", "word.court", spans=[(0, 2)])
    with pytest.raises(AssertionError, match="not with value=1"):
        assert_signal(engine, "向法院起诉", "word.court", value=1)
    with pytest.raises(AssertionError, match=r"not with evidence=\['起诉'\]"):
        assert_signal(engine, "向法院起诉", "word.court", evidence=["起诉"])


def test_assert_signal_mentions_plugin_errors(tmp_path: Path) -> None:
    @hookimpl
    def smsguard_detect(message: Message) -> list[Signal]:
        raise RuntimeError("broken detector")

    broken = plugin_module("word", smsguard_signals, smsguard_detect)
    engine = make_engine(broken, builtins=False, base=base(tmp_path))
    with pytest.raises(AssertionError, match=r"plugin errors: .*broken detector"):
        assert_signal(engine, "法院", "word.court")


def test_assert_no_signal_and_signals_for(tmp_path: Path) -> None:
    engine = make_engine(WORD, builtins=False, base=base(tmp_path))
    assert_no_signal(engine, "你好", "word.court")
    with pytest.raises(AssertionError, match=r"fired with value True on \[\['法院'\]\]"):
        assert_no_signal(engine, "法院", "word.court")
    assert [s.name for s in signals_for(engine, "法院")] == ["word.court"]


def test_run_pack_examples_reports_each_failing_example(tmp_path: Path) -> None:
    rules = """
rule ok { category: bad when: "起诉"
  examples { hit: "将起诉你" miss: "你好" } }
rule wrong { category: bad when: "起诉"
  examples {
    hit: "这条消息写得很长很长很长很长很长很长很长很长很长很长很长很长，却没有那个词"
    miss: "起诉" from "12368"
    hit: "起诉" at "yesterday"
  } }
"""
    engine = make_engine(builtins=False, base=base(tmp_path, rules))
    failures = run_pack_examples(engine)
    assert [(f.rule, f.kind, f.line) for f in failures] == [
        ("wrong", "hit", 9),
        ("wrong", "miss", 10),
        ("wrong", "hit", 11),
    ]
    first = failures[0]
    assert isinstance(first, ExampleFailure) and first.path.endswith("base.sg")
    assert first.text_preview.endswith("…") and len(first.text_preview) == 31
    assert str(failures[1]) == f"{first.path}:10: rule wrong: miss example fired: 起诉"
    assert run_pack_examples(engine, packs={"nothing"}) == []
