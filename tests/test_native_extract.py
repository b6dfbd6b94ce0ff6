"""The native extraction (smsguard._cextract) against the pure-Python reference (extract_python): the same Features,
values, spans, types and shared empty instance, or the same exception, for any NormalizedText."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from native_support import missing_accelerator

import smsguard.extract as extract_module
from smsguard.extract import Features, extract_python
from smsguard.normalize import NormalizedText, default_normalizer

if extract_module._native is None:
    missing_accelerator("extract")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from synth import Generator

NATIVE = extract_module._native.extract
N = default_normalizer()

# The characters the expressions and hints look at, and the edges of the native code's character classes: decimal
# digits of several scripts (Arabic-Indic, Devanagari, full-width, Mongolian, Ol Chiki and Vai at the ends of the
# range the native code knows holds no digit, mathematical digits beyond the BMP), characters that are digits to
# str.isdigit but not to \d, white space that is \s but not ' ', the label letters' range ends, CJK at its ends.
DIGITS = "0123456789٠١٢٣٤٥٦٧٨٩०१२३४५६७८९０１２３４５６７８９᠐᠑\u1c50\u1c59\ua620\ua629𝟎𝟗"
NOT_DIGITS = "²½①Ⅻ\u1c5a\ua61f\u065f\u066a"
EDGE = (
    DIGITS
    + NOT_DIGITS
    + "年月日号/.-今明后本天周小时内¥￥rmb人民币万元块,，.【】[](（)）+ \t\n\r\u3000\xa0\u2028"
    + "京民初执院法号一\u4e00\u9fff\u4dff\ua000"
    + "abcwhtpsfmnoxyzABCW\u00c0\u024f\u0250\u0370\u04ff\u0500аé"
    + ":/@?#%_~=&!;'\"<>。、\ufffd😀\U00020000"
)
FRAGMENTS = [
    "http://",
    "https://",
    "ftp://",
    "h t t p : / / ",
    "www.",
    "www . ",
    ".com",
    ".cn",
    ". com",
    "。com",
    ".xn--p1ai",
    "icbc.com.cn@",
    "a.b.cn",
    ":8080",
    "1.2.3.4",
    "999.1.2.3",
    "256",
    "255",
    "   ",
    "    ",
    " \t ",
    "+86",
    "+86 ",
    "0086-",
    "138",
    "1380013",
    "8000",
    "400",
    "800-",
    "95",
    "96",
    "12",
    "010-",
    "0755",
    "2024",
    "1,200",
    ",000",
    ".50",
    "人民币",
    "万元",
    "小时内",
    "天内",
    "日内",
    "今天",
    "明日",
    "本周",
    "后天",
    "（2024）",
    "( 2024 )",
    "京0105民初",
    "12345号",
    "【某某银行】",
    "[abc]",
]
feature_text = st.lists(
    st.one_of(st.sampled_from(EDGE), st.sampled_from(FRAGMENTS)),
    max_size=50,
).map("".join)
# st.characters() leaves out lone surrogates unless asked
any_text = st.text(st.characters(exclude_categories=()), max_size=60)
texts = feature_text | any_text


def outcome(function: Callable[[Any], Features], ntext: object) -> tuple[str, str]:
    """What ``function(ntext)`` gives: the repr of its result (types, floats and tuple shapes included) and
    whether it is the shared empty Features, or the exception raised."""
    try:
        result = function(ntext)
    except Exception as error:  # the exception itself is compared
        return (f"{type(error).__name__}: {error}", "raised")
    assert type(result) is Features
    return (repr(result), "nothing" if result is extract_module._NOTHING else "found")


def same(ntext: object) -> None:
    expected = outcome(extract_python, ntext)
    assert outcome(NATIVE, ntext) == expected
    if expected[1] != "raised":
        assert NATIVE(ntext) == extract_python(ntext)  # type: ignore[arg-type]


def mapped(text: str, widths: list[int]) -> NormalizedText:
    """``text`` with an offset map to a made-up original in which normalized character i stood for
    ``widths[i % len(widths)]`` characters (0: inserted by normalization) after a dropped one."""
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for i in range(len(text)):
        width = widths[i % len(widths)] if widths else 1
        pos += 1  # a character normalization removed
        starts.append(pos)
        pos += width
        ends.append(pos)
    return NormalizedText("x" * (pos + 1), text, tuple(starts), tuple(ends))


def test_extract_is_the_native_function() -> None:
    assert extract_module.extract is NATIVE
    assert type(NATIVE).__name__ == "builtin_function_or_method"
    assert NATIVE.__module__ == "smsguard._cextract"


@settings(max_examples=1000)
@given(texts)
def test_same_features_as_python(text: str) -> None:
    same(NormalizedText(text, text))


@settings(max_examples=300)
@given(texts)
def test_same_features_after_normalization(text: str) -> None:
    same(N.normalize(text.replace("\ud800", "").encode("utf-8", "replace").decode("utf-8")))


@settings(max_examples=300)
@given(feature_text, st.lists(st.integers(0, 3), max_size=5))
def test_same_spans_through_an_offset_map(text: str, widths: list[int]) -> None:
    same(mapped(text, widths))


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "您好，谢谢",
        # case numbers: the greedy and backtracking choices of each quantifier
        "（2024）京院1号2号",
        "（2024）京号号1号2号",
        "( 2024 ) 京0105民初12345号",
        "（20245）京1号",
        "（２０２４）京1号",
        # amounts: grouped numbers, possessive digits, cents, units, signs
        "¥1,234.56元",
        "1,2345元",
        "12345,678元",
        "1,234,56元",
        "rmb 100.5",
        "人民币 1,000,000.99",
        "12.345元",
        "3万元 4万 5块 6 元",
        "¥ ,12",
        "٣٠元",
        "1" * 400 + "元",
        "¥" + "9" * 400 + ".99",
        # phones
        "+86 138-0013-8000",
        "0086-13800138000",
        "5+8613800138000",
        "8613800138000",
        "400-123-4567 800 123 4567",
        "010-12345678 0101234567 07551234567 075512345678",
        "95588 955881 95588123 955881234 96123",
        "12368 123689",
        "138001380001",
        # dates: lookbehinds, separators, day alternatives
        "2024年5月1日 2024/05/01 2024.5.1号 2024-12-31",
        ".2024-5-1",
        "2024-5-1",
        "12月3日内",
        "5日内 123天内 24小时内 1小时内",
        "12/3 1/32 0/1 13/1 1.2 1-2 5月0日",
        "今天明日后天本周今日明天",
        "2024年13月1日",
        # signatures
        "【某某银行】【 空格 】[abc][x\ny]【" + "长" * 24 + "】【" + "长" * 25 + "】",
        "【a【b】",
        # links, with the features they hide
        "详见 http://a.cn/x?id=12元 查询",
        "访问 www . abc . com 查询 13800138000",
        "见 icbc.com.cn@1.2.3.4/x 和 999.1.2.3/x 和 1.2.3.4",
        "http://999.1.1.1:80/a, 1.2.3.4。",
        "255.255.255.255 256.1.1.1 1.2.3.256 http://1.256.3.4/x a@1.2.3.256",
        "访问 abc   .   com 查询",
        "访问 abc    . com abc .    com",
        "访问 abc \t. \tcom",
        "1.2.3.4! 1.2.3.4, a.cn; a.cn: a.cn? a.cn。 a.cn\t",
        "HTTP://A.CN",
        "ｗｗｗ．ａｂｃ．ｃｏｍ",
        # taken spans: features overlapping earlier ones are dropped
        "（2024）京0105民初12345号 ¥12,345元 13800138000 2024年5月1日",
    ],
)
def test_same_features_on_examples(text: str) -> None:
    same(NormalizedText(text, text))
    same(N.normalize(text))
    same(mapped(text, [1, 0, 2]))


def test_every_synthetic_message() -> None:
    for message in Generator(7).messages(3000):
        same(N.normalize(message.text))
        same(NormalizedText(message.text, message.text))


def test_long_texts() -> None:
    piece = "请于2024年5月1日前还款¥1,200.50元，致电13800138000或登录 http://a.cn/x?id=12元 查询（2024）京0105民初12号【法院】。"
    for text in (
        piece * 300,
        "1" * 100_000,
        "1,000" * 20_000 + "元",
        "【" * 50_000,
        "a.b" * 30_000,
        "(2024)京" * 10_000,
    ):
        same(NormalizedText(text, text))
    same(N.normalize(piece * 100))


def test_bad_input_raises_what_python_raises() -> None:
    text = "请于2024年5月1日前还款13800138000"
    n = len(text)
    for ntext in (
        None,
        text,
        NormalizedText(text, b"2024"),  # type: ignore[arg-type]
        NormalizedText(text, text, tuple(range(3)), tuple(range(1, 4))),  # a map shorter than the text
        NormalizedText(text, text, tuple(range(n)), None),
        NormalizedText(text, text, list(range(n)), list(range(1, n + 1))),  # type: ignore[arg-type]
        NormalizedText(text, text, tuple(range(n)), tuple(range(-1, n - 1))),
        NormalizedText(text, text, tuple(str(i) for i in range(n)), tuple(range(n))),  # type: ignore[misc]
    ):
        same(ntext)


class _Text(str):
    pass


def test_subclasses_take_the_python_path() -> None:
    class Sub(NormalizedText):
        __slots__ = ()

    text = "欠款3000元，13800138000"
    same(Sub(text, text))
    same(NormalizedText(text, _Text(text)))
