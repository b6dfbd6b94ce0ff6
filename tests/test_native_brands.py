"""The native brand helpers (smsguard_plugins._cbrands) against their Python references in plugins/_brands.py:
the same claims (values, types, order), the same one-message cache, the same cached tables, the same exceptions,
for any input."""

from __future__ import annotations

import re
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import native_detectors as nd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from smsguard_plugins import _brands, link, sender

from smsguard.extract import Features, Link, TextFeature, extract

C = nd.accelerator(_brands, "brands")

REFERENCE = _brands.REFERENCE
NAMES = nd.terms("brands")
# Words around a name that make the sender speak as the brand (or not), the characters that end the windows of
# _SELF_NAMING and _INTRODUCTION, signatures, links, separators, and characters beyond the BMP or lone surrogates.
WORDS = [
    *NAMES,
    *[
        "通知",
        "提醒",
        "告知",
        "公告",
        "温馨提示",
        "客服",
        ":",
        "我是",
        "我们是",
        "这里是",
        "本人是",
        "我方是",
        "我司是",
        "来自",
    ],
    *",.!?;:。，",
    "【",
    "】",
    "[",
    "]",
    "您好",
    "冻结你的",
    "账户",
    "http://icbc.example.top/x ",
    " www.招商银行.com ",
    "abc",
    "9",
    " ",
    "\u3000",
    "\U0001f600",
    "\ud800",
    "",
]
brand_text = nd.joined(WORDS)


def c_only() -> AbstractContextManager[None]:
    """Within, the C functions raise HandedToPython where they would call the Python reference (the tables are
    built beforehand: building one is the reference's job)."""
    _brands.display_names()
    return nd.bound(_brands._bind, (dict.fromkeys(REFERENCE, nd.refuse),), (dict(REFERENCE),))


def same_claims(ntext: object, features: object) -> Any:
    """The C find_claims finds what the reference finds (or raises what it raises); returns the reference's
    claims (None where it raised)."""
    ours = nd.outcome(nd.fresh_claims(C.find_claims), ntext, features)
    assert ours == nd.outcome(nd.fresh_claims(REFERENCE["find_claims"]), ntext, features)
    return ours[-1] if ours[0] == "ok" else None


def test_the_helpers_are_the_c_ones() -> None:
    assert _brands.find_claims is C.find_claims and _brands.from_lexicons is C.from_lexicons
    assert sender.find_claims is C.find_claims and link.find_claims is C.find_claims
    assert type(C.find_claims).__name__ == "builtin_function_or_method"
    assert REFERENCE["find_claims"] is not C.find_claims


def test_the_synthetic_messages() -> None:
    claimed = 0
    with c_only():
        for m in nd.synthetic_messages():
            claimed += bool(same_claims(*nd.inputs(m.text)))
    assert claimed > 300  # the generator's messages name brands


@given(brand_text | nd.any_text())
@settings(max_examples=600)
def test_texts_of_names_and_cue_words(text: str) -> None:
    with c_only():
        same_claims(*nd.inputs(text))


spans = st.tuples(st.integers(-2, 40), st.integers(-2, 40))


@given(brand_text, st.lists(spans, max_size=3), st.lists(spans, max_size=3))
@settings(max_examples=400)
def test_any_signatures_and_links(text: str, signatures: list[tuple[int, int]], links: list[tuple[int, int]]) -> None:
    """Claims inside links, signatures that hold a name or open the text, wherever the spans fall."""
    ntext = nd.NORMALIZER.normalize(text)
    features = Features(
        links=tuple(Link("x.cn", "x.cn", s, s) for s in links),
        signatures=tuple(TextFeature("x", s, s) for s in signatures),
    )
    with c_only():
        same_claims(ntext, features)


def test_the_claims_are_cached_for_one_message() -> None:
    ntext, features = nd.inputs("【招商银行】您好，这里是支付宝客服。")
    _brands._LAST[0] = None
    first = C.find_claims(ntext, features)
    assert len(first) == 2 and _brands._LAST[0] == (ntext, features, first)
    assert C.find_claims(ntext, features) is first
    assert REFERENCE["find_claims"](ntext, features) is first  # the cache is the reference's
    other = extract(ntext)
    assert C.find_claims(ntext, other) is not first and C.find_claims(ntext, other) == first
    _brands._LAST[0] = None
    assert C.find_claims(*nd.inputs("您的欠款已逾期")) == () and _brands._LAST[0] is None


def test_empty_and_long_texts() -> None:
    with c_only():
        same_claims(*nd.inputs(""))
        long = nd.long_text()
        # the detectors read the first 20,000 characters
        assert len(C.find_claims(*nd.inputs(long))) > 50
        same_claims(*nd.inputs(long))
        same_claims(*nd.inputs("【招商银行】" * 20_000))
        same_claims(*nd.inputs("这里是招商银行" * 15_000))


def test_odd_inputs_get_what_the_reference_gives() -> None:
    ntext, features = nd.inputs("【招商银行】您好，这里是支付宝客服。")
    odd_text = nd.OddText(ntext.original, ntext.text)
    cases: list[tuple[object, object]] = [
        (odd_text, features),
        (ntext, nd.OddFeatures(features.links, signatures=features.signatures)),
        (ntext, Features(signatures=[TextFeature("x", (0, 6), (0, 6))])),  # type: ignore[arg-type]
        (ntext, Features(signatures=(TextFeature("x", (0, 6), [0, 6]),))),  # type: ignore[arg-type]
        (ntext, Features(signatures=(TextFeature("x", (0, 6), (0, 6.0)),))),  # type: ignore[arg-type]
        (ntext, Features(signatures=(TextFeature("x", (0, 6), (0, 1, 2)),))),  # type: ignore[arg-type]
        (ntext, Features(signatures=(TextFeature("x", (0, 6), (0, 2**70)),))),
        (ntext, Features(links=(TextFeature("x", (0, 6), (0, 6)),))),  # type: ignore[arg-type]
        (ntext, None),
        (ntext, object()),
        ("not a text", features),
        (None, None),
    ]
    for args in cases:
        same_claims(*args)
    with pytest.raises(TypeError):
        C.find_claims(ntext)
    assert nd.outcome(nd.fresh_claims(C.find_claims), ntext, features, 1) == nd.outcome(
        nd.fresh_claims(REFERENCE["find_claims"]), ntext, features, 1
    )
    # a cache the reference would not read as its own: the reference answers
    _brands._LAST[0] = (ntext,)
    with pytest.raises(IndexError):
        C.find_claims(ntext, features)
    _brands._LAST[0] = None


def test_odd_inputs_are_handed_to_the_reference() -> None:
    ntext, features = nd.inputs("【招商银行】您好")
    with c_only():
        C.find_claims(ntext, features)
        with pytest.raises(nd.HandedToPython):
            _brands._LAST[0] = None
            C.find_claims(nd.OddText(ntext.original, ntext.text), features)
        with pytest.raises(nd.HandedToPython):
            C.from_lexicons("brands", ("brands",), _brands._display_table)  # no env: the reference reads it


def test_from_lexicons_reads_the_same_cache() -> None:
    build_calls: list[int] = []

    def build(*lexicons: object) -> list[int]:
        build_calls.append(len(lexicons))
        return build_calls

    key = "test-native-brands"
    try:
        for f in (C.from_lexicons, REFERENCE["from_lexicons"]):
            _brands._DERIVED.pop(key, None)
            first = f(key, ("brands", "hotlines"), build, "")
            assert f(key, ("brands", "hotlines"), build, "") is first
            assert f(key, ("brands",), build, env="") is first
            assert len(build_calls) == 1
            f(key, ("brands",), build, "/elsewhere")
            assert len(build_calls) == 2 and _brands._DERIVED[key][0] == "/elsewhere"
            build_calls.clear()
        for args in [(1, ("brands",), build, ""), (key, ("brands",), build, None), (key,), ([], (), build, "")]:
            results: list[object] = []
            for f in (C.from_lexicons, REFERENCE["from_lexicons"]):
                _brands._DERIVED.pop(key, None)
                try:
                    results.append(("ok", type(f(*args))))
                except Exception as exc:
                    results.append(("raised", type(exc).__name__, str(exc)))
            assert results[0] == results[1], args
    finally:
        _brands._DERIVED.pop(key, None)


def test_a_lexicon_path_change_reaches_the_claims(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "brands.txt").write_text("测试银行\tbrand\ttestbank\n", encoding="utf-8")
    ntext, features = nd.inputs("【测试银行】您好")
    assert same_claims(ntext, features) == ()
    monkeypatch.setenv("SMSGUARD_LEXICON_PATH", str(tmp_path))
    ntext, features = nd.inputs("【测试银行】您好")
    same_claims(ntext, features)
    assert [c.brand for c in C.find_claims(ntext, features)] == ["testbank"]


def test_no_references_leak() -> None:
    ntext, features = nd.inputs("【招商银行】您好，这里是支付宝客服，人民法院通知：冻结你的微信")
    odd = nd.OddText(ntext.original, ntext.text)
    many = nd.inputs("【招商银行】工商银行 http://a.cn " * 12 + "这里是支付宝客服")  # beyond the C's stack arrays
    assert len(many[1].signatures) > 8 and len(many[1].links) > 8
    find_claims = nd.fresh_claims(C.find_claims)
    calls: list[nd.LeakCall] = [
        (find_claims, (ntext, features), None),
        (find_claims, many, None),
        (C.find_claims, (ntext, features), None),  # the cached claims
        (find_claims, (odd, features), None),
        (C.from_lexicons, (*_brands._DISPLAY_TABLE, ""), None),
        (find_claims, (ntext, object()), AttributeError),
    ]
    try:
        nd.assert_calls_leak_nothing(calls, 1500)
    finally:
        _brands._LAST[0] = None


def test_the_pattern_pre_checks_are_on_for_these_patterns_only() -> None:
    assert _brands._bind(REFERENCE)
    other = re.compile(_brands._SELF_NAMING.pattern + "|x")
    try:
        with nd.replaced(_brands, _SELF_NAMING=other):
            assert not _brands._bind(REFERENCE)
            with c_only():  # the C answers alone, without the pre-checks
                for text in ["招商银行x", "招商银行通知", "我是招商银行", "【招商银行】x"]:
                    same_claims(*nd.inputs(text))
    finally:
        assert _brands._bind(REFERENCE)


# The characters the pre-checks look for and the ones that end the patterns' windows, singly, around names.
PRE_CHECK_WORDS = [*NAMES, *"是自我来通提告公温客:,。，x", "通知", "客服", "我是", "来自", "温馨提示", "\ud800"]


@given(nd.joined(PRE_CHECK_WORDS))
@settings(max_examples=600)
def test_the_pre_checks_never_skip_a_match(text: str) -> None:
    with c_only():
        same_claims(*nd.inputs(text))


@pytest.mark.parametrize("cue", ["通知", "提醒", "告知", "公告", "温馨提示", "客服", ":", "通", "客", "温馨"])
def test_each_self_naming_cue_at_each_distance(cue: str) -> None:
    with c_only():
        for filler in ["", "x", "是", "xx", "xxx", "xxxx", "xxxxx", ",", "xx。"]:
            for text in [
                f"招商银行{filler}{cue}",
                f"您好招商银行{filler}{cue}您好",
                f"【支付宝】招商银行{filler}{cue}",
            ]:
                same_claims(*nd.inputs(text))


@pytest.mark.parametrize("cue", ["我是", "我们是", "这里是", "本人是", "我方是", "我司是", "来自", "是", "自"])
def test_each_introduction_at_each_distance(cue: str) -> None:
    with c_only():
        for filler in ["", "x", "xx", "xxx", "xxxx", "xxxxx", ",", "x。x"]:
            for text in [f"{cue}{filler}招商银行", f"您好{cue}{filler}招商银行", f"{cue}{filler}工商银行"]:
                same_claims(*nd.inputs(text))
